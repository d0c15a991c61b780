"""What every part shares: part of `training.services` (see its docstring)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format

from ppp.errors import DomainError

from ..models import (
    Booking,
    CourseSession,
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
