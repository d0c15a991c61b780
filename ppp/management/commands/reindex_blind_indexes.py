"""`manage.py reindex_blind_indexes`: recompute every keyed hash (blind index) with the
current FIELD_INDEX_KEY, so a new key can replace the old one. Pupil references are
matched across incidents by these hashes (ppp.crypto.blind_index); the references
themselves are encrypted with FIELD_ENCRYPTION_KEYS, so they are decrypted and hashed
again. Every model that declares `blind_indexes` ({index field: source field}) is done,
all in one transaction: either every hash is made with the new key or none is.

Procedure (docs/operations/upgrading.md): set the new FIELD_INDEX_KEY on every server,
run this once, restart. Safe to run again.
"""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ppp import crypto
from ppp.audit.services import audit_record


class Command(BaseCommand):
    help = (
        "Recompute every keyed hash of encrypted values (pupil references) with the current FIELD_INDEX_KEY. "
        "Run it once after changing FIELD_INDEX_KEY. Safe to run again."
    )

    def handle(self, *args, **options):
        counts = {}
        try:
            with transaction.atomic():
                for model in apps.get_models():
                    indexes = getattr(model, "blind_indexes", None)
                    if indexes:
                        counts[model._meta.label] = self.reindex(model, indexes)
        except crypto.DecryptionError as error:
            raise CommandError(
                f"{error} Nothing was changed: FIELD_ENCRYPTION_KEYS must read the stored values first."
            ) from None
        total = sum(counts.values())
        per_model: dict[str, Any] = {label.replace(".", "_"): n for label, n in counts.items()}
        audit_record("crypto.reindex", rows=total, **per_model)
        detail = ", ".join(f"{label} {n}" for label, n in counts.items()) or "none"
        self.stdout.write(self.style.SUCCESS(f"Re-indexed {total} value(s) with FIELD_INDEX_KEY ({detail})."))

    def reindex(self, model, indexes: dict[str, str]) -> int:
        rows = 0
        sources = list(indexes.values())
        for obj in model._base_manager.only("pk", *indexes, *sources).order_by("pk").iterator(chunk_size=500):
            values = {}
            for index_field, source_field in indexes.items():
                source = getattr(obj, source_field)
                values[index_field] = crypto.blind_index(source) if source else ""
            if any(getattr(obj, name) != value for name, value in values.items()):
                model._base_manager.filter(pk=obj.pk).update(**values)
                rows += 1
        return rows
