"""Two-factor codes cannot be guessed: every wrong code (authenticator or recovery code)
counts towards the same lockout as a wrong password, is audited, and the owner is told."""

import threading

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from ppp.audit.models import AuditEvent
from tests.accounts.test_sign_in import LOGIN, totp_code
from tests.factories import PASSWORD, make_officer

MFA = "/accounts/2fa/authenticate/"


def _at_code_stage(client, officer):
    response = client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")


def _wrong_code(n: int) -> str:
    return f"{(123456 + n * 7919) % 1000000:06d}"


@pytest.fixture
def officer(db):
    return make_officer("guarded@example.org")


def test_five_wrong_codes_lock_the_account_even_with_the_right_code_next(
    client, officer, django_capture_on_commit_callbacks
):
    _at_code_stage(client, officer)
    for n in range(4):
        response = client.post(MFA, {"code": _wrong_code(n)})
        assert "Incorrect code" in response.content.decode() or "not correct" in response.content.decode().lower()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MFA, {"code": _wrong_code(4)})
    assert "Your account is locked for 15 minutes" in response.content.decode()

    response = client.post(MFA, {"code": totp_code()})
    assert "Your account is locked" in response.content.decode()
    assert "_auth_user_id" not in client.session

    # The password is refused too: it is the same lock.
    other = Client()
    response = other.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    assert response.status_code == 429

    assert AuditEvent.objects.filter(action="auth.mfa_failed", detail__username=officer.email).count() == 5
    assert AuditEvent.objects.filter(action="auth.locked_out", detail__username=officer.email).exists()
    locked_mails = [m for m in mail.outbox if "locked" in m.subject]
    assert len(locked_mails) == 1
    assert locked_mails[0].to == [officer.email]


def test_three_hundred_guesses_get_five_tries_then_locked(client, officer):
    _at_code_stage(client, officer)
    answers = [client.post(MFA, {"code": _wrong_code(n)}).content.decode() for n in range(300)]
    assert sum("Your account is locked" not in a for a in answers) == 4
    assert AuditEvent.objects.filter(action="auth.mfa_failed").count() == 5


def test_wrong_recovery_codes_count_as_well(client, officer):
    RecoveryCodes.activate(officer)
    _at_code_stage(client, officer)
    for n in range(5):
        response = client.post(MFA, {"code": f"{n:08d}"})
    assert "Your account is locked" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.mfa_failed").count() == 5


def test_a_recovery_code_still_signs_in_when_under_the_limit(client, officer):
    codes = RecoveryCodes.activate(officer).get_unused_codes()
    _at_code_stage(client, officer)
    client.post(MFA, {"code": "00000000"})
    response = client.post(MFA, {"code": codes[0]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_the_same_totp_code_is_accepted_only_once(officer):
    code = totp_code()
    first, second = Client(), Client()
    _at_code_stage(first, officer)
    _at_code_stage(second, officer)
    assert first.post(MFA, {"code": code}).status_code == 302
    response = second.post(MFA, {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in second.session


def test_a_successful_code_clears_earlier_failures(client, officer):
    _at_code_stage(client, officer)
    for n in range(3):
        client.post(MFA, {"code": _wrong_code(n)})
    assert client.post(MFA, {"code": totp_code()}).status_code == 302
    client.logout()
    _at_code_stage(client, officer)
    for n in range(3):
        response = client.post(MFA, {"code": _wrong_code(10 + n)})
    assert "Your account is locked" not in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_guesses_from_many_clients_get_no_more_than_five_tries():
    """Twenty clients, each past the password, guess at the same moment: the user row is
    locked while a code is checked, so exactly five wrong codes are tried."""
    from django.core.cache import cache

    cache.clear()
    officer = make_officer("parallel@example.org")
    clients = [Client() for _ in range(20)]
    for c in clients:
        _at_code_stage(c, officer)
    barrier = threading.Barrier(len(clients))
    results = []

    def guess(c, n):
        barrier.wait()
        try:
            results.append(c.post(MFA, {"code": _wrong_code(n)}).content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(c, n)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20
    assert AuditEvent.objects.filter(action="auth.mfa_failed").count() == 5
    assert sum("Your account is locked" in r for r in results) >= 15
