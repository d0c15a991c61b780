"""Survey tables under PPP's one disclosure rule (`ppp.disclosure`, docs/figures.md).

What surveys add to the shared rule is its own withholding: a group (a year group, a kind
of setting) with fewer than `MIN_GROUP` (10) answers to a question is withheld whole. The
rest is the shared rule: a count from 1 to 5 is `c`, and so is every figure that would let
a hidden one be worked back by adding or taking away (the exact check,
`ppp.disclosure.check`). A percentage is shown only where its count and base are.

A survey table is one `ppp.disclosure.System`: a cell per group and answer, each group's
base (how many answered the question), and the total row; the relations a reader knows
are that a group's answers add up to its base (one answer each; for "choose all that
apply" each answer is at most the base) and that the groups add up to the total row.

Views shown together are one system, never checked apart: a round's year groups and its
classes, the council's kinds of setting and its areas. Each `Grouping` adds up to the same
total row, and the first two are tied by their cross-tabulation (the people in year 5 and
class 5B; the settings that are primaries in one area), whose cells are never shown but
are in the reader's model: a reader who knows which classes hold which year groups can
set a class against its year group, and the check sees that too (docs/surveys.md).
`protect_views` returns one published table per grouping, and `protect` one alone, each
with its system's plain figures beside it (`Release`: the shown cells, the rounded keys and
the reasons); `release_of(table)` gives the shared module's `Published` for `check`, its
relations made again from the views' shape only when asked (they never depend on the
counts' values), so a protected table kept in the cache is a few kilobytes of numbers and
reads back in well under a millisecond (bench/FINDINGS.md, issue 24).
"""

from dataclasses import dataclass, field

from ppp import disclosure as shared

MIN_GROUP = 10
HIDDEN = shared.CONFIDENTIAL
RULE_VERSION = shared.RULE_VERSION
# Changes whenever what `protect_views` shows for the same figures could change (the rule's
# version is part of it): protected tables are cached under it (surveys.reports).
CODE_VERSION = f"{RULE_VERSION}; surveys views 4"  # 4: plain figures cached (Release)
BASE = "base"
TOTAL = "total"
SECONDARY = "secondary"  # ppp.disclosure's reason for a cell hidden to protect another
SMALL_MIN, SMALL_MAX = shared.SMALL_MIN, shared.SMALL_MAX  # counts the rule hides


@dataclass
class Table:
    """A protected table: `cells[r][c]` an int or None (hidden), `bases[r]` the row's base
    or None; `total_cells`/`total_base` the total row."""

    row_labels: list[str]
    cells: list[list[int | None]]
    bases: list[int | None]
    total_cells: list[int | None]
    total_base: int | None
    source: "Release | None" = field(repr=False, default=None)


@dataclass
class Release:
    """The plain figures of one protected system, shared by its views' tables: what a reader
    sees (`shown`, `rounded`) and why each hidden cell is hidden, with the inputs the
    relations are made again from (`release_of`). Pickled without the relations."""

    rule_version: str
    shown: dict
    rounded: set
    reasons: dict
    shape: tuple  # (groupings, partition, cross) as given to `protect_views`
    _published: shared.Published | None = field(default=None, repr=False, compare=False)

    def __getstate__(self):
        return {**self.__dict__, "_published": None}

    def published(self) -> shared.Published:
        if self._published is None:
            groupings, partition, cross = self.shape
            relations = system_for(groupings, partition=partition, cross=cross).relations
            self._published = shared.Published(
                rule_version=self.rule_version,
                shown=self.shown,
                rounded=self.rounded,
                relations=list(relations),
                reasons=self.reasons,
            )
        return self._published


def percent(count: int | None, base: int | None) -> int | None:
    """Whole-number percentage, only where both the count and the base are shown."""
    if count is None or base is None or base == 0:
        return None
    return round(100 * count / base)


@dataclass
class Grouping:
    """One way of splitting the same people into groups (year groups, classes, kinds of
    setting, areas): a row of counts and a base per group, and the rows withheld whole
    whatever their size (a kind of setting with fewer than 5 settings)."""

    labels: list[str]
    counts: list[list[int]]
    bases: list[int]
    withheld_rows: set[int] = field(default_factory=set)


# Cross: {(row of the first grouping, row of the second): (counts, base)} for the people in
# both. Only pairs with people in them are given: the reader is taken to know which pairs
# are empty (which classes hold which year groups, which kinds of setting are in which area).
Cross = dict[tuple[int, int], tuple[list[int], int]]


