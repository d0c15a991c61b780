"""Training's daily reminders, collected by `manage.py send_reminders`.

- every confirmed attendee (copied to the person who booked): 7 days and 1 day before
  the session (only the latest stage reached is sent, so a missed day catches up with one
  email, never two);
- the council officers: a session below its minimum numbers TRAINING_MINIMUM_CHECK_DAYS
  days before, unless an officer has confirmed it goes ahead (once per session date).
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from ppp.accounts.models import User
from ppp.dates import start_of_day
from ppp.discovery import reminder_sources
from ppp.links import absolute_url
from ppp.mail import render_text
from ppp.notifications.services import Reminder

from .models import Booking, CourseSession
from .services import when

STAGES = (1, 7)  # days before the session


@reminder_sources.register
def collect(today: datetime.date) -> Iterable[Reminder]:
    yield from _attendee_reminders(today)
    yield from _below_minimum(today)


def _attendee_reminders(today: datetime.date) -> Iterable[Reminder]:
    bookings = (
        Booking.objects.confirmed()
        .filter(
            session__status=CourseSession.Status.SCHEDULED,
            session__starts_at__gte=start_of_day(today + datetime.timedelta(days=1)),
            session__starts_at__lt=start_of_day(today + datetime.timedelta(days=max(STAGES) + 1)),
        )
        .select_related("session__course", "booked_by", "organisation")
        .order_by("session__starts_at", "pk")
    )
    for booking in bookings:
        session = booking.session
        day = timezone.localtime(session.starts_at).date()
        days = (day - today).days
        stage = next(s for s in STAGES if days <= s)
        yield Reminder(
            key=f"training:reminder:{booking.pk}:{day.isoformat()}:{stage}",
            to=[booking.attendee_email, booking.booked_by.email],
            subject=(f"Tomorrow: {session.course.title}" if days == 1 else f"In {days} days: {session.course.title}"),
            body=render_text(
                "training/email/reminder.txt",
                {
                    "booking": booking,
                    "session": session,
                    "course": session.course,
                    "when": when(session),
                    "days": days,
                    "session_url": absolute_url(session),
                },
            ),
        )


def _below_minimum(today: datetime.date) -> Iterable[Reminder]:
    horizon = start_of_day(today + datetime.timedelta(days=settings.TRAINING_MINIMUM_CHECK_DAYS + 1))
    sessions = (
        CourseSession.objects.filter(
            status=CourseSession.Status.SCHEDULED,
            go_ahead_confirmed_at__isnull=True,
            minimum_numbers__gt=0,
            starts_at__gte=start_of_day(today),
            starts_at__lt=horizon,
        )
        .annotate(confirmed=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED)))
        .select_related("course")
    )
    officers = None
    for session in sessions:
        if session.confirmed >= session.minimum_numbers:
            continue
        if officers is None:
            officers = list(User.objects.officers().values_list("email", flat=True))
        day = timezone.localtime(session.starts_at).date()
        yield Reminder(
            key=f"training:below-minimum:{session.pk}:{day.isoformat()}",
            to=officers,
            subject=f"Below minimum numbers: {session.course.title} on {day:%-d %B %Y}",
            body=render_text(
                "training/email/below_minimum.txt",
                {
                    "session": session,
                    "course": session.course,
                    "when": when(session),
                    "confirmed": session.confirmed,
                    "url": absolute_url("training:register", session=session.public_id),
                },
            ),
        )
