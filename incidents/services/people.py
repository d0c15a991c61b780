"""People involved: part of `incidents.services` (see its docstring)."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ppp.crypto import blind_index
from ppp.dates import add_months
from ppp.history import record_transition

from .. import figures, permissions
from ..models import (
    Incident,
    Involvement,
    Role,
    YearGroup,
)
from ._base import MAX_REFERENCE, MAX_TEXT, REPEAT_MONTHS, Action, DuplicatePerson, IncidentError, _history, _lock


def _check_involvement(pupil_reference: str, year_group: str, role: str) -> str:
    reference = (pupil_reference or "").strip()
    if not reference:
        raise IncidentError("Enter the pupil's reference or initials.")
    if len(reference) > MAX_REFERENCE:
        raise IncidentError(f"The pupil reference must be {MAX_REFERENCE} characters or fewer.")
    if year_group not in YearGroup.values:
        raise IncidentError("Choose the year group from the list.")
    if role not in Role.values:
        raise IncidentError("Choose the pupil's role from the list.")
    return reference


def _check_not_twice(incident: Incident, index: str, role: str, *, other_than: int | None = None) -> None:
    """A pupil is on a record once in each part: the same reference as target twice would
    count them twice and show the record twice in their history."""
    same = Involvement.objects.filter(incident=incident, pupil_index=index, role=role)
    if other_than is not None:
        same = same.exclude(pk=other_than)
    if index and same.exists():
        raise DuplicatePerson(
            f"This pupil reference is already on this record as {Role(role).label.lower()}. "
            "Check the reference, or choose a different part"
        )


@transaction.atomic
def involvement_add(
    *, incident: Incident, by, pupil_reference: str, year_group: str, send: bool, role: str, request=None
) -> Involvement:
    incident = _lock(incident)
    permissions.can_add_involvement.require(by, incident, IncidentError)
    reference = _check_involvement(pupil_reference, year_group, role)
    index = blind_index(reference)
    _check_not_twice(incident, index, role)
    involvement = Involvement.objects.create(
        incident=incident,
        pupil_reference=reference,
        pupil_index=index,
        year_group=year_group,
        send=send,
        role=role,
        added_by=by,
    )
    entry = record_transition(incident, action=Action.INVOLVEMENT_ADDED, by=by, request=request)
    _history(
        entry,
        [
            {"field": "role", "from": "—", "to": Role(role).label},
            {"field": "year group", "from": "—", "to": YearGroup(year_group).label},
        ],
    )
    if role == Role.TARGET:
        _refresh_repeats(incident.organisation, _target_indexes([incident.pk]), by=by)
        figures.refresh(incident.organisation_id, [figures.month_of(incident.occurred_at)])
    return involvement


@transaction.atomic
def involvement_update(
    *, involvement: Involvement, by, pupil_reference: str, year_group: str, send: bool, role: str, request=None
) -> Involvement:
    incident = _lock(involvement.incident)
    involvement = Involvement.objects.select_for_update().get(pk=involvement.pk)
    permissions.can_edit_incident.require(by, incident, IncidentError)
    reference = _check_involvement(pupil_reference, year_group, role)
    _check_not_twice(incident, blind_index(reference), role, other_than=involvement.pk)
    old_index, was_target = involvement.pupil_index, involvement.role == Role.TARGET
    changes = []
    if reference != involvement.pupil_reference:
        changes.append({"field": "pupil reference", "changed": True})
    for name, value, label, choices in (
        ("role", role, "role", Role),
        ("year_group", year_group, "year group", YearGroup),
    ):
        if getattr(involvement, name) != value:
            changes.append(
                {"field": label, "from": choices(getattr(involvement, name)).label, "to": choices(value).label}
            )
    if involvement.send != send:
        changes.append({"field": "SEND", "from": "Yes" if involvement.send else "No", "to": "Yes" if send else "No"})
    if not changes:
        return involvement
    involvement.pupil_reference, involvement.pupil_index = reference, blind_index(reference)
    involvement.year_group, involvement.send, involvement.role = year_group, send, role
    involvement.save()
    entry = record_transition(incident, action=Action.INVOLVEMENT_CHANGED, by=by, request=request)
    _history(entry, changes)
    if was_target or role == Role.TARGET:
        _refresh_repeats(
            incident.organisation, {old_index} | _target_indexes([incident.pk]), by=by, incidents=[incident.pk]
        )
        figures.refresh(incident.organisation_id, [figures.month_of(incident.occurred_at)])
    return involvement


@transaction.atomic
def involvement_remove(*, involvement: Involvement, by, reason: str, request=None) -> None:
    """A reviewer takes a pupil wrongly attached off the record, with a reason. The record's
    history keeps that someone was removed, in which part, by whom and why (the reference
    only encrypted, with the reason); the pupil's history, the counts, the school's export
    and a subject access request no longer find them, because the row is gone."""
    incident = _lock(involvement.incident)
    involvement = Involvement.objects.select_for_update().get(pk=involvement.pk)
    permissions.can_remove_involvement.require(by, incident, IncidentError)
    reason = (reason or "").strip()
    if not reason:
        raise IncidentError("Say why this person is being removed from the record.")
    if len(reason) > MAX_TEXT:
        raise IncidentError(f"The reason must be {MAX_TEXT:,} characters or fewer.")
    was_target, old_index = involvement.role == Role.TARGET, involvement.pupil_index
    changes = [
        {"field": "role", "from": Role(involvement.role).label, "to": "—"},
        {"field": "year group", "from": YearGroup(involvement.year_group).label, "to": "—"},
    ]
    previous = {"pupil reference": involvement.pupil_reference} if involvement.pupil_reference else None
    involvement.delete()
    entry = record_transition(incident, action=Action.INVOLVEMENT_REMOVED, by=by, request=request)
    _history(entry, changes, previous, note=reason)
    if was_target:
        _refresh_repeats(
            incident.organisation, {old_index} | _target_indexes([incident.pk]), by=by, incidents=[incident.pk]
        )
        figures.refresh(incident.organisation_id, [figures.month_of(incident.occurred_at)])


def _target_indexes(incident_ids: Iterable[int]) -> set[str]:
    return set(
        Involvement.objects.filter(incident_id__in=list(incident_ids), role=Role.TARGET)
        .exclude(pupil_index="")
        .values_list("pupil_index", flat=True)
    )


def _refresh_repeats(organisation, indexes: set[str], *, by=None, incidents: Iterable[int] = ()) -> None:
    """Set or clear the repeat flag of every incident of the school with these targets (and
    of `incidents`, which may have no target left): an incident is a repeat when one of its
    targets was a target of an earlier incident in the 12 months before it."""
    indexes = {i for i in indexes if i}
    affected = set(incidents)
    if indexes:
        affected |= set(
            Involvement.objects.filter(
                incident__organisation=organisation, role=Role.TARGET, pupil_index__in=indexes
            ).values_list("incident_id", flat=True)
        )
    if not affected:
        return
    all_indexes = _target_indexes(affected)
    rows = list(
        Involvement.objects.filter(
            incident__organisation=organisation,
            role=Role.TARGET,
            pupil_index__in=all_indexes,
            incident__occurred_at__isnull=False,
            incident__anonymised_at__isnull=True,
        ).values_list("pupil_index", "incident_id", "incident__occurred_at")
    )
    by_pupil: dict[str, list[tuple[datetime.datetime, int]]] = {}
    targets_of: dict[int, set[str]] = {}
    occurred: dict[int, datetime.datetime] = {}
    for index, incident_id, at in rows:
        by_pupil.setdefault(index, []).append((at, incident_id))
        targets_of.setdefault(incident_id, set()).add(index)
        occurred[incident_id] = at
    repeats = set()
    for incident_id in affected:
        at = occurred.get(incident_id)
        if at is None:
            continue
        since = add_months(timezone.localtime(at).date(), -REPEAT_MONTHS)
        for index in targets_of.get(incident_id, ()):
            if any(
                (other_at, other) < (at, incident_id) and timezone.localtime(other_at).date() >= since
                for other_at, other in by_pupil[index]
                if other != incident_id
            ):
                repeats.add(incident_id)
                break
    for incident in Incident.objects.select_for_update().filter(pk__in=affected, anonymised_at__isnull=True):
        flag = incident.pk in repeats
        if incident.is_repeat != flag:
            incident.is_repeat = flag
            record_transition(
                incident,
                action=Action.REPEAT_FLAGGED if flag else Action.REPEAT_CLEARED,
                by=by,
                update_fields=("is_repeat",),
            )


# Pupils' reports and the conversation
