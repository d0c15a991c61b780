"""Every write in training that has a rule. Keyword-only, typed, atomic; each refuses
with a `TrainingError` a person can act on, locks the session before its bookings
(parent first, everywhere), writes history through `record_transition` and sends mail
once the transaction commits."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models import Field, Q
from django.utils import timezone
from django.utils.formats import date_format

from ppp.accounts.models import Organisation, User
from ppp.audit.services import audit_record
from ppp.errors import DomainError
from ppp.history import record_transition
from ppp.links import absolute_url
from ppp.mail import email_after_commit, queue_link_email
from ppp.tasks import defer

from . import permissions
from .calendar import session_invitation
from .models import (
    Booking,
    BookingEvent,
    CertificateBatch,
    Charge,
    ChargeEvent,
    Course,
    CourseSession,
    Evaluation,
    SessionEvent,
    TrainingAccount,
)


class TrainingError(DomainError):
    """A training rule was broken; the message says which."""


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str
    role: str

    def normalised(self) -> "Attendee":
        return Attendee(name=" ".join(self.name.split()), email=self.email.strip().lower(), role=self.role)


def when(session: CourseSession) -> str:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{date_format(start, 'l j F Y')}, {date_format(start, 'g:i a')} to {date_format(end, 'g:i a')}"


def _lock_session(session: CourseSession) -> CourseSession:
    return CourseSession.objects.select_for_update().select_related("course").get(pk=session.pk)


def _lock_booking(booking: Booking) -> tuple[CourseSession, Booking]:
    """The session first, then the booking: parent first, as everywhere."""
    session = _lock_session(booking.session)
    booking = Booking.objects.select_for_update().select_related("organisation", "booked_by").get(pk=booking.pk)
    booking.session = session
    return session, booking


def _confirmed_count(session: CourseSession) -> int:
    return session.bookings.filter(status=Booking.Status.CONFIRMED).count()


def notice_ends(session: CourseSession) -> datetime.datetime:
    """Cancellations after this are chargeable."""
    return session.starts_at - datetime.timedelta(days=settings.TRAINING_NOTICE_DAYS)


def is_late(session: CourseSession, at: datetime.datetime | None = None) -> bool:
    return (at or timezone.now()) >= notice_ends(session)


# ---------------------------------------------------------------- email


def _booking_context(booking: Booking) -> dict:
    return {
        "booking": booking,
        "session": booking.session,
        "course": booking.session.course,
        "when": when(booking.session),
        "session_url": absolute_url(booking.session),
        "booking_url": absolute_url(booking),
        "notice_days": settings.TRAINING_NOTICE_DAYS,
        "notice_ends": timezone.localtime(notice_ends(booking.session)),
    }


def _email_booking(booking: Booking, template: str, subject: str, *, calendar: str | None = None) -> None:
    """Email the attendee, with a copy to the person who booked."""
    attachments = None
    if calendar == "confirm":
        attachments = [session_invitation(booking.session, with_link=True, attendee=booking.attendee_email)]
    elif calendar == "cancel":
        attachments = [
            session_invitation(booking.session, with_link=False, cancelled=True, attendee=booking.attendee_email)
        ]
    to = [booking.attendee_email, booking.booked_by.email]
    email_after_commit(
        f"training/email/{template}.txt", _booking_context(booking), subject=subject, to=to, attachments=attachments
    )


def _email_confirmed(booking: Booking, *, promoted: bool = False) -> None:
    title = booking.session.course.title
    subject = (
        f"A place has come up: {booking.attendee_name} is booked on {title}"
        if promoted
        else f"Booking confirmed: {booking.attendee_name} on {title}"
    )
    _email_booking(booking, "promoted" if promoted else "confirmed", subject, calendar="confirm")


def _email_waitlisted(booking: Booking) -> None:
    _email_booking(
        booking,
        "waitlisted",
        f"On the waiting list: {booking.attendee_name} for {booking.session.course.title}",
    )


# ---------------------------------------------------------------- bookings


@transaction.atomic
def booking_create(
    *, session: CourseSession, organisation: Organisation, attendees: list[Attendee], by: User, request=None
) -> list[Booking]:
    """Book a place for each attendee: confirmed while places remain, then waitlisted.

    The session row is locked first, so concurrent bookings queue here and the count
    of confirmed places is never read stale: capacity holds under load."""
    session = _lock_session(session)
    if not permissions.can_book_for(by, organisation):
        raise TrainingError(f"Only staff of {organisation} can book places for it.")
    if session.status == CourseSession.Status.CANCELLED:
        raise TrainingError("This session has been cancelled. Choose another date for the course.")
    if session.status == CourseSession.Status.COMPLETED or session.has_started:
        raise TrainingError("This session has already taken place. Choose another date for the course.")
    if timezone.now() >= session.booking_deadline:
        closed = timezone.localtime(session.booking_deadline)
        raise TrainingError(
            f"Bookings for this session closed on {date_format(closed, 'j F Y')} at {date_format(closed, 'g:i a')}."
        )
    attendees = [attendee.normalised() for attendee in attendees]
    if not attendees:
        raise TrainingError("Enter at least one attendee.")
    emails = [attendee.email for attendee in attendees]
    repeated = sorted({email for email in emails if emails.count(email) > 1})
    if repeated:
        raise TrainingError(f"You have entered {repeated[0]} more than once. Each attendee needs their own email.")
    already = (
        session.bookings.active()
        .filter(Q(*[Q(attendee_email__iexact=email) for email in emails], _connector=Q.OR))
        .order_by("attendee_email")
        .first()
    )
    if already is not None:
        place = "is on the waiting list" if already.status == Booking.Status.WAITLISTED else "already has a place"
        raise TrainingError(f"{already.attendee_name} ({already.attendee_email}) {place} on this session.")
    if any(attendee.role not in Booking.Role.values for attendee in attendees):
        raise TrainingError("Select each attendee's role.")
    price = session.course.price_for(organisation)
    confirmed = _confirmed_count(session)
    bookings = []
    for attendee in attendees:
        full = confirmed >= session.capacity
        booking = Booking.objects.create(
            session=session,
            organisation=organisation,
            attendee_name=attendee.name,
            attendee_email=attendee.email,
            attendee_role=attendee.role,
            booked_by=by,
            price=price,
            status=Booking.Status.WAITLISTED if full else Booking.Status.CONFIRMED,
        )
        record_transition(
            booking,
            action=BookingEvent.Action.WAITLISTED if full else BookingEvent.Action.BOOKED,
            by=by,
            request=request,
            organisation=organisation,
        )
        if full:
            _email_waitlisted(booking)
        else:
            confirmed += 1
            _email_confirmed(booking)
        bookings.append(booking)
    return bookings


def _fill_places(session: CourseSession, *, by: User | None) -> list[Booking]:
    """Move the first waitlisted bookings to confirmed places while places are free.
    The caller holds the session's lock."""
    free = session.capacity - _confirmed_count(session)
    promoted: list[Booking] = []
    if free <= 0:
        return promoted
    waiting = (
        session.bookings.select_for_update()
        .filter(status=Booking.Status.WAITLISTED)
        .select_related("booked_by", "organisation")
        .order_by("created_at", "pk")[:free]
    )
    for booking in waiting:
        booking.session = session
        record_transition(
            booking,
            Booking.Status.CONFIRMED,
            action=BookingEvent.Action.PROMOTED,
            by=by,
            organisation=booking.organisation,
        )
        _email_confirmed(booking, promoted=True)
        promoted.append(booking)
    return promoted


