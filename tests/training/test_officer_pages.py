"""The officers' pages: who gets in, the register, attendance, completion, certificates,
the sign-in sheet, cancelling, capacity, evaluations, charges and reports; and the admin."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from training.models import Booking, CertificateBatch, Charge, CourseSession, Evaluation, SessionEvent

from .factories import book, certified_session, completed_session, into_the_past, make_session

pytestmark = pytest.mark.django_db


def _session_urls(session, batch, charge):
    s = {"session": session.public_id}
    return [
        ("get", reverse("training:officer-home"), 200),
        ("get", reverse("training:session-new"), 200),
        ("get", reverse("training:session-new") + f"?copy={session.public_id}", 200),
        ("post", reverse("training:session-new"), 200),
        ("get", reverse("training:register", kwargs=s), 200),
        ("post", reverse("training:attendance", kwargs=s), 302),
        ("post", reverse("training:complete", kwargs=s), 302),
        ("post", reverse("training:certificates", kwargs=s), 302),
        ("get", reverse("training:sign-in-sheet", kwargs=s), 200),
        ("get", reverse("training:session-cancel", kwargs=s), 200),
        ("get", reverse("training:capacity", kwargs=s), 200),
        ("post", reverse("training:go-ahead", kwargs=s), 302),
        ("get", reverse("training:session-evaluations", kwargs=s), 200),
        ("get", reverse("training:batch", kwargs={"batch": batch.public_id}), 200),
        ("post", reverse("training:batch-retry", kwargs={"batch": batch.public_id}), 302),
        ("post", reverse("training:batch-cancel", kwargs={"batch": batch.public_id}), 302),
        ("get", reverse("training:course-evaluations", kwargs={"slug": session.course.slug}), 200),
        ("get", reverse("training:charges"), 200),
        ("get", reverse("training:charges-csv"), 200),
        ("post", reverse("training:charge-mark", kwargs={"charge": charge.public_id}), 302),
        ("post", reverse("training:charges-invoiced"), 302),
        ("get", reverse("training:reports"), 200),
        ("get", reverse("training:reports-csv"), 200),
    ]


def test_every_officer_page_is_for_officers_only(client, alice, charlie, officer, school_a):
    session, _, batch = certified_session(school_a, alice, officer, attended=1)
    urls = _session_urls(session, batch, Charge.objects.get())
    for method, url, _ in urls:
        assert getattr(client, method)(url).status_code == 302, url  # anonymous: to sign in
    for person in (alice, charlie, UserFactory()):
        client.force_login(person)
        for method, url, _ in urls:
            assert getattr(client, method)(url).status_code == 403, (person, url)
    assert Charge.objects.get().status == Charge.Status.NOT_INVOICED
    client.force_login(officer)
    for method, url, expected in urls:
        assert getattr(client, method)(url).status_code == expected, url


def test_attendance_completion_and_certificates_through_the_pages(
    client, alice, officer, school_a, django_capture_on_commit_callbacks
):
    session = make_session(capacity=2)
    came, absent, waiting = book(session, school_a, alice, 3)
    into_the_past(session)
    client.force_login(officer)
    register = reverse("training:register", args=[session.public_id])
    page = client.get(register).content.decode()
    assert "Save attendance" in page and waiting.attendee_name in page
    # Completing before attendance is recorded says why and changes nothing.
    response = client.post(reverse("training:complete", args=[session.public_id]), follow=True)
    assert "2 not recorded yet" in response.content.decode()
    data = {f"b_{came.public_id}": "attended", f"b_{absent.public_id}": "absent"}
    response = client.post(reverse("training:attendance", args=[session.public_id]), data, follow=True)
    assert "Attendance saved (2 changes)." in response.content.decode()
    assert Booking.objects.get(pk=came.pk).attendance == "attended"
    response = client.post(reverse("training:complete", args=[session.public_id]), follow=True)
    assert "Session completed" in response.content.decode()
    assert CourseSession.objects.get(pk=session.pk).status == "completed"
    with django_capture_on_commit_callbacks(execute=True):  # the task runs once the request commits
        response = client.post(reverse("training:certificates", args=[session.public_id]))
    batch = CertificateBatch.objects.get()
    assert response.url == batch.get_absolute_url()
    content = client.get(response.url).content.decode()
    assert "1 of 1 certificates" in content and "Done" in content
    assert "PPP-" in client.get(register).content.decode()


def test_attendance_rejects_unknown_values_with_a_message(client, alice, officer, school_a):
    session = make_session()
    (booking,) = book(session, school_a, alice)
    into_the_past(session)
    client.force_login(officer)
    response = client.post(
        reverse("training:attendance", args=[session.public_id]), {f"b_{booking.public_id}": "maybe"}, follow=True
    )
    assert "Select attended or absent for each attendee." in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).attendance == "not_recorded"


def test_register_queries_do_not_grow_with_bookings(client, alice, officer, school_a, django_assert_max_num_queries):
    session = make_session(capacity=60)
    book(session, school_a, alice, 1)
    into_the_past(session)
    client.force_login(officer)
    url = reverse("training:register", args=[session.public_id])
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    CourseSession.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at.replace(year=2099),
        ends_at=session.ends_at.replace(year=2099),
        booking_deadline=session.booking_deadline.replace(year=2099),
    )
    book(CourseSession.objects.get(pk=session.pk), school_a, alice, 49)
    into_the_past(session)
    with django_assert_max_num_queries(len(one.captured_queries)):
        content = client.get(url).content.decode()
    assert content.count('value="attended"') == 50


def test_officer_home_lists_sessions_with_counts_and_flags_low_numbers(client, alice, officer, school_a, settings):
    low = make_session(days=5, capacity=10, minimum_numbers=4)
    book(low, school_a, alice)
    past = into_the_past(make_session())
    client.force_login(officer)
    content = client.get(reverse("training:officer-home")).content.decode()
    assert "Below minimum numbers" in content and "1 booked, minimum 4" in content
    assert "Sessions to close" in content and str(past.public_id) in content
    client.post(reverse("training:go-ahead", args=[low.public_id]))
    assert "Below minimum numbers" not in client.get(reverse("training:officer-home")).content.decode()
    assert SessionEvent.objects.filter(session=low, action="go_ahead").exists()
    assert client.get(reverse("training:officer-home"), {"status": "nope", "when": "upcoming"}).status_code == 200


def test_officer_home_queries_do_not_grow(client, officer, django_assert_max_num_queries):
    make_session()
    client.force_login(officer)
    with django_assert_max_num_queries(20) as one:
        client.get(reverse("training:officer-home"))
    for days in range(2, 26):
        make_session(days=days)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("training:officer-home"))


def test_the_sign_in_sheet_is_a_pdf_with_every_confirmed_attendee(client, alice, officer, school_a):
    from io import BytesIO

    from pypdf import PdfReader

    session = make_session(capacity=2)
    book(session, school_a, alice, 3, name="Signing Person")
    client.force_login(officer)
    response = client.get(reverse("training:sign-in-sheet", args=[session.public_id]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert text.count("Signing Person") == 2 and "sign-in sheet" in text


def test_cancelling_a_session_needs_a_reason_then_cancels_everything(client, alice, officer, school_a):
    session = make_session()
    book(session, school_a, alice, 2)
    client.force_login(officer)
    url = reverse("training:session-cancel", args=[session.public_id])
    content = client.post(url, {"reason": ""}).content.decode()
    assert "Enter why the session is cancelled" in content and "There is a problem" in content
    assert CourseSession.objects.get(pk=session.pk).status == "scheduled"
    client.post(url, {"reason": "Venue flooded"})
    assert CourseSession.objects.get(pk=session.pk).status == "cancelled"
    assert set(session.bookings.values_list("status", flat=True)) == {"cancelled"}
    assert "cannot be cancelled" in client.post(url, {"reason": "Again"}).content.decode()


def test_capacity_cannot_be_set_below_the_confirmed_places(client, alice, officer, school_a):
    session = make_session(capacity=5)
    book(session, school_a, alice, 3)
    client.force_login(officer)
    url = reverse("training:capacity", args=[session.public_id])
    content = client.post(url, {"capacity": "2"}).content.decode()
    assert "Capacity cannot be less than the 3 places already confirmed" in content
    assert "Enter the number of places as a whole number" in client.post(url, {"capacity": "lots"}).content.decode()
    assert CourseSession.objects.get(pk=session.pk).capacity == 5
    client.post(url, {"capacity": "8"})
    assert CourseSession.objects.get(pk=session.pk).capacity == 8


def test_evaluation_results_per_session_and_course(client, alice, officer, school_a):
    from training import services

    session, _ = completed_session(school_a, alice, officer, attended=2)
    first = Evaluation.objects.first()
    services.evaluation_submit(evaluation=first, usefulness=5, will_change="Use scripts", comments="Great day")
    client.force_login(officer)
    content = client.get(reverse("training:session-evaluations", args=[session.public_id])).content.decode()
    assert "1 of 2 attendees answered" in content and "Great day" in content
    course_page = client.get(reverse("training:course-evaluations", args=[session.course.slug])).content.decode()
    assert "average usefulness 5.0 out of 5" in course_page


def test_charges_page_csv_and_marking(client, alice, charlie, officer, school_a, school_b):
    completed_session(school_a, alice, officer, attended=2)
    completed_session(school_b, charlie, officer, attended=1)
    client.force_login(officer)
    content = client.get(reverse("training:charges")).content.decode()
    assert "2 charges" in content and "£190.00" in content
    filtered = client.get(reverse("training:charges"), {"organisation": "b academy"}).content.decode()
    assert "1 charge" in filtered
    csv_text = b"".join(client.get(reverse("training:charges-csv")).streaming_content).decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("Organisation,URN,Finance contact,Traded services,Course")
    assert len(lines) == 3 and "190.00" in csv_text and "Not invoiced" in csv_text
    charge = Charge.objects.get(organisation=school_a)
    marked = client.post(
        reverse("training:charge-mark", args=[charge.public_id]),
        {"status": "invoiced", "next": "//evil.example"},
        follow=True,
    )
    assert Charge.objects.get(pk=charge.pk).status == "invoiced"
    assert f"{school_a.name}: invoiced." in marked.content.decode()  # what it is now, not what it was
    response = client.post(
        reverse("training:charge-mark", args=[charge.public_id]), {"status": "invoiced"}, follow=True
    )
    assert "cannot be marked invoiced" in response.content.decode()
    client.post(reverse("training:charge-mark", args=[charge.public_id]), {"status": "bogus"})
    assert Charge.objects.get(pk=charge.pk).status == "invoiced"


def test_reports_by_course_and_term(client, alice, charlie, officer, school_a, school_b):
    completed_session(school_a, alice, officer, attended=3, absent=1)
    full = make_session(capacity=1)
    book(full, school_b, charlie, 3)  # 1 confirmed, 2 waitlisted: demand
    client.force_login(officer)
    content = client.get(reverse("training:reports")).content.decode()
    assert "Emotion Coaching" in content and "25%" in content  # 1 absent of 4 recorded
    csv_text = client.get(reverse("training:reports-csv")).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Course,Term,Sessions,Cancelled,Capacity,Confirmed,Fill rate")
    assert ",2," in csv_text  # the waiting-list demand of the full session


def test_the_admin_edits_courses_and_schedules_sessions_through_the_services(client, officer, alice, school_a):
    import datetime

    from django.utils import timezone

    from training.models import Course

    client.force_login(officer)
    course = Course.objects.get(slug="team-teach")
    assert client.get(reverse("admin:training_course_change", args=[course.pk])).status_code == 200
    assert client.get(reverse("admin:training_coursesession_changelist")).status_code == 200
    assert client.get(reverse("admin:training_booking_changelist")).status_code == 200
    assert client.get(reverse("admin:training_charge_changelist")).status_code == 200
    assert client.get(reverse("admin:training_trainingaccount_changelist")).status_code == 200
    start = timezone.localtime() + datetime.timedelta(days=20)
    data = {
        "course": course.pk,
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "09:30:00",
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": "15:30:00",
        "mode": "in_person",
        "venue": "City Hall",
        "capacity": "12",
        "minimum_numbers": "4",
        "booking_deadline_0": (start - datetime.timedelta(days=3)).strftime("%Y-%m-%d"),
        "booking_deadline_1": "17:00:00",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:training_coursesession_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    session = CourseSession.objects.get(course=course)
    assert SessionEvent.objects.get(session=session).action == "scheduled"
    book(session, school_a, alice, 3)
    change = reverse("admin:training_coursesession_change", args=[session.pk])
    content = client.post(change, {**data, "capacity": "2", "minimum_numbers": "0"}).content.decode()
    assert "Capacity cannot be less than the 3 places confirmed" in content
    online = client.post(reverse("admin:training_coursesession_add"), {**data, "mode": "online"}).content.decode()
    assert "Enter the joining link for an online session" in online
    assert CourseSession.objects.get(pk=session.pk).capacity == 12


def test_finance_marks_several_charges_invoiced_in_one_go(
    client, alice, charlie, officer, school_a, school_b, django_assert_max_num_queries
):
    from ppp.history import history_of

    completed_session(school_a, alice, officer, attended=2)
    completed_session(school_b, charlie, officer, attended=1)
    completed_session(school_a, alice, officer, attended=1)
    first, second, third = Charge.objects.order_by("pk")
    client.force_login(officer)
    page = client.get(reverse("training:charges")).content.decode()
    assert page.count('form="charges-invoiced"') == 3 and "Mark selected invoiced" in page
    url = reverse("training:charges-invoiced")
    with django_assert_max_num_queries(40):
        response = client.post(
            url, {"charges": [first.public_id, second.public_id], "next": reverse("training:charges")}, follow=True
        )
    assert "2 charges marked invoiced." in response.content.decode()
    assert list(Charge.objects.order_by("pk").values_list("status", flat=True)) == [
        "invoiced",
        "invoiced",
        "not_invoiced",
    ]
    assert [e.action for e in history_of(first)] == ["raised", "invoiced"]
    from ppp.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="charge.invoiced").count() == 2
    # one already invoiced (by someone else meanwhile) is left as it is, and said so
    content = client.post(url, {"charges": [first.public_id, third.public_id]}, follow=True).content.decode()
    assert "1 charge marked invoiced." in content
    assert f"Not changed (already invoiced or paid): {school_a.name}" in content
    assert [e.action for e in history_of(first)] == ["raised", "invoiced"]
    # nothing selected, a made-up or malformed id: a GOV.UK message, nothing changed
    for data, message in (
        ({}, "Select the charges to mark as invoiced"),
        ({"charges": ["6f1c1a2e-1111-4222-8333-444455556666"]}, "no longer exists"),
        ({"charges": ["not-a-uuid"]}, "no longer exists"),
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200 and message in response.content.decode()
    assert Charge.objects.filter(status="invoiced").count() == 3


def test_only_officers_mark_charges_in_bulk(client, alice, officer, school_a):
    completed_session(school_a, alice, officer)
    charge = Charge.objects.get()
    client.force_login(alice)
    response = client.post(reverse("training:charges-invoiced"), {"charges": [charge.public_id]})
    assert response.status_code == 403
    assert Charge.objects.get().status == "not_invoiced"


def _new_session_data(day, **changes):
    from training.models import Course

    data = {
        "course": Course.objects.get(slug="emotion-coaching").pk,
        "date_0": str(day.day),
        "date_1": str(day.month),
        "date_2": str(day.year),
        "start_time": "9.30am",
        "end_time": "3pm",
        "mode": "in_person",
        "venue": "City Hall",
        "venue_address": "115 Charles Street, Leicester",
        "joining_link": "",
        "capacity": "20",
        "minimum_numbers": "6",
        "trainer": "Sue Patel",
        "deadline_date_0": "",
        "deadline_date_1": "",
        "deadline_date_2": "",
        "deadline_time": "",
        "notes": "Bring a packed lunch.",
    }
    data.update(changes)
    return data


def test_an_officer_schedules_a_session_in_the_service(client, officer):
    import datetime

    from django.utils import timezone

    from ppp.history import history_of

    day = timezone.localdate() + datetime.timedelta(days=30)
    client.force_login(officer)
    page = client.get(reverse("training:session-new")).content.decode()
    assert "Schedule a session" in page and "Emotion Coaching" in page
    response = client.post(reverse("training:session-new"), _new_session_data(day))
    session = CourseSession.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "training:register", args=[session.public_id]
    )
    starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    assert (starts.date(), starts.time(), ends.time()) == (day, datetime.time(9, 30), datetime.time(15, 0))
    assert (session.venue, session.capacity, session.minimum_numbers, session.trainer) == (
        "City Hall",
        20,
        6,
        "Sue Patel",
    )
    assert session.booking_deadline == session.starts_at - datetime.timedelta(days=2)  # the default
    assert [e.action for e in history_of(session)] == ["scheduled"]
    # a deadline typed: that day at 17:00 unless a time is given
    client.post(
        reverse("training:session-new"),
        _new_session_data(
            day,
            deadline_date_0=str((day - datetime.timedelta(days=7)).day),
            deadline_date_1=str((day - datetime.timedelta(days=7)).month),
            deadline_date_2=str((day - datetime.timedelta(days=7)).year),
            mode="online",
            venue="",
            joining_link="https://teams.example.org/meet/1",
        ),
    )
    online = CourseSession.objects.latest("pk")
    deadline = timezone.localtime(online.booking_deadline)
    assert (deadline.date(), deadline.time()) == (day - datetime.timedelta(days=7), datetime.time(17, 0))
    assert (online.mode, online.venue, online.joining_link) == ("online", "", "https://teams.example.org/meet/1")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"end_time": "9am"}, "The end time must be after the start time"),
        ({"end_time": "9.30am"}, "The end time must be after the start time"),
        ({"end_time": "25:00"}, "End time must be a real time"),
        ({"mode": "online", "venue": ""}, "Enter the joining link for an online session"),
        ({"venue": " "}, "Enter the venue"),
        ({"capacity": "0"}, "Number of places must be 1 or more"),
        ({"minimum_numbers": "30"}, "The minimum numbers cannot be more than the number of places"),
        ({"course": ""}, "Select the course"),
        ({"date_0": "31", "date_1": "2"}, "must be a real date"),
        ({"deadline_time": "17:00"}, "Enter the booking deadline, or leave the time empty too"),
    ],
)
def test_scheduling_a_session_with_bad_input_says_what_is_wrong(client, officer, changes, message):
    import datetime

    from django.utils import timezone

    client.force_login(officer)
    day = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(reverse("training:session-new"), _new_session_data(day, **changes))
    content = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in content and message in content
    assert not CourseSession.objects.exists()


def test_a_deadline_after_the_start_is_refused(client, officer):
    import datetime

    from django.utils import timezone

    client.force_login(officer)
    day = timezone.localdate() + datetime.timedelta(days=30)
    data = _new_session_data(day, deadline_date_0=str(day.day), deadline_date_1=str(day.month))
    data["deadline_date_2"] = str(day.year)  # the day itself at 17:00: after the 09:30 start
    content = client.post(reverse("training:session-new"), data).content.decode()
    assert "The booking deadline must be before the session starts" in content
    assert not CourseSession.objects.exists()


def test_copy_this_session_prefills_everything_but_the_day(client, officer, school_a, alice):
    session = make_session(venue="Brite Centre", trainer="Jo Bloggs", capacity=14)
    client.force_login(officer)
    register = client.get(reverse("training:register", args=[session.public_id])).content.decode()
    copy_url = reverse("training:session-new") + f"?copy={session.public_id}"
    assert copy_url in register
    page = client.get(copy_url).content.decode()
    assert "A copy of" in page and 'value="Brite Centre"' in page and 'value="Jo Bloggs"' in page
    assert 'value="14"' in page
    from django.utils import timezone

    assert f'value="{timezone.localtime(session.starts_at):%H:%M}"' in page
    assert client.get(reverse("training:session-new") + "?copy=not-a-uuid").status_code == 404
    missing = reverse("training:session-new") + "?copy=6f1c1a2e-1111-4222-8333-444455556666"
    assert client.get(missing).status_code == 404


def test_the_admin_says_an_end_before_the_start_in_words_not_the_constraint_name(client, officer):
    import datetime

    from django.utils import timezone

    from training.models import Course

    client.force_login(officer)
    start = timezone.localtime() + datetime.timedelta(days=20)
    data = {
        "course": Course.objects.get(slug="team-teach").pk,
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "15:30:00",
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": "09:30:00",
        "mode": "in_person",
        "venue": "City Hall",
        "capacity": "12",
        "minimum_numbers": "4",
        "booking_deadline_0": (start - datetime.timedelta(days=3)).strftime("%Y-%m-%d"),
        "booking_deadline_1": "17:00:00",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    content = client.post(reverse("admin:training_coursesession_add"), data).content.decode()
    assert "The session must end after it starts." in content
    assert content.count("The session must end after it starts.") == 1
    assert "session_ends_after_start" not in content and "Constraint" not in content
    assert not CourseSession.objects.exists()


def test_a_joining_link_typed_before_choosing_in_person_does_not_block_the_session(client, officer):
    import datetime

    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=30)
    client.force_login(officer)
    response = client.post(reverse("training:session-new"), _new_session_data(day, joining_link="teams meeting"))
    assert response.status_code == 302
    session = CourseSession.objects.get()
    assert session.venue == "City Hall" and session.joining_link == ""


def test_the_session_list_says_it_opens_on_the_last_30_days_and_any_time_shows_all(client, officer):
    recent = into_the_past(make_session(), days=10)
    old = into_the_past(make_session(), days=70)
    # Both held and closed, so neither is also listed under "Sessions to close".
    CourseSession.objects.filter(pk__in=[recent.pk, old.pk]).update(status=CourseSession.Status.COMPLETED)
    client.force_login(officer)
    opened = client.get(reverse("training:officer-home")).content.decode()
    assert re.search(r'<option value="recent" selected>Upcoming and the last 30 days</option>', opened)
    assert str(recent.public_id) in opened and str(old.public_id) not in opened
    every = client.get(reverse("training:officer-home"), {"when": ""}).content.decode()  # "Any time"
    assert str(recent.public_id) in every and str(old.public_id) in every
    # Another page of the list opened without a "When" keeps to the same sessions.
    second = client.get(reverse("training:officer-home"), {"page": "2"}).content.decode()
    assert str(recent.public_id) in second and str(old.public_id) not in second
