"""The council's figures by kind of setting and by area: one term's two tables and its
totals are one system under the shared exact check, so setting one against the other
gives nothing hidden away. Hand-built worlds that leak when each table is protected on its
own, and a property test over generated worlds."""

import datetime

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ppp.accounts.models import Organisation
from surveys import disclosure, reports
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.factories import answer, move_dates, open_round
from tests.surveys.test_disclosure import _separately_then_together

PRIMARY, SECONDARY = Organisation.Kind.PRIMARY, Organisation.Kind.SECONDARY
KINDS = dict(Organisation.Kind.choices)


def _world(settings_):
    """Rounds that ended last week: one per (kind, area, positive answers, other answers)."""
    today = timezone.localdate()
    for n, (kind, area, positive, other) in enumerate(settings_):
        school = OrganisationFactory(name=f"Area School {n}", kind=kind, local_authority=area)
        lead = MembershipFactory(organisation=school, role="lead").user
        round_, _ = open_round(school, lead, audience="pupils_11_18", year_groups=["7"])
        for m in range(positive + other):
            answer(round_, year_group="7", answers={"1": [0 if m < positive else 2]})
        move_dates(round_, today - datetime.timedelta(days=3), today - datetime.timedelta(days=1))
    return reports.terms_with_rounds()[0]


def _leaky_world():
    # Primaries in North (20 feel safe, 12 not) and South (20 and 4); secondaries in East
    # (7 and 7). Each table alone shows no count from 1 to 5, or hides it: the area table
    # hides South's 4. But primaries (16 not) less North (12 not) are South's 4.
    north = [(PRIMARY, "North", 4, n) for n in (3, 3, 2, 2, 2)]
    south = [(PRIMARY, "South", 4, n) for n in (1, 1, 1, 1, 0)]
    east = [(SECONDARY, "East", p, p) for p in (2, 2, 1, 1, 1)]
    return _world(north + south + east)


def _rows(figures):
    return {row.label: row for row in figures.question_rows[0][1]}


def test_the_kind_and_area_tables_leak_when_protected_apart(db):
    _leaky_world()
    kinds = disclosure.Grouping([KINDS[PRIMARY], KINDS[SECONDARY]], [[40, 16], [7, 7]], [56, 14])
    areas = disclosure.Grouping(["East", "North", "South"], [[7, 7], [20, 12], [20, 4]], [14, 32, 24])
    cross = {(1, 0): ([7, 7], 14), (0, 1): ([20, 12], 32), (0, 2): ([20, 4], 24)}
    assert _separately_then_together([kinds, areas], cross) != []


def test_the_kind_and_area_tables_are_checked_together(db):
    term = _leaky_world()
    by_kind = reports.council_figures("pupils_11_18", term, KINDS, by="kind")
    by_area = reports.council_figures("pupils_11_18", term, KINDS, by="area")
    kind, area = _rows(by_kind), _rows(by_area)
    assert area["South"].positive is None  # its 4 "not" are hidden
    # Primaries' "not" less North's "not" would be South's: one of them is hidden too.
    figures = [kind[KINDS[PRIMARY]].base, kind[KINDS[PRIMARY]].positive, area["North"].base, area["North"].positive]
    assert None in figures
    assert kind["All settings"].base == area["All settings"].base == 70
    for table in [*by_kind.tables, *by_area.tables]:
        assert disclosure.worked_back(table) == []
    # one release for both
    assert disclosure.release_of(by_kind.tables[0]).shown == disclosure.release_of(by_area.tables[0]).shown


def test_a_mixed_area_is_a_group_of_its_own_for_each_kind(db):
    # West has 5 primaries and 5 secondaries; every figure of each table alone is 6 or
    # more, yet secondaries (24 not) less East's secondaries (20 not) are West's 4.
    east = [(SECONDARY, "East", 3, 4) for _ in range(5)]
    west = [(PRIMARY, "West", 3, 2) for _ in range(5)] + [(SECONDARY, "West", 2, 1) for _ in range(4)]
    west.append((SECONDARY, "West", 2, 0))
    north = [(PRIMARY, "North", 4, 2) for _ in range(5)]
    term = _world(east + west + north)
    kinds = disclosure.Grouping([KINDS[PRIMARY], KINDS[SECONDARY]], [[35, 20], [25, 24]], [55, 49])
    areas = disclosure.Grouping(["East", "North", "West"], [[15, 20], [20, 10], [25, 14]], [35, 30, 39])
    cross = {(1, 0): ([15, 20], 35), (0, 1): ([20, 10], 30), (0, 2): ([15, 10], 25), (1, 2): ([10, 4], 14)}
    assert _separately_then_together([kinds, areas], cross) != []
    for by in ("kind", "area"):
        figures = reports.council_figures("pupils_11_18", term, KINDS, by=by)
        assert all(disclosure.worked_back(table) == [] for table in figures.tables)
    kind = _rows(reports.council_figures("pupils_11_18", term, KINDS, by="kind"))
    area = _rows(reports.council_figures("pupils_11_18", term, KINDS, by="area"))
    shown = [kind[KINDS[SECONDARY]].base, kind[KINDS[SECONDARY]].positive, area["East"].base, area["East"].positive]
    assert None in shown