@transaction.atomic
def booking_cancel(*, booking: Booking, by: User, reason: str = "", request=None) -> Booking:
    """Cancel a place. A confirmed place cancelled inside the notice period is still
    charged; a confirmed place freed goes to the first on the waiting list."""
    session, booking = _lock_booking(booking)
    if booking.status == Booking.Status.CANCELLED:
        raise TrainingError("This place has already been cancelled.")
    if not permissions.can_cancel_booking(by, booking):
        raise TrainingError("This place can no longer be cancelled: the session has started or is closed.")
    was_confirmed = booking.status == Booking.Status.CONFIRMED
    booking.late_cancellation = was_confirmed and is_late(session)
    booking.cancelled_at = timezone.now()
    record_transition(
        booking,
        Booking.Status.CANCELLED,
        action=BookingEvent.Action.LATE_CANCELLED if booking.late_cancellation else BookingEvent.Action.CANCELLED,
        by=by,
        note=reason.strip(),
        request=request,
        update_fields=("late_cancellation", "cancelled_at"),
        organisation=booking.organisation,
    )
    _email_booking(
        booking,
        "cancelled",
        f"Place cancelled: {booking.attendee_name} on {session.course.title}",
        calendar="cancel" if was_confirmed else None,
    )
    if was_confirmed:
        _fill_places(session, by=by)
    return booking


