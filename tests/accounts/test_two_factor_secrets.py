"""Two-factor secrets are stored encrypted with FIELD_ENCRYPTION_KEYS, the keys rotate,
and nobody reads or deletes an authenticator in the admin."""

import importlib

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from ppp import crypto
from ppp.audit.models import AuditEvent
from tests.accounts.test_sign_in import LOGIN, totp_code
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, make_officer

MFA = "/accounts/2fa/authenticate/"


def _raw_data(authenticator) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        return cursor.fetchone()[0]


def _signs_in_with_a_code(client, officer) -> bool:
    client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    return client.post(MFA, {"code": totp_code()}).status_code == 302


def test_the_totp_secret_and_recovery_seed_are_not_in_the_database_in_plain_text(db):
    officer = make_officer()
    recovery = RecoveryCodes.activate(officer).instance
    totp = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    assert TOTP_SECRET not in _raw_data(totp)
    assert crypto.is_encrypted(totp.data["secret"])
    assert crypto.is_encrypted(recovery.data["seed"])


def test_codes_still_work_with_the_secret_encrypted(client, db):
    assert _signs_in_with_a_code(client, make_officer())


def test_the_migration_encrypts_secrets_stored_before_it(db):
    officer = make_officer()
    totp = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    Authenticator.objects.filter(pk=totp.pk).update(data={"secret": TOTP_SECRET})  # as an old row was
    migration = importlib.import_module("ppp.accounts.migrations.0004_encrypt_two_factor_secrets")
    migration.encrypt(apps, None)
    migration.encrypt(apps, None)  # running again changes nothing more
    totp.refresh_from_db()
    assert crypto.decrypt(totp.data["secret"]) == TOTP_SECRET


def test_keys_rotate_old_key_reads_new_key_writes(client, db, settings):
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    officer = make_officer()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]  # the new key first: old values still read
    assert _signs_in_with_a_code(client, officer)
    client.logout()
    call_command("rotate_encryption_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key removed after rotating
    totp = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
    assert crypto.decrypt(totp.data["secret"]) == TOTP_SECRET
    assert AuditEvent.objects.filter(action="crypto.rotate").exists()


def test_rotating_without_the_old_key_changes_nothing_and_says_why(db, settings):
    officer = make_officer()
    before = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="put the old key back"):
        call_command("rotate_encryption_keys")
    assert Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP).data == before


def test_the_authenticator_admin_shows_no_secret_and_allows_no_change_or_delete(client, db):
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    make_officer("target@example.org")
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(superuser, TOTP_SECRET)
    client.force_login(superuser)
    target = Authenticator.objects.get(user__email="target@example.org")
    page = client.get(reverse("admin:mfa_authenticator_change", args=[target.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert target.data["secret"] not in body and TOTP_SECRET not in body
    assert 'name="_save"' not in body
    assert client.post(reverse("admin:mfa_authenticator_delete", args=[target.pk]), {"post": "yes"}).status_code == 403
    assert Authenticator.objects.filter(pk=target.pk).exists()


def test_a_lost_phone_is_reset_by_command_with_a_reason(db):
    officer = make_officer("lost@example.org")
    with pytest.raises(CommandError, match="--reason"):
        call_command("reset_two_factor", officer.email, "--reason", " ")
    call_command("reset_two_factor", officer.email, "--reason", "Helpdesk 4411: phone lost")
    assert not Authenticator.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(action="auth.mfa_reset", detail__reason="Helpdesk 4411: phone lost").exists()
    with pytest.raises(CommandError, match="has no two-factor"):
        call_command("reset_two_factor", officer.email, "--reason", "again")
