"""Survey tables under the shared disclosure rule (ppp.disclosure): groups under 10 are
withheld, counts 1-5 hidden, and the shared exact check finds nothing to work back, over
many generated tables (both kinds of question)."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys import disclosure


def test_small_counts_are_hidden_and_groups_under_ten_not_shown():
    table = disclosure.protect(["Year 5", "Year 6", "Year 7"], [[20, 3, 7], [4, 2, 1], [15, 10, 5]], [30, 7, 30])
    assert table.bases[1] is None and table.cells[1] == [None, None, None]
    assert table.cells[0][1] is None  # 3
    assert table.cells[2][2] is None  # 5
    assert disclosure.percent(table.cells[0][1], table.bases[0]) is None
    assert disclosure.worked_back(table) == []


def test_a_lone_hidden_figure_takes_another_with_it():
    table = disclosure.protect(["A"], [[20, 3, 17]], [40])
    assert sum(v is None for v in table.cells[0]) >= 2
    assert disclosure.worked_back(table) == []


def test_one_withheld_group_is_not_left_to_subtraction_from_the_total():
    table = disclosure.protect(["A", "B", "C"], [[20, 20], [4, 4], [30, 30]], [40, 8, 60])
    assert table.bases[1] is None
    assert sum(b is None for b in table.bases) >= 2 or table.total_base is None
    assert disclosure.worked_back(table) == []


def test_a_percentage_is_never_shown_where_its_count_is_hidden():
    table = disclosure.protect(["A", "B"], [[12, 4], [30, 9]], [16, 39])
    for row, base in zip(table.cells, table.bases, strict=True):
        for count in row:
            if count is None:
                assert disclosure.percent(count, base) is None


tables = st.integers(1, 3).flatmap(
    lambda rows: st.integers(2, 4).flatmap(
        lambda cols: st.lists(
            st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 8, 11, 20]), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=tables, partition=st.booleans())
def test_nothing_hidden_can_be_worked_back(counts, partition):
    if partition:
        bases = [sum(row) for row in counts]
    else:  # "choose all that apply": the base is at least the largest answer
        bases = [max(row) + random.Random(sum(row)).randint(0, 5) for row in counts]
    table = disclosure.protect([f"G{i}" for i in range(len(counts))], counts, bases, partition=partition)
    assert disclosure.worked_back(table) == []
    for row in [*table.cells, table.total_cells]:
        assert all(v is None or v == 0 or v > 5 for v in row)
    assert all(b is None or b >= disclosure.MIN_GROUP for b in [*table.bases, table.total_base])


@pytest.mark.parametrize("seed", range(5))
def test_the_shown_total_row_always_adds_up_from_the_truth(seed):
    rng = random.Random(seed)
    counts = [[rng.randint(0, 30) for _ in range(4)] for _ in range(3)]
    table = disclosure.protect(["a", "b", "c"], counts, [sum(r) for r in counts])
    for c, shown in enumerate(table.total_cells):
        assert shown is None or shown == sum(row[c] for row in counts)


def test_protected_tables_are_kept_and_read_back_the_same_and_checkable(db, django_assert_max_num_queries):
    tables = [(["Year 5", "Year 6"], [[3, 9, 8], [12, 2, 6]], [20, 20], True, ())]
    first = disclosure.protect_many(tables)
    with django_assert_max_num_queries(1):  # one cache read, no integer programs
        again = disclosure.protect_many(tables)
    assert (again[0].cells, again[0].bases, again[0].total_cells) == (
        first[0].cells,
        first[0].bases,
        first[0].total_cells,
    )
    assert disclosure.release_of(again[0]).shown == first[0].release.shown
    assert disclosure.worked_back(again[0]) == []
