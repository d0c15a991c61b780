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
from ppp.dates import add_months, start_of_day

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


def _window(start: datetime.date, end: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}occurred_at__gte": start_of_day(start), f"{prefix}occurred_at__lt": start_of_day(end)})


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
    (for the school's own reviewers only). Nine queries, whatever the number of records."""
    today = today or timezone.localdate()
    last = term.last_year()
    assessed = Incident.objects.filter(organisation=organisation).assessed()
    counts = _term_counts(assessed, term, last)  # 2 queries
    # The school's targets, joined to its incidents (not "incident in (subquery)", which makes
    # PostgreSQL read every school's involvements).
    targets = Involvement.objects.filter(role=Role.TARGET, incident__organisation=organisation).exclude(
        incident__classification=Classification.NOT_ASSESSED
    )
    repeat_count, repeat_targets = _repeat_targets(targets, term, references=references)  # 1 or 2 queries
    days = [  # 1 query: from the day the school was told (not the day it was recorded)
        max((timezone.localtime(done).date() - reported).days, 0)
        for reported, done in Incident.objects.filter(
            organisation=organisation, resolved_at__gte=start_of_day(term.start), resolved_at__lt=start_of_day(term.end)
        ).values_list("reported_on", "resolved_at")
    ]
    built = _breakdowns(counts, _year_groups(targets, term, last), term, last, suppressed=suppressed)  # 1 query
    year_groups = built.pop()
    report = SchoolReport(
        organisation=organisation,
        term=term,
        breakdowns=built,
        total_this=built[0].total_this if suppressed else Figure(counts["this_total"]),
        total_last=built[0].total_last if suppressed else Figure(counts["last_total"]),
        year_groups=year_groups,
        repeat_targets=repeat_targets,
        repeat_target_count=Figure(repeat_count, "low" if suppressed and 1 <= repeat_count <= 4 else SHOWN),
        median_days_to_resolve=round(statistics.median(days), 1) if days else None,
        resolved_count=len(days),
        reviews_overdue=Incident.objects.filter(organisation=organisation).review_overdue(today).count(),  # 1 query
        pupil_reports=counts.get("this_pupil_reports", 0),
        parents_informed=counts.get("this_parents_informed", 0),
        restorative_used=counts.get("this_restorative_used", 0),
        repeat_incidents=counts.get("this_repeat_incidents", 0),
        suppressed=suppressed,
    )
    if not suppressed:
        _add_trend(report, assessed, term.year, today)  # 1 query
    return report


def _term_counts(assessed, term: Term, last: Term) -> dict[str, int]:
    """Counts for the term ("this_…") and the same term last year ("last_…"): the yes/no
    columns counted for each (1 query), the one-choice columns grouped (1 query)."""
    this_q, last_q = _window(term.start, term.end), _window(last.start, last.end)
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
        "n_pupil_reports": Count("pk", filter=Q(reported_by=ReportedBy.PUPIL)),
        "n_parents_informed": Count("pk", filter=Q(parents_informed=True)),
        "n_restorative_used": Count("pk", filter=Q(restorative_used=True)),
        "n_repeat_incidents": Count("pk", filter=Q(is_repeat=True)),
    }
    for row in in_terms.values("period").annotate(n=Count("pk"), **flags).order_by():
        counts[f"{row['period']}_total"] = row["n"]
        for name in flags:
            counts[f"{row['period']}_{name.removeprefix('n_')}"] = row[name]
    choices = ("location", "mode", "classification", "reported_by")
    for row in in_terms.values("period", *choices).annotate(n=Count("pk")).order_by():
        for key in choices:
            name = f"{row['period']}_{key}_{row[key]}"
            if name in counts:
                counts[name] += row["n"]
    return counts


def _year_groups(targets, term: Term, last: Term) -> dict[str, tuple[int, int]]:
    """Incidents with a target in each year group, this term and a year before: 1 query."""
    this_w, last_w = _window(term.start, term.end, "incident__"), _window(last.start, last.end, "incident__")
    rows = dict.fromkeys(YearGroup.values, (0, 0))
    for row in (
        targets.filter(this_w | last_w)
        .values("year_group")
        .annotate(
            this=Count("incident", distinct=True, filter=this_w), last=Count("incident", distinct=True, filter=last_w)
        )
    ):
        rows[row["year_group"]] = (row["this"], row["last"])
    return rows


