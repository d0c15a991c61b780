"""What was printed on every certificate PPP has issued, so anyone can check one."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ppp.accounts.models import OrganisationOwnedQuerySet
from ppp.links import absolute_url

# No 0/O or 1/I/L: codes are read aloud and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code() -> str:
    """A random, unguessable code like PPP-7KQ4-M2XD-9HTR (about 64 bits)."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return "PPP-" + "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def normalise_code(text: str) -> str | None:
    """A code as people type it (spaces, lower case, no dashes, with or without "PPP") in
    its printed form, PPP-7KQ4-M2XD-9HTR; None if it cannot be a PPP code."""
    squashed = "".join(ch for ch in (text or "").upper() if ch not in " -\t")
    squashed = squashed.removeprefix("PPP")
    if len(squashed) != 12 or any(ch not in CODE_ALPHABET for ch in squashed):
        return None
    return "PPP-" + "-".join(squashed[i : i + 4] for i in range(0, 12, 4))


class CertificateQuerySet(OrganisationOwnedQuerySet):
    def current(self):
        return self.filter(revoked_at__isnull=True)


class IssuedCertificate(models.Model):
    class Kind(models.TextChoices):
        AWARD = "award", "Positive and Peaceful Places award"
        PLEDGE = "pledge", "Anti-Bullying Charter pledge"
        TRAINING = "training", "Training attendance"

    code = models.CharField(max_length=20, unique=True, default=new_code, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="certificates", null=True, blank=True
    )
    holder = models.CharField("holder's name as printed", max_length=200)
    title = models.CharField("title as printed", max_length=200)
    level = models.CharField(max_length=50, blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    # What the certificate is for (an award, a pledge, a booking): reprinting it returns the same certificate.
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    source_id = models.CharField(max_length=64)
    source = GenericForeignKey("source_type", "source_id")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revoked_reason = models.TextField(blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=models.Q(revoked_at__isnull=True),
                name="certificate_one_current_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoked_reason=""),
                name="certificate_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.title}, {self.holder}"

    def get_absolute_url(self):
        return reverse("certificates:verify", kwargs={"code": self.code})

    @property
    def verify_url(self) -> str:
        return absolute_url(self)

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.valid_until and self.valid_until < timezone.localdate():
            return "expired"
        return "valid"
