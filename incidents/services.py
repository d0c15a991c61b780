"""Every write to a school's incidents: recording, triage, edits (with their history),
involvements, the conversation with a pupil, status changes, staff permissions, the
reporting link, retention and administrators' data fixes.

Each function takes keyword-only arguments and `by=` (None only for a pupil, who has no
account), refuses through `incidents.permissions` with an `IncidentError` a person can act
on, locks the incident (or the school's counter) first, and writes the history and the
audit trail through `ppp.history.record_transition` in the same transaction. Free text is
never put in a history note or an audit event: it would sit there unencrypted.
"""

import dataclasses
import datetime
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from ppp.accounts.models import Membership
from ppp.audit.services import audit_record
from ppp.crypto import blind_index
from ppp.dates import add_months, start_of_day
from ppp.errors import DomainError
from ppp.history import HistoryEntry, record_transition
from ppp.links import absolute_url
from ppp.mail import email_after_commit

from . import figures, permissions
from .models import (
    CATEGORY_FIELDS,
    FORM_FIELDS,
    Category,
    Classification,
    Form,
    Incident,
    IncidentEvent,
    IncidentNote,
    IncidentRole,
    InformedHow,
    Involvement,
    Location,
    Mode,
    PupilMessage,
    PupilWhen,
    ReferenceCounter,
    ReportedBy,
    ReportingLink,
    Role,
    Status,
    YearGroup,
    hash_code,
    hash_token,
)

Action = IncidentEvent.Action

REPEAT_MONTHS = 12
MAX_TEXT = 10_000
MAX_MESSAGE = 3_000
MAX_REFERENCE = 40
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
CODE_LENGTH = 16  # 80 bits, shown as four groups of four
# Two or more words that start with a capital and go on in small letters: "Jamie Smith".
FULL_NAME = re.compile(r"^\s*[A-Z][a-z'’\-]+(?:\s+[A-Z][a-z'’\-]+)+\s*$")


class IncidentError(DomainError):
    """An incident rule was broken; the message says what to do instead."""


class DuplicatePerson(IncidentError):
    """The same pupil reference is already on the record in that part (names the field)."""

    field = "pupil_reference"


class DuplicateSubmission(IncidentError):
    """The same pupil form was sent twice (a double click, or the page sent again)."""


@dataclasses.dataclass
class IncidentDetails:
    """What a member of staff records about an incident."""

    occurred_at: datetime.datetime
    reported_by: str
    location: str
    mode: str
    forms: list[str]
    categories: list[str]
    description: str
    stop_several_times: bool
    stop_on_purpose: bool
    stop_power_imbalance: bool
    immediate_action: str = ""
    restorative_used: bool = False
    parents_informed: bool | None = None
    parents_informed_on: datetime.date | None = None
    parents_informed_how: str = ""
    review_date: datetime.date | None = None
    # When the school was told; None keeps the record's (today for a new one).
    reported_on: datetime.date | None = None

    @classmethod
    def of(cls, incident: Incident) -> "IncidentDetails":
        names = [f.name for f in dataclasses.fields(cls) if f.name not in ("forms", "categories")]
        values = {name: getattr(incident, name) for name in names}
        for name in ("description", "immediate_action"):
            values[name] = values[name] or ""
        return cls(forms=incident.forms, categories=incident.categories, **values)


def classify(several_times, on_purpose, power_imbalance) -> str:
    """The charter's STOP test (Several Times On Purpose) with an imbalance of power."""
    if several_times is None or on_purpose is None or power_imbalance is None:
        return Classification.NOT_ASSESSED
    if several_times and on_purpose and power_imbalance:
        return Classification.BULLYING
    if not several_times:
        return Classification.ONE_OFF
    return Classification.CONFLICT


def looks_like_full_name(reference: str) -> bool:
    return bool(FULL_NAME.match(reference or ""))


# Checks shared by the forms and the services: bad input never reaches the database.


