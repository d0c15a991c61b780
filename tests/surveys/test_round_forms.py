"""The lead's round forms and the answering send page: a double click opens one round and
still shows its link, closing asks first, and the forms say their limits."""

import re

import pytest
from django.urls import reverse

from surveys.models import Round
from surveys.services import SurveyError
from tests.surveys.factories import open_round
from tests.surveys.test_pages import _new_round_data


def _submit_button(body, label):
    found = re.search(r'<input[^>]*value="' + re.escape(label) + r'"[^>]*>', body)
    assert found, f"no {label!r} button"
    return found.group(0)


def test_open_the_round_ignores_a_second_click(client, alice):
    client.force_login(alice)
    button = _submit_button(client.get(reverse("surveys:new")).content.decode(), "Open the round")
    assert 'data-prevent-double-click="true"' in button and 'data-module="govuk-button"' in button


def test_open_the_round_sent_twice_opens_one_round_and_shows_its_link(client, alice):
    """Without JavaScript, or in a browser that sends both clicks: the second request goes
    to the round the first opened (whose answer the browser dropped), and its link shows."""
    client.force_login(alice)
    data = _new_round_data()
    first = client.post(reverse("surveys:new"), data, HTTP_REFERER="http://testserver/surveys/new/")
    again = client.post(reverse("surveys:new"), data, HTTP_REFERER="http://testserver/surveys/new/")
    round_ = Round.objects.get()
    assert first.status_code == again.status_code == 302
    assert again["Location"] == round_.get_absolute_url()
    body = client.get(again["Location"]).content.decode()
    assert "/survey/" in body and "only time we can show it" in body


def test_a_round_sent_twice_goes_to_the_persons_own_new_round_only(client, alice, charlie, school_b):
    """Someone else's round opened in the same minute is not where the second goes."""
    open_round(school_b, charlie)
    client.force_login(alice)
    data = _new_round_data()
    client.post(reverse("surveys:new"), data)
    again = client.post(reverse("surveys:new"), data)
    assert again["Location"] == Round.objects.get(organisation__name__startswith="School A").get_absolute_url()


def test_send_my_answers_ignores_a_second_click(client, alice, school_a):
    _round, token = open_round(school_a, alice)
    client.get(reverse("surveys:answer-start", kwargs={"token": token}), {"start": "1", "year_group": "5"})
    client.post(reverse("surveys:answer-page", kwargs={"token": token, "number": 1}), {"q1": "0"})
    body = client.get(reverse("surveys:answer-send", kwargs={"token": token})).content.decode()
    button = _submit_button(body, "Send my answers")
    assert 'data-prevent-double-click="true"' in button and 'data-module="govuk-button"' in button


def test_close_the_round_now_asks_first(client, alice, school_a):
    round_, _token = open_round(school_a, alice)
    client.force_login(alice)
    close = reverse("surveys:round-close", kwargs={"pk": round_.public_id})
    assert f'href="{close}"' in client.get(round_.get_absolute_url()).content.decode()
    page = client.get(close)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Are you sure you want to close this round?" in body
    assert "people will no longer be able to answer" in body
    assert "govuk-warning-text" in body and "You cannot reopen it" in body
    assert "Yes, close the round" in body and 'method="post"' in body
    round_.refresh_from_db()
    assert round_.closed_at is None  # asking closes nothing
    done = client.post(close)
    assert done.status_code == 302 and done["Location"] == round_.get_absolute_url()
    round_.refresh_from_db()
    assert round_.closed_at is not None
    again = client.get(close)  # a closed round is not offered for closing again
    assert again.status_code == 302


def test_only_the_schools_lead_is_asked_to_close_its_round(client, alice, bob, charlie, officer, school_a):
    round_, _token = open_round(school_a, alice)
    close = reverse("surveys:round-close", kwargs={"pk": round_.public_id})
    for stranger in (bob, charlie, officer):
        client.force_login(stranger)
        assert client.get(close).status_code == 404
    client.logout()
    assert client.get(close).status_code == 302  # to sign in


def test_the_year_groups_asked_fit_the_surveys_age_band(client, alice, school_a):
    """A survey written for five-year-olds is not given to Year 12: the form says so beside
    the year groups, and the service refuses it whatever calls it."""
    client.force_login(alice)
    response = client.post(reverse("surveys:new"), _new_round_data(audience="pupils_5_7", year_groups=["1", "12"]))
    assert response.status_code == 200 and not Round.objects.exists()
    body = response.content.decode()
    assert "Year 12 is not in the age band of this survey. Choose from Reception to Year 3" in body
    assert 'href="#id_year_groups' in body  # the error summary links to the field
    with pytest.raises(SurveyError, match="Year 12 is not in the age band"):
        open_round(school_a, alice, audience="pupils_5_7", year_groups=["12"])
    assert (
        client.post(reverse("surveys:new"), _new_round_data(audience="pupils_5_7", year_groups=["R", "3"])).status_code
        == 302
    )
