"""Booking, waiting lists, cancelling, promotion, substitutes, attendance, completion,
certificates, evaluations and charges: the rules in training.services."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from ppp.certificates.models import IssuedCertificate
from ppp.history import history_of
from training import services
from training.models import (
    Booking,
    BookingEvent,
    CertificateBatch,
    Charge,
    CourseSession,
    Evaluation,
    SessionEvent,
    TrainingAccount,
)
from training.services import Attendee, TrainingError

from .factories import attendee, book, certified_session, completed_session, into_the_past, make_session

pytestmark = pytest.mark.django_db


def test_places_are_confirmed_while_they_last_then_waitlisted(school_a, alice):
    session = make_session(capacity=2)
    bookings = book(session, school_a, alice, 3)
    assert [b.status for b in bookings] == ["confirmed", "confirmed", "waitlisted"]
    assert [e.action for e in history_of(bookings[2])] == [BookingEvent.Action.WAITLISTED]


def test_booking_emails_the_attendee_and_the_booker_with_a_calendar_file(
    school_a, alice, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        book(session, school_a, alice, 2)
    confirmed, waiting = mail.outbox
    assert "Booking confirmed" in confirmed.subject
    assert "alice@a.example" in confirmed.to
    name, content, mimetype = confirmed.attachments[0]
    assert name == "session.ics" and mimetype == "text/calendar; method=PUBLISH"
    assert "BEGIN:VEVENT" in content and "Emotion Coaching" in content
    assert "waiting list" in waiting.subject.lower()
    assert not waiting.attachments


def test_a_member_can_book_but_a_stranger_cannot_book_for_another_school(school_a, bob, charlie):
    session = make_session()
    assert book(session, school_a, bob)[0].status == Booking.Status.CONFIRMED
    with pytest.raises(TrainingError, match="Only staff of School A"):
        book(session, school_a, charlie)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": CourseSession.Status.CANCELLED}, "cancelled"),
        ({"booking_deadline": timezone.now() - datetime.timedelta(hours=1)}, "closed on"),
    ],
)
def test_a_cancelled_or_closed_session_books_nothing(school_a, alice, change, message):
    session = make_session()
    CourseSession.objects.filter(pk=session.pk).update(**change)
    with pytest.raises(TrainingError, match=message):
        book(session, school_a, alice)
    assert not Booking.objects.exists()


def test_a_session_that_has_happened_books_nothing(school_a, alice):
    session = into_the_past(make_session())
    with pytest.raises(TrainingError, match="already taken place"):
        book(session, school_a, alice)


def test_nobody_is_booked_twice(school_a, alice):
    session = make_session(capacity=1)
    services.booking_create(
        session=session, organisation=school_a, attendees=[Attendee("Jo", "jo@a.example", "teacher")], by=alice
    )
    services.booking_create(
        session=session, organisation=school_a, attendees=[Attendee("Kim", "kim@a.example", "teacher")], by=alice
    )
    with pytest.raises(TrainingError, match="already has a place"):
        services.booking_create(
            session=session, organisation=school_a, attendees=[Attendee("Jo", "JO@a.example ", "teacher")], by=alice
        )
    with pytest.raises(TrainingError, match="is on the waiting list"):
        services.booking_create(
            session=session, organisation=school_a, attendees=[Attendee("Kim", "kim@a.example", "teacher")], by=alice
        )
    with pytest.raises(TrainingError, match="more than once"):
        services.booking_create(
            session=session,
            organisation=school_a,
            attendees=[Attendee("Lu", "lu@a.example", "teacher"), Attendee("Lu", "lu@a.example", "senco")],
            by=alice,
        )
    assert session.bookings.count() == 2


def test_one_failing_attendee_books_none_of_the_group(school_a, alice):
    session = make_session()
    book(session, school_a, alice, email="taken@a.example")
    with pytest.raises(TrainingError):
        services.booking_create(
            session=session,
            organisation=school_a,
            attendees=[Attendee("New", "new@a.example", "teacher"), Attendee("Old", "taken@a.example", "teacher")],
            by=alice,
        )
    assert session.bookings.count() == 1


def test_the_price_depends_on_the_traded_services_agreement(school_a, school_b, alice, charlie):
    TrainingAccount.objects.create(organisation=school_a, buys_traded_services=True)
    session = make_session()
    assert book(session, school_a, alice)[0].price == Decimal("65.00")
    assert book(session, school_b, charlie)[0].price == Decimal("95.00")


def test_cancelling_a_confirmed_place_promotes_the_first_waitlisted_and_emails_them(
    school_a, school_b, alice, charlie, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    (first,) = book(session, school_a, alice)
    (second,) = book(session, school_b, charlie, email="second@b.example")
    (third,) = book(session, school_a, alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=first, by=alice)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == Booking.Status.CONFIRMED
    assert third.status == Booking.Status.WAITLISTED
    assert [e.action for e in history_of(second)][-1] == BookingEvent.Action.PROMOTED
    promoted = next(m for m in mail.outbox if "second@b.example" in m.to)
    assert "A place has come up" in promoted.subject
    assert promoted.attachments[0][0] == "session.ics"


def test_cancelling_a_waitlisted_place_promotes_nobody(school_a, alice):
    session = make_session(capacity=1)
    first, second, third = book(session, school_a, alice, 3)
    services.booking_cancel(booking=second, by=alice)
    third.refresh_from_db()
    assert third.status == Booking.Status.WAITLISTED


def test_cancelling_is_free_until_the_notice_period_then_chargeable(school_a, alice, settings):
    settings.TRAINING_NOTICE_DAYS = 14
    early = book(make_session(days=20), school_a, alice)[0]
    late = book(make_session(days=5), school_a, alice)[0]
    assert not services.booking_cancel(booking=early, by=alice).late_cancellation
    cancelled = services.booking_cancel(booking=late, by=alice)
    assert cancelled.late_cancellation and cancelled.is_chargeable
    assert [e.action for e in history_of(cancelled)][-1] == BookingEvent.Action.LATE_CANCELLED


def test_cancelling_twice_or_after_the_start_is_refused(school_a, alice):
    session = make_session()
    (booking,) = book(session, school_a, alice)
    services.booking_cancel(booking=booking, by=alice)
    with pytest.raises(TrainingError, match="already been cancelled"):
        services.booking_cancel(booking=booking, by=alice)
    (other,) = book(session, school_a, alice)
    into_the_past(session)
    with pytest.raises(TrainingError, match="no longer be cancelled"):
        services.booking_cancel(booking=other, by=alice)


def test_a_stranger_cannot_cancel_another_schools_place(school_a, alice, charlie):
    (booking,) = book(make_session(), school_a, alice)
    with pytest.raises(TrainingError):
        services.booking_cancel(booking=booking, by=charlie)


def test_a_substitute_takes_the_place_and_is_emailed(school_a, alice, bob, django_capture_on_commit_callbacks):
    session = make_session()
    (booking,) = book(session, school_a, alice, name="Jo Old", email="old@a.example")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_substitute(booking=booking, attendee=Attendee("Kim New", "new@a.example", "senco"), by=bob)
    booking.refresh_from_db()
    assert (booking.attendee_name, booking.attendee_email, booking.status) == ("Kim New", "new@a.example", "confirmed")
    assert "old@a.example" in history_of(booking).last().note
    assert any("new@a.example" in m.to for m in mail.outbox)


def test_a_substitute_already_booked_is_refused(school_a, alice):
    session = make_session()
    first, second = book(session, school_a, alice, 2)
    with pytest.raises(TrainingError, match="already booked"):
        services.booking_substitute(
            booking=first, attendee=Attendee("X", second.attendee_email.upper(), "teacher"), by=alice
        )


def test_capacity_cannot_drop_below_the_places_confirmed(school_a, alice, officer):
    session = make_session(capacity=5)
    book(session, school_a, alice, 4)
    with pytest.raises(TrainingError, match="cannot be less than the 4 places"):
        services.session_update(session=session, capacity=3, by=officer)
    session.refresh_from_db()
    assert session.capacity == 5
    services.session_update(session=session, capacity=4, by=officer)


def test_raising_capacity_moves_the_waiting_list_up(school_a, alice, officer):
    session = make_session(capacity=1)
    bookings = book(session, school_a, alice, 3)
    services.session_update(session=session, capacity=2, by=officer)
    assert [Booking.objects.get(pk=b.pk).status for b in bookings] == ["confirmed", "confirmed", "waitlisted"]
    assert history_of(session).last().action == SessionEvent.Action.CAPACITY


def test_only_officers_manage_sessions(alice):
    session = make_session()
    with pytest.raises(TrainingError, match="council officer"):
        services.session_update(session=session, capacity=20, by=alice)
    with pytest.raises(TrainingError, match="council officer"):
        services.session_cancel(session=session, reason="x", by=alice)


def test_session_create_checks_its_dates_and_online_link(officer):
    starts = timezone.now() + datetime.timedelta(days=10)
    fields = {
        "course": make_session().course,
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "capacity": 10,
    }
    with pytest.raises(TrainingError, match="joining link"):
        services.session_create(by=officer, mode="online", **fields)
    with pytest.raises(TrainingError, match="end after it starts"):
        services.session_create(by=officer, **{**fields, "ends_at": starts})
    session = services.session_create(by=officer, **fields)
    assert session.booking_deadline < session.starts_at
    assert history_of(session).get().action == SessionEvent.Action.SCHEDULED


def test_cancelling_a_session_cancels_every_place_and_emails_everyone(
    school_a, school_b, alice, charlie, officer, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    (confirmed,) = book(session, school_a, alice)
    (waiting,) = book(session, school_b, charlie)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_cancel(session=session, by=officer, reason="The trainer is ill.")
    session.refresh_from_db()
    assert session.status == CourseSession.Status.CANCELLED
    assert set(session.bookings.values_list("status", flat=True)) == {"cancelled"}
    assert not Booking.objects.get(pk=confirmed.pk).late_cancellation
    recipients = {address for m in mail.outbox for address in m.to}
    assert {confirmed.attendee_email, waiting.attendee_email, "alice@a.example", "charlie@b.example"} <= recipients
    assert all("The trainer is ill." in m.body for m in mail.outbox)
    ics = next(m for m in mail.outbox if confirmed.attendee_email in m.to).attachments[0][1]
    assert "METHOD:CANCEL" in ics


def test_a_session_cancel_needs_a_reason(officer):
    with pytest.raises(TrainingError, match="Enter why"):
        services.session_cancel(session=make_session(), by=officer, reason="  ")


def test_attendance_waits_for_the_session_to_start(school_a, alice, officer):
    session = make_session()
    (booking,) = book(session, school_a, alice)
    with pytest.raises(TrainingError, match="once the session has started"):
        services.attendance_record(session=session, marks={str(booking.public_id): "attended"}, by=officer)


def test_attendance_is_recorded_for_confirmed_places_only(school_a, alice, officer):
    session = make_session(capacity=1)
    confirmed, waiting = book(session, school_a, alice, 2)
    into_the_past(session)
    changed = services.attendance_record(
        session=session,
        marks={str(confirmed.public_id): "attended", str(waiting.public_id): "attended"},
        by=officer,
    )
    assert changed == 1
    assert Booking.objects.get(pk=waiting.pk).attendance == Booking.Attendance.NOT_RECORDED
    with pytest.raises(TrainingError, match="attended or absent"):
        services.attendance_record(session=session, marks={str(confirmed.public_id): "maybe"}, by=officer)


def test_completing_needs_every_confirmed_place_marked(school_a, alice, officer):
    session = make_session()
    book(session, school_a, alice, 2)
    into_the_past(session)
    with pytest.raises(TrainingError, match="2 not recorded"):
        services.session_complete(session=session, by=officer)


def test_completing_raises_charges_for_places_no_shows_and_late_cancellations(
    school_a, school_b, alice, charlie, officer, settings
):
    settings.TRAINING_NOTICE_DAYS = 14
    session = make_session(days=5, capacity=5)
    came, no_show, late = book(session, school_a, alice, 3)
    book(session, school_b, charlie)
    services.booking_cancel(booking=late, by=alice)
    into_the_past(session)
    marks = {str(b.public_id): "attended" for b in session.bookings.confirmed()}
    marks[str(no_show.public_id)] = "absent"
    services.attendance_record(session=session, marks=marks, by=officer)
    services.session_complete(session=session, by=officer)
    charge_a = Charge.objects.get(organisation=school_a)
    assert (charge_a.places, charge_a.no_shows, charge_a.late_cancellations) == (2, 1, 1)
    assert charge_a.amount == Decimal("285.00")  # 3 billable places at £95
    assert Charge.objects.get(organisation=school_b).amount == Decimal("95.00")
    assert Charge.objects.get(organisation=school_a).status == Charge.Status.NOT_INVOICED


def test_completing_sends_each_attendee_their_own_evaluation_link(
    school_a, alice, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session, bookings = completed_session(school_a, alice, officer, attended=2, absent=1)
    assert Evaluation.objects.count() == 2
    links = [m for m in mail.outbox if "How useful" in m.subject]
    assert len(links) == 2
    assert links[0].body != links[1].body


def test_charges_move_not_invoiced_invoiced_paid(school_a, alice, officer):
    completed_session(school_a, alice, officer)
    charge = Charge.objects.get()
    with pytest.raises(TrainingError, match="cannot be marked paid"):
        services.charge_mark(charge=charge, status="paid", by=officer)
    services.charge_mark(charge=charge, status="invoiced", by=officer, invoice_reference="INV-1")
    services.charge_mark(charge=charge, status="paid", by=officer)
    charge.refresh_from_db()
    assert (charge.status, charge.invoice_reference) == ("paid", "INV-1")
    assert [e.action for e in history_of(charge)] == ["raised", "invoiced", "paid"]
    with pytest.raises(TrainingError, match="officer"):
        services.charge_mark(charge=charge, status="not_invoiced", by=alice)


def test_certificates_are_issued_for_everyone_who_attended(school_a, alice, officer):
    session, bookings, batch = certified_session(school_a, alice, officer, attended=3, absent=1)
    assert (batch.status, batch.total, batch.issued) == ("done", 3, 3)
    certificates = IssuedCertificate.objects.filter(kind=IssuedCertificate.Kind.TRAINING)
    assert certificates.count() == 3
    assert set(certificates.values_list("organisation", flat=True)) == {school_a.pk}
    assert "Emotion Coaching" in certificates.first().title
    assert history_of(session).last().action == SessionEvent.Action.CERTIFICATES


def test_issuing_again_issues_nothing_twice(school_a, alice, officer):
    from training.tasks import issue_session_certificates

    session, bookings, batch = certified_session(school_a, alice, officer, attended=2)
    again = services.certificates_request(session=session, by=officer)
    issue_session_certificates(batch_id=again.pk)
    again.refresh_from_db()
    assert (again.issued, again.already_issued) == (0, 2)
    assert IssuedCertificate.objects.count() == 2
    issue_session_certificates(batch_id=again.pk)  # a duplicate run of a finished batch does nothing
    assert IssuedCertificate.objects.count() == 2


def test_the_certificate_request_runs_as_a_task_once_it_commits(
    school_a, alice, officer, django_capture_on_commit_callbacks
):
    session, _ = completed_session(school_a, alice, officer, attended=2)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.certificates_request(session=session, by=officer)
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.DONE and batch.issued == 2
    assert batch.finished_at >= batch.started_at


def test_certificates_need_a_completed_session_with_attendees(school_a, alice, officer):
    session = make_session()
    with pytest.raises(TrainingError, match="Complete the session"):
        services.certificates_request(session=session, by=officer)
    empty, _ = completed_session(school_a, alice, officer, attended=0, absent=1)
    with pytest.raises(TrainingError, match="No one is marked as attended"):
        services.certificates_request(session=empty, by=officer)


def test_a_failing_batch_is_marked_failed_with_the_error(school_a, alice, officer, monkeypatch):
    from training.tasks import issue_session_certificates

    session, _ = completed_session(school_a, alice, officer, attended=1)
    batch = services.certificates_request(session=session, by=officer)

    def broken(*args, **kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr("training.services.certificate_for_booking", broken)
    for attempt in range(1, CertificateBatch.MAX_ATTEMPTS):  # each try fails, and the batch waits for the next
        with pytest.raises(RuntimeError):
            issue_session_certificates(batch_id=batch.pk)
        batch.refresh_from_db()
        assert batch.status == CertificateBatch.Status.RUNNING and batch.attempts == attempt
        assert "printer on fire" in batch.error
    with pytest.raises(RuntimeError):
        issue_session_certificates(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.FAILED and "printer on fire" in batch.error
    issue_session_certificates(batch_id=batch.pk)  # a retry after giving up does nothing
    assert CertificateBatch.objects.get(pk=batch.pk).attempts == CertificateBatch.MAX_ATTEMPTS


def test_an_evaluation_is_given_once(school_a, alice, officer):
    completed_session(school_a, alice, officer, attended=1)
    evaluation = Evaluation.objects.get()
    services.evaluation_submit(evaluation=evaluation, usefulness=4, will_change="More calm", comments="")
    with pytest.raises(TrainingError, match="already sent"):
        services.evaluation_submit(evaluation=evaluation, usefulness=1, will_change="", comments="")
    evaluation.refresh_from_db()
    assert evaluation.usefulness == 4


def test_an_old_evaluation_link_expires(school_a, alice, officer, settings):
    completed_session(school_a, alice, officer, attended=1)
    Evaluation.objects.update(sent_at=timezone.now() - datetime.timedelta(days=settings.TRAINING_EVALUATION_OPEN_DAYS))
    with pytest.raises(TrainingError, match="expired"):
        services.evaluation_submit(evaluation=Evaluation.objects.get(), usefulness=5, will_change="", comments="")


def test_only_officers_set_the_traded_services_agreement(school_a, alice, officer):
    with pytest.raises(TrainingError):
        services.training_account_set(organisation=school_a, buys_traded_services=True, by=alice)
    assert services.training_account_set(organisation=school_a, buys_traded_services=True, by=officer)
    assert TrainingAccount.objects.get(organisation=school_a).buys_traded_services


def test_the_eight_courses_come_from_the_migration():
    from training.models import Course

    assert list(Course.objects.values_list("title", flat=True)) == [
        "Emotion Coaching",
        "Team Teach",
        "Connecting with Children that Challenge",
        "Power of Connections",
        "Theraplay practices",
        "Keeping Safe – Positive Handling Plans",
        "Midday Supervisor training",
        "School Governor workshop",
    ]
    assert all(c.audiences.exists() and c.description for c in Course.objects.all())


def test_attendee_helper_makes_distinct_people():
    assert attendee().email != attendee().email
