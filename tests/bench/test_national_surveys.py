"""The national benchmark's survey stage (bench/national_models.py, issue 24): rounds and
answers in the app's own shape, tallies that agree with a recount of the answers, the
bench school's fixed rounds, and a stage that can be run again on a built dataset."""

import pytest

from bench.national_models import BENCH_SURVEY_ANSWERS, BENCH_SURVEY_ROUNDS, BENCH_SURVEY_TOKEN, National
from ppp.crypto import is_encrypted
from surveys import reports, services
from surveys.models import Response, Round, Tally
from tests.factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def schools(db):
    for pk, kind in ((1, "secondary"), (2, "primary"), (3, "nursery"), (4, "special")):
        MembershipFactory(organisation=OrganisationFactory(pk=pk, kind=kind), role="lead")


def build():
    National(scale=0.001, seed=13).surveys()


def test_the_stage_stores_answers_as_the_app_does_and_tallies_that_add_up(schools):
    build()
    assert National(scale=0.001, seed=13).check_surveys() == []
    # Two rounds a year at every other school; the bench school's fixed rounds and one open now.
    assert Round.objects.exclude(organisation_id=1).count() == 6
    bench = Round.objects.filter(organisation_id=1)
    assert bench.filter(response_count=BENCH_SURVEY_ANSWERS).count() == BENCH_SURVEY_ROUNDS
    open_round = services.round_for_token(BENCH_SURVEY_TOKEN)
    assert open_round is not None and open_round.is_open() and open_round.organisation_id == 1
    latest = bench.filter(response_count=BENCH_SURVEY_ANSWERS).order_by("-opens_on").first()
    results = reports.round_results(latest)
    assert results.respondents == BENCH_SURVEY_ANSWERS
    assert reports.comparison_rounds(latest)  # the first round: distance travelled


def test_free_text_is_encrypted_in_the_database(schools):
    from django.db import connection

    build()
    with connection.cursor() as cursor:
        cursor.execute("SELECT comment FROM surveys_response WHERE comment IS NOT NULL LIMIT 20")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(is_encrypted(text) for text in stored)
    assert Response.objects.filter(comment__isnull=False).first().comment  # the app decrypts it


def test_an_answer_sent_through_the_app_keeps_the_tallies_in_step(schools):
    build()
    open_round = services.round_for_token(BENCH_SURVEY_TOKEN)
    services.response_submit(
        round=open_round, submission_key="bench-test", year_group=open_round.year_groups[0], answers={"1": [0]}
    )
    assert National(scale=0.001, seed=13).check_surveys() == []
    assert Tally.objects.filter(round=open_round, question=1, choice=0).get().count == 1


def test_the_stage_replaces_its_own_rows_and_gives_the_same_ones_again(schools):
    build()
    first = list(Round.objects.order_by("pk").values_list("public_id", "response_count"))
    answers = Response.objects.count()
    build()
    assert list(Round.objects.order_by("pk").values_list("public_id", "response_count")) == first
    assert Response.objects.count() == answers
