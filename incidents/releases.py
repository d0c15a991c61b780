"""The council's incident figures as releases: one per closed term, computed once.

`build(term)` reads the schools' monthly counts for the term (`MonthlyFigures`, 2 queries)
and describes every view a reader can get of it as one disclosure system
(`ppp.disclosure`): for all assessed incidents and for bullying only, the tables by form,
prejudice-related category, place, STOP result, the targets' year groups, kind of setting
and area, each by month and for the term, with what a reader knows links them:

- a row's term figure is the sum of its months;
- places, STOP results, kinds of setting and areas add up to "All incidents";
- an incident takes at least one form and each form at most once, so each form is at
  most "All incidents" and the forms together at least that;
- "No prejudice-related category" excludes the others: each category plus "none" is at
  most "All incidents", and all of them together at least that;
- the bullying-only "All incidents" is the STOP table's bullying row, and every
  bullying-only figure is at most the same figure for all incidents.

"All incidents" (a total over many settings) is shown rounded to the nearest 5. Each cell
knows its largest single setting's part, for dominance. `publish(term)` suppresses,
checks and stores the release (`FiguresRelease`); a release that fails the check is
refused, and a term is published only once it has closed (docs/figures.md).
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone

from ppp import disclosure
from ppp.accounts.models import Organisation
from ppp.errors import DomainError

from .models import FIGURE_COLUMNS, Category, Classification, FiguresRelease, Form, Location, MonthlyFigures, YearGroup
from .terms import MONTH_NAMES, Term, month_date

log = logging.getLogger(__name__)

VARIANTS = (("all", "All incidents"), ("bullying", "Bullying only (incidents that meet the STOP test)"))
TERM_COLUMN = "term"
ASSESSED = [Classification.BULLYING, Classification.ONE_OFF, Classification.CONFLICT]


class ReleaseRefused(DomainError):
    """A release cannot be made (the term is open) or failed the disclosure check."""


@dataclass
class TableSpec:
    key: str
    title: str
    rows: list[tuple[str, str]]  # (row key, label)
    description: str = ""
    withheld: set[str] = field(default_factory=set)
    # Rows that hold every setting (one group left: "Other kinds of setting" when every kind
    # is small): they are the total over many settings, so rounded as "All incidents" is,
    # never the exact figure beside it.
    whole: set[str] = field(default_factory=set)


def _month_key(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


def _key(variant: str, table: str, row: str, column: str) -> str:
    return f"{variant}|{table}|{row}|{column}"


def _area(postcode: str) -> str:
    outward = (postcode or "").strip().upper().split(" ")[0]
    return outward if 2 <= len(outward) <= 4 else "Not known"


def is_due(term: Term, today: datetime.date | None = None) -> bool:
    """A term's figures may be published once it has ended and the delay for late records passed."""
    today = today or timezone.localdate()
    return today >= term.end + datetime.timedelta(days=settings.INCIDENT_FIGURES_DELAY_DAYS)


