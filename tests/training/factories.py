"""Test data for training: sessions straight into the database (with their share of the
course-and-term counts, as the services keep it), bookings through the services."""

import datetime
import itertools

import factory
from django.utils import timezone

from training import counts, services
from training.models import Booking, Course, CourseSession
from training.services import Attendee

_n = itertools.count(1)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Test course {n}")
    slug = factory.Sequence(lambda n: f"test-course-{n}")
    summary = "A short course for tests."
    description = "What it covers."
    duration = "Half a day"
    price_traded = "40.00"
    price_standard = "60.00"


def course(slug="emotion-coaching") -> Course:
    return Course.objects.get(slug=slug)


def make_session(course_obj=None, *, days=30, capacity=10, hours=3, **fields) -> CourseSession:
    starts = timezone.now().replace(microsecond=0) + datetime.timedelta(days=days)
    fields.setdefault("booking_deadline", starts - datetime.timedelta(days=1) if days > 1 else starts)
    fields.setdefault("venue", "City Hall")
    session = CourseSession.objects.create(
        course=course_obj or course(),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        capacity=capacity,
        **fields,
    )
    counts.follow(None, session.pk)
    return session


def attendee(role=Booking.Role.TEACHER, **kwargs) -> Attendee:
    n = next(_n)
    return Attendee(
        name=kwargs.get("name", f"Attendee {n}"), email=kwargs.get("email", f"a{n}@staff.example"), role=role
    )


def book(session, organisation, by, count=1, **kwargs) -> list[Booking]:
    return services.booking_create(
        session=session, organisation=organisation, attendees=[attendee(**kwargs) for _ in range(count)], by=by
    )


def into_the_past(session, days=1) -> CourseSession:
    starts = timezone.now().replace(microsecond=0) - datetime.timedelta(days=days)
    length = session.ends_at - session.starts_at
    before = counts.share(session.pk)
    CourseSession.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + length, booking_deadline=starts
    )
    counts.follow(before, session.pk)
    session.refresh_from_db()
    return session


def completed_session(organisation, lead, officer, *, attended=2, absent=0, course_obj=None, role=Booking.Role.TEACHER):
    session = make_session(course_obj, capacity=max(attended + absent, 1))
    bookings = book(session, organisation, lead, attended + absent, role=role)
    into_the_past(session, 7)
    marks = {
        str(b.public_id): Booking.Attendance.ATTENDED if i < attended else Booking.Attendance.ABSENT
        for i, b in enumerate(bookings)
    }
    services.attendance_record(session=session, marks=marks, by=officer)
    services.session_complete(session=session, by=officer)
    session.refresh_from_db()
    return session, bookings


def certified_session(organisation, lead, officer, **kwargs):
    session, bookings = completed_session(organisation, lead, officer, **kwargs)
    from training.tasks import issue_session_certificates

    batch = services.certificates_request(session=session, by=officer)
    issue_session_certificates(batch_id=batch.pk)  # what the worker does once the request commits
    batch.refresh_from_db()
    return session, bookings, batch
