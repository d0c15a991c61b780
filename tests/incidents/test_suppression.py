"""Small-number suppression: no published table lets a count from 1 to 4 be worked out.

The tables are random (hypothesis): several linked tables sharing their bottom row, some
whose columns add up and some whose columns do not (forms: an incident can have several).
Each published result is attacked three ways, with code independent of the suppressor:
subtraction along rows and columns (repeated until nothing more comes out), exact linear
algebra over every equation of every table at once, and bounds along each line.
"""

import itertools
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents.suppression import GROUP, LOW, SHOWN, WITHHELD, Table, line_is_safe, suppress

small = st.one_of(st.integers(0, 6), st.integers(0, 30), st.sampled_from([0, 1, 2, 3, 4, 5, 6, 8]))


def _compose(draw, total, parts):
    """`total` split into `parts` non-negative whole numbers."""
    if parts == 1:
        return [total]
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    return [b - a for a, b in itertools.pairwise([0, *cuts, total])]


@st.composite
def linked_tables(draw):
    columns = draw(st.integers(1, 4))
    headline = [draw(small) for _ in range(columns)]
    tables = []
    for n in range(draw(st.integers(1, 3))):
        rows = draw(st.integers(1, 4))
        additive = draw(st.booleans())
        if additive:
            split = [_compose(draw, headline[j], rows) for j in range(columns)]
            interior = [[split[j][i] for j in range(columns)] for i in range(rows)]
        else:
            interior = [[draw(st.integers(0, headline[j])) for j in range(columns)] for _ in range(rows)]
        values = [[*row, sum(row)] for row in interior] + [[*headline, sum(headline)]]
        withheld = {i for i in range(rows) if draw(st.integers(0, 9)) == 0}
        tables.append(
            Table(
                title=f"t{n}",
                row_labels=[f"r{i}" for i in range(rows)],
                column_labels=[f"c{j}" for j in range(columns)],
                values=values,
                additive=additive,
                withheld_rows=withheld,
            )
        )
    return suppress(tables)


def _entries_and_lines(tables):
    """Every entry of every table (the shared bottom row once), and every equation."""
    values, states, lines = {}, {}, []
    for t, table in enumerate(tables):
        r, _c = table.shape

        def key(i, j, t=t, r=r):
            return ("bottom", j) if i == r else (t, i, j)

        for i, row in enumerate(table.values):
            for j, value in enumerate(row):
                values[key(i, j)] = value
                states[key(i, j)] = table.states[i][j]
        for line in table.lines():
            lines.append([(key(i, j), coef) for (i, j), coef in line])
    return values, states, lines


def _determined_by_subtraction(values, states, lines):
    known = {k for k, s in states.items() if s == SHOWN}
    derived = set()
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [k for k, _ in line if k not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                derived.add(unknown[0])
                progress = True
    return derived


def _determined_by_algebra(states, lines):
    """Hidden entries whose value follows from the equations (exact rational elimination)."""
    hidden = sorted((k for k, s in states.items() if s != SHOWN), key=str)
    index = {k: n for n, k in enumerate(hidden)}
    matrix = []
    for line in lines:
        row = [Fraction(0)] * len(hidden)
        for k, coef in line:
            if k in index:
                row[index[k]] += coef
        if any(row):
            matrix.append(row)
    pivots, rank = [], 0
    for col in range(len(hidden)):
        pivot = next((r for r in range(rank, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        lead = matrix[rank][col]
        matrix[rank] = [x / lead for x in matrix[rank]]
        for r in range(len(matrix)):
            if r != rank and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank], strict=True)]
        pivots.append(col)
        rank += 1
    determined = set()
    for r, col in enumerate(pivots):
        if all(matrix[r][other] == 0 for other in range(len(hidden)) if other != col):
            determined.add(hidden[col])
    return determined


def _brute_force_line_safe(line, values, states):
    """Enumerate what a reader could believe along one line whose total they can read."""
    total_key = next(k for k, coef in line if coef < 0)
    if states[total_key] != SHOWN:
        return True
    total = values[total_key]
    hidden = [k for k, coef in line if coef > 0 and states[k] != SHOWN]
    if not hidden or len(hidden) > 4:
        return True
    rest = total - sum(values[k] for k, coef in line if coef > 0 and states[k] == SHOWN)

    def possible(k):
        if states[k] == LOW:
            return range(0, 5)
        if states[k] == GROUP:
            return range(0, rest + 1)
        return range(5, rest + 1)

    seen = {k: set() for k in hidden}
    for combo in itertools.product(*(possible(k) for k in hidden)):
        if sum(combo) == rest:
            for k, v in zip(hidden, combo, strict=True):
                seen[k].add(v)
    # Every hidden count keeps two possible values (one a reader can only place at 0 gives
    # no count away).
    return all(len(v) >= 2 or v == {0} for v in seen.values())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_tables())
def test_no_count_from_1_to_4_is_published(tables):
    for table in tables:
        for row_values, row_states in zip(table.values, table.states, strict=True):
            for value, state in zip(row_values, row_states, strict=True):
                if 1 <= value <= 4:
                    assert state in (LOW, GROUP)
                if state == SHOWN:
                    assert value == 0 or value >= 5
                if state == LOW:
                    assert 0 <= value <= 4
                if state == WITHHELD:
                    assert value >= 5


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_tables())
def test_no_hidden_count_can_be_worked_out_by_subtraction_along_rows_and_columns(tables):
    values, states, lines = _entries_and_lines(tables)
    assert not _determined_by_subtraction(values, states, lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_tables())
def test_no_hidden_count_follows_from_all_the_equations_together(tables):
    _values, states, lines = _entries_and_lines(tables)
    assert not _determined_by_algebra(states, lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_tables())
def test_no_line_gives_a_count_away_through_its_bounds(tables):
    values, states, lines = _entries_and_lines(tables)
    for line in lines:
        assert _brute_force_line_safe(line, values, states), line


def test_a_single_small_count_is_shown_as_fewer_than_5_and_another_is_withheld():
    table = Table("t", ["a", "b"], ["m1", "m2"], [[1, 10, 11], [9, 12, 21], [10, 22, 32]])
    suppress([table])
    assert table.figure(0, 0).display == "fewer than 5"
    hidden = [(i, j) for i in range(3) for j in range(3) if table.states[i][j] != SHOWN]
    assert len(hidden) >= 4  # the 1 and enough others to put it on a cycle
    assert table.figure(2, 2).display == "32"


def test_four_and_four_making_eight_are_not_left_as_the_only_hidden_pair():
    # 4 + 4 = 8 would give both away to a reader who knows "fewer than 5" means 1 to 4.
    table = Table("t", ["a"], ["m1", "m2", "m3"], [[4, 4, 9, 17], [4, 4, 9, 17]], additive=False)
    suppress([table])
    assert table.states[0][2] == WITHHELD


def test_line_safety_knows_what_the_labels_tell_a_reader():
    assert not line_is_safe([(1, 4, LOW), (1, 4, LOW), (-1, 8, SHOWN)])  # both must be 4
    assert not line_is_safe([(1, 5, WITHHELD), (1, 5, WITHHELD), (-1, 10, SHOWN)])  # both must be 5
    assert line_is_safe([(1, 1, LOW), (1, 9, WITHHELD), (-1, 10, SHOWN)])
    assert line_is_safe([(1, 1, LOW), (1, 1, LOW), (1, 1, LOW), (-1, 3, LOW)])
    assert not line_is_safe([(1, 3, LOW), (1, 7, SHOWN), (-1, 10, SHOWN)])
