"""What the award takes from surveys (the audit after issue 24): only a round that has
closed with enough answers to show figures is offered, shown on the self-review or set
against the last award, and a summary is recognised by the round's final figures; every
headline figure names the answer it counts, so a reversed question ("Have you been bullied
this term?", counting "No") never reads as its opposite."""

import datetime

from django.urls import reverse
from django.utils import timezone

from accreditation.models import Evidence
from surveys import reports, selectors
from surveys.models import CouncilRelease, Question
from tests.accreditation import factories as award
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.factories import answer, move_dates, open_round
from tests.surveys.test_pages import _close, _history, _publish


def _attach_url(round_, application, criterion="3.1"):
    return reverse(
        "surveys:award-attach",
        kwargs={"pk": round_.public_id, "application": application.public_id, "criterion": criterion},
    )


def _self_review(client, application):
    return client.get(reverse("accreditation:self-review", kwargs={"pk": application.public_id})).content.decode()


def _small_round(school, lead, n=2):
    """A round of pupils aged 11 to 18 opened and closed today with `n` answers."""
    round_, _ = open_round(school, lead, audience="pupils_11_18", year_groups=["7"])
    for _ in range(n):
        answer(round_, year_group="7", answers={"1": [0]})
    return _close(round_)


def test_an_open_round_is_not_offered_to_the_award_and_cannot_be_attached(client, alice, school_a, officer):
    first, latest = _history(school_a, alice)  # the latest is open, with 42 answers
    application = award.evidencing(school_a, alice, officer)
    client.force_login(alice)
    page = client.get(application.get_absolute_url()).content.decode()
    assert _attach_url(latest, application) not in page
    assert _attach_url(first, application) in page  # the latest closed round with enough answers
    response = client.post(_attach_url(latest, application), follow=True)
    assert "This survey round has not closed yet" in response.content.decode()
    assert not Evidence.objects.filter(application=application).exists()


def test_a_closed_round_with_too_few_answers_changes_nothing_the_award_shows(client, alice, school_a, officer):
    _first, latest = _history(school_a, alice)
    _close(latest)
    application = award.evidencing(school_a, alice, officer)
    small = _small_round(school_a, alice, n=2)
    client.force_login(alice)
    page = client.get(application.get_absolute_url()).content.decode()
    assert _attach_url(latest, application, "3.1") in page and _attach_url(latest, application, "3.2") in page
    assert _attach_url(small, application, "3.1") not in page
    body = _self_review(client, application)
    assert "I feel safe at school. 85% answered “Always” or “Most of the time” (35 of 41)." in body
    assert "The survey of pupils aged 11 to 18 from" in body
    assert "had only 2 answers: too few to show any figures, which need at least 10." in body
    assert "So the figures above are from the latest survey that has closed with enough answers." in body
    response = client.post(_attach_url(small, application), follow=True)
    assert "had 2 answers: too few to show any figures" in response.content.decode()
    assert not Evidence.objects.filter(application=application).exists()


def test_the_self_review_says_plainly_when_a_newer_round_is_still_open(client, alice, school_a, officer):
    _first, latest = _history(school_a, alice)  # the latest is open
    application = award.evidencing(school_a, alice, officer)
    client.force_login(alice)
    body = _self_review(client, application)
    assert "Latest closed survey of pupils aged 7 to 11" in body
    assert "50% answered “Always” or “Most of the time” (20 of 40)." in body  # the first round's
    assert "85%" not in body
    assert f"The survey of pupils aged 7 to 11 that opened on {latest.opens_on:%-d %B %Y} is still open" in body


def test_the_self_review_says_why_there_are_no_figures_yet(client, alice, school_a, officer):
    round_, _ = open_round(school_a, alice)
    for _ in range(29):
        answer(round_, answers={"1": [0]})
    application = award.evidencing(school_a, alice, officer)
    client.force_login(alice)
    body = _self_review(client, application)
    assert "No survey figures to show yet" in body and "is still open: its figures will show here" in body
    assert "100%" not in body
    assert "Attach the survey summary" not in client.get(application.get_absolute_url()).content.decode()


def test_a_summary_attached_while_open_does_not_stand_for_the_final_figures(client, alice, school_a, officer):
    from accreditation.selectors import criterion_by_code
    from accreditation.services import evidence_add

    _first, latest = _history(school_a, alice)
    application = award.evidencing(school_a, alice, officer)
    # What the award kept before the audit: a summary attached while the round was open,
    # titled by its opening date only.
    evidence_add(
        application=application,
        by=alice,
        criteria=[criterion_by_code(application, "3.1")],
        title=f"Survey summary: {latest.audience_label}, {latest.opens_on:%-d %B %Y}",
        kind="statement",
        statement="Figures so far",
    )
    _close(latest)
    client.force_login(alice)
    attach = _attach_url(latest, application)
    assert attach in client.get(application.get_absolute_url()).content.decode()
    assert client.post(attach).status_code == 302
    final = Evidence.objects.get(application=application, kind="file")
    assert final.title == (
        f"Survey summary: Pupils aged 7 to 11, {latest.opens_on:%-d %B %Y} to {latest.ended_on:%-d %B %Y}, 42 answers"
    )
    assert attach not in client.get(application.get_absolute_url()).content.decode()


