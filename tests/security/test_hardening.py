"""The smaller holes an attacker found, each closed: headers, cookies, cached token pages,
extra email addresses, unknown-account emails, escaped names in plain-text email,
verified addresses for officers made by a superuser, and a reset that lifts a lockout."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from ppp.accounts.services import invitation_create
from tests.accounts.test_sign_in import LOGIN
from tests.factories import PASSWORD, UserFactory


def test_every_response_has_a_permissions_policy(client, db):
    for path in ("/", "/charter/", "/accounts/login/"):
        policy = client.get(path)["Permissions-Policy"]
        assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_the_csrf_cookie_is_not_readable_by_scripts(client, db):
    client.get("/accounts/login/")
    assert client.cookies["csrftoken"]["httponly"]


def test_a_form_without_its_token_gets_a_page_that_says_what_to_do(db):
    response = Client(enforce_csrf_checks=True).post(LOGIN, {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Sorry, your form could not be sent" in body
    assert "reload the page" in body


@pytest.mark.parametrize(
    "path", ["/invitations/{token}/", "/charter/verify/{token}/", "/accounts/password/reset/key/1-x/"]
)
def test_pages_reached_by_a_secret_link_are_never_stored(client, alice, school_a, path):
    from django.core import mail

    from tests.mailing import emails_sent

    with emails_sent():
        invitation_create(organisation=school_a, email="new@a.example", role="member", by=alice)
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    response = client.get(path.format(token=token))
    assert "no-store" in response["Cache-Control"]


def test_people_cannot_add_email_addresses(client, alice):
    client.force_login(alice)
    assert client.get("/accounts/email/").status_code == 404
    client.post("/accounts/email/", {"action_add": "", "email": "other@evil.example"})
    assert list(EmailAddress.objects.filter(user=alice).values_list("email", flat=True)) in ([], [alice.email])


def test_a_reset_for_an_unknown_address_sends_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_names_in_plain_text_email_are_not_html_escaped(alice, school_a, django_capture_on_commit_callbacks):
    school_a.name = "St Mary & St John's"
    school_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organisation=school_a, email="new@a.example", full_name="Siobhan O'Brien", role="member", by=alice
        )
    body = mail.outbox[-1].body
    assert "Siobhan O'Brien" in body and "St Mary & St John's" in body
    assert "&#x27;" not in body and "&amp;" not in body


def test_an_officer_made_by_a_superuser_has_a_verified_address(client, db):
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import TOTP_SECRET

    TOTP.activate(superuser, TOTP_SECRET)
    client.force_login(superuser)
    client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "new.officer@leicester.example",
            "full_name": "New Officer",
            "password1": "A-long-enough-phrase-1",
            "password2": "A-long-enough-phrase-1",
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    address = EmailAddress.objects.get(email="new.officer@leicester.example")
    assert address.verified and address.primary


def test_a_completed_password_reset_lifts_a_lockout(client, alice, django_capture_on_commit_callbacks):
    for _ in range(5):
        client.post(LOGIN, {"login": alice.email, "password": "wrong"})
    assert client.post(LOGIN, {"login": alice.email, "password": PASSWORD}).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": alice.email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/") :].strip()
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "Brand-new-phrase-88", "password2": "Brand-new-phrase-88"},
    )
    response = Client().post(LOGIN, {"login": alice.email, "password": "Brand-new-phrase-88"})
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=alice).verified
