"""The public sign-up: a new organisation registers, verifies its email, and only then
reaches the officers. Honeypot, rate limit, duplicates, nothing half-saved."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from charter.models import Pledge
from ppp.accounts.models import Membership, Organisation, User
from ppp.models import Submission
from tests.charter.factories import form_data
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def sign_up_data(**overrides):
    data = form_data(
        organisation_name="Riverside Youth Club",
        kind="youth_service",
        urn="",
        address="1 River Lane\nLeicester",
        postcode="LE2 7AB",
        local_authority="Leicester",
        email="Manager@Riverside.example",
        signatory_name="Rita River",
        signatory_role="Manager",
    )
    data.update(overrides)
    return data


def test_the_form_shows_the_commitments_and_example_pledges(client):
    body = client.get(reverse("charter:sign")).content.decode()
    assert "Policies and processes" in body and "For example" in body
    assert body.count("<h1") == 1


def test_a_new_organisation_signs_and_nothing_is_public_until_verified(
    client, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("charter:sign"), sign_up_data())
    assert response.status_code == 302 and response["Location"] == reverse("charter:sign-up-sent")
    pledge = Pledge.objects.get()
    assert pledge.status == Pledge.Status.UNVERIFIED
    assert pledge.organisation.name == "Riverside Youth Club" and pledge.organisation.postcode == "LE2 7AB"
    user = User.objects.get(email="manager@riverside.example")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Membership.Role.LEAD
    assert not EmailAddress.objects.get(user=user).verified
    assert mail.outbox[-1].to == ["manager@riverside.example"]  # only the signatory, not the officers
    assert not Pledge.objects.on_register().exists()

    link = re.search(r"https?://\S+/charter/verify/\S+/", mail.outbox[-1].body).group(0)
    path = "/charter/verify/" + link.split("/charter/verify/", 1)[1]
    assert client.get(path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"password1": "a-long-Secret-phrase-42", "password2": "a-long-Secret-phrase-42"})
    assert response.status_code == 302 and response["Location"] == pledge.get_absolute_url()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED
    assert EmailAddress.objects.get(user=user).verified
    assert mail.outbox[-1].to == [officer.email]
    # signed in now, and the link does not work twice
    assert client.get(pledge.get_absolute_url()).status_code == 200
    used = client.get(path)
    assert used.status_code == 404 and "This link no longer works" in used.content.decode()
    assert reverse("account_login") in used.content.decode()  # a way on: sign in, or sign again


def test_the_sign_up_sent_twice_makes_one_pledge_and_shows_check_your_email_both_times(client):
    first = client.post(reverse("charter:sign"), sign_up_data())
    second = client.post(reverse("charter:sign"), sign_up_data())  # a double click without JavaScript
    assert first["Location"] == second["Location"] == reverse("charter:sign-up-sent")
    assert Pledge.objects.count() == 1


def test_bad_input_saves_nothing(client):
    response = client.post(reverse("charter:sign"), sign_up_data(email="not-an-email", postcode="nowhere"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "Enter a real postcode" in body
    assert not Organisation.objects.exists() and not User.objects.exists() and not Pledge.objects.exists()
    # Numbers: each error names its question.
    body = client.post(
        reverse("charter:sign"), sign_up_data(children_covered="-5", staff_covered="1.5")
    ).content.decode()
    assert "Number of children and young people must be 0 or more" in body
    assert "Number of staff must be a whole number" in body
    assert 'type="number"' not in body  # GOV.UK: a text box with a numeric keyboard


def test_a_duplicate_organisation_is_refused_with_a_clear_message(client):
    OrganisationFactory(name="Riverside Youth Club", postcode="le27ab", urn=None)
    response = client.post(reverse("charter:sign"), sign_up_data())
    assert "is already registered on Positive and Peaceful Places" in response.content.decode()
    OrganisationFactory(name="Other name", urn="123456")
    response = client.post(reverse("charter:sign"), sign_up_data(organisation_name="New", urn="123456"))
    assert "Other name" in response.content.decode()
    assert not Pledge.objects.exists() and not User.objects.exists()


def test_an_existing_email_gets_the_same_answer_and_an_email_instead(client, alice, django_capture_on_commit_callbacks):
    """The form must not tell a stranger who has an account: the page is the same as for a
    new sign-up, and the address's owner is told by email how to sign instead."""
    with django_capture_on_commit_callbacks(execute=True):
        existing = client.post(reverse("charter:sign"), sign_up_data(email=alice.email))
    with django_capture_on_commit_callbacks(execute=True):
        new = Client().post(
            reverse("charter:sign"), sign_up_data(organisation_name="Other Club", email="new@x.example")
        )
    assert existing.status_code == new.status_code == 302
    assert existing["Location"] == new["Location"] == reverse("charter:sign-up-sent")
    assert not Pledge.objects.filter(organisation__name="Riverside Youth Club").exists()
    told = [m for m in mail.outbox if m.to == [alice.email]]
    assert len(told) == 1 and "You already have an account" in told[0].body
    assert "/charter/verify/" not in told[0].body


def test_the_honeypot_pretends_and_saves_nothing(client):
    response = client.post(reverse("charter:sign"), sign_up_data(fax_number="0116 000 0000"))
    assert response.status_code == 302
    assert not Organisation.objects.exists() and not mail.outbox