def test_a_round_extended_after_its_closing_date_is_a_new_summary(alice, school_a):
    from surveys import services

    today = timezone.localdate()
    round_, _ = open_round(school_a, alice)
    for _ in range(12):
        answer(round_, answers={"1": [0]})
    move_dates(round_, today - datetime.timedelta(days=10), today - datetime.timedelta(days=1))
    assert selectors.shows_figures(round_)
    before = selectors.evidence_title(round_)
    services.round_extend(round=round_, closes_on=today + datetime.timedelta(days=3), by=alice)
    round_.refresh_from_db()
    assert not selectors.shows_figures(round_)
    answer(round_, answers={"1": [0]})
    round_ = _close(round_)
    assert selectors.shows_figures(round_) and selectors.evidence_title(round_) != before


def test_the_distance_travelled_waits_for_the_latest_round_to_close(client, alice, school_a):
    from accreditation import services as award_services
    from accreditation.models import LegacyAward

    _first, latest = _history(school_a, alice)
    LegacyAward.objects.create(organisation=school_a, awarded_on=timezone.localdate() - datetime.timedelta(days=200))
    application = award_services.reaccreditation_start(
        organisation=school_a, by=alice, contact_name="A", contact_email="a@a.example", accept_terms=True
    )
    client.force_login(alice)
    assert "Distance travelled since the last award" not in client.get(application.get_absolute_url()).content.decode()
    _close(latest)
    body = client.get(application.get_absolute_url()).content.decode()
    assert "Distance travelled since the last award" in body
    assert "I feel safe at school. The share who answered “Always” or “Most of the time” went from 50% to 85%" in body


# A reversed question names the answer it counts


def test_the_answer_counted_is_named_in_plain_words():
    def counted(choices, positive):
        return reports.answer_counted(Question(choices=[*choices, "I'd rather not say"], positive=positive))

    assert counted(["Yes", "No", "Not sure"], [1]) == "“No”"
    assert counted(["Always", "Most of the time", "Sometimes", "Never"], [0, 1]) == "“Always” or “Most of the time”"
    assert counted(["A", "B", "C", "D"], [0, 1, 2]) == "“A”, “B” or “C”"


def test_the_self_review_names_the_answer_a_reversed_question_counts(client, alice, school_a, officer):
    round_, _ = open_round(school_a, alice, year_groups=["5"])
    for n in range(20):
        answer(round_, answers={"1": [0], "4": [1 if n < 14 else 0]})  # question 4: bullied this term; 1 is "No"
    _close(round_)
    application = award.evidencing(school_a, alice, officer)
    client.force_login(alice)
    body = _self_review(client, application)
    assert "Have you been bullied this term (hurt on purpose, again and again)? 70% answered “No” (14 of 20)." in body


def _bullied_world(n_settings=5):
    """Settings whose pupil rounds (ages 11 to 18) ended last week: 12 answers each, 9 of
    them "No" to "Have you been bullied this term?" (question 4)."""
    today = timezone.localdate()
    for n in range(n_settings):
        school = OrganisationFactory(name=f"Bullied School {n}", kind="primary", local_authority="Leicester")
        lead = MembershipFactory(organisation=school, role="lead").user
        round_, _ = open_round(school, lead, audience="pupils_11_18", year_groups=["7"])
        for m in range(12):
            answer(round_, year_group="7", answers={"1": [0], "4": [1 if m < 9 else 0]})
        move_dates(round_, today - datetime.timedelta(days=3), today - datetime.timedelta(days=1))
    return _publish()


def test_the_council_page_and_csv_name_the_answer_counted(client, officer):
    import csv
    import io

    _bullied_world()
    client.force_login(officer)
    query = {"audience": "pupils_11_18"}
    body = client.get(reverse("surveys:council"), query).content.decode()
    assert "Counted: those who answered “No”" in body and ">Answered “No”</th>" in body
    assert ">Positive<" not in body
    assert ">45 (75%)<" in body  # 9 of 12 in each of 5 settings answered "No"
    text = client.get(reverse("surveys:council-csv"), query).content.decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][4:] == ["Answer counted", "Gave the answer counted", "Gave the answer counted (%)"]
    bullied = [row for row in rows if row[0].startswith("Have you been bullied this term")]
    assert bullied and all(row[4] == "“No”" for row in bullied)
    assert ["“No”", "45", "75"] in [row[4:] for row in bullied]
    safe = [row for row in rows if row[0] == "I feel safe at school."]
    assert safe and all(row[4] == "“Strongly agree” or “Agree”" for row in safe)


def test_a_release_stored_before_it_kept_the_answers_counted_still_names_them(client, officer):
    _bullied_world()
    for release in CouncilRelease.objects.exclude(figures={}):
        release.figures.pop("counted")
        release.save(update_fields=["figures"])
    client.force_login(officer)
    body = client.get(reverse("surveys:council"), {"audience": "pupils_11_18"}).content.decode()
    assert ">Answered “No”</th>" in body and ">Answered “Strongly agree” or “Agree”</th>" in body