def test_a_kind_with_few_settings_stays_withheld_whichever_table_is_shown(db):
    # Two nurseries, both in North: the North row must not be primaries less nurseries.
    north = [(PRIMARY, "North", 8, 4) for _ in range(5)] + [(Organisation.Kind.NURSERY, "North", 6, 6)] * 2
    south = [(PRIMARY, "South", 9, 3) for _ in range(5)]
    term = _world(north + south)
    kind = _rows(reports.council_figures("pupils_11_18", term, KINDS, by="kind"))
    assert kind[KINDS[Organisation.Kind.NURSERY]].base is None
    for by in ("kind", "area"):
        figures = reports.council_figures("pupils_11_18", term, KINDS, by=by)
        assert all(disclosure.worked_back(table) == [] for table in figures.tables)


@st.composite
def councils(draw):
    """Kinds and areas, the settings of each kind in each area (some groups with fewer
    than 5 settings, so withheld), and their positive and other answers."""
    n_kinds, n_areas = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_kinds - 1), st.integers(0, n_areas - 1)), min_size=1, max_size=5, unique=True
        )
    )
    cross = {}
    for pair in pairs:
        row = draw(st.lists(st.sampled_from([0, 1, 3, 4, 6, 9, 15, 30]), min_size=2, max_size=2))
        cross[pair] = (row, sum(row))
    few = [draw(st.sets(st.integers(0, size - 1), max_size=1)) for size in (n_kinds, n_areas)]
    return n_kinds, n_areas, cross, few


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(council=councils())
def test_nothing_hidden_can_be_worked_back_across_kinds_areas_and_the_total(council):
    n_kinds, n_areas, cross, few = council
    groupings = []
    for g, size in enumerate((n_kinds, n_areas)):
        rows = [[0, 0] for _ in range(size)]
        for pair, (row, _base) in cross.items():
            rows[pair[g]] = [a + b for a, b in zip(rows[pair[g]], row, strict=True)]
        groupings.append(disclosure.Grouping([f"G{g}{r}" for r in range(size)], rows, [sum(r) for r in rows], few[g]))
    tables = disclosure.protect_views(groupings, cross=cross)
    assert disclosure.worked_back(tables[0]) == []
    for g, table in enumerate(tables):
        for r in few[g]:
            assert table.bases[r] is None and table.cells[r] == [None, None]
        for row in [*table.cells, table.total_cells]:
            assert all(v is None or v == 0 or v > 5 for v in row)


def test_the_terms_offered_are_those_rounds_with_answers_ended_in_read_in_two_queries(
    alice, school_a, django_assert_num_queries
):
    """A term with no round between two that have one is not offered; nor is a term whose
    rounds nobody answered. Two queries however many rounds (bench/FINDINGS.md, issue 24)."""
    from incidents.selectors import Term

    def ended_on(day, answered):
        round_, _ = open_round(school_a, alice, year_groups=["5"])
        if answered:
            answer(round_)
        move_dates(round_, day - datetime.timedelta(days=7), day)

    ended_on(datetime.date(2024, 10, 15), answered=True)  # autumn 2024-25
    ended_on(datetime.date(2025, 3, 10), answered=False)  # spring 2024-25: nobody answered
    ended_on(datetime.date(2025, 11, 20), answered=True)  # autumn 2025-26
    ended_on(datetime.date(2025, 11, 21), answered=True)
    with django_assert_num_queries(2):
        terms = reports.terms_with_rounds()
    assert terms == [Term.of(datetime.date(2025, 11, 20)).slug, Term.of(datetime.date(2024, 10, 15)).slug]
