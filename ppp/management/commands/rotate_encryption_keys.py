from typing import Any

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ppp import crypto
from ppp.audit.services import audit_record

# allauth keeps two-factor secrets in Authenticator.data (encrypted by ppp.accounts.adapter).
AUTHENTICATOR_SECRETS = {"totp": ["secret"], "recovery_codes": ["seed"]}


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value with the first key in FIELD_ENCRYPTION_KEYS. Run it after "
        "putting a new key first; then the old key can be removed. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = {}
        try:
            with transaction.atomic():
                for model in apps.get_models():
                    fields = [f.name for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedFieldKeys)]
                    if fields:
                        counts[model._meta.label] = self.rotate_model(model, fields)
                counts["mfa.Authenticator"] = self.rotate_authenticators()
        except crypto.DecryptionError as error:
            raise CommandError(
                f"{error} Nothing was changed: put the old key back in the list and run it again."
            ) from None
        total = sum(counts.values())
        per_model: dict[str, Any] = {label.replace(".", "_"): n for label, n in counts.items()}
        audit_record("crypto.rotate", rows=total, **per_model)
        detail = ", ".join(f"{label} {n}" for label, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} row(s) with the newest key ({detail})."))

    def rotate_model(self, model, fields) -> int:
        rows = 0
        for obj in model._base_manager.only("pk", *fields).iterator(chunk_size=500):
            # Reading decrypts with any key; saving encrypts with the first.
            values = {name: getattr(obj, name) for name in fields}
            model._base_manager.filter(pk=obj.pk).update(**values)
            rows += 1
        return rows

    def rotate_authenticators(self) -> int:
        rows = 0
        for authenticator in Authenticator.objects.iterator():
            data = dict(authenticator.data)
            for key in AUTHENTICATOR_SECRETS.get(authenticator.type, []):
                if key in data:
                    data[key] = crypto.encrypt(crypto.decrypt(data[key]))
            if "migrated_codes" in data:
                data["migrated_codes"] = [crypto.encrypt(crypto.decrypt(c)) for c in data["migrated_codes"]]
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
            rows += 1
        return rows