def _repeat_targets(targets, term: Term, *, references: bool) -> tuple[int, list[dict]]:
    """How many pupils were targeted three or more times in the 12 months to the end of the
    term (1 query) and, for the school's own reviewers, the references of those targeted
    most often (1 query, whose subquery is that same count: it runs whether or not any)."""
    repeats = (
        targets.filter(_window(add_months(term.end, -12), term.end, "incident__"))
        .exclude(pupil_index="")
        .values("pupil_index")
        .annotate(n=Count("incident", distinct=True), latest=Max("pk"))
        .filter(n__gte=3)
        .order_by("-n", "pupil_index")
    )
    rows = list(repeats)
    if not references:
        return len(rows), []
    latest = {
        pk: (public_id, reference)
        for pk, public_id, reference in Involvement.objects.filter(
            pk__in=repeats.values("latest")[:REPEAT_TARGETS_LISTED]
        )
        .order_by()
        .values_list("pk", "public_id", "pupil_reference")
    }
    listed = [
        {"reference": latest[row["latest"]][1], "public_id": latest[row["latest"]][0], "incidents": row["n"]}
        for row in rows[:REPEAT_TARGETS_LISTED]
        if row["latest"] in latest
    ]
    return len(rows), listed


NOTES = {
    "form": "An incident can take several forms, so these add up to more than the number of incidents.",
    "category": "An incident can have several categories.",
    "year_group": "Each incident is counted once for every year group its targets are in.",
}


def _breakdowns(counts, year_rows, term: Term, last: Term, *, suppressed: bool) -> list[Breakdown]:
    """One breakdown per dimension, the targets' year groups last; suppressed if asked."""
    parts = [
        (
            key,
            title,
            [label for _v, label in rows],
            [counts[f"this_{key}_{value}"] for value, _label in rows],
            [counts[f"last_{key}_{value}"] for value, _label in rows],
            additive,
        )
        for key, title, rows, additive in dimensions()
    ]
    parts.append(
        (
            "year_group",
            "Year groups of the pupils targeted",
            [YearGroup(v).label for v in YearGroup.values],
            [year_rows[v][0] for v in YearGroup.values],
            [year_rows[v][1] for v in YearGroup.values],
            False,
        )
    )
    tables_this = [
        _one_column(labels, now, counts["this_total"], additive) for _k, _t, labels, now, _b, additive in parts
    ]
    tables_last = [
        _one_column(labels, then, counts["last_total"], additive) for _k, _t, labels, _n, then, additive in parts
    ]
    if suppressed:
        suppress(tables_this)
        suppress(tables_last)
    return [
        _breakdown(key, title, labels, this, before, term, last, suppressed=suppressed)
        for (key, title, labels, _n, _b, _a), this, before in zip(parts, tables_this, tables_last, strict=True)
    ]


def _breakdown(key, title, labels, this: Table, before: Table, term: Term, last: Term, *, suppressed) -> Breakdown:
    rows = [
        Row(label, this.figure(i, 0), before.figure(i, 0))
        for i, label in enumerate(labels)
        # A suppressed copy keeps every row: leaving out an empty one would show it is 0.
        if suppressed or this.values[i][0] or before.values[i][0] or key in ("form", "classification")
    ]
    breakdown = Breakdown(
        key=key,
        title=title,
        rows=rows,
        total_this=this.figure(len(labels), 0),
        total_last=before.figure(len(labels), 0),
        note=NOTES.get(key, ""),
    )
    breakdown.chart = charts.bar_chart(
        f"chart-{key}",
        title,
        [(row.label, [(None if f.hidden else f.value, f.display) for f in (row.this, row.last)]) for row in rows],
        [term.label, last.label],
    )
    return breakdown


