"""Issue 19 §5: school staff who may read incident records (the lead, reviewers and
recorders) use two-factor authentication, as officers do (ADR 0031). Until they have set
it up, every incident page sends them to do so; other staff and the pupils' pages are as
before; with it, signing in asks for a code."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from tests.factories import PASSWORD, TOTP_SECRET
from tests.incidents.factories import record

pytestmark = pytest.mark.without_two_factor

SET_UP = reverse("mfa_activate_totp")


@pytest.mark.parametrize("who", ["alice", "rita", "ravi"])
def test_incident_staff_without_two_factor_are_sent_to_set_it_up(client, school_a, alice, rita, ravi, who):
    person = {"alice": alice, "rita": rita, "ravi": ravi}[who]
    incident = record(school_a, alice)
    client.force_login(person)
    for url in (reverse("incidents:list"), incident.get_absolute_url(), reverse("incidents:pupil-search")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"{SET_UP}?next={url}", url
    assert client.post(reverse("incidents:note-add", kwargs={"pk": incident.public_id}), {"body": "x"})[
        "Location"
    ].startswith(SET_UP)
    assert not incident.notes.exists()
    # Set up: the pages open.
    TOTP.activate(person, TOTP_SECRET)
    assert client.get(reverse("incidents:list")).status_code == 200


def test_other_staff_the_pupils_and_the_rest_of_the_site_are_as_before(client, school_a, alice, bob):
    client.force_login(bob)  # a member with no incident role: refused as before, not sent to set up
    assert client.get(reverse("incidents:list")).status_code in (403, 404)
    client.force_login(alice)  # the lead's other pages do not ask for it
    assert client.get(reverse("portal"), follow=True).status_code == 200
    client.logout()
    assert client.get(reverse("incidents:tell-follow-up")).status_code == 200


def test_with_two_factor_signing_in_asks_for_a_code(client, school_a, rita):
    TOTP.activate(rita, TOTP_SECRET)
    response = client.post(reverse("account_login"), {"login": rita.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("incidents:list"))["Location"].startswith(reverse("account_login"))


def test_once_it_is_set_up_the_page_asked_for_is_one_click_away(client, school_a, rita):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    client.post(reverse("account_login"), {"login": rita.email, "password": PASSWORD})  # as a person does
    url = reverse("incidents:list") + "?status=new"
    set_up = client.get(url)["Location"]
    page = client.get(set_up)
    assert "to read bullying incident records and what pupils wrote in surveys" in page.content.decode()
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))
    codes_page = client.post(SET_UP, {"code": code}, follow=True)
    body = codes_page.content.decode()
    assert "Your recovery codes" in body
    assert len(codes_page.context["unused_codes"]) == 10
    continue_to = reverse("accounts:after-two-factor")
    assert "Continue to the page you asked for" in body and continue_to in body
    assert client.get(continue_to)["Location"] == url
    # Once only: afterwards the codes page has its back link, and "continue" goes home.
    again = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert "Continue to the page you asked for" not in again and "Back to two-factor authentication" in again
    assert client.get(continue_to)["Location"] == reverse("accounts:home")


def test_continue_never_leaves_the_site(client, school_a, rita):
    from ppp.decorators import AFTER_TWO_FACTOR

    client.force_login(rita)
    session = client.session
    session[AFTER_TWO_FACTOR] = "https://evil.example/incidents/"
    session.save()
    assert client.get(reverse("accounts:after-two-factor"))["Location"] == reverse("accounts:home")