def _withheld(grouping: Grouping) -> set[int]:
    """The grouping's rows withheld whole: under `MIN_GROUP`, the publisher's own, and, when
    only one row would be withheld, the next smallest with it (the shared check protects
    counts of 1 to 5; a lone withheld group of 6 to 9 would still be the total less the rest)."""
    bases = grouping.bases
    withheld = set(grouping.withheld_rows) | {r for r, base in enumerate(bases) if base < MIN_GROUP}
    if len([r for r in withheld if bases[r] > 0]) == 1 and len(bases) > 1:
        others = [(base, r) for r, base in enumerate(bases) if r not in withheld]
        if others:
            withheld.add(min(others)[1])
    return withheld


def _row(system: shared.System, key, counts: list[int], base: int, *, withheld: bool, partition: bool) -> None:
    """A group's cells and base, and how they relate (`key + (column,)`)."""
    for c, value in enumerate(counts):
        system.cell((*key, c), value, withheld=withheld)
    system.cell((*key, BASE), base, withheld=withheld)
    if partition:
        system.sums((*key, BASE), [(*key, c) for c in range(len(counts))])
    else:
        for c in range(len(counts)):
            system.at_most((*key, c), (*key, BASE))


def _pair_keys(groupings: list[Grouping], cross: Cross) -> dict[tuple[int, int], tuple]:
    """Each pair's cells: a class in one year group only is a part of it, so the pair is
    the class's own row (and a year group in one class, the year group's); only mixed pairs
    are cells of their own, never shown."""
    for g in (0, 1):
        for r, base in enumerate(groupings[g].bases):
            if not any(pair[g] == r for pair in cross) and (base or any(groupings[g].counts[r])):
                raise ValueError(f"grouping {g}'s row {r} has people in no pair of the cross-tabulation")
    keys: dict[tuple[int, int], tuple] = {}
    for i, j in cross:
        if sum(1 for pair in cross if pair[1] == j) == 1:
            keys[(i, j)] = (1, j)
        elif sum(1 for pair in cross if pair[0] == i) == 1:
            keys[(i, j)] = (0, i)
        else:
            keys[(i, j)] = ("x", i, j)
    return keys


def _withhold_lone_parts(withheld: list[set[int]], groupings: list[Grouping], cross: Cross, keys) -> None:
    """The lone-group rule within a row made of other rows: a year group that is the sum of
    its classes, one of them withheld, would give that class away (the year group less the
    others), so the next smallest class is withheld with it (and the same the other way)."""
    changed = True
    while changed:
        changed = False
        for g in (0, 1):
            for r in range(len(groupings[g].bases)):
                if r in withheld[g]:
                    continue
                parts = [keys[pair] for pair in cross if pair[g] == r]
                if any(part[0] == "x" for part in parts) or parts == [(g, r)]:
                    continue  # a pair of its own is never shown: nothing to take away
                hidden = [p for p in parts if p[1] in withheld[p[0]] and groupings[p[0]].bases[p[1]] > 0]
                shown = [p for p in parts if p[1] not in withheld[p[0]]]
                if len(hidden) == 1 and shown:
                    smallest = min(shown, key=lambda p: (groupings[p[0]].bases[p[1]], p[1]))
                    withheld[smallest[0]].add(smallest[1])
                    changed = True


def system_for(groupings: list[Grouping], *, partition: bool = True, cross: Cross | None = None) -> shared.System:
    """Every view of the same people as one shared `System` (see the module's docstring):
    grouping `g`'s row `r` is `(g, r, column)`, the total row `(TOTAL, column)`, and a mixed
    pair of the cross-tabulation `("x", i, j, column)` (never shown). The groupings all add
    up to the one total row, and with `cross` the first two add up from the pairs, so a
    reader who sets one view against another learns nothing a single view would not tell."""
    system = shared.System()
    n_cols = len(groupings[0].counts[0]) if groupings and groupings[0].counts else 0
    total_counts = [sum(row[c] for row in groupings[0].counts) for c in range(n_cols)]
    total_base = sum(groupings[0].bases)
    for g, grouping in enumerate(groupings):
        sums = [sum(row[c] for row in grouping.counts) for c in range(n_cols)]
        if sums != total_counts or sum(grouping.bases) != total_base:
            raise ValueError(f"grouping {g} does not add up to the same people as the first")
    if total_base < MIN_GROUP:
        withheld = [set(range(len(grouping.bases))) for grouping in groupings]
    else:
        withheld = [_withheld(grouping) for grouping in groupings]
    keys = _pair_keys(groupings, cross) if cross else {}
    if cross:
        _withhold_lone_parts(withheld, groupings, cross, keys)
    _row(system, (TOTAL,), total_counts, total_base, withheld=total_base < MIN_GROUP, partition=partition)
    for g, grouping in enumerate(groupings):
        for r, (row, base) in enumerate(zip(grouping.counts, grouping.bases, strict=True)):
            _row(system, (g, r), row, base, withheld=r in withheld[g], partition=partition)
        for c in [*range(n_cols), BASE]:
            system.sums((TOTAL, c), [(g, r, c) for r in range(len(grouping.bases))])
    if cross:
        _add_cross(system, groupings, cross, keys, n_cols=n_cols, partition=partition)
    return system


