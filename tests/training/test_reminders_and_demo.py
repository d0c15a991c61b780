"""Daily reminders (7 days and 1 day before; low numbers to officers) and the demo data."""

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ppp.notifications.models import SentReminder
from tests.mailing import send_reminders
from training import services
from training.models import Booking, CertificateBatch, CourseSession, Evaluation

from .factories import book, make_session

pytestmark = pytest.mark.django_db


def _session_on(day: datetime.date, **fields) -> CourseSession:
    session = make_session(**fields)
    starts = datetime.datetime.combine(day, datetime.time(9, 30), tzinfo=timezone.get_current_timezone())
    CourseSession.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=3), booking_deadline=starts
    )
    session.refresh_from_db()
    return session


def _subjects():
    return sorted(m.subject for m in mail.outbox)


def test_attendees_are_reminded_seven_days_and_one_day_before_once_each(school_a, alice):
    today = timezone.localdate()
    session = make_session(days=20, capacity=1)
    confirmed, waiting = book(session, school_a, alice, 2)
    session = _session_on(today + datetime.timedelta(days=7), capacity=1)
    Booking.objects.filter(pk__in=[confirmed.pk, waiting.pk]).update(session=session)
    send_reminders(today)
    # the attendee and the person who booked, each their own email
    assert _subjects() == ["In 7 days: Emotion Coaching"] * 2
    assert sorted(m.to for m in mail.outbox) == sorted([[confirmed.attendee_email], ["alice@a.example"]])
    send_reminders(today)
    send_reminders(today + datetime.timedelta(days=1))  # 6 days before: still the 7-day stage, sent already
    assert _subjects() == ["In 7 days: Emotion Coaching"] * 2, _subjects()
    send_reminders(today + datetime.timedelta(days=6))
    assert _subjects() == ["In 7 days: Emotion Coaching"] * 2 + ["Tomorrow: Emotion Coaching"] * 2
    assert SentReminder.objects.filter(key__startswith="training:reminder:").count() == 2


def test_no_reminders_for_cancelled_places_or_sessions(school_a, alice, officer):
    today = timezone.localdate()
    session = make_session(days=20)
    first, second = book(session, school_a, alice, 2)
    services.booking_cancel(booking=first, by=alice)
    moved = _session_on(today + datetime.timedelta(days=1))
    Booking.objects.filter(session=session).update(session=moved)
    services.session_cancel(session=moved, by=officer, reason="Ill")
    mail.outbox.clear()
    send_reminders(today)
    assert not [m for m in mail.outbox if "Emotion Coaching" in m.subject]


def test_a_session_below_minimum_numbers_is_flagged_to_officers_once(school_a, alice, officer, settings):
    settings.TRAINING_MINIMUM_CHECK_DAYS = 10
    today = timezone.localdate()
    low = _session_on(today + datetime.timedelta(days=10), capacity=10, minimum_numbers=5)
    ok = _session_on(today + datetime.timedelta(days=9), capacity=10, minimum_numbers=1)
    later = _session_on(today + datetime.timedelta(days=11), capacity=10, minimum_numbers=5)
    Booking.objects.create(
        session=ok, organisation=school_a, attendee_name="A", attendee_email="a@a.example",
        attendee_role="teacher", booked_by=alice, price=1, status="confirmed",
    )  # fmt: skip
    send_reminders(today)
    flags = [m for m in mail.outbox if m.subject.startswith("Below minimum")]
    assert len(flags) == 1 and flags[0].to == [officer.email]
    assert str(low.public_id) in flags[0].body and str(later.public_id) not in flags[0].body
    send_reminders(today + datetime.timedelta(days=1))  # `low` is not flagged again; `later` now is
    flags = [m for m in mail.outbox if m.subject.startswith("Below minimum")]
    assert len(flags) == 2 and str(later.public_id) in flags[1].body


def test_confirming_the_go_ahead_stops_the_flag(officer, settings):
    settings.TRAINING_MINIMUM_CHECK_DAYS = 10
    today = timezone.localdate()
    low = _session_on(today + datetime.timedelta(days=5), capacity=10, minimum_numbers=5)
    services.session_confirm_go_ahead(session=low, by=officer)
    send_reminders(today)
    assert not [m for m in mail.outbox if m.subject.startswith("Below minimum")]


def test_seed_demo_adds_every_kind_of_session_and_is_idempotent(settings, demo):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())  # again, on the session's demo data
    now = timezone.now()
    assert CourseSession.objects.filter(starts_at__gt=now).count() >= 6
    assert CourseSession.objects.filter(status="completed").count() == 2
    assert CourseSession.objects.filter(status="scheduled", starts_at__lt=now).count() == 1  # a register to take
    full = CourseSession.objects.get(course__slug="midday-supervisor-training")
    assert full.bookings.confirmed().count() == full.capacity and full.bookings.waitlisted().count() == 2
    assert Booking.objects.filter(attendance="attended").count() >= 6
    assert CertificateBatch.objects.filter(status="done").count() == 2
    assert Evaluation.objects.filter(submitted_at__isnull=False).count() == 1
