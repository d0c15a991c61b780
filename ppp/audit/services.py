"""The one way to write to the audit trail."""

import ipaddress

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from ppp.accounts.models import organisation_of

from .models import AuditEvent


def client_ip(request) -> str | None:
    """The caller's address, for the audit trail and rate limits.

    Behind TRUSTED_PROXY_COUNT proxies (nginx, a load balancer) REMOTE_ADDR is the last
    proxy's, so the address is taken from X-Forwarded-For: the entry the outermost trusted
    proxy added. Entries further left were written by the client and are not trusted.
    """
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    action: str,
    *,
    actor=None,
    target: models.Model | None = None,
    organisation=None,
    request=None,
    **detail,
) -> AuditEvent:
    """Record that `actor` did `action` to `target` (optionally in `organisation`)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if organisation is None and target is not None:
        organisation = organisation_of(target)
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        organisation=organisation,
        ip=client_ip(request),
        detail=detail,
    )


def audit_records(action: str, *, actor, targets, organisation, request=None, **detail) -> list[AuditEvent]:
    """One event per target (each record a person was shown), written in one query: so each
    record's own trail shows who saw it, not only that a list was looked at."""
    targets = list(targets)
    if not targets:
        return []
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    content_type = ContentType.objects.get_for_model(targets[0])
    ip = client_ip(request)
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                action=action,
                target_type=content_type,
                target_id=str(target.pk),
                target_repr=str(target)[:200],
                organisation=organisation,
                ip=ip,
                detail=detail,
            )
            for target in targets
        ]
    )
