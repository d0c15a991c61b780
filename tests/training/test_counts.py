"""The course-and-term counts the officers' report reads (training/counts.py) stay equal
to a recount from the sessions and places, whatever the services did, one at a time or
at once."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from training import counts, services
from training.models import Booking, CourseSession, CourseTermCount
from training.services import Attendee
from training.services import _base as services_base
from training.services import bookings as services_bookings

from .factories import CourseFactory, attendee, book, into_the_past, make_session
from .test_concurrency import _run_at_once


def kept() -> dict[tuple, tuple]:
    return {
        (r.course_id, r.year, r.season): tuple(getattr(r, name) for name in counts.FIGURES)
        for r in CourseTermCount.objects.all()
        if r.sessions or r.cancelled
    }


def recounted() -> dict[tuple, tuple]:
    counts.rebuild()
    return kept()


@pytest.mark.django_db
def test_the_kept_counts_equal_a_recount_after_every_kind_of_change(school_a, school_b, alice, charlie, officer):
    other = CourseFactory()
    small = make_session(capacity=2)
    book(small, school_a, alice, 3)  # two confirmed, one waitlisted
    waiting = book(small, school_b, charlie, 1)[0]  # waitlisted too
    first = Booking.objects.filter(session=small, status="confirmed").order_by("pk").first()
    services.booking_cancel(booking=first, by=alice)  # the first waitlisted place is promoted
    services.booking_cancel(booking=waiting, by=charlie)  # a waitlisted place cancelled
    services.session_update(session=small, by=officer, capacity=4)  # no one left waiting
    place = Booking.objects.filter(session=small, status="confirmed").first()
    services.booking_substitute(booking=place, attendee=attendee(), by=alice)

    moved = make_session(capacity=3)
    book(moved, school_a, alice, 4)
    services.session_update(session=moved, by=officer, course=other, capacity=5)  # another course, one promoted
    later = timezone.now() + datetime.timedelta(days=200)
    services.session_update(
        session=moved, by=officer, starts_at=later, ends_at=later + datetime.timedelta(hours=2)
    )  # another term

    doomed = make_session(capacity=2)
    book(doomed, school_b, charlie, 3)
    services.session_cancel(session=doomed, by=officer, reason="Trainer unwell.")

    happened = make_session(capacity=3)
    places = book(happened, school_a, alice, 3)
    into_the_past(happened, 2)
    services.attendance_record(
        session=happened,
        marks={str(places[0].public_id): "attended", str(places[1].public_id): "absent"},
        by=officer,
    )
    services.attendance_record(session=happened, marks={str(places[1].public_id): "attended"}, by=officer)
    services.session_create(
        by=officer,
        course=other,
        starts_at=later,
        ends_at=later + datetime.timedelta(hours=3),
        capacity=12,
    )

    now = kept()
    assert now == recounted()
    # moved (4 confirmed after the promotion, 1 ever waitlisted) and the new session, later.
    assert now[counts.term_key(other.pk, later)] == (2, 0, 17, 4, 0, 0, 1)
    totals = [sum(row[i] for row in now.values()) for i in range(len(counts.FIGURES))]
    # 4 sessions not cancelled (capacity 4, 5, 3, 12), 1 cancelled; confirmed: small 2, moved 4,
    # happened 3; attended 2, absent none (changed); waitlisted: small 2, moved 1 (the
    # cancelled session's places do not count).
    assert totals == [4, 1, 24, 9, 2, 0, 3]


@pytest.mark.django_db
def test_the_report_reads_one_short_list(
    client, school_a, alice, officer, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    book(session, school_a, alice, 3)
    client.force_login(officer)
    with django_assert_max_num_queries(30) as drawn:
        content = client.get(reverse("training:reports")).content.decode()
    assert "Emotion Coaching" in content
    report = [q["sql"] for q in drawn.captured_queries if "training_coursetermcount" in q["sql"]]
    assert len(report) == 1 and "training_booking" not in report[0] and "GROUP BY" not in report[0]


@pytest.mark.django_db
def test_the_rebuild_command_recounts_from_scratch(school_a, alice):
    session = make_session(capacity=2)
    book(session, school_a, alice, 3)
    right = kept()
    CourseTermCount.objects.update(confirmed=99, waitlisted=0)  # drifted
    out = io.StringIO()
    call_command("rebuild_training_counts", stdout=out)
    assert kept() == right
    assert "1 course-and-term rows" in out.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_bookings_at_once_on_sessions_of_one_course_and_term_all_count(school_a, alice, monkeypatch):
    """Each service locks its session with its course (`select_related` under FOR UPDATE),
    which already queues changes to one course's sessions. The counts must not rely on
    that: with only the session locked, sixteen bookings on four sessions of one course and
    term at once all count (a read-then-write of the row loses some: tried)."""

    def lock_the_session_only(session):
        return CourseSession.objects.select_for_update(of=("self",)).select_related("course").get(pk=session.pk)

    monkeypatch.setattr(services_base, "_lock_session", lock_the_session_only)
    monkeypatch.setattr(services_bookings, "_lock_session", lock_the_session_only)
    sessions = [make_session(capacity=3, days=30 + i % 2) for i in range(4)]
    keys = {counts.term_key(s.course_id, s.starts_at) for s in sessions}
    assert len(keys) == 1

    def work(i):
        services.booking_create(
            session=sessions[i % len(sessions)],
            organisation=school_a,
            attendees=[Attendee(name=f"Person {i}", email=f"c{i}@a.example", role="teacher")],
            by=alice,
        )

    errors = _run_at_once(16, work)
    assert errors == []
    now = kept()
    assert now == recounted()
    (key,) = keys
    assert now[key][3] == Booking.objects.filter(session__in=sessions, status="confirmed").count() == 12
    assert now[key][6] == Booking.objects.filter(session__in=sessions, status="waitlisted").count() == 4
