"""What every part shares: part of `incidents.services` (see its docstring)."""

import dataclasses
import datetime
import json
import re
from collections.abc import Sequence
from typing import cast

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ppp.accounts.models import Membership
from ppp.errors import DomainError
from ppp.history import HistoryEntry

from ..models import (
    CATEGORY_FIELDS,
    FORM_FIELDS,
    Category,
    Classification,
    Form,
    Incident,
    IncidentEvent,
    InformedHow,
    Location,
    Mode,
    ReferenceCounter,
    ReportedBy,
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
