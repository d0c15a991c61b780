"""The shared disclosure rule (ppp.disclosure): the exact check finds what a reader can
work back, and suppression leaves nothing for it to find, over generated linked tables."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppp.disclosure import (
    CONFIDENTIAL,
    RULE_VERSION,
    System,
    check,
    legend,
    legend_rows,
    percent,
    publish,
    ranges,
    rule,
    suppress,
)
from ppp.disclosure.system import Published, primary


def grid(system, name, values, *, round_totals=False):
    """A table with row totals, column totals and a grand total, added to `system`."""
    rows, cols = len(values), len(values[0])
    for i in range(rows):
        for j in range(cols):
            system.cell((name, i, j), values[i][j])
        system.cell((name, i, "T"), sum(values[i]), total=round_totals)
        system.sums((name, i, "T"), [(name, i, j) for j in range(cols)])
    for j in [*range(cols), "T"]:
        system.cell((name, "T", j), sum(system.cells[(name, i, j)].value for i in range(rows)), total=round_totals)
        system.sums((name, "T", j), [(name, i, j) for i in range(rows)])
    system.sums((name, "T", "T"), [(name, "T", j) for j in range(cols)])
    return system


def test_a_zero_total_line_is_known_to_be_zeros_and_gives_the_rest_away():
    # Corridor: 1 in October, 0 in November; the classroom row is 0 in both.
    system = grid(System(), "where", [[1, 0], [0, 0], [7, 9]])
    naive = publish(system, {("where", 0, 0): "small", ("where", 0, "T"): "small"})
    found = {problem.key for problem in check(naive)}
    assert ("where", 0, 0) in found
    assert ranges(naive)[("where", 0, 0)] == (1, 1)
    published = suppress(system)
    assert check(published) == []
    assert published.is_hidden(("where", 0, 0))


def test_a_category_that_excludes_the_others_gives_them_away_unless_it_is_modelled():
    # 25 incidents: 24 with no category, religion 1, others 0 (the governors' award copy).
    system = System()
    system.cell("total", 25)
    system.cell("none", 24)
    system.cell("religion", 1)
    system.cell("race", 0)
    for category in ("religion", "race"):
        system.at_most([category, "none"], "total")
    system.relate([("religion", 1), ("race", 1), ("none", 1), ("total", -1)], ">=")
    naive = publish(system, {"religion": "small"})
    assert [problem.key for problem in check(naive)] == ["religion"]
    published = suppress(system)
    assert check(published) == []
    assert published.is_hidden("religion") and published.is_hidden("none")


def test_dominance_hides_a_cell_one_setting_makes_mostly():
    system = System()
    system.cell("a", 40, largest=30)
    system.cell("b", 40, largest=10)
    system.cell("t", 80)
    system.sums("t", ["a", "b"])
    published = suppress(system)
    assert published.reasons["a"] == "dominance"
    assert published.is_hidden("b")  # else a = t - b
    assert check(published) == []


def test_rounded_totals_are_to_the_nearest_5_and_a_reader_knows_their_range():
    assert [rule.rounded(v) for v in (0, 6, 7, 8, 12, 13)] == [0, 5, 5, 10, 10, 15]
    assert rule.rounded_range(5) == (6, 7) and rule.rounded_range(10) == (8, 12) and rule.rounded_range(0) == (0, 0)
    system = grid(System(), "t", [[9, 12], [8, 30]], round_totals=True)
    published = suppress(system)
    assert published.display(("t", "T", "T")) == "60" and ("t", "T", "T") in published.rounded
    assert check(published) == []


def test_a_shown_small_count_is_a_problem():
    system = System()
    system.cell("a", 3)
    assert [p.reason for p in check(publish(system, {}))] == ["shown"]


def test_the_legend_and_the_symbols():
    assert legend({CONFIDENTIAL}) == [("c", rule.SYMBOLS["c"])]
    assert [symbol for symbol, _ in legend()] == ["c", "x", "z", "low"]
    assert legend_rows({CONFIDENTIAL})[0] == ["Disclosure rule", RULE_VERSION]
    assert percent(0, 1000) == "0" and percent(1, 1001) == "low" and percent(1, 0) == "z" and percent(1, 4) == "25"


def test_relations_must_hold_of_the_counts():
    system = System()
    system.cell("a", 2)
    system.cell("t", 3)
    with pytest.raises(ValueError):
        system.sums("t", ["a"])
    with pytest.raises(ValueError):
        system.cell("b", -1)


counts = st.integers(min_value=0, max_value=12)


def test_a_cell_that_can_grow_without_end_is_unbounded_though_highs_presolve_says_infeasible():
    # Found by the property test below: every cell hidden but one rounded row total (5: 6
    # or 7) and one zero. The most "all incidents in month 1" can be has no limit, but
    # HiGHS's presolve answers "infeasible" for that maximum; the check must ask again
    # without it rather than call the published figures inconsistent.
    system = grid(System(), "all", [[3, 4]] * 4)
    grid(system, "bullying", [[0, 0]] * 4)
    for i in [*range(4), "T"]:
        for j in [0, 1, "T"]:
            system.at_most(("bullying", i, j), ("all", i, j))
    shown = dict.fromkeys(system.cells)
    shown[("all", 2, "T")] = 5
    shown[("bullying", 3, 0)] = 0
    published = Published(
        rule_version=RULE_VERSION, shown=shown, rounded={("all", 2, "T")}, relations=list(system.relations)
    )
    assert ranges(published)[("all", "T", 1)] == (0, None)
    assert check(published) == []


@st.composite
def linked_tables(draw):
    """Two tables over the same months (the second a subset of the first: bullying
    only), months summing to a term column, and a shared bottom row."""
    rows = draw(st.integers(min_value=1, max_value=4))
    months = draw(st.integers(min_value=1, max_value=3))
    first = [[draw(counts) for _ in range(months)] for _ in range(rows)]
    second = [[draw(st.integers(min_value=0, max_value=value)) for value in row] for row in first]
    round_totals = draw(st.booleans())
    system = grid(System(), "all", first, round_totals=round_totals)
    grid(system, "bullying", second, round_totals=round_totals)
    for i in [*range(rows), "T"]:
        for j in [*range(months), "T"]:
            system.at_most(("bullying", i, j), ("all", i, j))
    return system


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_tables())
def test_after_suppression_nothing_can_be_worked_back(system):
    published = suppress(system)
    assert check(published) == []
    for key, cell in system.cells.items():
        if rule.is_small(cell.value):
            assert published.is_hidden(key)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_tables(), st.randoms(use_true_random=False))
def test_the_check_finds_exactly_the_cells_whose_every_value_is_1_to_5(system, random):
    """The check's shortcuts (whole-number witness points) agree with each hidden cell's
    exact least and greatest value, whatever is hidden."""
    hidden = {**{key: "hidden" for key in system.cells if random.random() < 0.4}, **primary(system)}
    published = publish(system, hidden)
    expected = {
        key
        for key, (least, most) in ranges(published).items()
        if most is not None and least >= rule.SMALL_MIN and most <= rule.SMALL_MAX
    }
    assert {problem.key for problem in check(published)} == expected