@transaction.atomic
def booking_substitute(*, booking: Booking, attendee: Attendee, by: User, request=None) -> Booking:
    """Name someone else from the same organisation for the place (or waiting-list spot)."""
    session, booking = _lock_booking(booking)
    if not permissions.can_substitute_booking(by, booking):
        raise TrainingError("The attendee can no longer be changed: the place is cancelled or the session has started.")
    attendee = attendee.normalised()
    if attendee.role not in Booking.Role.values:
        raise TrainingError("Select the new attendee's role.")
    if attendee.email == booking.attendee_email.lower():
        raise TrainingError(f"{booking.attendee_name} is already the attendee. Enter the new attendee's details.")
    if session.bookings.active().filter(attendee_email__iexact=attendee.email).exclude(pk=booking.pk).exists():
        raise TrainingError(f"{attendee.email} is already booked on this session.")
    before = f"{booking.attendee_name} ({booking.attendee_email})"
    booking.attendee_name, booking.attendee_email, booking.attendee_role = attendee.name, attendee.email, attendee.role
    record_transition(
        booking,
        action=BookingEvent.Action.SUBSTITUTED,
        by=by,
        note=f"{before} replaced by {attendee.name} ({attendee.email})",
        request=request,
        update_fields=("attendee_name", "attendee_email", "attendee_role"),
        organisation=booking.organisation,
    )
    if booking.status == Booking.Status.CONFIRMED:
        _email_booking(
            booking,
            "substituted",
            f"Booking confirmed: {booking.attendee_name} on {session.course.title}",
            calendar="confirm",
        )
    else:
        _email_waitlisted(booking)
    return booking


# ---------------------------------------------------------------- the sessions officers run


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


# ---------------------------------------------------------------- certificates


@transaction.atomic
def certificates_request(*, session: CourseSession, by: User, request=None) -> CertificateBatch:
    """Queue certificates of attendance for everyone who attended; the task worker
    issues them (`training.tasks.issue_session_certificates`). Asking again while a
    batch is under way returns that batch."""
    from .tasks import issue_session_certificates

    _require_officer(by, session)
    session = _lock_session(session)
    if not permissions.can_issue_certificates(by, session):
        raise TrainingError("Complete the session (attendance recorded) before issuing certificates.")
    under_way = session.certificate_batches.filter(
        status__in=[CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING]
    ).first()
    if under_way:
        return under_way
    total = session.bookings.confirmed().filter(attendance=Booking.Attendance.ATTENDED).count()
    if not total:
        raise TrainingError("No one is marked as attended, so there are no certificates to issue.")
    batch = CertificateBatch.objects.create(session=session, requested_by=by, total=total)
    audit_record("certificatebatch.request", actor=by, target=batch, request=request, total=total)
    defer(issue_session_certificates, batch_id=batch.pk)  # saved with the batch: both or neither
    return batch


def _lock_batch(batch: CertificateBatch) -> CertificateBatch:
    """The session first, then the batch: parent first, as everywhere."""
    _lock_session(batch.session)
    return CertificateBatch.objects.select_for_update().select_related("session__course").get(pk=batch.pk)


@transaction.atomic
def certificates_batch_retry(*, batch: CertificateBatch, by: User, request=None) -> CertificateBatch:
    """Start a failed, cancelled or stuck batch again: it carries on after the last place
    it did (nothing is issued twice) with a fresh set of tries."""
    from .tasks import issue_session_certificates

    _require_officer(by, batch.session)
    batch = _lock_batch(batch)
    if batch.status == CertificateBatch.Status.DONE:
        raise TrainingError("This batch has finished: every certificate is issued.")
    if batch.status in (CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING) and not batch.is_stuck:
        raise TrainingError("This batch is moving: wait for it to finish, or cancel it.")
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status=CertificateBatch.Status.QUEUED, attempts=0, error="", finished_at=None, heartbeat_at=timezone.now()
    )
    audit_record("certificatebatch.retry", actor=by, target=batch, request=request, done=batch.done_count)
    defer(issue_session_certificates, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def certificates_batch_cancel(*, batch: CertificateBatch, by: User, request=None) -> CertificateBatch:
    """Stop a batch under way: the certificates issued so far stay; the worker stops
    before the next one."""
    _require_officer(by, batch.session)
    batch = _lock_batch(batch)
    if batch.is_finished:
        raise TrainingError(f"This batch is {batch.get_status_display().lower()} already.")
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status=CertificateBatch.Status.CANCELLED, finished_at=timezone.now()
    )
    audit_record("certificatebatch.cancel", actor=by, target=batch, request=request, done=batch.done_count)
    batch.refresh_from_db()
    return batch


