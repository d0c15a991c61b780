"""Audit: part of `incidents.services` (see its docstring)."""

from django.db import transaction

from ..models import (
    Incident,
)


def audit_incidents(action: str, incidents, *, actor, request=None, **detail) -> int:
    """One AuditEvent per incident (an export of many records), inserted a thousand at a time."""
    from django.contrib.contenttypes.models import ContentType

    from ppp.audit.services import client_ip

    content_type = ContentType.objects.get_for_model(Incident)
    ip = client_ip(request)
    who = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():  # one commit for the whole export, not one a thousand
        return _audit_in_batches(incidents, who, action, content_type, ip, detail)


def _audit_in_batches(incidents, who, action, content_type, ip, detail) -> int:
    from ppp.audit.models import AuditEvent

    events, written = [], 0
    for incident in incidents:  # a list, or an iterator over a whole school's records
        events.append(
            AuditEvent(
                actor=who,
                action=action,
                target_type=content_type,
                target_id=str(incident.pk),
                target_repr=str(incident)[:200],
                organisation_id=incident.organisation_id,
                ip=ip,
                detail=detail,
            )
        )
        if len(events) == 1000:
            AuditEvent.objects.bulk_create(events)
            written, events = written + len(events), []
    AuditEvent.objects.bulk_create(events)
    return written + len(events)
