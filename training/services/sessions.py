"""The sessions officers run: part of `training.services` (see its docstring)."""

import datetime
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.formats import date_format

from ppp.accounts.models import User
from ppp.history import record_transition
from ppp.mail import queue_link_email

from .. import counts, permissions
from ..models import (
    Booking,
    BookingEvent,
    Charge,
    ChargeEvent,
    Course,
    CourseSession,
    Evaluation,
    SessionEvent,
)
from ._base import TrainingError, _confirmed_count, _lock_session
from .bookings import _fill_places
from .emails import _booking_context, _email_booking


def _require_officer(by: User, session: CourseSession | None = None) -> None:
    if not permissions.can_manage_session(by, session):
        raise TrainingError("Only a council officer can manage training sessions.")


# What an officer sets on a session: session_create's and session_update's keywords (the
# admin's form passes these).
SESSION_FIELDS = (
    "course",
    "starts_at",
    "ends_at",
    "mode",
    "venue",
    "venue_address",
    "joining_link",
    "capacity",
    "minimum_numbers",
    "trainer",
    "booking_deadline",
    "notes",
)


def check_session(session: CourseSession) -> None:
    if session.ends_at <= session.starts_at:
        raise TrainingError("The session must end after it starts.")
    if session.booking_deadline > session.starts_at:
        raise TrainingError("The booking deadline must be before the session starts.")
    if session.minimum_numbers > session.capacity:
        raise TrainingError("The minimum numbers cannot be more than the capacity.")
    if session.mode == CourseSession.Mode.ONLINE and not session.joining_link:
        raise TrainingError("Enter the joining link for an online session.")


@transaction.atomic
def session_create(
    *,
    by: User,
    course: Course,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int,
    mode: str = CourseSession.Mode.IN_PERSON,
    venue: str = "",
    venue_address: str = "",
    joining_link: str = "",
    minimum_numbers: int = 0,
    trainer: str = "",
    booking_deadline: datetime.datetime | None = None,
    notes: str = "",
) -> CourseSession:
    """Schedule a session (officers, in the admin). Bookings close two days before it
    starts unless `booking_deadline` says otherwise."""
    _require_officer(by)
    session = CourseSession(
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        mode=mode,
        venue=venue,
        venue_address=venue_address,
        joining_link=joining_link,
        minimum_numbers=minimum_numbers,
        trainer=trainer,
        booking_deadline=booking_deadline or starts_at - datetime.timedelta(days=2),
        notes=notes,
    )
    check_session(session)
    session.save()
    record_transition(session, action=SessionEvent.Action.SCHEDULED, by=by)
    counts.follow(None, session.pk)
    return session


@transaction.atomic
def session_update(
    *,
    session: CourseSession,
    by: User,
    request=None,
    course: Course | None = None,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    capacity: int | None = None,
    mode: str | None = None,
    venue: str | None = None,
    venue_address: str | None = None,
    joining_link: str | None = None,
    minimum_numbers: int | None = None,
    trainer: str | None = None,
    booking_deadline: datetime.datetime | None = None,
    notes: str | None = None,
) -> CourseSession:
    """Change a scheduled session's details: each one given (not None; no detail of a
    session can be empty of a value) replaces the session's, the rest stay. Capacity never
    drops below the places already confirmed; extra capacity goes to the waiting list first."""
    given = {
        "course": course,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": capacity,
        "mode": mode,
        "venue": venue,
        "venue_address": venue_address,
        "joining_link": joining_link,
        "minimum_numbers": minimum_numbers,
        "trainer": trainer,
        "booking_deadline": booking_deadline,
        "notes": notes,
    }
    fields = {name: value for name, value in given.items() if value is not None}
    _require_officer(by, session)
    locked = _lock_session(session)
    if locked.status != CourseSession.Status.SCHEDULED:
        raise TrainingError(f"This session is {locked.get_status_display().lower()}: it can no longer be changed.")
    old_capacity = locked.capacity
    changed = [name for name, value in fields.items() if getattr(locked, name) != value]
    for name, value in fields.items():
        setattr(locked, name, value)
    check_session(locked)
    confirmed = _confirmed_count(locked)
    if locked.capacity < confirmed:
        raise TrainingError(
            f"Capacity cannot be less than the {confirmed} place{'s' if confirmed != 1 else ''} already confirmed. "
            "Cancel places first if the room is smaller."
        )
    if not changed:
        return locked
    before = counts.share(locked.pk)
    note = ""
    if "capacity" in changed:
        note = f"Capacity {old_capacity} → {locked.capacity}"
    record_transition(
        locked,
        action=SessionEvent.Action.CAPACITY if changed == ["capacity"] else SessionEvent.Action.CHANGED,
        by=by,
        note=note
        or "Changed: " + ", ".join(str(cast(Field, CourseSession._meta.get_field(n)).verbose_name) for n in changed),
        request=request,
        update_fields=tuple(changed),
    )
    if locked.capacity > old_capacity:
        _fill_places(locked, by=by)
    counts.follow(before, locked.pk)
    return locked


