"""Visits: part of `accreditation.services` (see its docstring)."""

import datetime

from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import User
from ppp.history import record_transition
from ppp.links import absolute_url

from .. import permissions as can
from ..models import (
    Application,
    Visit,
    VisitEvent,
)
from ._base import A, S, WorkflowError, _lock, _move, _touch
from .emails import _notify, lead_emails, officer_emails


def _check_visit_time(starts_at: datetime.datetime, *, past_allowed: bool = False) -> None:
    now = timezone.now()
    if not past_allowed and starts_at <= now:
        raise WorkflowError("A visit must be scheduled in the future.")
    if starts_at > now + datetime.timedelta(days=730):
        raise WorkflowError("A visit must be within the next two years.")


@transaction.atomic
def visit_request(
    *, application: Application, by: User, kind: str, mode: str, preferred: list[datetime.datetime], note: str = ""
) -> Visit:
    """The lead offers two or three dates for a visit; the officer confirms one."""
    application = _lock(application)
    can.can_request_visit.require(by, application, WorkflowError)
    preferred = sorted({d for d in preferred if d})
    if len(preferred) < 2:
        raise WorkflowError("Offer at least two dates and times, so your officer can pick one.")
    if any(d <= timezone.now() for d in preferred):
        raise WorkflowError("The dates you offer must be in the future.")
    if any(d > timezone.now() + datetime.timedelta(days=730) for d in preferred):
        raise WorkflowError("The dates you offer must be within the next two years.")
    visit = Visit.objects.create(
        application=application,
        kind=kind,
        mode=mode,
        status=Visit.Status.REQUESTED,
        preferred_1=preferred[0],
        preferred_2=preferred[1],
        preferred_3=preferred[2] if len(preferred) > 2 else None,
        attendees=note,
    )
    record_transition(visit, action=VisitEvent.Action.REQUESTED, by=by, note=note)
    _touch(application)
    _notify(
        officer_emails(application),
        f"{application.organisation} has offered dates for a visit",
        "visit_requested",
        visit=visit,
        url=absolute_url(visit),
    )
    return visit


@transaction.atomic
def visit_schedule(
    *,
    application: Application,
    by: User,
    kind: str,
    mode: str,
    starts_at: datetime.datetime,
    location: str = "",
    attendees: str = "",
    duration_minutes: int = 90,
    visit: Visit | None = None,
    reason: str = "",
) -> Visit:
    """The officer books a visit, or confirms one the school asked for, or moves a booked
    visit to another time (with a reason, which the school is told)."""
    application = _lock(application)  # the application first, then the visit
    can.can_book_visit.require(by, application, WorkflowError)
    _check_visit_time(starts_at)
    if visit is None:
        visit = Visit(application=application)
        action = VisitEvent.Action.BOOKED
    else:
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        can.can_confirm_visit.require(by, visit, WorkflowError)
        action = VisitEvent.Action.CONFIRMED if visit.status == Visit.Status.REQUESTED else VisitEvent.Action.MOVED
    moved = visit.status == Visit.Status.SCHEDULED and visit.starts_at is not None and visit.starts_at != starts_at
    note = ""
    if moved:
        if not reason.strip():
            raise WorkflowError("Give the reason for moving the visit: the school will be told.")
        old = timezone.localtime(visit.starts_at).strftime("%-d %b %Y %H:%M")
        note = f"Moved from {old}. {reason.strip()}"
    elif action == VisitEvent.Action.MOVED:
        action = VisitEvent.Action.BOOKED  # details changed, same time
    visit.kind, visit.mode, visit.starts_at = kind, mode, starts_at
    visit.location, visit.duration_minutes = location, duration_minutes
    if attendees:
        visit.attendees = attendees
    visit.save()
    record_transition(visit, Visit.Status.SCHEDULED, action=action, by=by, note=note)
    _touch(application)
    _notify(
        lead_emails(application),
        f"{visit.get_kind_display().lower()} {'moved to' if moved else 'booked for'} "
        f"{timezone.localtime(starts_at):%A %-d %B %Y at %H:%M}",
        "visit_booked",
        visit=visit,
        moved=moved,
        reason=reason.strip(),
        url=absolute_url(visit),
    )
    return visit


