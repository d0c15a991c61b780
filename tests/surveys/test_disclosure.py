"""Survey tables under the shared disclosure rule (ppp.disclosure): groups under 10 are
withheld, counts 1-5 hidden, and the shared exact check finds nothing to work back, over
many generated tables (both kinds of question)."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppp import disclosure as shared
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


# Views shown together: a round's year groups and its classes, the council's kinds and areas


def _separately_then_together(groupings, cross, partition=True):
    """What a reader could work back if each view were protected on its own and then shown
    side by side: the views' hidden cells, checked as one system."""
    system = disclosure.system_for(groupings, partition=partition, cross=cross)
    hidden = {}
    for g, grouping in enumerate(groupings):
        alone = disclosure.protect(grouping.labels, grouping.counts, grouping.bases, partition=partition)
        for key in disclosure.release_of(alone).hidden:
            hidden[(g, *key[1:]) if key[0] == 0 else key] = "alone"
    for key, cell in system.cells.items():
        if cell.withheld:
            hidden.setdefault(key, "withheld")
    return shared.check(shared.publish(system, hidden))


def test_a_class_cannot_be_worked_back_from_its_year_group_and_the_other_class():
    # Year 5 is classes 5A and 5B. The year groups alone show everything; the classes
    # alone hide 5B's 4 "no"s with enough around it; side by side, Year 5's 16 "no"s less
    # 5A's 12 give 5B's away.
    years = disclosure.Grouping(["Year 5", "Year 6"], [[40, 16], [7, 7]], [56, 14])
    classes = disclosure.Grouping(["5A", "5B", "6A"], [[20, 12], [20, 4], [7, 7]], [32, 24, 14])
    cross = {(0, 0): ([20, 12], 32), (0, 1): ([20, 4], 24), (1, 2): ([7, 7], 14)}
    assert _separately_then_together([years, classes], cross) != []
    year_table, class_table = disclosure.protect_views([years, classes], cross=cross)
    assert class_table.cells[1][1] is None
    assert disclosure.worked_back(year_table) == []
    assert disclosure.release_of(year_table) is disclosure.release_of(class_table)


def test_a_withheld_class_of_six_to_nine_is_not_its_year_group_less_the_other_class():
    years = disclosure.Grouping(["Year 5"], [[30, 6]], [36])
    classes = disclosure.Grouping(["5A", "5B", "5C"], [[7, 1], [12, 2], [11, 3]], [8, 14, 14])
    cross = {(0, 0): ([7, 1], 8), (0, 1): ([12, 2], 14), (0, 2): ([11, 3], 14)}
    _years, class_table = disclosure.protect_views([years, classes], cross=cross)
    assert class_table.bases[0] is None  # 8 answers: withheld
    assert sum(base is None for base in class_table.bases) >= 2  # and not left to subtraction
    assert disclosure.worked_back(class_table) == []


def test_a_mixed_class_is_a_group_of_its_own_in_each_year():
    # Class 5/6 holds 13 pupils of Year 5 (4 said yes) and 10 of Year 6. Every figure of
    # each table alone is 7 or more, yet Year 5's 19 "yes" less 5A's 15 are those 4.
    years = disclosure.Grouping(["Year 5", "Year 6"], [[19, 24], [18, 14]], [43, 32])
    classes = disclosure.Grouping(["5A", "5/6", "6A"], [[15, 15], [7, 16], [15, 7]], [30, 23, 22])
    cross = {(0, 0): ([15, 15], 30), (0, 1): ([4, 9], 13), (1, 1): ([3, 7], 10), (1, 2): ([15, 7], 22)}
    assert _separately_then_together([years, classes], cross) != []
    tables = disclosure.protect_views([years, classes], cross=cross)
    assert disclosure.worked_back(tables[0]) == []
    assert any(v is None for row in [*tables[0].cells, *tables[1].cells] for v in row)


def test_views_must_count_the_same_people():
    years = disclosure.Grouping(["Year 5"], [[10, 2]], [12])
    classes = disclosure.Grouping(["5A"], [[10, 3]], [13])
    with pytest.raises(ValueError, match="same people"):
        disclosure.protect_views([years, classes])


@st.composite
def schools(draw):
    """A round: year groups, classes each in one year group or two (mixed), and people
    in (year, class) pairs with answers to one question."""
    n_years = draw(st.integers(1, 3))
    n_classes = draw(st.integers(1, 4))
    homes = [draw(st.lists(st.integers(0, n_years - 1), min_size=1, max_size=2, unique=True)) for _ in range(n_classes)]
    n_cols = draw(st.integers(2, 3))
    cross = {}
    for j, years in enumerate(homes):
        for i in years:
            row = draw(st.lists(st.sampled_from([0, 1, 2, 3, 4, 6, 9, 14]), min_size=n_cols, max_size=n_cols))
            cross[(i, j)] = (row, sum(row))
    return n_years, n_classes, n_cols, cross


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(school=schools())
def test_nothing_hidden_can_be_worked_back_across_year_groups_and_classes(school):
    n_years, n_classes, n_cols, cross = school

    def margin(g, size):
        rows = [[0] * n_cols for _ in range(size)]
        for pair, (row, _base) in cross.items():
            rows[pair[g]] = [a + b for a, b in zip(rows[pair[g]], row, strict=True)]
        return rows

    years, classes = margin(0, n_years), margin(1, n_classes)
    groupings = [
        disclosure.Grouping([f"Y{i}" for i in range(n_years)], years, [sum(r) for r in years]),
        disclosure.Grouping([f"C{j}" for j in range(n_classes)], classes, [sum(r) for r in classes]),
    ]
    tables = disclosure.protect_views(groupings, cross=cross)
    assert disclosure.worked_back(tables[0]) == []
    for table in tables:
        for row in [*table.cells, table.total_cells]:
            assert all(v is None or v == 0 or v > 5 for v in row)
        assert all(b is None or b >= disclosure.MIN_GROUP for b in [*table.bases, table.total_base])
