"""Audit: part of `incidents.services` (see its docstring)."""

from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Cast, Concat, Left
from django.utils import timezone

from ..models import (
    Incident,
)


def audit_incidents(action: str, incidents, *, actor, request=None, **detail) -> int:
    """One AuditEvent per incident (an export of many records). A QuerySet is written in
    one INSERT ... SELECT (the records never leave the database, whatever their number);
    a list, inserted a thousand at a time. Returns how many events it wrote."""
    from django.contrib.contenttypes.models import ContentType

    from ppp.audit.services import client_ip

    content_type = ContentType.objects.get_for_model(Incident)
    ip = client_ip(request)
    who = actor if getattr(actor, "is_authenticated", False) else None
    if isinstance(incidents, models.QuerySet):
        return _audit_in_one_statement(incidents, who, action, content_type, ip, detail)
    with transaction.atomic():  # one commit for the whole export, not one a thousand
        return _audit_in_batches(incidents, who, action, content_type, ip, detail)


def _audit_in_one_statement(incidents, who, action, content_type, ip, detail) -> int:
    """The events of every incident of `incidents` as the rows of one INSERT ... SELECT,
    as `_audit_in_batches` writes them (target "Incident <reference>", as `str()` says)."""
    from ppp.audit.models import AuditEvent

    values = {
        "actor": Value(who.pk if who is not None else None, output_field=models.BigIntegerField()),
        "action": Value(action, output_field=models.CharField()),
        "target_type": Value(content_type.pk, output_field=models.IntegerField()),
        "target_id": Cast("pk", output_field=models.CharField()),
        "target_repr": Left(Concat(Value("Incident "), F("reference"), output_field=models.CharField()), 200),
        "organisation": F("organisation_id"),
        "at": Value(timezone.now(), output_field=models.DateTimeField()),
        "ip": Cast(Value(ip, output_field=models.CharField()), output_field=models.GenericIPAddressField()),
        "detail": Value(detail, output_field=models.JSONField()),
    }
    aliased = {f"audit_{name}": expression for name, expression in values.items()}
    rows = incidents.order_by().annotate(**aliased).values_list(*aliased)
    sql, params = rows.query.sql_with_params()
    q = connection.ops.quote_name
    column_of = {field.name: field.column for field in AuditEvent._meta.concrete_fields}
    columns = ", ".join(q(column_of[name]) for name in values)
    with connection.cursor() as cursor:
        # Names from the model's metadata; every value is a parameter of the compiled query.
        cursor.execute(f"INSERT INTO {q(AuditEvent._meta.db_table)} ({columns}) {sql}", params)
        return cursor.rowcount


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
