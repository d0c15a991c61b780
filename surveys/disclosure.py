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
`protect` returns the published table for templates, CSVs and PDFs, with the shared
module's `Published` beside it (`release`) for `check`.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.cache import cache

from ppp import disclosure as shared

MIN_GROUP = 10
HIDDEN = shared.CONFIDENTIAL
RULE_VERSION = shared.RULE_VERSION
BASE = "base"
TOTAL = "total"


@dataclass
class Table:
    """A protected table: `cells[r][c]` an int or None (hidden), `bases[r]` the row's base
    or None; `total_cells`/`total_base` the total row."""

    row_labels: list[str]
    cells: list[list[int | None]]
    bases: list[int | None]
    total_cells: list[int | None]
    total_base: int | None
    release: shared.Published | None = field(repr=False, default=None)
    # A table read back from the cache: its release's figures and its shape, from which
    # `release_of` makes the release again when the exact check asks for it.
    kept: tuple | None = field(repr=False, default=None)


def percent(count: int | None, base: int | None) -> int | None:
    """Whole-number percentage, only where both the count and the base are shown."""
    if count is None or base is None or base == 0:
        return None
    return round(100 * count / base)


def system_for(counts: list[list[int]], bases: list[int], *, partition: bool = True, withheld_rows=()) -> shared.System:
    """The linked table as the shared module's System (see the module's docstring)."""
    system = shared.System()
    n_cols = len(counts[0]) if counts else 0
    for r, (row, base) in enumerate(zip(counts, bases, strict=True)):
        withheld = base < MIN_GROUP or r in withheld_rows
        for c, value in enumerate(row):
            system.cell((r, c), value, withheld=withheld)
        system.cell((r, BASE), base, withheld=withheld)
        if partition:
            system.sums((r, BASE), [(r, c) for c in range(n_cols)])
        else:
            for c in range(n_cols):
                system.at_most((r, c), (r, BASE))
    total_base = sum(bases)
    for c in range(n_cols):
        system.cell((TOTAL, c), sum(row[c] for row in counts), withheld=total_base < MIN_GROUP)
        system.sums((TOTAL, c), [(r, c) for r in range(len(counts))])
    system.cell((TOTAL, BASE), total_base, withheld=total_base < MIN_GROUP)
    system.sums((TOTAL, BASE), [(r, BASE) for r in range(len(counts))])
    if partition:
        system.sums((TOTAL, BASE), [(TOTAL, c) for c in range(n_cols)])
    else:
        for c in range(n_cols):
            system.at_most((TOTAL, c), (TOTAL, BASE))
    return system


def protect(
    row_labels: list[str], counts: list[list[int]], bases: list[int], *, partition: bool = True, withheld_rows=()
) -> Table:
    """The table as it may be shown. `partition`: each group's answers add up to its base
    (False for "choose all that apply"). `withheld_rows`: rows withheld whole whatever
    their size (a kind of setting with fewer than 5 settings)."""
    n_cols = len(counts[0]) if counts else 0
    withheld_rows = set(withheld_rows) | {r for r, base in enumerate(bases) if base < MIN_GROUP}
    if len([r for r in withheld_rows if bases[r] > 0]) == 1 and len(bases) > 1:
        # The shared check protects counts of 1 to 5; a lone withheld group of 6 to 9 would
        # still be the total less the rest. Withhold the next smallest group with it.
        others = [(base, r) for r, base in enumerate(bases) if r not in withheld_rows]
        if others:
            withheld_rows.add(min(others)[1])
    release = shared.suppress(system_for(counts, bases, partition=partition, withheld_rows=withheld_rows))
    shown = release.shown
    return Table(
        row_labels=row_labels,
        cells=[[shown[(r, c)] for c in range(n_cols)] for r in range(len(counts))],
        bases=[shown[(r, BASE)] for r in range(len(counts))],
        total_cells=[shown[(TOTAL, c)] for c in range(n_cols)],
        total_base=shown[(TOTAL, BASE)],
        release=release,
    )


# Published tables are kept under their inputs (docs/adr/0077): the same counts under the
# same rule are always published the same way, so a key made of them never goes stale.
KEPT_FOR = 90 * 24 * 3600
KEPT_FORMAT = 3  # what `_kept` stores: a new format is a new key, never a misread old one


def _kept(table: Table) -> tuple:
    """What is kept of a protected table: the published figures and, for the exact check,
    the release without its relations (plain dicts and sets, quick to read back; the
    relations follow from the table's shape alone and are made again)."""
    release = table.release
    assert release is not None  # noqa: S101 (made by protect)
    return (
        table.row_labels,
        table.cells,
        table.bases,
        table.total_cells,
        table.total_base,
        release.shown,
        release.rounded,
        release.reasons,
    )


def _from_kept(kept: tuple, n_rows: int, n_cols: int, partition: bool) -> Table:
    row_labels, cells, bases, total_cells, total_base, shown, rounded, reasons = kept
    return Table(
        row_labels, cells, bases, total_cells, total_base, kept=(shown, rounded, reasons, (n_rows, n_cols, partition))
    )


def release_of(table: Table) -> shared.Published:
    """The table's release for the exact check (made again from a kept table's figures and
    shape: the relations a reader knows depend on the shape alone)."""
    if table.release is not None:
        return table.release
    if table.kept is None:
        raise ValueError("Only a table made by protect() can be checked.")
    shown, rounded, reasons, (n_rows, n_cols, partition) = table.kept
    shape = system_for([[0] * n_cols for _ in range(n_rows)], [0] * n_rows, partition=partition)
    return shared.Published(
        rule_version=RULE_VERSION, shown=shown, rounded=rounded, relations=list(shape.relations), reasons=reasons
    )


def protect_many(tables: list[tuple]) -> list[Table]:
    """`protect` of each (row_labels, counts, bases, partition, withheld_rows), kept in the
    shared cache under a key made of all of them (one read; one write when new): the exact
    check costs tens of milliseconds of integer programs a table, and a round's tables stay
    the same from the moment it closes."""
    inputs = [[RULE_VERSION, KEPT_FORMAT]] + [[list(t[0]), t[1], t[2], t[3], sorted(t[4])] for t in tables]
    key = "surveys-tables:" + hashlib.sha256(json.dumps(inputs).encode()).hexdigest()
    kept = cache.get(key)
    if kept is not None and len(kept) == len(tables):
        return [
            _from_kept(k, len(counts), len(counts[0]) if counts else 0, partition)
            for k, (_labels, counts, _bases, partition, _withheld) in zip(kept, tables, strict=True)
        ]
    out = [
        protect(row_labels, counts, bases, partition=partition, withheld_rows=withheld_rows)
        for row_labels, counts, bases, partition, withheld_rows in tables
    ]
    cache.set(key, [_kept(table) for table in out], KEPT_FOR)
    return out


def worked_back(table: Table) -> list:
    """The shared exact check on a protected table: [] when nothing hidden can be worked back."""
    return shared.check(release_of(table))
