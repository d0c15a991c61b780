"""The council's monthly figures (`incidents.figures`) against the records they count:
each school, month and STOP result counted record by record in Python must equal what
the set-based recount (one INSERT ... SELECT) writes, both as the services keep them in
step and after `rebuild()`."""

import datetime
import random
from collections import Counter, defaultdict

import pytest
from django.utils import timezone

from incidents import figures
from incidents.models import (
    CATEGORY_FIELDS,
    FIGURE_COLUMNS,
    FORM_FIELDS,
    Category,
    Classification,
    Form,
    Incident,
    Involvement,
    Location,
    MonthlyFigures,
    Role,
    YearGroup,
)
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.factories import grant, involve, pupil_report, record

pytestmark = pytest.mark.django_db


def _per_record() -> dict:
    """The figures worked out one record at a time, as the council would by hand."""
    rows: dict = defaultdict(Counter)
    for incident in Incident.objects.exclude(classification=Classification.NOT_ASSESSED).exclude(
        occurred_at__isnull=True
    ):
        key = (incident.organisation_id, figures.month_of(incident.occurred_at), incident.classification)
        counts = rows[key]
        counts["incidents"] += 1
        counts[f"at_{incident.location}"] += 1
        for value, field in FORM_FIELDS.items():
            counts[f"form_{value}"] += getattr(incident, field)
        for value, field in CATEGORY_FIELDS.items():
            counts[f"category_{value}"] += getattr(incident, field)
        counts["category_none"] += not any(getattr(incident, f) for f in CATEGORY_FIELDS.values())
        for person in Involvement.objects.filter(incident=incident, role=Role.TARGET):
            counts[f"targets_{person.year_group}"] += 1
    names = ["incidents", *FIGURE_COLUMNS]
    return {key: tuple(counts[n] for n in names) for key, counts in rows.items()}


def _kept() -> dict:
    names = ["incidents", *FIGURE_COLUMNS]
    return {
        (row.organisation_id, row.month, row.classification): tuple(getattr(row, n) for n in names)
        for row in MonthlyFigures.objects.all()
    }


@pytest.fixture
def history(school_a, school_b, alice, charlie):
    """Two schools' records over five months: every location, form, category and result,
    pupils of several year groups in several roles, and pupils' reports not yet assessed."""
    grant(school_b, charlie)
    rng = random.Random(5)
    now = timezone.now()
    for n in range(24):
        school, by = (school_a, alice) if n % 3 else (school_b, charlie)
        several, purpose, power = rng.random() < 0.6, rng.random() < 0.7, rng.random() < 0.7
        incident = record(
            school,
            by,
            occurred_at=now - datetime.timedelta(days=rng.randrange(150), hours=rng.randrange(24)),
            location=Location.values[n % len(Location.values)],
            forms=rng.sample(Form.values, rng.randint(1, 3)),
            categories=rng.sample(Category.values, rng.choice([0, 0, 1, 2])),
            stop_several_times=several,
            stop_on_purpose=purpose,
            stop_power_imbalance=power,
        )
        for k, role in enumerate(rng.sample([Role.TARGET, Role.TARGET, Role.ALLEGED_PERPETRATOR, Role.WITNESS], 3)):
            involve(incident, by, f"P{n}-{k}", role=role, year_group=rng.choice(YearGroup.values))
    pupil_report(school_a, alice)  # not assessed: not counted
    return school_a, school_b


def test_the_recount_equals_the_records_counted_one_by_one(history):
    expected = _per_record()
    assert len(expected) > 10 and {c for (_o, _m, c) in expected} >= {"bullying", "one_off"}
    assert _kept() == expected  # as the services kept them in step
    MonthlyFigures.objects.all().delete()
    assert figures.rebuild() == len(expected)
    assert _kept() == expected


def test_a_recount_of_some_schools_leaves_the_others(history):
    school_a, school_b = history
    expected = _per_record()
    MonthlyFigures.objects.filter(organisation=school_a).update(incidents=99)
    written = figures.rebuild([school_a.pk])
    assert written == sum(1 for (o, _m, _c) in expected if o == school_a.pk)
    assert _kept() == expected


def test_the_recount_is_the_same_few_queries_however_many_records(history, django_assert_num_queries):
    # a savepoint, forget the rows, one INSERT ... SELECT, release the savepoint
    with django_assert_num_queries(4):
        figures.rebuild()
    other = OrganisationFactory()
    lead = MembershipFactory(organisation=other, role="lead").user
    grant(other, lead)
    for _ in range(5):
        involve(record(other, lead), lead)
    with django_assert_num_queries(4):
        figures.rebuild()
    assert _kept() == _per_record()
