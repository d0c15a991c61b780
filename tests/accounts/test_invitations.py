import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ppp.accounts.models import Invitation, Membership, User
from ppp.accounts.services import AccountsError, invitation_create
from ppp.audit.models import AuditEvent
from tests.mailing import emails_sent


def invite_url(school):
    return reverse("accounts:organisation-invite", kwargs={"slug": school.slug})


def token_from_email() -> str:
    return re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)


def accept_url(token):
    return reverse("accounts:invitation-accept", kwargs={"token": token})


def test_officer_invites_a_lead_who_sets_a_password_and_joins(
    client, officer, school_a, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invite_url(school_a), {"email": "New.Lead@A.example", "full_name": "Nia Lead", "role": "lead"}
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new.lead@a.example"]
    assert "School A Primary" in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(action="invitation.create", organisation=school_a).exists()

    assert "Nia Lead" in client.get(school_a.get_absolute_url()).content.decode()  # who is waiting, by name

    client.logout()
    token = token_from_email()
    assert 'value="Nia Lead"' in client.get(accept_url(token)).content.decode()  # the name typed, to start with
    response = client.post(
        accept_url(token),
        {"full_name": "Nia Lead", "password1": "a-long-Secret-phrase-42", "password2": "a-long-Secret-phrase-42"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.lead@a.example")
    assert user.check_password("a-long-Secret-phrase-42")
    assert Membership.objects.get(user=user, organisation=school_a).role == Membership.Role.LEAD
    assert client.get(school_a.get_absolute_url()).status_code == 200  # signed in


def test_an_invitation_link_works_once(client, alice, school_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(organisation=school_a, email="once@a.example", role="member", by=alice)
    token = token_from_email()
    data = {"full_name": "Once", "password1": "a-long-Secret-phrase-42", "password2": "a-long-Secret-phrase-42"}
    assert client.post(accept_url(token), data).status_code == 302
    client.logout()

    response = client.post(
        accept_url(token), {**data, "password1": "Another-secret-99", "password2": "Another-secret-99"}
    )
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.get(email="once@a.example").check_password("a-long-Secret-phrase-42")


def test_an_expired_invitation_changes_nothing(client, alice, school_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = invitation_create(organisation=school_a, email="late@a.example", role="member", by=alice)
    Invitation.objects.filter(pk=sent.invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    data = {"full_name": "Late", "password1": "a-long-Secret-phrase-42", "password2": "a-long-Secret-phrase-42"}
    response = client.post(accept_url(token_from_email()), data)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="late@a.example").exists()


def test_invitations_expire_after_seven_days(alice, school_a):
    sent = invitation_create(organisation=school_a, email="week@a.example", role="member", by=alice)
    lifetime = sent.invitation.expires_at - sent.invitation.created_at
    assert timedelta(days=6, hours=23) < lifetime <= timedelta(days=7)


def test_an_unknown_token_is_404(client, db):
    assert client.get(accept_url("not-a-real-token")).status_code == 404


def test_a_weak_or_mismatched_password_is_a_form_error(client, alice, school_a):
    with emails_sent():
        invitation_create(organisation=school_a, email="weak@a.example", role="member", by=alice)
    token = token_from_email()
    response = client.post(accept_url(token), {"full_name": "W", "password1": "password", "password2": "passwurd"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "<title>Error:" in body
    assert "The passwords do not match" in body
    assert "too common" in body
    assert not User.objects.filter(email="weak@a.example").exists()


def test_a_signed_in_user_with_the_invited_email_joins_with_one_click(client, alice, charlie, school_a):
    with emails_sent():
        invitation_create(organisation=school_a, email=charlie.email.upper(), role="member", by=alice)
    token = token_from_email()
    client.force_login(charlie)
    assert "Accept and join" in client.get(accept_url(token)).content.decode()
    assert client.post(accept_url(token)).status_code == 302
    assert Membership.objects.filter(user=charlie, organisation=school_a, role="member").exists()


def test_someone_signed_in_as_another_person_cannot_take_the_invitation(client, alice, bob, school_a):
    with emails_sent():
        sent = invitation_create(organisation=school_a, email="meant@a.example", role="member", by=alice)
    token = token_from_email()
    client.force_login(bob)
    response = client.post(accept_url(token))
    assert response.status_code == 200
    assert "This invitation is for meant@a.example" in response.content.decode()
    assert Invitation.objects.get(pk=sent.invitation.pk).accepted_at is None


def test_lead_invites_members_but_not_leads(client, alice, school_a):
    client.force_login(alice)
    page = client.get(invite_url(school_a)).content.decode()
    assert 'value="lead"' not in page
    response = client.post(invite_url(school_a), {"email": "x@a.example", "role": "lead"})
    assert response.status_code == 200
    assert "Select a role from the list" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_member_cannot_invite(client, bob, school_a):
    client.force_login(bob)
    assert client.get(invite_url(school_a)).status_code == 403
    assert client.post(invite_url(school_a), {"email": "x@a.example", "role": "member"}).status_code == 403
    assert not Invitation.objects.exists()


def test_bad_email_shows_the_error_summary_and_saves_nothing(client, alice, school_a):
    client.force_login(alice)
    response = client.post(invite_url(school_a), {"email": "not an email", "role": "member"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Enter an email address in the correct format" in body
    assert not Invitation.objects.exists()


def test_inviting_an_existing_member_is_refused(client, alice, bob, school_a):
    client.force_login(alice)
    response = client.post(invite_url(school_a), {"email": bob.email, "role": "member"})
    assert "is already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_second_lead_cannot_be_invited(officer, alice, school_a):
    with pytest.raises(AccountsError, match="already has a lead"):
        invitation_create(organisation=school_a, email="second@a.example", role="lead", by=officer)


def test_a_new_invitation_replaces_the_pending_one(alice, school_a):
    first = invitation_create(organisation=school_a, email="twice@a.example", role="member", by=alice).invitation
    invitation_create(organisation=school_a, email="twice@a.example", role="member", by=alice)
    first.refresh_from_db()
    assert first.state == "revoked"


def test_lead_cancels_an_invitation(client, alice, school_a):
    invitation = invitation_create(organisation=school_a, email="c@a.example", role="member", by=alice).invitation
    client.force_login(alice)
    url = reverse("accounts:invitation-revoke", kwargs={"slug": school_a.slug, "invitation": invitation.public_id})
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.state == "revoked"
