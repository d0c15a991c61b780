"""What the answering pages and the lead's forms say: titles that match the page, nothing
chosen in advance, limits said before they are met, and a long comment refused, never cut."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import Response, Round
from surveys.services import SurveyError
from tests.surveys.factories import open_round
from tests.surveys.test_pages import _date, _new_round_data


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def _start(client, token, **choices):
    return client.get(reverse("surveys:answer-start", kwargs={"token": token}), {"start": "1", **choices})


def test_a_page_of_questions_is_titled_as_its_caption(client, alice, school_a):
    _round, token = open_round(school_a, alice)
    _start(client, token, year_group="5")
    page = client.get(reverse("surveys:answer-page", kwargs={"token": token, "number": 1}))
    assert "Page 1 of 3" in page.content.decode()
    assert _title(page).startswith("Page 1 of 3 – ")


def test_a_faces_page_is_titled_question_n_of_m(client, alice, school_a):
    _round, token = open_round(school_a, alice, audience="pupils_5_7", year_groups=["1"])
    _start(client, token, year_group="1")
    page = client.get(reverse("surveys:answer-page", kwargs={"token": token, "number": 2}))
    assert _title(page).startswith("Question 2 of 11 – ")


def test_the_start_page_title_names_the_page_once(client, alice, school_a):
    _round, token = open_round(school_a, alice)
    title = _title(client.get(reverse("surveys:answer-start", kwargs={"token": token})))
    assert title == "How safe and heard do you feel? – Survey – School A Primary"
    assert title.count("Survey") == 1


def test_the_class_question_starts_with_nothing_chosen(client, alice, school_a):
    _round, token = open_round(school_a, alice, class_labels=["5A", "5B"])
    body = client.get(reverse("surveys:answer-start", kwargs={"token": token})).content.decode()
    assert "I&#x27;d rather not say" in body or "I'd rather not say" in body
    assert " checked" not in body
    # Chosen, it stays chosen when the page comes back with an error (no year given).
    again = _start(client, token, class_label="").content.decode()
    assert "Choose your year" in again
    assert re.search(r'name="class_label" type="radio" value=""\s+checked|value=""[^>]*checked', again)


def test_the_new_round_form_says_the_92_day_limit_and_ties_its_error_to_the_closing_date(client, alice):
    client.force_login(alice)
    form = client.get(reverse("surveys:new")).content.decode()
    assert "At most 92 days after the opening date" in form
    today = timezone.localdate()
    too_long = client.post(
        reverse("surveys:new"), _new_round_data(**_date("closes_on", today + datetime.timedelta(days=93)))
    )
    body = too_long.content.decode()
    assert too_long.status_code == 200
    assert "The closing date must be at most 92 days after the opening date" in body
    assert '<a href="#id_closes_on_0">The closing date must be at most 92 days' in body  # the summary links to it
    assert re.search(
        r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span> The closing date must', body
    )
    assert not Round.objects.exists()
    ok = client.post(reverse("surveys:new"), _new_round_data(**_date("closes_on", today + datetime.timedelta(days=92))))
    assert ok.status_code == 302


def test_the_extend_page_says_the_latest_closing_date(client, alice, school_a):
    round_, _token = open_round(school_a, alice)
    client.force_login(alice)
    body = client.get(reverse("surveys:round-extend", kwargs={"pk": round_.public_id})).content.decode()
    latest = round_.opens_on + datetime.timedelta(days=92)
    assert f"the latest is {latest:%-d %B %Y}" in body


def _ready_to_send(client, token):
    _start(client, token, year_group="5")
    client.post(reverse("surveys:answer-page", kwargs={"token": token, "number": 1}), {"q1": "0"})
    send = client.get(reverse("surveys:answer-send", kwargs={"token": token}))
    return re.search(r'name="submission" value="([^"]+)"', send.content.decode()).group(1), send


def test_the_comment_box_counts_characters_and_a_long_comment_is_refused_not_cut(client, alice, school_a):
    _round, token = open_round(school_a, alice)
    key, send = _ready_to_send(client, token)
    page = send.content.decode()
    assert 'data-module="govuk-character-count"' in page and 'data-maxlength="2000"' in page
    assert "govuk-js-character-count" in page
    assert not re.search(r"<textarea[^>]*\smaxlength=", page)  # the browser would cut a paste silently
    url = reverse("surveys:answer-send", kwargs={"token": token})
    refused = client.post(url, {"submission": key, "comment": "a" * 2001})
    body = refused.content.decode()
    assert refused.status_code == 200 and "What you write must be 2,000 characters or fewer" in body
    assert "a" * 2001 in body  # what was written is given back, whole
    assert not Response.objects.exists()
    # Line breaks count once, as the character count counts them.
    sent = client.post(url, {"submission": key, "comment": "a\r\n" * 1000})
    assert sent.status_code == 200 and "Thank you" in sent.content.decode()
    assert len(Response.objects.get().comment) == 1999


def test_the_service_refuses_a_long_comment_rather_than_cutting_it(alice, school_a):
    round_, _token = open_round(school_a, alice)
    with pytest.raises(SurveyError, match="2,000 characters"):
        services.response_submit(
            round=round_,
            submission_key=services.new_submission_key(),
            year_group="5",
            class_label="",
            answers={"1": [0]},
            comment="b" * 2001,
        )
    assert not Response.objects.exists()