def check_details(details: IncidentDetails, *, now: datetime.datetime | None = None) -> None:
    """Refuse, with a sentence, anything the form should have caught (the first problem)."""
    now = now or timezone.now()
    for check in (_check_when, _check_choices, _check_text, _check_stop):
        problem = check(details, now)
        if problem:
            raise IncidentError(problem)


def _check_when(details: IncidentDetails, now) -> str | None:
    if details.occurred_at is None:
        return "Enter the date of the incident."
    if details.occurred_at > now:
        return "The date of the incident must be today or in the past."
    occurred_on = timezone.localtime(details.occurred_at).date()
    if details.reported_on and details.reported_on > timezone.localdate(now):
        return "The date it was reported must be today or in the past."
    if details.reported_on and details.reported_on < occurred_on:
        return "The date it was reported must be on or after the date of the incident."
    if details.parents_informed_on and details.parents_informed_on > timezone.localdate(now):
        return "The date parents or carers were told must be today or in the past."
    if details.parents_informed_on and details.parents_informed_on < occurred_on:
        return "The date parents or carers were told must be on or after the date of the incident."
    if details.review_date and details.review_date < occurred_on:
        return "The review date must be on or after the date of the incident."
    return None


def _check_choices(details: IncidentDetails, now) -> str | None:
    for value, choices, what in (
        (details.reported_by, ReportedBy, "who reported it"),
        (details.location, Location, "where it happened"),
        (details.mode, Mode, "whether it was face to face or online"),
    ):
        if value not in choices.values:
            return f"Choose {what} from the list."
    if not details.forms:
        return "Choose at least one form the incident took."
    if set(details.forms) - set(Form.values):
        return "Choose the forms the incident took from the list."
    if set(details.categories) - set(Category.values):
        return "Choose prejudice-related categories from the list."
    if details.parents_informed_how and details.parents_informed_how not in InformedHow.values:
        return "Choose how parents or carers were told from the list."
    return None


def _check_text(details: IncidentDetails, now) -> str | None:
    if not (details.description or "").strip():
        return "Describe what happened."
    for text, what in ((details.description, "The description"), (details.immediate_action, "The immediate action")):
        if len(text or "") > MAX_TEXT:
            return f"{what} must be {MAX_TEXT:,} characters or fewer."
    return None


def _check_stop(details: IncidentDetails, now) -> str | None:
    if None in (details.stop_several_times, details.stop_on_purpose, details.stop_power_imbalance):
        return "Answer the three STOP questions."
    return None


def _lock(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)


