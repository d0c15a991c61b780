"""`manage.py check_encrypted_data`: can this service read what it stores, with the keys it
has? Run it after restoring a backup (docs/operations/backup-and-restore.md), and before
the web server starts (the systemd unit does): with the wrong FIELD_ENCRYPTION_KEYS or
FIELD_INDEX_KEY it says which, and exits 1, instead of serving error pages.

It reads, never writes: up to --sample values of every encrypted column (every value
with --all), every two-factor secret, the keyed hashes of models that declare
`blind_indexes`, and whether uploaded files named in the database are in storage.
"""

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models

from ppp import crypto

from .rotate_encryption_keys import AUTHENTICATOR_SECRETS


class Command(BaseCommand):
    help = "Check that the encryption keys read the stored data and the uploaded files are there (exit 1 if not)."

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=200, help="values read per column (default 200)")
        parser.add_argument("--all", action="store_true", help="read every value, not a sample")

    def handle(self, *args, sample=200, all=False, **options):
        limit = None if all else max(sample, 1)
        problems, read = [], 0
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, crypto.EncryptedFieldKeys):
                    count, bad = self.check_column(model, field, limit)
                    read += count
                    if bad:
                        problems.append(
                            f"{bad} of {count} values of {model._meta.label}.{field.name} cannot be decrypted: "
                            "FIELD_ENCRYPTION_KEYS does not hold the key they were encrypted with."
                        )
            problems += self.check_blind_indexes(model, limit)
            problems += self.check_files(model, limit)
        secrets, bad = self.check_authenticators(limit)
        read += secrets
        if bad:
            problems.append(
                f"{bad} of {secrets} two-factor secrets cannot be decrypted: FIELD_ENCRYPTION_KEYS is wrong, "
                "and those people cannot sign in."
            )
        if problems:
            raise CommandError("This service cannot read its data:\n- " + "\n- ".join(problems))
        done = f"Encrypted data readable ({read} values checked); uploaded files present."
        self.stdout.write(self.style.SUCCESS(done))

    def check_column(self, model, field, limit) -> tuple[int, int]:
        table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(field.column)
        query = f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''"  # noqa: S608 - names from the models
        if limit:
            query += f" LIMIT {int(limit)}"
        with connection.cursor() as cursor:
            cursor.execute(query)
            values = [row[0] for row in cursor.fetchall()]
        bad = 0
        for value in values:
            if crypto.is_encrypted(value):
                try:
                    crypto.decrypt(value)
                except crypto.DecryptionError:
                    bad += 1
        return len(values), bad

    def check_blind_indexes(self, model, limit) -> list[str]:
        problems = []
        for index_field, source_field in getattr(model, "blind_indexes", {}).items():
            rows = model._base_manager.exclude(**{index_field: ""}).exclude(**{f"{source_field}__isnull": True})
            checked = mismatched = 0
            try:
                for index, value in rows.values_list(index_field, source_field)[:limit]:
                    checked += 1
                    mismatched += crypto.blind_index(value) != index
            except crypto.DecryptionError:
                continue  # reported by check_column
            if mismatched:
                problems.append(
                    f"{mismatched} of {checked} {model._meta.label}.{index_field} values do not match: FIELD_INDEX_KEY "
                    "is not the key they were made with, so equal values would not be found."
                )
        return problems

    def check_files(self, model, limit) -> list[str]:
        problems = []
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            names = model._base_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)[:limit]
            missing = [name for name in names if not field.storage.exists(name)]
            if missing:
                problems.append(
                    f"{len(missing)} files of {model._meta.label}.{field.name} are not in storage "
                    f"(first: {missing[0]}): restore MEDIA_ROOT (or the bucket) from the same backup."
                )
        return problems

    def check_authenticators(self, limit) -> tuple[int, int]:
        checked = bad = 0
        for authenticator in Authenticator.objects.all()[:limit]:
            for key in AUTHENTICATOR_SECRETS.get(authenticator.type, []):
                value = authenticator.data.get(key)
                if value and crypto.is_encrypted(value):
                    checked += 1
                    try:
                        crypto.decrypt(value)
                    except crypto.DecryptionError:
                        bad += 1
        return checked, bad
