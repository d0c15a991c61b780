"""The survey management commands: recounting tallies from the stored answers, and
removing free text past its retention period."""

import uuid

import pytest
from django.core.management import CommandError, call_command

from ppp.audit.models import AuditEvent
from surveys import reports
from surveys.models import ANSWERED, RESPONDENTS, Round, Tally
from tests.surveys.factories import answer, open_round


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("rebuild_survey_tallies", *args, stdout=out)
    return out.getvalue()


def _tallies(round_):
    return {
        (t.year_group, t.class_label, t.question, t.choice): t.count
        for t in Tally.objects.filter(round=round_).order_by()
    }


@pytest.fixture
def answered(alice, school_a):
    round_, _token = open_round(school_a, alice, class_labels=["5A", "6A"])
    for n in range(12):
        answer(round_, year_group="5", class_label="5A", answers={"1": [0 if n < 8 else 1], "4": [0, 2]})
    for _n in range(3):
        answer(round_, year_group="6", answers={"2": [1]})
    round_.refresh_from_db()
    return round_


def test_a_round_in_step_needs_nothing(answered):
    before = _tallies(answered)
    out = _run("--round", str(answered.public_id))
    assert "Recounted 1 round; 0 needed changes (0 cells)." in out
    assert _tallies(answered) == before


def test_drifted_tallies_are_listed_by_a_dry_run_and_recounted_once(answered):
    truth = _tallies(answered)
    Tally.objects.filter(round=answered, year_group="5", class_label="5A", question=1, choice=0).update(count=99)
    Tally.objects.filter(round=answered, year_group="6", question=2, choice=ANSWERED).delete()
    Tally.objects.create(round=answered, year_group="6", class_label="", question=3, choice=0, count=4)
    Round.objects.filter(pk=answered.pk).update(response_count=14)
    drifted = _tallies(answered)

    out = _run("--dry-run")
    assert f"Round {answered.public_id}" in out and "differs: 3 cells, answers stored 14, counted 15" in out
    assert "Year 5, class or group 5A: question 1, answer 1: stored 99, counted 8" in out
    assert "Year 6: question 2, answered at all: stored 0, counted 3" in out
    assert "Year 6: question 3, answer 1: stored 4, counted 0" in out
    assert "Nothing was changed." in out
    assert _tallies(answered) == drifted  # a dry run changes nothing

    out = _run()
    assert "Recounted 1 round; 1 needed changes (3 cells)." in out
    assert _tallies(answered) == truth
    answered.refresh_from_db()
    assert answered.response_count == 15
    assert AuditEvent.objects.filter(action="surveys.tallies_rebuilt").count() == 1
    # The pages read the recounted tallies.
    assert reports.round_results(answered).questions[0].positive_true[1] == 12

    assert "0 needed changes" in _run()  # idempotent
    assert _tallies(answered) == truth
    assert AuditEvent.objects.filter(action="surveys.tallies_rebuilt").count() == 1


def test_every_round_is_recounted_without_round(answered, alice, school_a):
    other, _token = open_round(school_a, alice, audience="staff", year_groups=[])
    answer(other, year_group="", answers={"1": [0]})
    Tally.objects.filter(round=other, question=RESPONDENTS).update(count=7)
    out = _run()
    assert "Recounted 2 rounds; 1 needed changes (1 cell)." in out
    assert Tally.objects.get(round=other, question=RESPONDENTS).count == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not-an-id", "'not-an-id' is not a round's id"),
        (str(uuid.UUID(int=7)), f"There is no survey round with the id {uuid.UUID(int=7)}"),
    ],
)
def test_a_bad_round_id_fails_with_a_clear_message(db, value, message):
    with pytest.raises(CommandError, match=message):
        _run("--round", value)


def test_a_bad_round_id_exits_non_zero(db, capsys):
    from django.core.management import execute_from_command_line

    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "rebuild_survey_tallies", "--round", "nonsense"])
    assert exit_.value.code != 0
    assert "is not a round's id" in capsys.readouterr().err


def test_retention_removes_old_free_text_once_and_records_it(alice, school_a):
    import datetime

    from django.utils import timezone

    from surveys.models import Response
    from tests.surveys.factories import move_dates

    round_, _token = open_round(school_a, alice)
    answer(round_, comment="Old words")
    today = timezone.localdate()
    move_dates(round_, today - datetime.timedelta(days=400), today - datetime.timedelta(days=390))
    from io import StringIO

    out = StringIO()
    call_command("apply_survey_retention", "--dry-run", stdout=out)
    assert "Would remove free text from 1 survey answer." in out.getvalue()
    assert Response.objects.get().comment == "Old words"
    call_command("apply_survey_retention", stdout=out)
    assert Response.objects.get().comment is None
    event = AuditEvent.objects.get(action="surveys.comments_removed")
    assert event.detail["removed"] == 1 and event.detail["retention_days"] == 365
    call_command("apply_survey_retention", stdout=out)
    assert AuditEvent.objects.filter(action="surveys.comments_removed").count() == 1
