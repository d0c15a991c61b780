"""AuditEvent: who did, saw or changed what, when and from where."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.json import KeyTextTransform

from ppp.postgres import TrigramIndex


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=60)
    target_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField("target", max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            # The trail is read newest first (the admin's order), whole or by action, and
            # searched by exact address or by the target's text (trigram, PostgreSQL).
            models.Index(fields=["at", "id"], name="audit_at_id"),
            models.Index(fields=["action", "at", "id"], name="audit_action_at_id"),
            models.Index(fields=["ip"], name="audit_ip"),
            TrigramIndex("target_repr", name="audit_target_repr_trgm"),
            # Failed sign-ins keep the address typed (no actor): found by the admin's search.
            models.Index(KeyTextTransform("username", "detail"), name="audit_detail_username"),
        ]

    def __str__(self):
        who = self.actor or self.detail.get("username") or "someone"
        return f"{self.at:%Y-%m-%d %H:%M} {who}: {self.action}"