def _add_cross(system: shared.System, groupings: list[Grouping], cross: Cross, keys, *, n_cols, partition) -> None:
    """The mixed pairs' cells (never shown), and each row of the first two groupings as the
    sum of its pairs."""
    for (i, j), (row, base) in cross.items():
        if keys[(i, j)][0] == "x":
            _row(system, ("x", i, j), row, base, withheld=True, partition=partition)
    for g in (0, 1):
        for r in range(len(groupings[g].bases)):
            parts = [keys[pair] for pair in cross if pair[g] == r]
            if parts and parts != [(g, r)]:
                for c in [*range(n_cols), BASE]:
                    system.sums((g, r, c), [(*part, c) for part in parts])


def _show_what_is_known(release: shared.Published) -> shared.Published:
    """Show again a cell hidden only to protect another (secondary) whose exact figure any
    reader works out at once from what is shown (a group's answers less the others shown,
    Year 8 beside its only class): showing a figure already known tells nothing more, and
    a table that hides what it also gives away only confuses. Found by adding and taking
    away along the relations, as a reader would (no integer program: cheap). Counts from
    1 to 5 and withheld groups stay hidden."""
    if not any(reason == SECONDARY for reason in release.reasons.values()):
        return release
    known = {key: value for key, value in release.shown.items() if value is not None and key not in release.rounded}
    equations = [relation for relation in release.relations if relation.sense == "=="]
    found = True
    while found:
        found = False
        for relation in equations:
            unknown = [(key, c) for key, c in relation.terms if key not in known]
            if len(unknown) != 1:
                continue
            key, coefficient = unknown[0]
            rest = sum(c * known[k] for k, c in relation.terms if k != key)
            known[key] = (relation.rhs - rest) // coefficient
            found = True
    show = {
        key: known[key]
        for key, reason in release.reasons.items()
        if reason == SECONDARY and key in known and not SMALL_MIN <= known[key] <= SMALL_MAX
    }
    if not show:
        return release
    return shared.Published(
        rule_version=release.rule_version,
        shown={**release.shown, **show},
        rounded=set(release.rounded),
        relations=list(release.relations),
        reasons={key: reason for key, reason in release.reasons.items() if key not in show},
    )


def protect_views(groupings: list[Grouping], *, partition: bool = True, cross: Cross | None = None) -> list[Table]:
    """The views as they may be shown together, one `Table` per grouping, all from one
    release (so one exact check covers them all). `partition`: each group's answers add up
    to its base (False for "choose all that apply")."""
    published = _show_what_is_known(shared.suppress(system_for(groupings, partition=partition, cross=cross)))
    shown = published.shown
    release = Release(
        rule_version=published.rule_version,
        shown=dict(shown),
        rounded=set(published.rounded),
        reasons=dict(published.reasons),
        shape=(groupings, partition, cross),
        _published=published,
    )
    n_cols = len(groupings[0].counts[0]) if groupings and groupings[0].counts else 0
    return [
        Table(
            row_labels=grouping.labels,
            cells=[[shown[(g, r, c)] for c in range(n_cols)] for r in range(len(grouping.bases))],
            bases=[shown[(g, r, BASE)] for r in range(len(grouping.bases))],
            total_cells=[shown[(TOTAL, c)] for c in range(n_cols)],
            total_base=shown[(TOTAL, BASE)],
            source=release,
        )
        for g, grouping in enumerate(groupings)
    ]


def protect(
    row_labels: list[str], counts: list[list[int]], bases: list[int], *, partition: bool = True, withheld_rows=()
) -> Table:
    """One grouping's table as it may be shown (`protect_views` with one view)."""
    return protect_views([Grouping(row_labels, counts, bases, set(withheld_rows))], partition=partition)[0]


def release_of(table: Table) -> shared.Published:
    """The shared module's `Published` behind a protected table (the same object for every
    view of one system), its relations made again on first use."""
    if table.source is None:
        raise ValueError("Only a table made by protect() can be checked.")
    return table.source.published()


def worked_back(table: Table) -> list:
    """The shared exact check on a protected table: [] when nothing hidden can be worked back."""
    return shared.check(release_of(table))