def _add_trend(report: SchoolReport, assessed, year: int, today) -> None:
    """Month by month, this school year against last (months to come show nothing): 1 query."""
    monthly: dict[tuple[int, int], int] = {}
    for row in (
        assessed.filter(_window(month_date(year - 1, 9), month_date(year + 1, 9)))
        .annotate(month=ExtractMonth("occurred_at"))
        .values("month", "occurred_at__year")
        .annotate(n=Count("pk"))
    ):
        key = (row["occurred_at__year"], row["month"])
        monthly[key] = monthly.get(key, 0) + row["n"]
    this_months = [
        monthly.get((month_date(year, m).year, m), 0) if month_date(year, m) <= today else None for m in MONTHS
    ]
    last_months = [monthly.get((month_date(year - 1, m).year, m), 0) for m in MONTHS]
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


TITLES = {
    "form": "Incidents by form of bullying",
    "category": "Incidents by prejudice-related category",
    "location": "Incidents by where they happened",
    "classification": "Incidents by STOP test result",
}
COLUMNS_OF = {"form": "form_{}", "category": "category_{}", "location": "at_{}"}


def council_figures(*, year: int, period: str = "term", which: str = "all", today=None) -> CouncilFigures:
    """Counts across every setting for academic year `year`, by month or by term, each
    table suppressed (linked through the shared "All incidents" row). Three queries, on
    the schools' monthly counts (`MonthlyFigures`), not on the records."""
    tables = _CouncilTables(year=year, period=period, which=which, today=today or timezone.localdate())
    enough = len(tables.per_setting) >= tables.min_settings
    figures = CouncilFigures(
        year=year,
        period=period,
        which=which,
        columns=tables.columns,
        tables=suppress(tables.all()) if enough else [],
        settings_count=len(tables.per_setting),
        enough=enough,
        min_settings=tables.min_settings,
    )
    if enough:
        _add_charts(figures)
    return figures


