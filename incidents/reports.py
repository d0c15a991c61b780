"""Read-only figures: a school's own report and its governors' report, and the council's
figures across all settings (suppressed: see `incidents.suppression`). Counts only:
nothing here decrypts a record, except the references of repeat targets on the school's
own report, which only its reviewers see.

Each report runs a fixed number of queries whatever the number of incidents (the tests
count them), aggregating in the database.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Count, Max, Q, Sum, Value, When
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from ppp.accounts.models import Organisation
from ppp.dates import add_months

from . import charts
from .models import (
    CATEGORY_FIELDS,
    FIGURE_COLUMNS,
    FORM_FIELDS,
    Category,
    Classification,
    Form,
    Incident,
    Involvement,
    Location,
    Mode,
    MonthlyFigures,
    ReportedBy,
    Role,
    Status,
    YearGroup,
)
from .suppression import SHOWN, Figure, Table, suppress
from .terms import MONTH_NAMES, MONTHS, Term, academic_year_of, month_date, terms_of_year, year_label

NO_CATEGORY = "none"
REPEAT_TARGETS_LISTED = 25  # the school report lists the pupils targeted most often, by reference


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _window(start: datetime.date, end: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}occurred_at__gte": _aware(start), f"{prefix}occurred_at__lt": _aware(end)})


# The dimensions every report counts by: (key, title, rows as (value, label), additive?)


def dimensions(which: set[str] | None = None):
    dims = [
        ("form", "Forms of bullying", [(v, Form(v).label) for v in Form.values], False),
        (
            "category",
            "Prejudice-related categories",
            [*((v, Category(v).label) for v in Category.values), (NO_CATEGORY, "No prejudice-related category")],
            False,
        ),
        ("location", "Where it happened", [(v, Location(v).label) for v in Location.values], True),
        ("mode", "Face to face or online", [(v, Mode(v).label) for v in Mode.values], True),
        (
            "classification",
            "STOP test: bullying or not",
            [(v, Classification(v).label) for v in Classification.values if v != Classification.NOT_ASSESSED],
            True,
        ),
        ("reported_by", "Who reported it", [(v, ReportedBy(v).label) for v in ReportedBy.values], True),
    ]
    return [d for d in dims if which is None or d[0] in which]


def _condition(key: str, value: str, prefix: str = "") -> Q:
    if key == "form":
        return Q(**{prefix + FORM_FIELDS[value]: True})
    if key == "category":
        if value == NO_CATEGORY:
            return Q(**{prefix + field: False for field in CATEGORY_FIELDS.values()})
        return Q(**{prefix + CATEGORY_FIELDS[value]: True})
    return Q(**{prefix + key: value})


# A school's own report


@dataclass
class Row:
    label: str
    this: Figure
    last: Figure

    @property
    def change(self) -> str:
        if self.this.hidden or self.last.hidden:
            return "—"
        difference = self.this.value - self.last.value
        return f"+{difference}" if difference > 0 else str(difference) if difference else "no change"


@dataclass
class Breakdown:
    key: str
    title: str
    rows: list[Row]
    total_this: Figure
    total_last: Figure
    chart: charts.Chart | None = None
    note: str = ""


@dataclass
class SchoolReport:
    organisation: Organisation
    term: Term
    breakdowns: list[Breakdown]
    total_this: Figure
    total_last: Figure
    year_groups: Breakdown
    repeat_targets: list[dict] = field(default_factory=list)
    repeat_target_count: Figure = field(default_factory=lambda: Figure(0))
    median_days_to_resolve: float | None = None
    resolved_count: int = 0
    reviews_overdue: int = 0
    pupil_reports: int = 0
    parents_informed: int = 0
    restorative_used: int = 0
    repeat_incidents: int = 0
    trend: charts.Chart | None = None
    trend_rows: list[tuple[str, Figure, Figure]] = field(default_factory=list)
    suppressed: bool = False
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def rows_for_csv(self):
        yield ["Section", "Row", self.term.label, self.term.last_year().label]
        yield ["All incidents", "Incidents recorded", self.total_this.display, self.total_last.display]
        for breakdown in [*self.breakdowns, self.year_groups]:
            for row in breakdown.rows:
                yield [breakdown.title, row.label, row.this.display, row.last.display]
        yield ["Monitoring", "Pupils targeted 3 or more times in 12 months", self.repeat_target_count.display, ""]
        yield ["Monitoring", "Repeat incidents", self._count(self.repeat_incidents), ""]
        yield ["Monitoring", "Reports made by pupils through the school's link", self._count(self.pupil_reports), ""]
        yield ["Monitoring", "Parents or carers informed", self._count(self.parents_informed), ""]
        yield ["Monitoring", "Restorative approach used", self._count(self.restorative_used), ""]
        yield ["Monitoring", "Incidents resolved this term", self._count(self.resolved_count), ""]
        days = "" if self.median_days_to_resolve is None else f"{self.median_days_to_resolve:g}"
        yield ["Monitoring", "Median days from report to resolution", days, ""]
        yield ["Monitoring", "Reviews overdue today", self.reviews_overdue, ""]

    def _count(self, value: int) -> str:
        return Figure(value, "low" if self.suppressed and 1 <= value <= 4 else SHOWN).display


def school_report(organisation: Organisation, term: Term, *, today=None, suppressed=False, references=True):
    """The school's figures for `term` against the same term last year. With `suppressed`
    (the copy attached to the award), counts from 1 to 4 say "fewer than 5" and others are
    withheld so none can be worked out; `references` adds the repeat targets' references
    (for the school's own reviewers only)."""
    today = today or timezone.localdate()
    last = term.last_year()
    assessed = Incident.objects.filter(organisation=organisation).assessed()
    this_q, last_q = _window(term.start, term.end), _window(last.start, last.end)

    # Two queries: the yes/no columns counted for each of the two terms, and the one-choice
    # columns (where, face to face, STOP result, who reported) grouped.
    counts = {"this_total": 0, "last_total": 0}
    for key, _title, rows, _additive in dimensions():
        for value, _label in rows:
            counts[f"this_{key}_{value}"] = counts[f"last_{key}_{value}"] = 0
    in_terms = assessed.filter(this_q | last_q).annotate(
        period=Case(When(this_q, then=Value("this")), default=Value("last"), output_field=CharField())
    )
    flags = {
        # (named apart from the model's own form_… and category_… fields)
        **{f"n_form_{value}": Count("pk", filter=_condition("form", value)) for value in Form.values},
        **{
            f"n_category_{value}": Count("pk", filter=_condition("category", value))
            for value in [*Category.values, NO_CATEGORY]
        },
        "pupil_reports": Count("pk", filter=Q(reported_by=ReportedBy.PUPIL)),
        "parents_informed": Count("pk", filter=Q(parents_informed=True)),
        "restorative_used": Count("pk", filter=Q(restorative_used=True)),
        "repeat_incidents": Count("pk", filter=Q(is_repeat=True)),
    }
    for row in in_terms.values("period").annotate(n=Count("pk"), **flags).order_by():  # 1 query
        period = row["period"]
        counts[f"{period}_total"] = row["n"]
        for name in flags:
            counts[f"{period}_{name.removeprefix('n_')}"] = row[name]
    choices = ("location", "mode", "classification", "reported_by")
    for row in in_terms.values("period", *choices).annotate(n=Count("pk")).order_by():  # 1 query
        for key in choices:
            name = f"{row['period']}_{key}_{row[key]}"
            if name in counts:
                counts[name] += row["n"]
    for name in ("pupil_reports", "parents_informed", "restorative_used", "repeat_incidents"):
        counts[name] = counts.get(f"this_{name}", 0)

    # The school's targets, joined to its incidents (not "incident in (subquery)", which makes
    # PostgreSQL read every school's involvements).
    targets = Involvement.objects.filter(role=Role.TARGET, incident__organisation=organisation).exclude(
        incident__classification=Classification.NOT_ASSESSED
    )
    year_rows = dict.fromkeys(YearGroup.values, (0, 0))
    for row in (  # 1 query
        targets.filter(_window(term.start, term.end, "incident__") | _window(last.start, last.end, "incident__"))
        .values("year_group")
        .annotate(
            this=Count("incident", distinct=True, filter=_window(term.start, term.end, "incident__")),
            last=Count("incident", distinct=True, filter=_window(last.start, last.end, "incident__")),
        )
    ):
        year_rows[row["year_group"]] = (row["this"], row["last"])

    # Pupils targeted three or more times in the 12 months to the end of the term (1 query)
    # and, for the school's own reviewers, the reference of each one's latest target record
    # (1 query, whose subquery is that same count: so it runs whether or not there are any).
    since = add_months(term.end, -12)
    repeats = (
        targets.filter(_window(since, term.end, "incident__"))
        .exclude(pupil_index="")
        .values("pupil_index")
        .annotate(n=Count("incident", distinct=True), latest=Max("pk"))
        .filter(n__gte=3)
    )
    repeat_rows = list(repeats.order_by("-n", "pupil_index"))
    repeat_indexes = [(row["pupil_index"], row["n"]) for row in repeat_rows]
    repeat_targets = []
    if references:
        latest = {
            pk: (public_id, reference)
            for pk, public_id, reference in Involvement.objects.filter(
                pk__in=repeats.order_by("-n", "pupil_index").values("latest")[:REPEAT_TARGETS_LISTED]
            )
            .order_by()
            .values_list("pk", "public_id", "pupil_reference")
        }
        repeat_targets = [
            {"reference": latest[row["latest"]][1], "public_id": latest[row["latest"]][0], "incidents": row["n"]}
            for row in repeat_rows[:REPEAT_TARGETS_LISTED]
            if row["latest"] in latest
        ]

    resolved = list(  # 1 query
        Incident.objects.filter(
            organisation=organisation,
            resolved_at__gte=_aware(term.start),
            resolved_at__lt=_aware(term.end),
        ).values_list("reported_at", "resolved_at")
    )
    days = [(done - reported).total_seconds() / 86400 for reported, done in resolved]
    overdue = Incident.objects.filter(organisation=organisation).review_overdue(today).count()  # 1 query

    # Month by month, this academic year against last: 1 query
    year = term.year
    monthly = {}
    for row in (
        assessed.filter(_window(month_date(year - 1, 9), month_date(year + 1, 9)))
        .annotate(month=ExtractMonth("occurred_at"))
        .values("month", "occurred_at__year")
        .annotate(n=Count("pk"))
    ):
        monthly[(row["occurred_at__year"], row["month"])] = (
            monthly.get((row["occurred_at__year"], row["month"]), 0) + row["n"]
        )
    # Months still to come show nothing rather than 0.
    this_months = [
        monthly.get((month_date(year, m).year, m), 0) if month_date(year, m) <= today else None for m in MONTHS
    ]
    last_months = [monthly.get((month_date(year - 1, m).year, m), 0) for m in MONTHS]

    breakdowns = []
    tables_this, tables_last = [], []
    for key, title, rows, additive in dimensions():
        this_values = [counts[f"this_{key}_{value}"] for value, _label in rows]
        last_values = [counts[f"last_{key}_{value}"] for value, _label in rows]
        breakdowns.append((key, title, [label for _v, label in rows], this_values, last_values, additive))
    year_labels = [YearGroup(v).label for v in YearGroup.values]
    breakdowns.append(
        (
            "year_group",
            "Year groups of the pupils targeted",
            year_labels,
            [year_rows[v][0] for v in YearGroup.values],
            [year_rows[v][1] for v in YearGroup.values],
            False,
        )
    )
    for _key, _title, labels, this_values, last_values, additive in breakdowns:
        tables_this.append(_one_column(labels, this_values, counts["this_total"], additive))
        tables_last.append(_one_column(labels, last_values, counts["last_total"], additive))
    if suppressed:
        suppress(tables_this)
        suppress(tables_last)

    built = []
    for (key, title, labels, _t, _l, _a), table_this, table_last in zip(
        breakdowns, tables_this, tables_last, strict=True
    ):
        rows = [
            Row(label, table_this.figure(i, 0), table_last.figure(i, 0))
            for i, label in enumerate(labels)
            # A suppressed copy keeps every row: leaving out an empty one would show it is 0.
            if suppressed or table_this.values[i][0] or table_last.values[i][0] or key in ("form", "classification")
        ]
        breakdown = Breakdown(
            key=key,
            title=title,
            rows=rows,
            total_this=table_this.figure(len(labels), 0),
            total_last=table_last.figure(len(labels), 0),
            note="An incident can take several forms, so these add up to more than the number of incidents."
            if key == "form"
            else "An incident can have several categories."
            if key == "category"
            else "Each incident is counted once for every year group its targets are in."
            if key == "year_group"
            else "",
        )
        breakdown.chart = charts.bar_chart(
            f"chart-{key}",
            title,
            [
                (row.label, [(None if f.hidden else f.value, f.display) for f in (row.this, row.last)])
                for row in breakdown.rows
            ],
            [term.label, last.label],
        )
        built.append(breakdown)
    total_this, total_last = built[0].total_this, built[0].total_last
    year_groups = built.pop()

    headline_this = Figure(counts["this_total"])
    repeat_count = Figure(len(repeat_indexes), "low" if suppressed and 1 <= len(repeat_indexes) <= 4 else SHOWN)
    report = SchoolReport(
        organisation=organisation,
        term=term,
        breakdowns=built,
        total_this=total_this if suppressed else headline_this,
        total_last=total_last if suppressed else Figure(counts["last_total"]),
        year_groups=year_groups,
        repeat_targets=repeat_targets,
        repeat_target_count=repeat_count,
        median_days_to_resolve=round(statistics.median(days), 1) if days else None,
        resolved_count=len(days),
        reviews_overdue=overdue,
        pupil_reports=counts["pupil_reports"],
        parents_informed=counts["parents_informed"],
        restorative_used=counts["restorative_used"],
        repeat_incidents=counts["repeat_incidents"],
        suppressed=suppressed,
    )
    if not suppressed:
        labels = [MONTH_NAMES[m] for m in MONTHS]
        report.trend = charts.column_chart(
            "chart-trend",
            "Incidents month by month",
            labels,
            [
                (year_label(year), [(v, "" if v is None else str(v)) for v in this_months]),
                (year_label(year - 1), [(v, str(v)) for v in last_months]),
            ],
        )
        report.trend_rows = [
            (label, "—" if a is None else Figure(a), Figure(b))
            for label, a, b in zip(labels, this_months, last_months, strict=True)
        ]
    return report


def _one_column(labels, values, total, additive) -> Table:
    """A one-column table (the row total is the cell itself), for suppression."""
    return Table(
        title="",
        row_labels=list(labels),
        column_labels=["this"],
        values=[[v, v] for v in values] + [[total, total]],
        additive=additive,
    )


# The council's figures


@dataclass
class CouncilFigures:
    year: int
    period: str
    which: str
    columns: list[str]
    tables: list[Table]
    settings_count: int
    enough: bool
    min_settings: int
    headline_chart: charts.Chart | None = None
    charts: dict = field(default_factory=dict)

    @property
    def year_label(self) -> str:
        return year_label(self.year)

    @property
    def headline(self) -> Table | None:
        return self.tables[0] if self.tables else None

    def csv_rows(self):
        yield [f"Bullying incidents recorded by settings in Leicester, {self.year_label}"]
        yield [
            "Counts from 1 to 4 are shown as 'fewer than 5'; some other counts are hidden too "
            "('fewer than 5' or 'withheld') so that no small one can be worked out."
        ]
        for table in self.tables:
            yield []
            yield [table.title]
            yield ["", *table.column_labels, table.total_label]
            for label, cells in table.rows:
                yield [label, *(cell.display for cell in cells)]


def _area(postcode: str) -> str:
    """The postcode district (the part before the space: LE2), or "Not known"."""
    outward = (postcode or "").strip().upper().split(" ")[0]
    return outward if 2 <= len(outward) <= 4 else "Not known"


def _period_columns(period: str, year: int, today: datetime.date):
    """The columns (periods that have begun by `today`) and the column of each month."""
    if period == "term":
        terms = [t for t in terms_of_year(year) if t.start <= today]
        return [t.short_label for t in terms], [
            next((i for i, t in enumerate(terms) if m in t.months), None) for m in MONTHS
        ]
    months = [m for m in MONTHS if month_date(year, m) <= today]
    return [f"{MONTH_NAMES[m]} {str(month_date(year, m).year)[-2:]}" for m in months], [
        n if n < len(months) else None for n in range(12)
    ]


def council_figures(*, year: int, period: str = "term", which: str = "all", today=None) -> CouncilFigures:
    """Counts across every setting for academic year `year`, by month or by term, each
    table suppressed (linked through the shared "All incidents" row). Three queries, on
    the schools' monthly counts (`MonthlyFigures`), not on the records."""
    min_settings = settings.INCIDENT_FIGURES_MIN_SETTINGS
    columns, column_of_month = _period_columns(period, year, today or timezone.localdate())
    month_index = {m: i for i, m in enumerate(MONTHS)}
    # The monthly counts each school's records keep (MonthlyFigures), not the records.
    base = MonthlyFigures.objects.filter(month__gte=month_date(year, 9), month__lt=month_date(year + 1, 9))
    if which == "bullying":
        base = base.filter(classification=Classification.BULLYING)
    n_cols = len(columns)

    def empty(rows):
        return [[0] * n_cols for _ in range(rows)]

    dims = dimensions(
        {"form", "category", "location", "classification"} if which == "all" else {"form", "category", "location"}
    )
    grids = {key: empty(len(rows)) for key, _t, rows, _a in dims}
    year_grid = empty(len(YearGroup.values))
    columns_of = {"form": "form_{}", "category": "category_{}", "location": "at_{}"}
    headline = [0] * n_cols
    sums = {"n": Sum("incidents"), **{name: Sum(name) for name in FIGURE_COLUMNS}}
    for row in base.values("month", "classification").annotate(**sums):  # 1 query: months × STOP results
        col = column_of_month[month_index[row["month"].month]]
        if col is None:  # a period that has not begun (only a clock gone wrong puts one there)
            continue
        headline[col] += row["n"]
        for key, _title, rows, _additive in dims:
            for r, (value, _label) in enumerate(rows):
                if key == "classification":
                    grids[key][r][col] += row["n"] if row["classification"] == value else 0
                else:
                    grids[key][r][col] += row[columns_of[key].format(value)] or 0
        for r, value in enumerate(YearGroup.values):
            year_grid[r][col] += row[f"targets_{value}"] or 0

    # Each setting's counts per month: 1 query, read raw (thousands of rows, and Django's
    # value converters would take longer than the query).
    sql, params = (
        base.values_list("organisation_id", "month").annotate(n=Sum("incidents")).order_by().query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        setting_rows = cursor.fetchall()
    per_setting: dict[int, list[int]] = {}
    for organisation_id, month, n in setting_rows:
        month = month if isinstance(month, datetime.date) else datetime.date.fromisoformat(str(month)[:10])
        col = column_of_month[month_index[month.month]]
        if col is not None:
            per_setting.setdefault(organisation_id, [0] * n_cols)[col] += int(n)
    kinds = dict(Organisation.Kind.choices)
    setting_info = {  # 1 query
        pk: (kind, _area(postcode))
        for pk, kind, postcode in Organisation.objects.filter(pk__in=list(per_setting)).values_list(
            "pk", "kind", "postcode"
        )
    }

    def grouped(title, labeller, other_label):
        counts: dict[str, list[int]] = {}
        members: dict[str, set[int]] = {}
        for pk, row in per_setting.items():
            label = labeller(setting_info[pk])
            counts.setdefault(label, [0] * n_cols)
            counts[label] = [a + b for a, b in zip(counts[label], row, strict=True)]
            members.setdefault(label, set()).add(pk)
        big = sorted(label for label in counts if len(members[label]) >= min_settings)
        small = [label for label in counts if label not in big]
        labels = list(big)
        rows = [counts[label] for label in big]
        withheld = set()
        if small:
            labels.append(other_label)
            rows.append([sum(counts[label][c] for label in small) for c in range(n_cols)])
            if sum(len(members[label]) for label in small) < min_settings:
                withheld.add(len(labels) - 1)
        return title, labels, rows, withheld

    total = sum(headline)
    bottom = [*headline, total]

    def table(key, title, labels, rows, additive, withheld=(), description=""):
        return Table(
            title=title,
            key=key,
            row_labels=list(labels),
            column_labels=columns,
            values=[[*row, sum(row)] for row in rows] + [list(bottom)],
            additive=additive,
            withheld_rows=set(withheld),
            description=description,
        )

    tables = [table("all", "All incidents", [], [], False, description="Incidents recorded in each period.")]
    for key, title, rows, additive in dims:
        tables.append(
            table(
                key,
                {"form": "Incidents by form of bullying", "category": "Incidents by prejudice-related category"}.get(
                    key, f"Incidents by {title[0].lower()}{title[1:]}"
                )
                if key not in ("location", "classification")
                else {
                    "location": "Incidents by where they happened",
                    "classification": "Incidents by STOP test result",
                }[key],
                [label for _v, label in rows],
                grids[key],
                additive,
                description="An incident can be counted in more than one row." if key in ("form", "category") else "",
            )
        )
    tables.append(
        table(
            "year_group",
            "Pupils targeted, by year group",
            [YearGroup(v).label for v in YearGroup.values],
            year_grid,
            False,
            description="Each pupil targeted in an incident is counted once; an incident can have several.",
        )
    )
    kind_title, kind_labels, kind_rows, kind_withheld = grouped(
        "Incidents by kind of setting", lambda info: kinds.get(info[0], info[0]), "Other kinds of setting"
    )
    tables.append(
        table(
            "kind",
            kind_title,
            kind_labels,
            kind_rows,
            True,
            kind_withheld,
            f"A kind of setting with fewer than {min_settings} settings recording incidents is counted under "
            "'Other kinds of setting'.",
        )
    )
    area_title, area_labels, area_rows, area_withheld = grouped(
        "Incidents by area (postcode district)", lambda info: info[1], "Other areas"
    )
    tables.append(
        table(
            "area",
            area_title,
            area_labels,
            area_rows,
            True,
            area_withheld,
            f"An area with fewer than {min_settings} settings recording incidents is counted under 'Other areas'.",
        )
    )
    enough = len(per_setting) >= min_settings
    figures = CouncilFigures(
        year=year,
        period=period,
        which=which,
        columns=columns,
        tables=suppress(tables) if enough else [],
        settings_count=len(per_setting),
        enough=enough,
        min_settings=min_settings,
    )
    if enough:
        bottom_row = figures.tables[0].bottom_row[1]
        figures.headline_chart = charts.column_chart(
            "chart-all",
            "All incidents",
            columns,
            [("Incidents", [(None if f.hidden else f.value, f.display) for f in bottom_row[:-1]])],
        )
        for t in figures.tables[1:]:
            figures.charts[t.key] = charts.bar_chart(
                f"chart-{t.key}",
                t.title,
                [
                    (label, [(None if cells[-1].hidden else cells[-1].value, cells[-1].display)])
                    for label, cells in t.body_rows
                ],
                ["Total for the year"],
            )
    return figures


def available_years(today=None) -> list[int]:
    """Academic years to choose from: this one and the five before."""
    today = today or timezone.localdate()
    this = academic_year_of(today)
    return [this - n for n in range(6)]


def terms_to_choose(today=None) -> list[Term]:
    today = today or timezone.localdate()
    term, terms = Term.of(today), []
    for _ in range(9):
        terms.append(term)
        term = term.previous()
    return terms


def status_counts(incidents) -> dict[str, int]:
    rows = incidents.order_by().values_list("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(Status.values, 0)
    counts.update(dict(rows))
    return counts
