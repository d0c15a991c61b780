"""The 400 and CSRF failure pages on the survey's addresses keep the pupil layout, with
Childline, and say what is true for a pupil (answers so far kept in the session), not the
staff's pages (council navigation, "Sign in", "nothing you typed was saved")."""

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Response
from tests.surveys.factories import open_round


@pytest.fixture
def round_and_token(alice, school_a):
    return open_round(school_a, alice, year_groups=["5", "6"])


def _started(client, token):
    client.get(reverse("surveys:answer-start", kwargs={"token": token}), {"start": "1", "year_group": "5"})


def _assert_pupil_error_page(response, status):
    body = response.content.decode()
    assert response.status_code == status
    assert "0800 1111" in body and "Childline" in body
    assert "Sign in" not in body and "Sign out" not in body
    assert "School A Primary survey" in body  # the survey's own header, not the council's
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "same-origin"
    return body


def test_a_nul_character_in_a_survey_page_gives_the_pupil_400_page(client, round_and_token):
    _round, token = round_and_token
    _started(client, token)
    url = reverse("surveys:answer-page", kwargs={"token": token, "number": 1})
    assert client.post(url, {"q1": "0"}).status_code == 302
    refused = client.post(reverse("surveys:answer-page", kwargs={"token": token, "number": 2}), {"q5": "0\x00"})
    body = _assert_pupil_error_page(refused, 400)
    assert "Your answers so far are kept. Go back and send the page again." in body
    assert "problem with your request" not in body
    # What was kept is still there.
    assert client.session["survey"]["answers"] == {"1": [0]}


def test_a_nul_character_before_any_answer_does_not_claim_answers_were_kept(client, round_and_token):
    _round, token = round_and_token
    _started(client, token)
    url = reverse("surveys:answer-page", kwargs={"token": token, "number": 1})
    body = _assert_pupil_error_page(client.post(url, {"q1": "\x00"}), 400)
    assert "Go back and send the page again." in body and "answers so far are kept" not in body


def test_a_missing_csrf_cookie_on_the_send_page_gives_the_pupil_page(round_and_token):
    _round, token = round_and_token
    client = Client(enforce_csrf_checks=True)
    _started(client, token)
    # The question pages have no token (docs/adr/0092); the "Send" page has.
    sent = client.post(reverse("surveys:answer-page", kwargs={"token": token, "number": 1}), {"q1": "0"})
    assert sent.status_code == 302
    assert "csrftoken" in client.get(reverse("surveys:answer-send", kwargs={"token": token})).cookies
    del client.cookies["csrftoken"]  # the cookie gone: the browser cleared it, or blocks cookies
    refused = client.post(reverse("surveys:answer-send", kwargs={"token": token}), {"submission": "x"})
    body = _assert_pupil_error_page(refused, 403)
    assert "Your answers so far are kept" in body and "cookies" in body
    assert "Nothing you typed was saved" not in body and "signed out" not in body
    assert not Response.objects.exists()


def test_the_pupil_error_page_for_an_unknown_link_still_has_help(db):
    client = Client(enforce_csrf_checks=True)
    refused = client.post(reverse("surveys:answer-send", kwargs={"token": "no-such-link"}), {})
    body = refused.content.decode()
    assert refused.status_code == 403 and "0800 1111" in body and "Sign in" not in body


def test_other_pages_keep_the_staff_error_pages(client, db):
    refused = client.post(reverse("account_login"), {"login": "x\x00"})
    assert refused.status_code == 400 and "problem with your request" in refused.content.decode()
    assert "0800 1111" not in refused.content.decode()
