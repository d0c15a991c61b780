"""Records and their workflow: part of `incidents.services` (see its docstring)."""

import datetime

from django.db import transaction
from django.utils import timezone

from ppp.history import record_transition

from .. import figures, permissions
from ..models import (
    Incident,
    IncidentNote,
    Status,
)
from ._base import (
    MAX_TEXT,
    Action,
    IncidentDetails,
    IncidentError,
    _apply,
    _display,
    _history,
    _lock,
    _next_reference,
    check_details,
)
from .people import _refresh_repeats, _target_indexes


@transaction.atomic
def incident_record(*, organisation, by, details: IncidentDetails, request=None) -> Incident:
    """A member of staff records an incident. A reviewer's record is open at once; a
    recorder's is new until a reviewer opens it."""
    permissions.can_record_incidents.require(by, organisation, IncidentError)
    check_details(details)
    now = timezone.now()
    incident = Incident(
        organisation=organisation,
        reference=_next_reference(organisation, timezone.localtime(now).year),
        reported_at=now,
        recorded_by=by,
        status=Status.OPEN if permissions.can_review_incidents(by, organisation) else Status.NEW,
    )
    _apply(incident, details)
    incident.save()
    record_transition(incident, action=Action.RECORDED, by=by, request=request)
    figures.refresh(organisation.pk, [figures.month_of(incident.occurred_at)])
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, by, details: IncidentDetails, request=None) -> Incident:
    """Change the record. The history keeps who changed which field, and when."""
    incident = _lock(incident)
    permissions.can_edit_incident.require(by, incident, IncidentError)
    check_details(details)
    occurred_before = incident.occurred_at
    changed, changes, previous = _apply(incident, details)
    if not changed:
        return incident
    entry = record_transition(
        incident, action=Action.UPDATED, by=by, request=request, update_fields=(*changed, "updated_at")
    )
    _history(entry, changes, previous)
    if incident.occurred_at != occurred_before:
        _refresh_repeats(incident.organisation, _target_indexes([incident.pk]), by=by)
    figures.refresh(
        incident.organisation_id, [figures.month_of(occurred_before), figures.month_of(incident.occurred_at)]
    )
    return incident


@transaction.atomic
def incident_triage(*, incident: Incident, by, details: IncidentDetails, request=None) -> Incident:
    """A reviewer turns a new report (a pupil's, or a recorder's) into an open incident."""
    incident = _lock(incident)
    permissions.can_triage_incident.require(by, incident, IncidentError)
    check_details(details)
    changed, changes, previous = _apply(incident, details)
    entry = record_transition(
        incident, Status.OPEN, action=Action.TRIAGED, by=by, request=request, update_fields=(*changed, "updated_at")
    )
    _history(entry, changes, previous)
    _refresh_repeats(incident.organisation, _target_indexes([incident.pk]), by=by)
    figures.refresh(incident.organisation_id, [figures.month_of(incident.occurred_at)])
    return incident


# Status changes


@transaction.atomic
def incident_dismiss(*, incident: Incident, by, reason: str, request=None) -> Incident:
    """Close a new report that is not an incident (a test, a mistake): it is kept, and
    never counted in any figures."""
    incident = _lock(incident)
    permissions.can_dismiss_incident.require(by, incident, IncidentError)
    if not reason.strip():
        raise IncidentError("Say why this report is not an incident.")
    incident.closed_at = timezone.now()
    entry = record_transition(
        incident, Status.CLOSED, action=Action.DISMISSED, by=by, request=request, update_fields=("closed_at",)
    )
    _history(entry, note=reason)
    return incident


@transaction.atomic
def incident_review_set(*, incident: Incident, by, review_date: datetime.date, request=None) -> Incident:
    """Set (or move) the date the response will be reviewed; the incident is under review."""
    incident = _lock(incident)
    permissions.can_set_review.require(by, incident, IncidentError)
    if review_date is None:
        raise IncidentError("Enter the review date.")
    if review_date < timezone.localdate():
        raise IncidentError("The review date must be today or in the future.")
    if incident.occurred_at and review_date < timezone.localtime(incident.occurred_at).date():
        raise IncidentError("The review date must be on or after the date of the incident.")
    before = _display(incident, "review_date")
    incident.review_date = review_date
    entry = record_transition(
        incident, Status.UNDER_REVIEW, action=Action.REVIEW_SET, by=by, request=request, update_fields=("review_date",)
    )
    _history(entry, [{"field": "review date", "from": before, "to": _display(incident, "review_date")}])
    return incident


@transaction.atomic
def incident_resolve(*, incident: Incident, by, outcome: str, request=None) -> Incident:
    incident = _lock(incident)
    permissions.can_resolve_incident.require(by, incident, IncidentError)
    if not outcome.strip():
        raise IncidentError("Describe the outcome.")
    if len(outcome) > MAX_TEXT:
        raise IncidentError(f"The outcome must be {MAX_TEXT:,} characters or fewer.")
    previous = {"outcome": incident.outcome} if incident.outcome else None
    incident.outcome = outcome.strip()
    incident.resolved_at = timezone.now()
    entry = record_transition(
        incident,
        Status.RESOLVED,
        action=Action.RESOLVED,
        by=by,
        request=request,
        update_fields=("outcome", "resolved_at"),
    )
    _history(entry, [{"field": "outcome", "changed": True}], previous)
    return incident


@transaction.atomic
def incident_close(*, incident: Incident, by, request=None) -> Incident:
    incident = _lock(incident)
    permissions.can_close_incident.require(by, incident, IncidentError)
    incident.closed_at = timezone.now()
    record_transition(
        incident, Status.CLOSED, action=Action.CLOSED, by=by, request=request, update_fields=("closed_at",)
    )
    return incident


@transaction.atomic
def incident_reopen(*, incident: Incident, by, reason: str, request=None) -> Incident:
    incident = _lock(incident)
    permissions.can_reopen_incident.require(by, incident, IncidentError)
    if not reason.strip():
        raise IncidentError("Say why the incident is being reopened.")
    incident.resolved_at = incident.closed_at = None
    entry = record_transition(
        incident,
        Status.OPEN,
        action=Action.REOPENED,
        by=by,
        request=request,
        update_fields=("resolved_at", "closed_at"),
    )
    _history(entry, note=reason)
    return incident


@transaction.atomic
def note_add(*, incident: Incident, by, body: str, request=None) -> IncidentNote:
    incident = _lock(incident)
    permissions.can_add_note.require(by, incident, IncidentError)
    if not body.strip():
        raise IncidentError("Enter the note.")
    if len(body) > MAX_TEXT:
        raise IncidentError(f"The note must be {MAX_TEXT:,} characters or fewer.")
    note = IncidentNote.objects.create(incident=incident, body=body.strip(), by=by)
    record_transition(incident, action=Action.NOTE_ADDED, by=by, request=request)
    return note


# People involved, and repeats
