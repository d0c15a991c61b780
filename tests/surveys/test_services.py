import datetime

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import FrozenQuestionSetError, Question, QuestionSet, Response, Round, Tally
from surveys.question_content import RATHER_NOT_SAY
from tests.surveys.factories import answer, move_dates, open_round


def test_the_first_question_sets_ship_published_for_every_audience(db):
    sets = QuestionSet.objects.filter(version=1)
    assert {s.audience for s in sets} == {"pupils_5_7", "pupils_7_11", "pupils_11_18", "parents", "staff"}
    assert all(s.is_published for s in sets)
    assert QuestionSet.objects.get(audience="pupils_5_7", version=1).faces
    for question in Question.objects.all():
        assert question.choices[-1] == RATHER_NOT_SAY


def test_pupils_are_asked_what_the_charter_cares_about(db):
    codes = set(QuestionSet.objects.get(audience="pupils_11_18").questions.values_list("code", flat=True))
    assert {"safe_school", "safe_journey", "safe_online", "bullied_term", "bullied_how", "bullied_why"} <= codes
    assert {"know_who_to_tell", "told_someone", "adults_acted", "heard", "belong", "be_myself"} <= codes


def test_a_published_question_set_is_frozen(db):
    qs = QuestionSet.objects.get(audience="staff", version=1)
    question = qs.questions.first()
    question.text = "Changed"
    with pytest.raises(FrozenQuestionSetError):
        question.save()
    with pytest.raises(FrozenQuestionSetError, match="published"):
        Question.objects.create(question_set=qs, position=99, code="new", text="New", choices=["Yes", RATHER_NOT_SAY])
    with pytest.raises(FrozenQuestionSetError, match="published"):
        qs.delete()


def test_officers_draft_a_new_version_and_publish_it(db, officer, alice):
    qs = QuestionSet.objects.get(audience="staff", version=1)
    draft = services.question_set_new_draft(question_set=qs, by=officer)
    assert draft.version == 2 and not draft.is_published
    assert draft.questions.count() == qs.questions.count()
    question = draft.questions.first()
    question.text = "I have had training on spotting bullying."
    question.save()
    with pytest.raises(services.SurveyError):
        services.question_set_publish(question_set=draft, by=alice)
    services.question_set_publish(question_set=draft, by=officer)
    assert services.current_question_set("staff") == draft


def test_the_lead_opens_a_round_and_gets_a_token_kept_only_as_a_hash(alice, school_a):
    round_, token = open_round(school_a, alice)
    assert token not in round_.token_hash
    assert services.round_for_token(token) == round_
    assert services.round_for_token(token + "x") is None


def test_only_the_lead_opens_rounds(bob, school_a, officer):
    for person in (bob, officer):
        with pytest.raises(services.SurveyError):
            open_round(school_a, person)
    assert not Round.objects.exists()


def test_a_round_asks_pupils_for_year_groups(alice, school_a):
    with pytest.raises(services.SurveyError, match="year groups"):
        open_round(school_a, alice, year_groups=())


def test_an_answer_is_stored_compactly_and_counted_in_the_same_transaction(alice, school_a):
    round_, _token = open_round(school_a, alice)
    answer(round_, answers={"1": [0], "5": [1, 3], "99": [0], "2": [42]})
    response = Response.objects.get()
    assert response.answers == {"1": [0], "5": [1, 3]}  # unknown question and choice dropped
    cells = {(t.question, t.choice): t.count for t in Tally.objects.filter(round=round_)}
    assert cells == {(0, 0): 1, (1, 0): 1, (1, 999): 1, (5, 1): 1, (5, 3): 1, (5, 999): 1}
    answer(round_, answers={"1": [0]})
    assert Tally.objects.get(round=round_, question=1, choice=0).count == 2
    round_.refresh_from_db()
    assert round_.response_count == 2


