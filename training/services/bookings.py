"""Bookings: part of `training.services` (see its docstring)."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from ppp.accounts.models import Organisation, User
from ppp.history import record_transition

from .. import counts, permissions
from ..models import (
    Booking,
    BookingEvent,
    CourseSession,
)
from ._base import Attendee, TrainingError, _confirmed_count, _lock_booking, _lock_session, is_late
from .emails import _email_booking, _email_confirmed, _email_waitlisted


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
    before = counts.share(session.pk)
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
    counts.follow(before, session.pk)
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
    before = counts.share(session.pk)
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
    counts.follow(before, session.pk)
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
