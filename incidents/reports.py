"""Read-only figures: a school's own report and its governors' report, and the council's
figures across all settings (published releases: see `incidents.releases`). Counts only:
nothing here decrypts a record, except the references of repeat targets on the school's
own report, which only its reviewers see.

Each report runs a fixed number of queries whatever the number of incidents (the tests
count them), aggregating in the database.
"""

import datetime
import statistics
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Max, Q, Value, When
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from ppp import disclosure
from ppp.accounts.models import Organisation
from ppp.dates import add_months, start_of_day

from . import charts
from .models import (
    CATEGORY_FIELDS,
    FORM_FIELDS,
    Category,
    Classification,
    Form,
    Incident,
    Involvement,
    Location,
    Mode,
    ReportedBy,
    Role,
    Status,
    YearGroup,
)
from .selectors import release_tables
from .terms import MONTH_NAMES, MONTHS, Term, month_date, year_label

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
class Figure:
    """A count as a report shows it: the number, or `c` where the disclosure rule hides it."""

    value: int
    hidden: bool = False

    @property
    def display(self) -> str:
        return disclosure.CONFIDENTIAL if self.hidden else f"{self.value:,}"

    def __str__(self):
        return self.display


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
    resolved_count: Figure = field(default_factory=lambda: Figure(0))
    reviews_overdue: Figure = field(default_factory=lambda: Figure(0))
    pupil_reports: Figure = field(default_factory=lambda: Figure(0))
    parents_informed: Figure = field(default_factory=lambda: Figure(0))
    restorative_used: Figure = field(default_factory=lambda: Figure(0))
    repeat_incidents: Figure = field(default_factory=lambda: Figure(0))
    trend: charts.Chart | None = None
    trend_rows: list[tuple[str, Figure, Figure]] = field(default_factory=list)
    suppressed: bool = False
    published: disclosure.Published | None = None  # the award copy, as the disclosure rule published it
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def rows_for_csv(self):
        yield ["Section", "Row", self.term.label, self.term.last_year().label]
        yield ["All incidents", "Incidents recorded", self.total_this.display, self.total_last.display]
        for breakdown in [*self.breakdowns, self.year_groups]:
            for row in breakdown.rows:
                yield [breakdown.title, row.label, row.this.display, row.last.display]
        yield ["Monitoring", "Pupils targeted 3 or more times in 12 months", self.repeat_target_count.display, ""]
        yield ["Monitoring", "Repeat incidents", self.repeat_incidents.display, ""]
        yield ["Monitoring", "Reports made by pupils through the school's link", self.pupil_reports.display, ""]
        yield ["Monitoring", "Parents or carers informed", self.parents_informed.display, ""]
        yield ["Monitoring", "Restorative approach used", self.restorative_used.display, ""]
        yield ["Monitoring", "Incidents resolved this term", self.resolved_count.display, ""]
        days = "" if self.median_days_to_resolve is None else f"{self.median_days_to_resolve:g}"
        yield ["Monitoring", "Median days from report to resolution", days, ""]
        yield ["Monitoring", "Reviews overdue today", self.reviews_overdue.display, ""]
        if self.suppressed:
            yield []
            yield from disclosure.legend_rows({disclosure.CONFIDENTIAL}, rounded_totals=False)


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
    overdue = Incident.objects.filter(organisation=organisation).review_overdue(today).count()  # 1 query
    monitoring = {
        "repeat_targets": repeat_count,
        "resolved": len(days),
        "overdue": overdue,
        **{name: counts.get(f"this_{name}", 0) for name in MONITORED},
    }
    year_rows = _year_groups(targets, term, last)  # 1 query
    figure, published = (
        _award_copy(counts, year_rows, monitoring) if suppressed else (_plain(counts, year_rows, monitoring), None)
    )
    built = _breakdowns(figure, counts, year_rows, term, last, suppressed=suppressed)
    year_groups = built.pop()
    report = SchoolReport(
        organisation=organisation,
        term=term,
        breakdowns=built,
        total_this=figure(("this", "total")),
        total_last=figure(("last", "total")),
        year_groups=year_groups,
        repeat_targets=repeat_targets,
        repeat_target_count=figure(("monitor", "repeat_targets")),
        median_days_to_resolve=round(statistics.median(days), 1) if days else None,
        resolved_count=figure(("monitor", "resolved")),
        reviews_overdue=figure(("monitor", "overdue")),
        pupil_reports=figure(("monitor", "pupil_reports")),
        parents_informed=figure(("monitor", "parents_informed")),
        restorative_used=figure(("monitor", "restorative_used")),
        repeat_incidents=figure(("monitor", "repeat_incidents")),
        suppressed=suppressed,
        published=published,
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


MONITORED = ("pupil_reports", "parents_informed", "restorative_used", "repeat_incidents")


def _cells(counts, year_rows, monitoring) -> dict:
    """Every count the report shows, by key: (period, dimension, row), (period, "total"),
    ("monitor", name)."""
    cells = {("this", "total"): counts["this_total"], ("last", "total"): counts["last_total"]}
    for period in ("this", "last"):
        for key, _title, rows, _additive in dimensions():
            for value, _label in rows:
                cells[(period, key, value)] = counts[f"{period}_{key}_{value}"]
        for value in YearGroup.values:
            cells[(period, "year_group", value)] = year_rows[value][0 if period == "this" else 1]
    for name, value in monitoring.items():
        cells[("monitor", name)] = value
    return cells


def _plain(counts, year_rows, monitoring):
    cells = _cells(counts, year_rows, monitoring)
    return lambda key: Figure(cells[key])


def _award_copy(counts, year_rows, monitoring):
    """The award copy under the disclosure rule (docs/figures.md): both terms and every
    monitoring count as one system, with what a reader knows links them (the one-choice
    breakdowns add up to the incidents, each form and category at most that, "no
    category" excludes the others, pupils' reports are the "a pupil" row...)."""
    cells = _cells(counts, year_rows, monitoring)
    system = disclosure.System()
    for key, value in cells.items():
        system.cell(key, value)
    for period in ("this", "last"):
        total = (period, "total")
        for key, _title, rows, additive in dimensions():
            keys = [(period, key, value) for value, _label in rows]
            if additive:
                _sum_or_less(system, cells, keys, total)
            elif key == "form":
                _each_and_together(system, cells, [[k] for k in keys], keys, total)
            else:
                none = (period, key, NO_CATEGORY)
                _each_and_together(system, cells, [[k, none] for k in keys if k != none], keys, total)
        for value in YearGroup.values:
            system.at_most((period, "year_group", value), total)
    system.same(("monitor", "pupil_reports"), ("this", "reported_by", ReportedBy.PUPIL))
    for name in ("parents_informed", "restorative_used", "repeat_incidents"):
        system.at_most(("monitor", name), ("this", "total"))
    published = disclosure.suppress(system)
    return (lambda key: Figure(cells[key], hidden=published.is_hidden(key))), published


def _sum_or_less(system, cells, keys, total) -> None:
    """Rows that add up to the total (or to less, where some incidents have no answer)."""
    exact = sum(cells[k] for k in keys) == cells[total]
    system.relate([*((k, 1) for k in keys), (total, -1)], "==" if exact else "<=")


def _each_and_together(system, cells, each, keys, total) -> None:
    """Each group at most the total; all together at least the total (an incident has at
    least one form; one with no category is in "none")."""
    for group in each:
        system.at_most(group, total)
    if sum(cells[k] for k in keys) >= cells[total]:
        system.relate([*((k, 1) for k in keys), (total, -1)], ">=")


def _breakdowns(figure, counts, year_rows, term: Term, last: Term, *, suppressed: bool) -> list[Breakdown]:
    """One breakdown per dimension, the targets' year groups last."""
    parts = [(key, title, [(value, label) for value, label in rows]) for key, title, rows, _additive in dimensions()]
    parts.append(
        ("year_group", "Year groups of the pupils targeted", [(v, YearGroup(v).label) for v in YearGroup.values])
    )
    return [_breakdown(figure, key, title, rows, term, last, suppressed=suppressed) for key, title, rows in parts]


def _breakdown(figure, key, title, rows_of, term: Term, last: Term, *, suppressed) -> Breakdown:
    rows = [
        Row(label, figure(("this", key, value)), figure(("last", key, value)))
        for value, label in rows_of
        # A suppressed copy keeps every row: leaving out an empty one would show it is 0.
        if suppressed
        or figure(("this", key, value)).value
        or figure(("last", key, value)).value
        or key in ("form", "classification")
    ]
    breakdown = Breakdown(
        key=key,
        title=title,
        rows=rows,
        total_this=figure(("this", "total")),
        total_last=figure(("last", "total")),
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


# The council's figures: read from a stored release (incidents.releases), never computed here


# A table of more rows than this (the areas, at a national scale: about 2,000 postcode
# districts) is shown a page of this many rows at a time, without a chart; the CSV has all.
LONG_TABLE = 50


@dataclass
class ReleaseTable:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    rounded: bool
    chart: charts.Chart | None = None
    page: object = None  # the page of rows shown, for a table of more than LONG_TABLE rows

    @property
    def long(self) -> bool:
        return len(self.rows) > LONG_TABLE

    @property
    def has_hidden(self) -> bool:
        return any(cell == disclosure.CONFIDENTIAL for _label, cells in self.rows for cell in cells)


@dataclass
class ReleaseView:
    """One release's tables for all incidents or bullying only, with their charts and key."""

    release: object
    which: str
    tables: list[ReleaseTable]

    @property
    def label(self) -> str:
        return self.release.period.label

    @property
    def legend(self) -> list[tuple[str, str]]:
        used = {cell for table in self.tables for _label, cells in table.rows for cell in cells}
        return disclosure.legend(used & set(disclosure.SYMBOLS)) or disclosure.legend({disclosure.CONFIDENTIAL})

    @property
    def rounding_note(self) -> str:
        return disclosure.ROUNDED_NOTE

    def csv_rows(self):
        yield [f"Bullying incidents recorded by settings in Leicester, {self.label}"]
        yield ["Incidents", "Bullying only (incidents that meet the STOP test)" if self.which == "bullying" else "All"]
        yield ["Settings counted", self.release.settings_count]
        yield from disclosure.legend_rows(rounded_totals=True)
        for table in self.tables:
            yield []
            yield [table.title]
            if table.description:
                yield [table.description]
            yield ["", *table.columns]
            for label, cells in table.rows:
                yield [label, *cells]


def _figure(words: str) -> int | None:
    text = words.replace(",", "")
    return int(text) if text.isdigit() else None


def release_view(release, which: str = "all") -> ReleaseView:
    """The stored tables of `release` for `which` ("all" or "bullying"), with a chart beside
    each: months for "All incidents", the term's figures elsewhere. Reads nothing more."""
    tables = []
    for data in release_tables(release, which):
        table = ReleaseTable(
            key=data["key"],
            title=data["title"],
            description=data["description"],
            columns=data["columns"],
            rows=[(label, cells) for label, cells in data["rows"]],
            rounded=data.get("rounded", False),
        )
        if table.long:  # a chart of hundreds of bars reads as nothing: the table holds them
            pass
        elif table.key == "all":
            cells = table.rows[0][1][:-1]
            table.chart = charts.column_chart(
                "chart-all", table.title, table.columns[:-1], [("Incidents", [(_figure(c), c) for c in cells])]
            )
        else:
            table.chart = charts.bar_chart(
                f"chart-{table.key}",
                table.title,
                [(label, [(_figure(cells[-1]), cells[-1])]) for label, cells in table.rows],
                ["Term total"],
            )
        tables.append(table)
    return ReleaseView(release=release, which=which, tables=tables)


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
