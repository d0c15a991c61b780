"""Capacity holds under concurrent bookings: real PostgreSQL, real threads, each with its
own connection, all released at once by a barrier."""

import threading

import pytest
from django.db import connection

from training import services
from training.models import Booking
from training.services import Attendee

from .factories import make_session

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ATTEMPTS, CAPACITY = 30, 10


def _run_at_once(n, work):
    barrier = threading.Barrier(n)
    errors = []

    def run(i):
        try:
            barrier.wait(timeout=30)
            work(i)
        except Exception as error:  # noqa: BLE001 - collected and asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_thirty_concurrent_bookings_fill_ten_places_and_waitlist_twenty(school_a, alice):
    session = make_session(capacity=CAPACITY)

    def book(i):
        services.booking_create(
            session=session,
            organisation=school_a,
            attendees=[Attendee(name=f"Person {i}", email=f"p{i}@a.example", role="teacher")],
            by=alice,
        )

    errors = _run_at_once(ATTEMPTS, book)
    assert errors == []
    statuses = list(Booking.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(Booking.Status.CONFIRMED) == CAPACITY
    assert statuses.count(Booking.Status.WAITLISTED) == ATTEMPTS - CAPACITY


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_concurrent_cancellations_promote_exactly_one_each(school_a, alice):
    session = make_session(capacity=5)
    bookings = [
        services.booking_create(
            session=session,
            organisation=school_a,
            attendees=[Attendee(name=f"Person {i}", email=f"q{i}@a.example", role="teacher")],
            by=alice,
        )[0]
        for i in range(10)
    ]
    confirmed = [b for b in bookings if b.status == Booking.Status.CONFIRMED]

    errors = _run_at_once(len(confirmed), lambda i: services.booking_cancel(booking=confirmed[i], by=alice))
    assert errors == []
    statuses = list(Booking.objects.filter(session=session).values_list("status", flat=True))
    assert statuses.count(Booking.Status.CONFIRMED) == 5
    assert statuses.count(Booking.Status.CANCELLED) == 5
    assert statuses.count(Booking.Status.WAITLISTED) == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_the_same_person_booked_at_once_from_two_tabs_gets_one_place(school_a, alice):
    session = make_session(capacity=10)

    def book(i):
        services.booking_create(
            session=session,
            organisation=school_a,
            attendees=[Attendee(name="Same Person", email="same@a.example", role="teacher")],
            by=alice,
        )

    errors = _run_at_once(5, book)
    assert Booking.objects.filter(session=session).count() == 1
    assert len(errors) == 4 and all(isinstance(e, services.TrainingError) for e in errors)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
def test_two_officers_marking_overlapping_charges_at_once_mark_each_once(school_a, alice, officer):
    from ppp.history import history_of
    from training.models import Charge

    from .factories import completed_session

    for _ in range(4):
        completed_session(school_a, alice, officer, attended=1)
    charges = list(Charge.objects.order_by("pk"))
    # one officer ticks them top to bottom, the other bottom to top
    lists = [charges, list(reversed(charges))]
    results = []

    def mark(i):
        results.append(services.charges_mark_invoiced(charges=lists[i], by=officer))

    assert _run_at_once(2, mark) == []
    assert sorted(len(marked) for marked, _ in results) == [0, 4]
    for charge in charges:
        assert [e.action for e in history_of(charge)] == ["raised", "invoiced"]
