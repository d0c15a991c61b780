"""Email: part of `training.services` (see its docstring)."""

from django.conf import settings
from django.utils import timezone

from ppp.links import absolute_url
from ppp.mail import email_after_commit

from ..calendar import session_invitation
from ..models import (
    Booking,
)
from ._base import notice_ends, when


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