class _CouncilTables:
    """The council's tables for a school year, unsuppressed, from MonthlyFigures."""

    def __init__(self, *, year: int, period: str, which: str, today):
        self.min_settings = settings.INCIDENT_FIGURES_MIN_SETTINGS
        self.columns, self.column_of_month = _period_columns(period, year, today)
        self.width = len(self.columns)
        self.base = MonthlyFigures.objects.filter(month__gte=month_date(year, 9), month__lt=month_date(year + 1, 9))
        if which == "bullying":
            self.base = self.base.filter(classification=Classification.BULLYING)
        keys = (
            {"form", "category", "location", "classification"} if which == "all" else {"form", "category", "location"}
        )
        self.dims = dimensions(keys)
        self._sum_months()  # 1 query
        self._read_settings()  # 2 queries

    def _column(self, month: datetime.date) -> int | None:
        """The column of a month (None for a period that has not begun: only a clock gone wrong)."""
        return self.column_of_month[MONTHS.index(month.month)]

    def _empty(self, rows: int) -> list[list[int]]:
        return [[0] * self.width for _ in range(rows)]

    def _sum_months(self) -> None:
        self.grids = {key: self._empty(len(rows)) for key, _t, rows, _a in self.dims}
        self.year_grid = self._empty(len(YearGroup.values))
        self.headline = [0] * self.width
        sums = {"n": Sum("incidents"), **{name: Sum(name) for name in FIGURE_COLUMNS}}
        for row in self.base.values("month", "classification").annotate(**sums):  # months × STOP results
            col = self._column(row["month"])
            if col is None:
                continue
            self.headline[col] += row["n"]
            for key, _title, rows, _additive in self.dims:
                for r, (value, _label) in enumerate(rows):
                    if key == "classification":
                        self.grids[key][r][col] += row["n"] if row["classification"] == value else 0
                    else:
                        self.grids[key][r][col] += row[COLUMNS_OF[key].format(value)] or 0
            for r, value in enumerate(YearGroup.values):
                self.year_grid[r][col] += row[f"targets_{value}"] or 0

    def _read_settings(self) -> None:
        """Each setting's counts per period (read raw: thousands of rows, and Django's value
        converters would take longer than the query), and each setting's kind and area."""
        query = self.base.values_list("organisation_id", "month").annotate(n=Sum("incidents")).order_by().query
        with connection.cursor() as cursor:
            cursor.execute(*query.sql_with_params())
            rows = cursor.fetchall()
        self.per_setting: dict[int, list[int]] = {}
        for organisation_id, month, n in rows:
            month = month if isinstance(month, datetime.date) else datetime.date.fromisoformat(str(month)[:10])
            col = self._column(month)
            if col is not None:
                self.per_setting.setdefault(organisation_id, [0] * self.width)[col] += int(n)
        self.setting_info = {
            pk: (kind, _area(postcode))
            for pk, kind, postcode in Organisation.objects.filter(pk__in=list(self.per_setting)).values_list(
                "pk", "kind", "postcode"
            )
        }

    def _grouped(self, labeller, other_label):
        """Rows by a setting's kind or area: a group of fewer than `min_settings` settings
        goes under `other_label`, which is withheld whole if it is still too few."""
        counts: dict[str, list[int]] = {}
        members: dict[str, set[int]] = {}
        for pk, row in self.per_setting.items():
            label = labeller(self.setting_info[pk])
            counts[label] = [a + b for a, b in zip(counts.get(label, [0] * self.width), row, strict=True)]
            members.setdefault(label, set()).add(pk)
        big = sorted(label for label in counts if len(members[label]) >= self.min_settings)
        small = [label for label in counts if label not in big]
        labels, rows, withheld = list(big), [counts[label] for label in big], set()
        if small:
            labels.append(other_label)
            rows.append([sum(counts[label][c] for label in small) for c in range(self.width)])
            if sum(len(members[label]) for label in small) < self.min_settings:
                withheld.add(len(labels) - 1)
        return labels, rows, withheld

    def _table(self, key, title, labels, rows, additive, withheld=(), description="") -> Table:
        return Table(
            title=title,
            key=key,
            row_labels=list(labels),
            column_labels=self.columns,
            values=[[*row, sum(row)] for row in rows] + [[*self.headline, sum(self.headline)]],
            additive=additive,
            withheld_rows=set(withheld),
            description=description,
        )

    def all(self) -> list[Table]:
        several = "An incident can be counted in more than one row."
        tables = [self._table("all", "All incidents", [], [], False, description="Incidents recorded in each period.")]
        for key, _title, rows, additive in self.dims:
            labels = [label for _v, label in rows]
            note = several if key in ("form", "category") else ""
            tables.append(self._table(key, TITLES[key], labels, self.grids[key], additive, description=note))
        tables.append(
            self._table(
                "year_group",
                "Pupils targeted, by year group",
                [YearGroup(v).label for v in YearGroup.values],
                self.year_grid,
                False,
                description="Each pupil targeted in an incident is counted once; an incident can have several.",
            )
        )
        kinds = dict(Organisation.Kind.choices)
        fewer = f"fewer than {self.min_settings} settings recording incidents"
        labels, rows, withheld = self._grouped(lambda info: kinds.get(info[0], info[0]), "Other kinds of setting")
        tables.append(
            self._table(
                "kind",
                "Incidents by kind of setting",
                labels,
                rows,
                True,
                withheld,
                f"A kind of setting with {fewer} is counted under 'Other kinds of setting'.",
            )
        )
        labels, rows, withheld = self._grouped(lambda info: info[1], "Other areas")
        tables.append(
            self._table(
                "area",
                "Incidents by area (postcode district)",
                labels,
                rows,
                True,
                withheld,
                f"An area with {fewer} is counted under 'Other areas'.",
            )
        )
        return tables


def _add_charts(figures: CouncilFigures) -> None:
    """A chart beside each table: the periods for "All incidents", the year's totals elsewhere."""
    bottom_row = figures.tables[0].bottom_row[1]
    figures.headline_chart = charts.column_chart(
        "chart-all",
        "All incidents",
        figures.columns,
        [("Incidents", [(None if f.hidden else f.value, f.display) for f in bottom_row[:-1]])],
    )
    for table in figures.tables[1:]:
        figures.charts[table.key] = charts.bar_chart(
            f"chart-{table.key}",
            table.title,
            [
                (label, [(None if cells[-1].hidden else cells[-1].value, cells[-1].display)])
                for label, cells in table.body_rows
            ],
            ["Total for the year"],
        )


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
