"""The disclosure rule for survey figures, in one place (docs/surveys.md, docs/adr/0067).

- A group (a year group, a round, a kind of setting) with fewer than `MIN_GROUP` (10)
  answers to a question is not shown at all.
- A count from 1 to 5 is shown as `c` (the Government Statistical Service symbol for a
  figure withheld to protect confidentiality), and so is its percentage: a percentage is
  never shown where its count is hidden.
- Nothing hidden may be worked back from what is shown: where a hidden figure could be
  found by subtracting the shown ones from a shown total (one hidden cell in a row or a
  column, or hidden cells that can only all be 1), the next smallest figure is hidden too,
  until `worked_back` finds nothing.

`protect(table)` applies the rule to a table (rows are groups, columns are answers, with
the row's base and the total row); `worked_back(published)` is the check, used by
`protect` itself and by the tests against a brute-force search. Pages and CSVs only ever
show the `Published` result.

When the shared module `ppp/disclosure/` lands (another helper's work), this file should
delegate to it; the rule and thresholds are the same.
"""

from dataclasses import dataclass, field

RULE_VERSION = "surveys-1"
MIN_GROUP = 10
SMALL = range(1, 6)
HIDDEN = "c"


@dataclass
class Published:
    """A protected table: `cells[r][c]` is an int or None (hidden), `bases[r]` the row's
    base or None (the whole row hidden); `total_cells`/`total_base` the total row."""

    row_labels: list[str]
    cells: list[list[int | None]]
    bases: list[int | None]
    total_cells: list[int | None]
    total_base: int | None
    true_cells: list[list[int]] = field(repr=False, default_factory=list)
    true_bases: list[int] = field(repr=False, default_factory=list)

    def shown(self, value) -> str:
        return HIDDEN if value is None else str(value)


def percent(count: int | None, base: int | None) -> int | None:
    """Whole-number percentage, only where both the count and the base are shown."""
    if count is None or base is None or base == 0:
        return None
    return round(100 * count / base)


def _line_problem(values: list[int | None], truth: list[int], total: int | None) -> bool:
    """Whether the hidden values of one line (a row or a column) can be worked back from
    its shown total: one hidden, none left over, or every hidden one forced to 1 or to 5."""
    if total is None:
        return False
    hidden = [i for i, v in enumerate(values) if v is None and truth[i] > 0]
    zero_hidden = [i for i, v in enumerate(values) if v is None and truth[i] == 0]
    if not hidden and not zero_hidden:
        return False
    k = len(hidden) + len(zero_hidden)
    remainder = total - sum(v for v in values if v is not None)
    # A hidden figure is at least 0; one hidden, or a remainder of 0, or every hidden
    # figure forced to the same value, gives them away.
    return k == 1 or remainder == 0 or remainder == k or remainder == 5 * k


def worked_back(published: Published, *, partition: bool = True) -> list[tuple[int, int]]:
    """Lines (kind, index) where a hidden figure can be recovered by subtraction: (0, r) a
    row, (1, c) a column (the base column is c = -1). Empty when the table is safe."""
    problems = []
    n_cols = len(published.total_cells)
    for r, row in enumerate(published.cells if partition else []):
        if _line_problem(row, published.true_cells[r], published.bases[r]):
            problems.append((0, r))
    for c in [*range(n_cols), -1]:
        if c == -1:
            column = published.bases
            truth = published.true_bases
            total = published.total_base
        else:
            column = [row[c] for row in published.cells]
            truth = [row[c] for row in published.true_cells]
            total = published.total_cells[c]
        if _line_problem(column, truth, total):
            problems.append((1, c))
    return problems


def protect(row_labels: list[str], counts: list[list[int]], bases: list[int], *, partition: bool = True) -> Published:
    """The table as it may be shown: rows with a base under MIN_GROUP hidden, counts 1-5
    hidden, and more hidden until nothing can be worked back. `partition`: each row's
    cells add up to its base (one answer each); False for "choose all that apply", whose
    rows cannot be subtracted from the base."""
    n_cols = len(counts[0]) if counts else 0
    total_counts = [sum(row[c] for row in counts) for c in range(n_cols)]
    total_base = sum(bases)
    cells: list[list[int | None]] = [list(row) for row in counts]
    shown_bases: list[int | None] = list(bases)
    total_cells: list[int | None] = list(total_counts)
    shown_total: int | None = total_base
    if total_base < MIN_GROUP:
        shown_total, total_cells = None, [None] * n_cols
    for c, value in enumerate(total_counts):
        if value in SMALL and total_cells[c] is not None:
            total_cells[c] = None
    for r, base in enumerate(bases):
        if base < MIN_GROUP:
            shown_bases[r] = None
            cells[r] = [None] * n_cols
        else:
            cells[r] = [None if v in SMALL else v for v in counts[r]]
    published = Published(row_labels, cells, shown_bases, total_cells, shown_total, counts, list(bases))
    for _ in range((len(counts) + 2) * (n_cols + 2)):
        problems = worked_back(published, partition=partition)
        if not problems:
            return published
        kind, index = problems[0]
        _hide_more(published, kind, index)
    # Could not be made safe cell by cell: show nothing but the total row.
    published.cells = [[None] * n_cols for _ in counts]
    published.bases = [None] * len(counts)
    if worked_back(published, partition=partition):
        published.total_cells, published.total_base = [None] * n_cols, None
    return published


def _hide_more(published: Published, kind: int, index: int) -> None:
    """Hide the smallest shown figure of the line (never a shown total), or the line."""
    if kind == 0:
        row = published.cells[index]
        shown = [(v, c) for c, v in enumerate(row) if v is not None]
        if shown:
            row[min(shown)[1]] = None
        else:  # nothing left to hide but the row's base: hide the whole row
            published.bases[index] = None
        return
    if index == -1:
        candidates = [(b, r) for r, b in enumerate(published.bases) if b is not None]
        if candidates:
            r = min(candidates)[1]
            published.bases[r] = None
            published.cells[r] = [None] * len(published.cells[r])
        else:
            published.total_base = None
        return
    candidates = [(row[index], r) for r, row in enumerate(published.cells) if row[index] is not None]
    if candidates:
        published.cells[min(candidates)[1]][index] = None
    else:
        published.total_cells[index] = None