class Builder:
    """The term's counts per setting, and the disclosure system of every view of them."""

    def __init__(self, term: Term):
        self.term = term
        self.months = [month_date(term.year, m) for m in term.months]
        self.columns = [_month_key(m) for m in self.months]
        self.min_settings = settings.INCIDENT_FIGURES_MIN_SETTINGS
        # For each variant, (table, row, column) -> {organisation: its count}
        self.parts: dict[str, dict[tuple, dict[int, int]]] = {v: defaultdict(dict) for v, _l in VARIANTS}
        self._read()

    def _read(self) -> None:
        names = list(FIGURE_COLUMNS)
        rows = MonthlyFigures.objects.filter(month__in=self.months, classification__in=ASSESSED).values_list(
            "organisation_id", "month", "classification", "incidents", *names
        )
        self.organisations: set[int] = set()
        for organisation, month, classification, incidents, *counts in rows:  # 1 query
            column = _month_key(month)
            variants = ["all", "bullying"] if classification == Classification.BULLYING else ["all"]
            if incidents:
                self.organisations.add(organisation)
            for variant in variants:
                add = self._adder(variant, organisation, column)
                add("all", "n", incidents)
                if variant == "all":
                    add("classification", classification, incidents)
                for name, value in zip(names, counts, strict=True):
                    kind, row = FIGURE_COLUMNS[name]
                    add({"location": "location", "form": "form", "category": "category"}.get(kind, kind), row, value)
        self.info = {  # 1 query
            pk: (kind, _area(postcode))
            for pk, kind, postcode in Organisation.objects.filter(pk__in=self.organisations).values_list(
                "pk", "kind", "postcode"
            )
        }

    def _adder(self, variant, organisation, column):
        cells = self.parts[variant]

        def add(table, row, value):
            if value:
                cell = cells[(table, row, column)]
                cell[organisation] = cell.get(organisation, 0) + value

        return add

    @property
    def enough(self) -> bool:
        return len(self.organisations) >= self.min_settings

    def _grouped(self, table: str, title: str, labeller, other: str, description: str) -> TableSpec:
        """Rows by kind of setting or area; a group of fewer than `min_settings` settings is
        counted under `other`, withheld whole if still too few."""
        members: dict[str, set[int]] = defaultdict(set)
        for pk in self.organisations:
            members[labeller(self.info.get(pk, ("other", "Not known")))].add(pk)
        big = sorted(label for label, pks in members.items() if len(pks) >= self.min_settings)
        small = [label for label in members if label not in big]
        self.group_of = getattr(self, "group_of", {})
        rows = [(label, label) for label in big]
        for label in big:
            for pk in members[label]:
                self.group_of[(table, pk)] = label
        withheld = set()
        if small:
            rows.append((other, other))
            for label in small:
                for pk in members[label]:
                    self.group_of[(table, pk)] = other
            if sum(len(members[label]) for label in small) < self.min_settings:
                withheld.add(other)
        # Each setting's incidents, by its group
        for variant, _label in VARIANTS:
            cells = self.parts[variant]
            for column in self.columns:
                for pk, n in cells.get(("all", "n", column), {}).items():
                    group = self.group_of[(table, pk)]
                    cells[(table, group, column)][pk] = n
        whole = {rows[0][0]} if len(rows) == 1 else set()
        return TableSpec(table, title, rows, description, withheld, whole)

    def specs(self) -> list[TableSpec]:
        kinds = dict(Organisation.Kind.choices)
        fewer = f"fewer than {self.min_settings} settings recording incidents"
        several = "An incident can be counted in more than one row."
        return [
            TableSpec("all", "All incidents", [("n", "All incidents")], "Incidents recorded in each month."),
            TableSpec("form", "Incidents by form of bullying", [(v, Form(v).label) for v in Form.values], several),
            TableSpec(
                "category",
                "Incidents by prejudice-related category",
                [*((v, Category(v).label) for v in Category.values), ("none", "No prejudice-related category")],
                several,
            ),
            TableSpec(
                "location", "Incidents by where they happened", [(v, Location(v).label) for v in Location.values]
            ),
            TableSpec(
                "classification", "Incidents by STOP test result", [(v, Classification(v).label) for v in ASSESSED]
            ),
            TableSpec(
                "year_group",
                "Pupils targeted, by year group",
                [(v, YearGroup(v).label) for v in YearGroup.values],
                "Each pupil targeted in an incident is counted once; an incident can have several.",
            ),
            self._grouped(
                "kind",
                "Incidents by kind of setting",
                lambda info: kinds.get(info[0], info[0]),
                "Other kinds of setting",
                f"A kind of setting with {fewer} is counted under 'Other kinds of setting'.",
            ),
            self._grouped(
                "area",
                "Incidents by area (postcode district)",
                lambda info: info[1],
                "Other areas",
                f"An area with {fewer} is counted under 'Other areas'.",
            ),
        ]

    def system(self, specs: list[TableSpec]) -> disclosure.System:
        system = disclosure.System()
        all_columns = [*self.columns, TERM_COLUMN]
        for variant, _label in VARIANTS:
            for spec in specs:
                if spec.key == "classification" and variant != "all":
                    continue
                for row, _label in spec.rows:
                    self._row(system, variant, spec, row)
                for column in all_columns:
                    self._relate(system, variant, spec, column)
        for spec in specs:  # bullying only: part of all incidents
            for row, _label in spec.rows if spec.key != "classification" else []:
                for column in all_columns:
                    system.at_most(_key("bullying", spec.key, row, column), _key("all", spec.key, row, column))
        for column in all_columns:
            bullying_row = _key("all", "classification", Classification.BULLYING, column)
            system.same(_key("bullying", "all", "n", column), bullying_row)
        return system

    def _row(self, system, variant: str, spec: TableSpec, row: str) -> None:
        """A row's months and its term figure (the sum of its months)."""
        cells = self.parts[variant]
        term_parts: dict[int, int] = defaultdict(int)
        for column in self.columns:
            part = cells.get((spec.key, row, column), {})
            for pk, n in part.items():
                term_parts[pk] += n
            self._cell(system, _key(variant, spec.key, row, column), spec, row, part)
        term = _key(variant, spec.key, row, TERM_COLUMN)
        self._cell(system, term, spec, row, term_parts)
        system.sums(term, [_key(variant, spec.key, row, c) for c in self.columns])

    @staticmethod
    def _cell(system, key: str, spec: TableSpec, row: str, part: dict[int, int]) -> None:
        system.cell(
            key,
            sum(part.values()),
            total=spec.key == "all" or row in spec.whole,
            largest=max(part.values(), default=0),
            withheld=row in spec.withheld,
        )

    @staticmethod
    def _relate(system, variant, spec: TableSpec, column) -> None:
        total = _key(variant, "all", "n", column)
        keys = [_key(variant, spec.key, row, column) for row, _label in spec.rows]
        if spec.key in ("location", "classification", "kind", "area"):
            system.sums(total, keys)
        elif spec.key == "form":
            for key in keys:
                system.at_most(key, total)
            system.relate([*((key, 1) for key in keys), (total, -1)], ">=")
        elif spec.key == "category":
            none = _key(variant, "category", "none", column)
            for key in keys:
                if key != none:
                    system.at_most([key, none], total)
            system.relate([*((key, 1) for key in keys), (total, -1)], ">=")


