"""Encrypt the two-factor secrets already stored in plain text (allauth keeps them in
Authenticator.data): the TOTP key, the recovery-code seed and any migrated codes."""

from django.db import migrations

from ppp import crypto

SECRET_KEYS = {"totp": ["secret"], "recovery_codes": ["seed"]}


def _convert(apps, change):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all():
        data = dict(authenticator.data)
        for key in SECRET_KEYS.get(authenticator.type, []):
            if key in data:
                data[key] = change(data[key])
        if "migrated_codes" in data:
            data["migrated_codes"] = [change(code) for code in data["migrated_codes"]]
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def encrypt(apps, schema_editor):
    _convert(apps, lambda value: value if crypto.is_encrypted(value) else crypto.encrypt(value))


def decrypt(apps, schema_editor):
    _convert(apps, lambda value: crypto.decrypt(value) if crypto.is_encrypted(value) else value)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_officers_cannot_edit_memberships"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]
    operations = [migrations.RunPython(encrypt, decrypt)]