@transaction.atomic
def session_confirm_go_ahead(*, session: CourseSession, by: User, request=None) -> CourseSession:
    """The officer confirms a session below its minimum numbers still runs."""
    _require_officer(by, session)
    session = _lock_session(session)
    if session.status != CourseSession.Status.SCHEDULED:
        raise TrainingError("Only a scheduled session can be confirmed to go ahead.")
    session.go_ahead_confirmed_at = timezone.now()
    record_transition(
        session, action=SessionEvent.Action.GO_AHEAD, by=by, request=request, update_fields=("go_ahead_confirmed_at",)
    )
    return session


@transaction.atomic
def session_cancel(*, session: CourseSession, by: User, reason: str, request=None) -> CourseSession:
    """Cancel a session: every place is cancelled (not charged) and everyone booked is emailed."""
    _require_officer(by, session)
    session = _lock_session(session)
    if not permissions.can_cancel_session(by, session):
        raise TrainingError(f"This session is {session.get_status_display().lower()}: it cannot be cancelled.")
    reason = reason.strip()
    if not reason:
        raise TrainingError("Enter why the session is cancelled: everyone booked is told.")
    before = counts.share(session.pk)
    session.cancellation_reason = reason
    record_transition(
        session,
        CourseSession.Status.CANCELLED,
        action=SessionEvent.Action.CANCELLED,
        by=by,
        note=reason,
        request=request,
        update_fields=("cancellation_reason",),
    )
    now = timezone.now()
    bookings = session.bookings.select_for_update().active().select_related("booked_by", "organisation")
    for booking in bookings:
        booking.session = session
        was_confirmed = booking.status == Booking.Status.CONFIRMED
        booking.cancelled_at = now
        record_transition(
            booking,
            Booking.Status.CANCELLED,
            action=BookingEvent.Action.SESSION_CANCELLED,
            by=by,
            note=reason,
            update_fields=("cancelled_at",),
            organisation=booking.organisation,
        )
        _email_booking(
            booking,
            "session_cancelled",
            f"Cancelled: {session.course.title} on {date_format(timezone.localtime(session.starts_at), 'j F Y')}",
            calendar="cancel" if was_confirmed else None,
        )
    counts.follow(before, session.pk)
    return session


