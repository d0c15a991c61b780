"""The disclosure rule, checked against a brute-force search: for many random small
tables, no hidden figure of the protected table has only one value consistent with
everything shown (the published rule: hidden counts are 0 or more; rows add up to their
base; columns add up to the total row)."""

import random

import pytest

from surveys import disclosure


def _feasible(published) -> dict:  # noqa: C901 - a search written out plainly
    """Every value each hidden cell can take given what is shown (hidden counts are 0 or
    more, rows add up to their shown base, columns to the shown total row, everything to
    the shown total): a depth-first search over the hidden cells, pruned by the remainders."""
    rows, cols = len(published.cells), len(published.total_cells)
    hidden = [(i, j) for i in range(rows) for j in range(cols) if published.cells[i][j] is None]
    inf = 10**9

    def remainder_row(i):
        if published.bases[i] is None:
            return inf
        return published.bases[i] - sum(v for v in published.cells[i] if v is not None)

    def remainder_col(j):
        if published.total_cells[j] is None:
            return inf
        return published.total_cells[j] - sum(
            published.cells[i][j] for i in range(rows) if published.cells[i][j] is not None
        )

    grand = inf
    if published.total_base is not None:
        grand = published.total_base - sum(v for row in published.cells for v in row if v is not None)
    row_left = [remainder_row(i) for i in range(rows)]
    col_left = [remainder_col(j) for j in range(cols)]
    seen = {cell: set() for cell in hidden}
    cap = 7
    chosen = {}

    def done(i, j):
        """Are all hidden cells of row i (or column j) assigned?"""
        return all((i2, j2) in chosen for i2, j2 in hidden if i2 == i), all(
            (i2, j2) in chosen for i2, j2 in hidden if j2 == j
        )

    def search(n, left_grand):
        if n == len(hidden):
            if published.total_base is not None and left_grand != 0:
                return
            for cell in hidden:
                seen[cell].add(chosen[cell])
            return
        i, j = hidden[n]
        upper = min(row_left[i], col_left[j], left_grand, cap)  # unbounded: any of 0..cap will do
        for value in range(0, upper + 1):
            chosen[(i, j)] = value
            row_left[i] -= value
            col_left[j] -= value
            row_done, col_done = done(i, j)
            if not (
                (row_done and row_left[i] not in (0,) and published.bases[i] is not None)
                or (col_done and col_left[j] != 0 and published.total_cells[j] is not None)
            ):
                search(n + 1, left_grand - value if left_grand != inf else inf)
            row_left[i] += value
            col_left[j] += value
            del chosen[(i, j)]

    search(0, grand)
    return seen


def test_small_counts_are_hidden_and_groups_under_ten_not_shown():
    table = disclosure.protect(["Year 5", "Year 6", "Year 7"], [[20, 3, 7], [4, 2, 1], [15, 10, 5]], [30, 7, 30])
    assert table.bases[1] is None and table.cells[1] == [None, None, None]
    assert table.cells[0][1] is None  # 3
    assert table.cells[2][2] is None  # 5
    assert disclosure.percent(table.cells[0][1], table.bases[0]) is None


def test_a_lone_hidden_figure_takes_another_with_it():
    table = disclosure.protect(["A"], [[20, 3, 17]], [40])
    assert sum(v is None for v in table.cells[0]) >= 2
    assert disclosure.worked_back(table) == []


def test_one_hidden_group_is_not_left_to_subtraction_from_the_total():
    table = disclosure.protect(["A", "B", "C"], [[20, 20], [4, 4], [30, 30]], [40, 8, 60])
    hidden_rows = [i for i, b in enumerate(table.bases) if b is None]
    assert len(hidden_rows) != 1 or table.total_base is None


@pytest.mark.parametrize("seed", range(60))
def test_nothing_hidden_can_be_worked_back(seed):
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 3), rng.randint(2, 3)
    counts = [[rng.choice([0, 1, 2, 3, 4, 6, 7, 9]) for _ in range(cols)] for _ in range(rows)]
    bases = [sum(row) for row in counts]
    table = disclosure.protect([f"G{i}" for i in range(rows)], counts, bases)
    if sum(v is None for row in table.cells for v in row) > 7:
        pytest.skip("too many hidden cells for an exhaustive search in a test")
    feasible = _feasible(table)
    for (i, j), values in feasible.items():
        if counts[i][j] == 0 and table.bases[i] is None:
            continue  # an empty hidden group: nothing to learn about anyone
        assert counts[i][j] in values
        assert len(values) > 1, f"cell {i},{j} ({counts[i][j]}) can be worked back from {table}"


def test_every_shown_count_is_zero_or_above_five():
    rng = random.Random(7)
    for _ in range(200):
        counts = [[rng.randint(0, 15) for _ in range(4)] for _ in range(3)]
        table = disclosure.protect(["a", "b", "c"], counts, [sum(r) for r in counts])
        for row in [*table.cells, table.total_cells]:
            assert all(v is None or v == 0 or v > 5 for v in row)
        assert all(b is None or b >= disclosure.MIN_GROUP for b in [*table.bases, table.total_base])