def column_labels(term: Term) -> list[str]:
    return [f"{MONTH_NAMES[m]} {str(month_date(term.year, m).year)[-2:]}" for m in term.months]


def compute(term: Term) -> tuple[Builder, list[TableSpec], disclosure.Published | None]:
    """Everything a release of `term` would show, suppressed; nothing stored. 2 queries."""
    builder = Builder(term)
    specs = builder.specs()
    if not builder.enough:
        return builder, specs, None
    return builder, specs, disclosure.suppress(builder.system(specs))


def _tables(term: Term, builder: Builder, specs: list[TableSpec], published: disclosure.Published) -> list[dict]:
    out, columns = [], [*builder.columns, TERM_COLUMN]
    for variant, variant_label in VARIANTS:
        for spec in specs:
            if spec.key == "classification" and variant != "all":
                continue
            out.append(
                {
                    "variant": variant,
                    "variant_label": variant_label,
                    "key": spec.key,
                    "title": spec.title,
                    "description": spec.description,
                    "columns": [*column_labels(term), "Term total"],
                    "rows": [
                        [label, [published.display(_key(variant, spec.key, row, c)) for c in columns]]
                        for row, label in spec.rows
                    ],
                    "rounded": spec.key == "all",
                }
            )
    return out


def stored_published(release: FiguresRelease) -> disclosure.Published:
    """A stored release's figures as a reader has them, for `disclosure.check`."""
    return disclosure.from_stored(release.rule_version, release.system)


def publish(term: Term, *, today: datetime.date | None = None) -> FiguresRelease:
    """Make `term`'s release once: suppress every view together, check it exactly, store it.
    A term already released is returned as it is; an open term or a failed check is refused."""
    existing = FiguresRelease.objects.filter(year=term.year, term=term.key).first()
    if existing is not None:
        return existing
    if not is_due(term, today):
        raise ReleaseRefused(f"The figures for the {term.label} cannot be published before the term has closed.")
    builder, specs, published = compute(term)
    release = FiguresRelease(
        year=term.year, term=term.key, rule_version=disclosure.RULE_VERSION, settings_count=len(builder.organisations)
    )
    if published is not None:
        problems = disclosure.check(published)
        if problems:
            log.error("Release of %s refused: %s", term.slug, "; ".join(map(str, problems[:10])))
            raise ReleaseRefused(
                f"The figures for the {term.label} failed the disclosure check and were not published."
            )
        release.tables = _tables(term, builder, specs, published)
        release.system = disclosure.stored(published)
        release.published = bool(release.tables)
    try:
        with transaction.atomic():
            release.save()
    except IntegrityError:  # published by another run meanwhile
        return FiguresRelease.objects.get(year=term.year, term=term.key)
    return release


def due_terms(today: datetime.date | None = None, years: int = 6) -> list[Term]:
    """Closed terms of the last `years` school years, since the first month anything was
    counted, that have no release yet, oldest first (2 queries)."""
    today = today or timezone.localdate()
    first = MonthlyFigures.objects.aggregate(first=Min("month"))["first"]
    if first is None:
        return []
    done = set(FiguresRelease.objects.values_list("year", "term"))
    term, out = Term.of(today), []
    for _ in range(3 * years):
        term = term.previous()
        if term.end <= first:
            break
        if is_due(term, today) and (term.year, term.key) not in done:
            out.append(term)
    return out[::-1]