@transaction.atomic
def attendance_record(*, session: CourseSession, marks: dict[str, str], by: User, request=None) -> int:
    """Record attended / absent for confirmed places (`marks`: booking public id → value).
    Returns how many changed."""
    _require_officer(by, session)
    session = _lock_session(session)
    if not permissions.can_record_attendance(by, session):
        raise TrainingError("Attendance cannot be recorded for a cancelled session.")
    if not session.has_started:
        raise TrainingError("Attendance can be recorded once the session has started.")
    allowed = {Booking.Attendance.ATTENDED, Booking.Attendance.ABSENT, Booking.Attendance.NOT_RECORDED}
    if any(value not in allowed for value in marks.values()):
        raise TrainingError("Select attended or absent for each attendee.")
    bookings = session.bookings.select_for_update().confirmed().select_related("organisation")
    before = counts.share(session.pk)
    changed = 0
    for booking in bookings:
        value = marks.get(str(booking.public_id))
        if value is None or value == booking.attendance:
            continue
        booking.attendance = value
        booking.session = session
        record_transition(
            booking,
            action=BookingEvent.Action.ATTENDANCE,
            by=by,
            note=Booking.Attendance(value).label,
            update_fields=("attendance",),
            organisation=booking.organisation,
        )
        changed += 1
    if changed:
        record_transition(
            session, action=SessionEvent.Action.ATTENDANCE, by=by, note=f"{changed} changed", request=request
        )
        counts.follow(before, session.pk)
    return changed


@transaction.atomic
def session_complete(*, session: CourseSession, by: User, request=None) -> CourseSession:
    """Close the register: raise each organisation's charge and send attendees their
    evaluation links. Every confirmed place needs its attendance first."""
    _require_officer(by, session)
    session = _lock_session(session)
    if not permissions.can_complete_session(by, session):
        if session.status != CourseSession.Status.SCHEDULED:
            raise TrainingError(f"This session is already {session.get_status_display().lower()}.")
        raise TrainingError("A session can be completed once it has started.")
    bookings = list(session.bookings.select_for_update().select_related("organisation", "booked_by"))
    missing = sum(
        1 for b in bookings if b.status == Booking.Status.CONFIRMED and b.attendance == Booking.Attendance.NOT_RECORDED
    )
    if missing:
        raise TrainingError(f"Record attendance for everyone with a confirmed place first: {missing} not recorded yet.")
    record_transition(
        session, CourseSession.Status.COMPLETED, action=SessionEvent.Action.COMPLETED, by=by, request=request
    )
    _raise_charges(session, bookings, by=by)
    for booking in bookings:
        if booking.status == Booking.Status.CONFIRMED and booking.attendance == Booking.Attendance.ATTENDED:
            booking.session = session
            _send_evaluation(booking)
    return session


def _raise_charges(session: CourseSession, bookings: list[Booking], *, by: User) -> list[Charge]:
    totals: dict[int, dict] = {}
    for booking in bookings:
        if not booking.is_chargeable:
            continue
        row = totals.setdefault(
            booking.organisation_id,
            {"organisation": booking.organisation, "places": 0, "no_shows": 0, "late": 0, "amount": Decimal("0")},
        )
        if booking.status == Booking.Status.CONFIRMED:
            row["places"] += 1
            row["no_shows"] += booking.attendance == Booking.Attendance.ABSENT
        else:
            row["late"] += 1
        row["amount"] += booking.price
    charges = []
    for row in totals.values():
        charge = Charge.objects.create(
            organisation=row["organisation"],
            session=session,
            places=row["places"],
            no_shows=row["no_shows"],
            late_cancellations=row["late"],
            amount=row["amount"],
        )
        record_transition(charge, action=ChargeEvent.Action.RAISED, by=by, organisation=row["organisation"])
        charges.append(charge)
    return charges


def evaluation_subject(booking: Booking) -> str:
    return f"How useful was {booking.session.course.title}? Tell us in two minutes"


def evaluation_email_context(booking: Booking, url: str) -> dict:
    return {**_booking_context(booking), "url": url}


def _send_evaluation(booking: Booking) -> Evaluation:
    """The attendee's private evaluation link, made when the email is sent (training/tasks.py)."""
    evaluation = Evaluation(booking=booking)
    evaluation.set_new_token()  # nobody knows this one: the emailed link replaces it
    evaluation.save()
    queue_link_email(
        "training.evaluation",
        to=[booking.attendee_email],
        subject=evaluation_subject(booking),
        params={"evaluation_id": evaluation.pk},
    )
    return evaluation
