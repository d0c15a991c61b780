"""Data fixes: part of `incidents.services` (see its docstring)."""

import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from ppp.history import record_transition

from .. import figures
from ..models import (
    CATEGORY_FIELDS,
    FORM_FIELDS,
    Incident,
)
from ._base import Action, IncidentError, _display, _history, _lock, classify
from .people import _refresh_repeats, _target_indexes

FIXABLE = {
    "occurred_at",
    "reported_on",
    "reported_at",
    "reported_by",
    "location",
    "mode",
    "review_date",
    "parents_informed",
    "parents_informed_on",
    "parents_informed_how",
    "restorative_used",
    "stop_several_times",
    "stop_on_purpose",
    "stop_power_imbalance",
    "status",
    *FORM_FIELDS.values(),
    *CATEGORY_FIELDS.values(),
}


BOOLEAN_WORDS = {"true": "True", "yes": "True", "1": "True", "false": "False", "no": "False", "0": "False"}


def _fix_value(field, raw: str):
    """A data fix's value for `field`, as the field holds it, or IncidentError."""
    if isinstance(field, models.BooleanField) and isinstance(raw, str):
        raw = BOOLEAN_WORDS.get(raw.strip().lower(), raw)
    try:
        value = None if raw in ("", "none", "None", "null") and field.null else field.to_python(raw)
        if value is not None and field.choices and value not in dict(field.flatchoices):
            raise ValidationError("not a choice")
    except ValidationError:
        raise IncidentError(f"{raw!r} is not a valid value for {field.name}.") from None
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def incident_data_fix(*, incident: Incident, by, values: dict[str, str], reason: str) -> list[dict]:
    """A system administrator corrects fields a school cannot (a wrong date after closing,
    a status stuck by a fault), with a reason. Returns the changes; the history and the
    audit trail record them (field names, values for non-free-text fields only)."""
    incident = _lock(incident)
    occurred_before = incident.occurred_at
    if not (getattr(by, "is_superuser", False) and by.is_active):
        raise IncidentError("Only a system administrator (a superuser) can make data fixes.")
    if not reason.strip():
        raise IncidentError("Give a reason for the fix.")
    if incident.is_anonymised:
        raise IncidentError("This record has been anonymised and cannot be changed.")
    unknown = set(values) - FIXABLE
    if unknown:
        raise IncidentError(f"These fields cannot be fixed: {', '.join(sorted(unknown))}.")
    changed, changes = [], []
    for name, raw in values.items():
        field = cast(models.Field, Incident._meta.get_field(name))
        value = _fix_value(field, raw)
        if getattr(incident, name) == value:
            continue
        before = _display(incident, name)
        setattr(incident, name, value)
        changes.append({"field": str(field.verbose_name), "from": before, "to": _display(incident, name)})
        changed.append(name)
    if not changed:
        return []
    if set(changed) & {"stop_several_times", "stop_on_purpose", "stop_power_imbalance"}:
        incident.classification = classify(
            incident.stop_several_times, incident.stop_on_purpose, incident.stop_power_imbalance
        )
        changed.append("classification")
    to = None
    if "status" in changed:  # the status moves through record_transition, as everywhere
        changed.remove("status")
        to, incident.status = incident.status, Incident.objects.values_list("status", flat=True).get(pk=incident.pk)
    entry = record_transition(
        incident,
        to,
        action=Action.DATA_FIX,
        by=by,
        update_fields=(*changed, "updated_at"),
        fields=[c["field"] for c in changes],
    )
    _history(entry, changes, note=reason)
    if {"occurred_at"} & set(changed):
        _refresh_repeats(incident.organisation, _target_indexes([incident.pk]), by=by)
    figures.refresh(
        incident.organisation_id, [figures.month_of(occurred_before), figures.month_of(incident.occurred_at)]
    )
    return changes


# Reading a record is recorded too