def test_the_same_submission_key_stores_one_answer(alice, school_a):
    round_, _token = open_round(school_a, alice)
    answer(round_, key="same-key")
    with pytest.raises(services.AlreadySent):
        answer(round_, key="same-key")
    assert Response.objects.count() == 1
    assert Tally.objects.get(round=round_, question=0).count == 1


def test_the_closing_date_holds(alice, school_a):
    round_, _token = open_round(school_a, alice)
    today = timezone.localdate()
    move_dates(round_, today - datetime.timedelta(days=10), today - datetime.timedelta(days=1))
    with pytest.raises(services.SurveyError, match="closed"):
        answer(round_)
    assert not Response.objects.exists()


def test_closing_early_stops_answers_and_extending_moves_the_date(alice, school_a):
    round_, _token = open_round(school_a, alice)
    services.round_extend(round=round_, closes_on=round_.closes_on + datetime.timedelta(days=7), by=alice)
    round_.refresh_from_db()
    assert round_.closes_on == timezone.localdate() + datetime.timedelta(days=21)
    with pytest.raises(services.SurveyError):
        services.round_extend(round=round_, closes_on=round_.closes_on, by=alice)
    services.round_close(round=round_, by=alice)
    with pytest.raises(services.SurveyError, match="closed"):
        answer(round_)
    with pytest.raises(services.SurveyError):
        services.round_close(round=round_, by=alice)


def test_a_pupil_must_be_in_one_of_the_rounds_year_groups(alice, school_a):
    round_, _token = open_round(school_a, alice, year_groups=["5"])
    with pytest.raises(services.SurveyError, match="year group"):
        answer(round_, year_group="9")


def test_free_text_is_encrypted_and_risky_words_are_flagged(alice, school_a):
    from django.db import connection

    round_, _token = open_round(school_a, alice)
    answer(round_, comment="Sometimes I want to die when they post about me")
    answer(round_, comment="Lunch is nice")
    with connection.cursor() as cursor:
        cursor.execute("SELECT comment FROM surveys_response ORDER BY id")
        stored = [row[0] for row in cursor.fetchall()]
    assert all(value.startswith("gAAAAA") for value in stored)
    flagged = list(Response.objects.order_by("id").values_list("comment_flagged", flat=True))
    assert flagged == [True, False]


@pytest.mark.parametrize(
    "text",
    [
        "Someone said they will hurt me after school",
        "he hurts me",
        "they threaten me",
        "he is threatening me",
        "they said they would stab me",
        "they kick me",
        "they punch me",
        "I self-harmed",
        "I dont want to live anymore",
        "I don’t want to live anymore",
        "kill my self",
        "Sometimes I WANT TO DIE",
    ],
)
def test_common_ways_of_saying_a_child_is_at_risk_are_flagged(text):
    assert services.suggests_risk(text)


@pytest.mark.parametrize(
    "text",
    [
        "I feel safe",
        "my friends help me",
        "we learnt about hurtful words",
        "The school feels stable and calm",
        "We play kickball at break",
        "Lunch is nice",
        "",
    ],
)
def test_ordinary_answers_are_not_flagged(text):
    assert not services.suggests_risk(text)


def test_every_entry_of_the_word_list_flags_itself():
    """Each entry, written out (a stem with no ending), is found: no entry is unreachable."""
    for entry in services.risk_words():
        assert services.suggests_risk(entry.replace("*", "")), entry


def test_retention_removes_free_text_and_keeps_the_counts(alice, school_a, settings):
    round_, _token = open_round(school_a, alice)
    answer(round_, comment="Something")
    today = timezone.localdate()
    move_dates(round_, today - datetime.timedelta(days=400), today - datetime.timedelta(days=380))
    assert services.comments_remove_expired(dry_run=True) == 1
    assert Response.objects.filter(comment__isnull=False).count() == 1
    assert services.comments_remove_expired() == 1
    assert services.comments_remove_expired() == 0
    assert not Response.objects.filter(comment__isnull=False).exists()
    assert Tally.objects.get(round=round_, question=0).count == 1
