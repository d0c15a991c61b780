import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.urls import reverse

from ppp.audit.models import AuditEvent
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, has_totp, make_officer

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _clear_cache(db):
    from django.core.cache import cache

    cache.clear()


def totp_code():
    return format_hotp_value(hotp_value(TOTP_SECRET, next(iter(yield_hotp_counters_from_time()))))


def test_staff_sign_in_by_email_whatever_its_case(client, alice, school_a):
    response = client.post(LOGIN, {"login": "ALICE@A.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("portal"))["Location"] == reverse("accounts:home")
    assert AuditEvent.objects.filter(action="auth.login", actor=alice).exists()


def test_emails_are_unique_whatever_their_case(db):
    from django.db import IntegrityError, transaction

    UserFactory(email="Same@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="same@example.ORG")


def test_a_wrong_password_is_a_clear_form_error_and_is_audited(client, alice):
    response = client.post(LOGIN, {"login": alice.email, "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "not correct" in body
    assert AuditEvent.objects.filter(action="auth.login_failed", detail__username=alice.email).exists()


def test_five_failures_lock_the_account_for_fifteen_minutes(client, alice):
    for _ in range(5):
        client.post(LOGIN, {"login": alice.email, "password": "wrong"})
    response = client.post(LOGIN, {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "locked for 15 minutes" in response.content.decode()
    assert AccessAttempt.objects.filter(username=alice.email).exists()
    assert AuditEvent.objects.filter(action="auth.locked_out", detail__username=alice.email).exists()
    assert "_auth_user_id" not in client.session


def test_officer_with_an_authenticator_must_give_a_code(client, db):
    officer = make_officer()
    response = client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get(reverse("portal"))["Location"] == reverse("accreditation:caseload")


def test_officer_without_two_factor_is_made_to_set_it_up_first(client, db):
    officer = make_officer(with_totp=False)
    client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    for path in (reverse("accounts:officer-home"), "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert not has_totp(officer)


def test_school_staff_do_not_have_to_use_two_factor(client, alice, school_a):
    client.force_login(alice)
    assert client.get(school_a.get_absolute_url()).status_code == 200


def test_signed_in_pages_are_never_cached(client, alice, school_a):
    client.force_login(alice)
    cache_control = client.get(school_a.get_absolute_url())["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


def test_public_pages_may_be_cached(client, db):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_sessions_last_eight_hours_and_end_on_password_change():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is True


def test_password_change_signs_out_other_sessions(client, alice):
    other = type(client)()
    other.force_login(alice)
    client.force_login(alice)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Brand-new-phrase-77", "password2": "Brand-new-phrase-77"},
    )
    assert response.status_code == 302
    assert other.get(reverse("accounts:account")).status_code == 302  # sent to sign in


def test_password_reset_sends_an_email_with_a_link(client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": alice.email})
    assert response.status_code == 302
    assert mail.outbox[-1].to == [alice.email]
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_password_reset_for_an_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302


def test_nobody_can_sign_themselves_up(client, db):
    from ppp.accounts.models import User

    assert "Accounts are by invitation" in client.get(reverse("account_signup")).content.decode()
    client.post(reverse("account_signup"), {"email": "me@example.org", "password1": "Long-phrase-here-1"})
    assert not User.objects.exists()


def test_signing_out_needs_post(client, alice):
    client.force_login(alice)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_officer_enrols_an_authenticator_at_first_sign_in_and_gets_recovery_codes(client, db):
    officer = make_officer(with_totp=False)
    client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))
    response = client.post(reverse("mfa_activate_totp"), {"code": code}, follow=True)
    assert has_totp(officer)
    assert "recovery" in response.content.decode().lower()
    assert client.get(reverse("accounts:officer-home")).status_code == 200


def test_officers_cannot_turn_two_factor_off(client, db):
    officer = make_officer()
    client.force_login(officer)
    client.post(reverse("mfa_deactivate_totp"))
    assert has_totp(officer)


def test_school_staff_can_turn_two_factor_on_and_off(client, alice):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(alice, TOTP_SECRET)
    client.post(LOGIN, {"login": alice.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    client.post(reverse("mfa_deactivate_totp"))
    assert not has_totp(alice)


def test_turning_it_off_and_making_new_codes_ask_first_in_plain_words(client, alice):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(alice, TOTP_SECRET)
    RecoveryCodes.activate(alice)
    client.post(LOGIN, {"login": alice.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    off = client.get(reverse("mfa_deactivate_totp")).content.decode()
    assert "Are you sure you want to turn off two-factor authentication?" in off
    assert "you will have to set it up again before you can open them" in off and "No, go back" in off
    codes = client.get(reverse("mfa_generate_recovery_codes")).content.decode()
    assert "Are you sure you want to make new recovery codes?" in codes
    assert "The 10 codes you have now will stop working." in codes
    client.post(reverse("mfa_generate_recovery_codes"))
    assert "Your recovery codes" in client.get(reverse("mfa_view_recovery_codes")).content.decode()
    client.post(reverse("mfa_deactivate_totp"))
    assert not has_totp(alice)


def test_officers_are_told_they_cannot_turn_it_off(client, db):
    officer = make_officer()
    client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert has_totp(officer)


def test_a_used_password_reset_link_gets_a_clear_page(client, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": alice.email})
    link = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "Fresh-phrase-2026!", "password2": "Fresh-phrase-2026!"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("Fresh-phrase-2026!")
    again = client.get(link, follow=True).content.decode()
    assert "This link has expired or been used" in again