def test_sign_ups_are_rate_limited_per_address(client, settings):
    settings.CHARTER_SIGN_UPS_PER_HOUR = 2
    for _ in range(3):  # mistakes do not count
        assert client.post(reverse("charter:sign"), sign_up_data(email="bad")).status_code == 200
    for n in range(2):
        data = sign_up_data(organisation_name=f"Club {n}", email=f"club{n}@example.org")
        assert client.post(reverse("charter:sign"), data).status_code == 302
    third = sign_up_data(organisation_name="Club 3", email="club3@example.org")
    assert client.post(reverse("charter:sign"), third).status_code == 429
    assert Organisation.objects.count() == 2


def test_text_is_escaped_wherever_it_is_shown(client, officer, django_capture_on_commit_callbacks):
    evil = "<script>alert(1)</script>"
    client.post(reverse("charter:sign"), sign_up_data(organisation_name=f"Evil {evil}", leader_statement=evil))
    pledge = Pledge.objects.get()
    client.force_login(officer)
    body = client.get(pledge.get_absolute_url()).content.decode()
    assert evil not in body and "&lt;script&gt;" in body


def test_a_signed_in_lead_signs_for_their_organisation(client, alice, school_a):
    client.force_login(alice)
    response = client.get(reverse("charter:sign"))
    assert response["Location"] == reverse("charter:organisation-sign", kwargs={"slug": school_a.slug})
    response = client.post(response["Location"], form_data())
    pledge = Pledge.objects.get(organisation=school_a)
    assert response["Location"] == pledge.get_absolute_url()
    assert pledge.status == Pledge.Status.SUBMITTED and pledge.signatory_email == alice.email


def test_a_member_is_told_to_ask_the_lead(client, bob, school_a):
    client.force_login(bob)
    response = client.get(reverse("charter:organisation-sign", kwargs={"slug": school_a.slug}))
    assert response.status_code == 403 and "Only your lead" in response.content.decode()


def test_the_form_refuses_missing_commitments_and_saves_nothing(client, alice, school_a):
    client.force_login(alice)
    data = form_data()
    for key in [k for k in data if k.startswith("commitment_")]:
        data[key] = ""
    response = client.post(reverse("charter:organisation-sign", kwargs={"slug": school_a.slug}), data)
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not Pledge.objects.exists()


def test_signing_again_before_confirming_sends_a_fresh_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("charter:sign"), sign_up_data())
        Submission.objects.all().delete()  # signing again later, not the same form sent twice (ppp/once.py)
        client.post(reverse("charter:sign"), sign_up_data())
    assert Pledge.objects.count() == 1 and Organisation.objects.count() == 1
    first, second = (re.search(r"/charter/verify/\S+/", m.body).group(0) for m in mail.outbox)
    assert first != second
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_a_strangers_sign_up_blocks_nobody_and_the_officer_sees_the_duplicate(
    client, officer, django_capture_on_commit_callbacks
):
    """Someone who does not work there signs Riverside up first, giving its URN: the real
    manager can still sign up at once, and the officer deciding sees both."""
    client.post(reverse("charter:sign"), sign_up_data(email="squatter@example.org", urn="123456"))
    real = Client()
    response = real.post(reverse("charter:sign"), sign_up_data(email="real.manager@riverside.example", urn="123456"))
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Riverside Youth Club", provisional=True).count() == 2
    assert not Organisation.objects.filter(urn="123456").exists()  # the URN is only claimed so far
    squatted, genuine = Pledge.objects.order_by("pk")
    for pledge in (squatted, genuine):
        Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.SUBMITTED)
    client.force_login(officer)
    body = client.get(genuine.get_absolute_url()).content.decode()
    assert "signed up on the public form and is not confirmed yet" in body
    assert "It may be the same as" in body and squatted.organisation.get_absolute_url() in body

    # Approving the genuine pledge confirms that organisation and gives it the URN...
    from charter import services

    services.pledge_approve(pledge=genuine, by=officer)
    genuine.organisation.refresh_from_db()
    assert genuine.organisation.urn == "123456" and not genuine.organisation.provisional
    # ...and the squatter's can no longer be approved under the same URN.
    with pytest.raises(services.CharterError, match="already has URN 123456"):
        services.pledge_approve(pledge=squatted, by=officer)
    # Once confirmed, the organisation blocks further sign-ups in its name.
    response = Client().post(reverse("charter:sign"), sign_up_data(email="third@example.org", urn="123456"))
    assert "is already registered" in response.content.decode()


def test_an_abandoned_sign_up_is_cleared_when_the_organisation_signs_up_again(client):
    import datetime

    from django.utils import timezone

    client.post(reverse("charter:sign"), sign_up_data(email="squatter@example.org"))
    pledge = Pledge.objects.get()
    Pledge.objects.filter(pk=pledge.pk).update(verification_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = Client().post(reverse("charter:sign"), sign_up_data(email="real.manager@riverside.example"))
    assert response.status_code == 302
    assert Pledge.objects.get().signatory_email == "real.manager@riverside.example"
    assert not User.objects.filter(email="squatter@example.org").exists()
    assert Organisation.objects.count() == 1


def test_only_an_approved_commissioner_lists_providers(alice, school_a):
    from charter import services
    from charter.services import CharterError
    from tests.charter.factories import PledgeFactory

    school_a.kind = "commissioner"
    school_a.save()
    PledgeFactory(organisation=school_a, delivery_role="commissioner")  # submitted, not yet approved
    with pytest.raises(CharterError, match="the council has approved"):
        services.provider_add(commissioner=school_a, by=alice, name="Anyone", email="any@example.org")