def certificate_for_booking(booking: Booking, *, by: User):
    """Issue (or find) the attendance certificate for one attended place."""
    from ppp.certificates.models import IssuedCertificate
    from ppp.certificates.services import certificate_for, certificate_issue

    existing = certificate_for(booking)
    if existing:
        return existing, False
    session = booking.session
    certificate = certificate_issue(
        source=booking,
        kind=IssuedCertificate.Kind.TRAINING,
        holder=booking.attendee_name,
        title=f"{session.course.title} – SEND Support training",
        valid_from=timezone.localtime(session.starts_at).date(),
        organisation=booking.organisation,
        by=by,
    )
    record_transition(
        booking, action=BookingEvent.Action.CERTIFICATE, by=by, note=certificate.code, organisation=booking.organisation
    )
    return certificate, True


# ---------------------------------------------------------------- evaluations


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, usefulness: int, will_change: str, comments: str) -> Evaluation:
    """The attendee's answers, once, through their private link."""
    evaluation = Evaluation.objects.select_for_update().select_related("booking__session").get(pk=evaluation.pk)
    if evaluation.submitted_at:
        raise TrainingError("You have already sent your evaluation. Thank you.")
    if not evaluation.is_open:
        raise TrainingError("This evaluation link has expired.")
    if usefulness not in Evaluation.Usefulness.values:
        raise TrainingError("Select how useful the session was.")
    evaluation.usefulness = usefulness
    evaluation.will_change = will_change.strip()
    evaluation.comments = comments.strip()
    evaluation.submitted_at = timezone.now()
    evaluation.save(update_fields=["usefulness", "will_change", "comments", "submitted_at"])
    audit_record("evaluation.submit", target=evaluation, organisation=evaluation.booking.organisation)
    return evaluation


# ---------------------------------------------------------------- charges and accounts


CHARGE_STEPS: dict[str, tuple[set[str], str]] = {
    Charge.Status.INVOICED: ({Charge.Status.NOT_INVOICED}, ChargeEvent.Action.INVOICED),
    Charge.Status.PAID: ({Charge.Status.INVOICED}, ChargeEvent.Action.PAID),
    Charge.Status.NOT_INVOICED: ({Charge.Status.INVOICED}, ChargeEvent.Action.REOPENED),
}


@transaction.atomic
def charge_mark(*, charge: Charge, status: str, by: User, invoice_reference: str = "", request=None) -> Charge:
    """Move a charge: not invoiced → invoiced → paid (or back to not invoiced)."""
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if not permissions.can_change_charge(by, charge):
        raise TrainingError("Only a council officer can change a charge.")
    if status not in CHARGE_STEPS:
        raise TrainingError("Choose invoiced, paid or not invoiced.")
    allowed_from, action = CHARGE_STEPS[status]
    if charge.status not in allowed_from:
        raise TrainingError(
            f"This charge is {charge.get_status_display().lower()}: it cannot be marked "
            f"{Charge.Status(status).label.lower()}."
        )
    fields: tuple[str, ...] = ()
    if invoice_reference.strip():
        charge.invoice_reference = invoice_reference.strip()[:60]
        fields = ("invoice_reference",)
    record_transition(
        charge, status, action=action, by=by, request=request, update_fields=fields, organisation=charge.organisation
    )
    return charge


@transaction.atomic
def training_account_set(*, organisation: Organisation, buys_traded_services: bool, by: User) -> TrainingAccount:
    """Officers record whether an organisation buys the traded-services agreement
    (prices of places booked from now on)."""
    if not by.is_officer:
        raise TrainingError("Only a council officer can change an organisation's traded-services agreement.")
    account, _ = TrainingAccount.objects.select_for_update().get_or_create(organisation=organisation)
    if account.buys_traded_services != buys_traded_services:
        account.buys_traded_services = buys_traded_services
        account.save(update_fields=["buys_traded_services", "updated_at"])
        audit_record(
            "trainingaccount.change", actor=by, target=account, organisation=organisation, traded=buys_traded_services
        )
    return account