@transaction.atomic
def visit_record_past(
    *,
    application: Application,
    by: User,
    kind: str,
    mode: str,
    starts_at: datetime.datetime,
    report: str,
    location: str = "",
    attendees: str = "",
    duration_minutes: int = 90,
    notes: str = "",
    outcome: str = "",
) -> Visit:
    """A visit that already happened (booked by phone, say) is recorded in one go."""
    application = _lock(application)
    can.can_book_visit.require(by, application, WorkflowError)
    if starts_at > timezone.now():
        raise WorkflowError("This visit has not happened yet: book it instead.")
    if starts_at < timezone.now() - datetime.timedelta(days=365):
        raise WorkflowError("A visit recorded afterwards must be within the last year.")
    visit = Visit.objects.create(
        application=application,
        kind=kind,
        mode=mode,
        status=Visit.Status.SCHEDULED,
        starts_at=starts_at,
        location=location,
        attendees=attendees,
        duration_minutes=duration_minutes,
    )
    record_transition(visit, action=VisitEvent.Action.BOOKED, by=by, note="Recorded after the visit.")
    return _complete(application, visit, by=by, notes=notes, outcome=outcome, report=report)


@transaction.atomic
def visit_complete(
    *,
    visit: Visit,
    by: User,
    notes: str = "",
    outcome: str = "",
    report: str = "",
    happened_at: datetime.datetime | None = None,
) -> Visit:
    """The officer records the visit; the initial visit moves the application to planning.

    `happened_at` is when the visit really took place, if not when it was booked (a visit
    brought forward, say): it must be past, and the visit's date is corrected with a note."""
    application = _lock(visit.application)  # the application first, then the visit
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    can.can_record_visit.require(by, visit, WorkflowError)
    happened_at = happened_at or visit.starts_at
    if happened_at and happened_at > timezone.now():
        raise WorkflowError(
            "This visit has not happened yet. If it took place on another day, enter that date and time."
        )
    if (
        happened_at
        and visit.starts_at
        and happened_at.replace(second=0, microsecond=0) != visit.starts_at.replace(second=0, microsecond=0)
    ):
        if happened_at < timezone.now() - datetime.timedelta(days=365):
            raise WorkflowError("A visit recorded on another day must be within the last year.")
        booked = timezone.localtime(visit.starts_at).strftime("%-d %b %Y %H:%M")
        visit.starts_at = happened_at
        visit.save(update_fields=["starts_at"])
        record_transition(
            visit,
            action=VisitEvent.Action.MOVED,
            by=by,
            note=f"Happened on {timezone.localtime(happened_at):%-d %b %Y %H:%M} (booked for {booked}).",
        )
    return _complete(application, visit, by=by, notes=notes, outcome=outcome, report=report)


def _complete(application: Application, visit: Visit, *, by: User, notes: str, outcome: str, report: str) -> Visit:
    if not report.strip():
        raise WorkflowError("Write a short report for the school.")
    visit.notes, visit.outcome, visit.report = notes, outcome, report
    visit.completed_at = timezone.now()
    record_transition(
        visit,
        Visit.Status.COMPLETED,
        action=VisitEvent.Action.RECORDED,
        by=by,
        update_fields=("notes", "outcome", "report", "completed_at"),
    )
    if visit.kind == Visit.Kind.INITIAL and application.status == S.APPLIED:
        _move(application, S.PLANNING, action=A.PLANNING, by=by, note="Initial visit and guided planning done.")
    else:
        _touch(application)
    _notify(
        lead_emails(application), "your visit report is ready", "visit_recorded", visit=visit, url=absolute_url(visit)
    )
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, by: User, reason: str) -> Visit:
    application = _lock(visit.application)  # the application first, then the visit
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    can.can_cancel_visit.require(by, visit, WorkflowError)
    if not reason.strip():
        raise WorkflowError("Give a reason for cancelling.")
    visit.cancelled_reason = reason.strip()
    record_transition(
        visit,
        Visit.Status.CANCELLED,
        action=VisitEvent.Action.CANCELLED,
        by=by,
        note=reason.strip(),
        update_fields=("cancelled_reason",),
    )
    _touch(application)
    others = officer_emails(application) if not by.is_officer else lead_emails(application)
    _notify(
        others, f"{visit.get_kind_display().lower()} cancelled", "visit_cancelled", visit=visit, reason=reason.strip()
    )
    return visit
