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