def _next_reference(organisation, year: int) -> str:
    """The school's next reference for `year`, e.g. 2026-0042, under a lock on its counter."""
    ReferenceCounter.objects.get_or_create(organisation=organisation, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(organisation=organisation, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:04d}"


def reviewer_emails(organisation) -> list[str]:
    """The school's lead and its reviewers: who hears that a pupil has written."""
    return sorted(
        Membership.objects.filter(organisation=organisation, user__is_active=True)
        .filter(Q(role=Membership.Role.LEAD) | Q(incident_role__can_review=True))
        .values_list("user__email", flat=True)
    )


# What changed, for the history

TEXT_FIELDS = ("description", "immediate_action", "outcome")


def _display(incident: Incident, name: str) -> str:
    value = getattr(incident, name)
    if value is None or value == "":
        return "—"
    field = cast(models.Field, Incident._meta.get_field(name))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%-d %b %Y")
    return str(value)


def _apply(incident: Incident, details: IncidentDetails) -> tuple[list[str], list[dict], dict]:
    """Set `details` on `incident`; the fields changed, their description for the history
    (free text only as "changed") and the earlier wording of changed free text."""
    wanted = {
        name: getattr(details, name)
        for name in (f.name for f in dataclasses.fields(details))
        if name not in ("forms", "categories")
    }
    for name in ("description", "immediate_action"):
        wanted[name] = (wanted[name] or "").strip() or None
    if wanted["reported_on"] is None:
        del wanted["reported_on"]
    for value, field in FORM_FIELDS.items():
        wanted[field] = value in details.forms
    for value, field in CATEGORY_FIELDS.items():
        wanted[field] = value in details.categories
    if not wanted["parents_informed"]:
        wanted["parents_informed_on"], wanted["parents_informed_how"] = None, ""
    wanted["classification"] = classify(
        details.stop_several_times, details.stop_on_purpose, details.stop_power_imbalance
    )
    changed, changes, previous = [], [], {}
    for name, value in wanted.items():
        if getattr(incident, name) == value:
            continue
        label = str(cast(models.Field, Incident._meta.get_field(name)).verbose_name)
        if name in TEXT_FIELDS:
            previous[name] = getattr(incident, name) or ""
            setattr(incident, name, value)
            changes.append({"field": label, "changed": True})
        else:
            before = _display(incident, name)
            setattr(incident, name, value)
            changes.append({"field": label, "from": before, "to": _display(incident, name)})
        changed.append(name)
    return changed, changes, previous


def _history(entry: HistoryEntry, changes: Sequence[dict] = (), previous: dict | None = None, note: str = ""):
    """Add what changed (and any earlier wording or reason, encrypted) to a history row."""
    entry = cast(IncidentEvent, entry)  # record_transition wrote it for an Incident
    entry.changes = list(changes)
    entry.previous_text = json.dumps(previous) if previous else None
    entry.private_note = note.strip() or None
    entry.save(update_fields=["changes", "previous_text", "private_note"])
    return entry


# Recording and editing


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


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def pupil_report_submit(
    *,
    link: ReportingLink,
    what_happened: str,
    where: str,
    when: str,
    who: str = "",
    name: str = "",
    class_name: str = "",
    submission_key: str = "",
) -> tuple[Incident, str]:
    """A pupil tells the school through its link. The report lands as a new incident for a
    reviewer to triage; the reviewers are told one arrived (never what it says). Returns
    the incident and the pupil's follow-up code (shown once, stored only as a hash).

    Nothing about the pupil's device or address is kept: no request goes to the audit trail."""
    link = ReportingLink.objects.select_for_update().select_related("organisation").get(pk=link.pk)
    if link.retired_at is not None:
        raise IncidentError("This link no longer works.")
    what_happened = (what_happened or "").strip()
    if not what_happened:
        raise IncidentError("Tell us what happened.")
    if len(what_happened) > MAX_MESSAGE:
        raise IncidentError(f"What happened must be {MAX_MESSAGE:,} characters or fewer.")
    if where not in Location.values or when not in PupilWhen.values:
        raise IncidentError("Choose where and when from the list.")
    who, name, class_name = (who or "").strip(), (name or "").strip(), (class_name or "").strip()
    if len(who) > 500 or len(name) > 100 or len(class_name) > 50:
        raise IncidentError("One of your answers is too long.")
    key = hash_token(submission_key) if submission_key else None
    if key and Incident.objects.filter(submission_key=key).exists():
        raise DuplicateSubmission("We already have this report.")
    organisation = link.organisation
    code = new_code()
    now = timezone.now()
    incident = Incident.objects.create(
        organisation=organisation,
        reference=_next_reference(organisation, timezone.localtime(now).year),
        reported_at=now,
        reported_by=ReportedBy.PUPIL,
        location=where,
        mode=Mode.ONLINE if where == Location.ONLINE else "",
        pupil_when=when,
        pupil_who=who or None,
        reporter_name=", ".join(part for part in (name, class_name) if part) or None,
        pupil_code_hash=hash_code(code),
        submission_key=key,
        last_pupil_message_at=now,
        status=Status.NEW,
    )
    PupilMessage.objects.create(incident=incident, sender=PupilMessage.Sender.PUPIL, body=what_happened, created_at=now)
    record_transition(incident, action=Action.REPORTED)
    email_after_commit(
        "incidents/email/pupil_report.txt",
        {"organisation": organisation, "incident": incident, "url": absolute_url(incident)},
        subject="A pupil has sent a report through your reporting link",
        to=reviewer_emails(organisation),
    )
    return incident, code


def incident_for_code(code: str) -> Incident | None:
    """The report a follow-up code belongs to, if it is still held."""
    if not code or len(code) > 40:
        return None
    return (
        Incident.objects.filter(pupil_code_hash=hash_code(code), anonymised_at__isnull=True)
        .select_related("organisation")
        .first()
    )


@transaction.atomic
def pupil_message_add(*, incident: Incident, body: str) -> PupilMessage:
    """The pupil, back with their code, adds more."""
    incident = _lock(incident)
    if incident.is_anonymised or incident.status == Status.CLOSED:
        raise IncidentError("This conversation has ended, so you cannot add to it.")
    body = (body or "").strip()
    if not body:
        raise IncidentError("Write what you want to add.")
    if len(body) > MAX_MESSAGE:
        raise IncidentError(f"Your message must be {MAX_MESSAGE:,} characters or fewer.")
    now = timezone.now()
    message = PupilMessage.objects.create(
        incident=incident, sender=PupilMessage.Sender.PUPIL, body=body, created_at=now
    )
    incident.last_pupil_message_at = now
    record_transition(incident, action=Action.PUPIL_ADDED, update_fields=("last_pupil_message_at",))
    email_after_commit(
        "incidents/email/pupil_added.txt",
        {"organisation": incident.organisation, "incident": incident, "url": absolute_url(incident)},
        subject=f"A pupil has added to report {incident.reference}",
        to=reviewer_emails(incident.organisation),
    )
    return message


@transaction.atomic
def pupil_reply(*, incident: Incident, by, body: str, request=None) -> PupilMessage:
    """A reviewer writes back to the pupil, who reads it with their code."""
    incident = _lock(incident)
    permissions.can_reply_to_pupil.require(by, incident, IncidentError)
    body = (body or "").strip()
    if not body:
        raise IncidentError("Enter your reply.")
    if len(body) > MAX_MESSAGE:
        raise IncidentError(f"Your reply must be {MAX_MESSAGE:,} characters or fewer.")
    message = PupilMessage.objects.create(incident=incident, sender=PupilMessage.Sender.SCHOOL, body=body, by=by)
    record_transition(incident, action=Action.REPLIED, by=by, request=request)
    return message


# The school's settings


@transaction.atomic
def incident_role_set(*, membership: Membership, by, can_record: bool, can_review: bool, request=None) -> IncidentRole:
    """The lead grants or takes away "records incidents" and "reviews incidents"."""
    membership = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    permissions.can_manage_incidents.require(by, membership.organisation, IncidentError)
    if membership.is_lead:
        raise IncidentError("The lead always records and reviews incidents.")
    role, _ = IncidentRole.objects.get_or_create(membership=membership)
    role.can_record, role.can_review, role.updated_by = can_record, can_review, by
    role.save()
    audit_record(
        "incidents.role_set",
        actor=by,
        target=membership,
        organisation=membership.organisation,
        request=request,
        person=membership.user.email,
        records=can_record,
        reviews=can_review,
    )
    return role


@transaction.atomic
def reporting_link_create(*, organisation, by, token: str | None = None, request=None) -> tuple[ReportingLink, str]:
    """A new secret link for pupils (192 random bits); the old one stops working. Returns
    the link and its token, which is never stored and cannot be shown again."""
    permissions.can_manage_incidents.require(by, organisation, IncidentError)
    now = timezone.now()
    retired = ReportingLink.objects.select_for_update().filter(organisation=organisation, retired_at__isnull=True)
    had_one = retired.update(retired_at=now) > 0
    token = token or secrets.token_urlsafe(24)
    link = ReportingLink.objects.create(organisation=organisation, token_hash=hash_token(token), created_by=by)
    audit_record(
        "incidents.reporting_link_rotated" if had_one else "incidents.reporting_link_created",
        actor=by,
        target=link,
        organisation=organisation,
        request=request,
    )
    return link, token


def active_link(organisation) -> ReportingLink | None:
    return ReportingLink.objects.filter(organisation=organisation, retired_at__isnull=True).first()


def link_for_token(token: str) -> ReportingLink | None:
    """The link a token opens (retired ones too, to say politely that they have stopped)."""
    if not token or len(token) > 100:
        return None
    return ReportingLink.objects.by_token(token).select_related("organisation").first()


# Retention


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    day = add_months(timezone.localtime(now).date(), -12 * settings.INCIDENT_RETENTION_YEARS)
    return start_of_day(day)


# The shortest retention PPP accepts: a year, so a record is there for the next year's
# reviews and for spotting a repeat target (12 months back). A shorter INCIDENT_RETENTION_YEARS
# (0 would anonymise every closed record at once, irreversibly) is refused.
RETENTION_MINIMUM_YEARS = 1


def check_retention_period() -> None:
    years = settings.INCIDENT_RETENTION_YEARS
    if years < RETENTION_MINIMUM_YEARS:
        raise IncidentError(
            f"INCIDENT_RETENTION_YEARS is {years}: it must be at least {RETENTION_MINIMUM_YEARS} "
            "(see docs/operations/settings.md). Nothing was anonymised."
        )


def due_for_retention(now: datetime.datetime | None = None):
    """Records closed (and still closed: a reopened record never is) before the cut-off."""
    return Incident.objects.filter(
        status=Status.CLOSED, closed_at__lt=retention_cutoff(now), anonymised_at__isnull=True
    )


def apply_retention(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Anonymise every record closed more than INCIDENT_RETENTION_YEARS ago: descriptions,
    actions, outcomes, notes, messages, pupil references and follow-up codes go; what the
    figures count stays (school, dates, where, forms, categories, STOP result, year groups,
    roles, SEND, repeat). Run it again and nothing changes. Returns how many it anonymised.
    A record that is not closed now (reopened after closing) is never anonymised."""
    check_retention_period()
    cutoff = retention_cutoff(now)
    total = 0
    while True:
        with transaction.atomic():
            incidents = list(due_for_retention(now).select_for_update(skip_locked=True).order_by("pk")[:batch])
            if not incidents:
                break
            ids = [i.pk for i in incidents]
            Involvement.objects.filter(incident_id__in=ids).update(pupil_reference=None, pupil_index="")
            PupilMessage.objects.filter(incident_id__in=ids).update(body=None)
            IncidentNote.objects.filter(incident_id__in=ids).update(body=None)
            IncidentEvent.objects.filter(incident_id__in=ids).update(previous_text=None, private_note=None)
            stamp = timezone.now()
            for incident in incidents:
                for name in ("description", "immediate_action", "outcome", "pupil_who", "reporter_name"):
                    setattr(incident, name, None)
                incident.pupil_code_hash = incident.submission_key = None
                incident.anonymised_at = stamp
                record_transition(
                    incident,
                    action=Action.ANONYMISED,
                    update_fields=(
                        "description",
                        "immediate_action",
                        "outcome",
                        "pupil_who",
                        "reporter_name",
                        "pupil_code_hash",
                        "submission_key",
                        "anonymised_at",
                    ),
                )
            total += len(incidents)
    if total:
        audit_record(
            "incidents.retention_applied",
            anonymised=total,
            retention_years=settings.INCIDENT_RETENTION_YEARS,
            closed_before=cutoff.date().isoformat(),
        )
    return total


# Administrators' data fixes (there is no admin for incidents)

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
