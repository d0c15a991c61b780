"""The public catalogue and the schools' pages: booking, places, the training record,
the evaluation link and the award's evidence."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accreditation.models import Evidence
from tests.accreditation import factories as award
from training.models import Booking, Course, CourseSession, Evaluation

from .factories import book, certified_session, completed_session, into_the_past, make_session

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_the_eight_courses_with_their_next_sessions(client):
    make_session(days=12, capacity=15)
    response = client.get(reverse("training:catalogue"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "8 courses" in content
    assert "Emotion Coaching" in content and "School Governor workshop" in content
    assert "15 places left" in content


def test_the_catalogue_filters_by_audience_delivery_month_and_places(client, school_a, alice):
    full = make_session(Course.objects.get(slug="team-teach"), days=40, capacity=1)
    book(full, school_a, alice)
    url = reverse("training:catalogue")
    governors = client.get(url, {"audience": "governors"}).content.decode()
    assert "School Governor workshop" in governors and "Midday Supervisor training" not in governors
    online = client.get(url, {"delivery": "online"}).content.decode()
    assert "Power of Connections" not in online  # no online session scheduled: nothing to show
    month = timezone.localtime(full.starts_at).strftime("%Y-%m")
    in_month = client.get(url, {"month": month}).content.decode()
    assert "1 course" in in_month and "Team Teach" in in_month
    with_places = client.get(url, {"month": month, "places": "on"}).content.decode()
    assert "0 courses" in with_places


def test_bad_filter_values_never_break_the_catalogue(client):
    response = client.get(reverse("training:catalogue"), {"audience": "nope", "month": "2020-99", "places": "x"})
    assert response.status_code == 200


def test_catalogue_and_course_page_queries_do_not_grow_with_sessions(client, django_assert_max_num_queries):
    course = Course.objects.get(slug="emotion-coaching")
    make_session(course)
    with django_assert_max_num_queries(6) as one:
        client.get(reverse("training:catalogue"))
    with django_assert_max_num_queries(4) as course_one:
        client.get(course.get_absolute_url())
    for days in range(2, 51):
        make_session(course, days=days)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("training:catalogue"))
    with django_assert_max_num_queries(len(course_one.captured_queries)):
        response = client.get(course.get_absolute_url())
    assert response.content.decode().count("places left") == 50


def test_a_course_page_lists_upcoming_sessions_only(client):
    course = Course.objects.get(slug="emotion-coaching")
    upcoming = make_session(course, days=9)
    into_the_past(make_session(course, days=3), 2)
    CourseSession.objects.filter(pk=make_session(course, days=20).pk).update(status="cancelled")
    response = client.get(course.get_absolute_url())
    assert response.content.decode().count("places left") == 1
    assert upcoming.get_absolute_url() in response.content.decode()
    assert client.get(reverse("training:course", args=["no-such-course"])).status_code == 404


def test_the_calendar_feed_lists_upcoming_sessions_without_joining_links(client):
    make_session(days=5, mode="online", joining_link="https://meet.example.org/secret")
    make_session(Course.objects.get(slug="team-teach"), days=8)
    response = client.get(reverse("training:sessions-ics"))
    assert response["Content-Type"].startswith("text/calendar")
    content = b"".join(response.streaming_content)
    calendar = Calendar.from_ical(content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    assert {str(e["summary"]).split(" (")[0] for e in events} == {"Emotion Coaching", "Team Teach"}
    assert b"secret" not in content


def test_a_calendar_app_that_takes_gzip_gets_the_kept_feed_compressed(client, settings):
    import gzip

    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    cache.clear()
    for days in range(1, 40):
        make_session(days=days)
    drawn = b"".join(client.get(reverse("training:sessions-ics"), HTTP_ACCEPT_ENCODING="gzip").streaming_content)
    kept = client.get(reverse("training:sessions-ics"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert kept["Content-Encoding"] == "gzip" and "Accept-Encoding" in kept["Vary"]
    assert kept["Content-Type"].startswith("text/calendar") and kept["Content-Disposition"]
    assert gzip.decompress(kept.content) == drawn and len(kept.content) < len(drawn) / 4
    plain = client.get(reverse("training:sessions-ics"))
    assert plain.content == drawn and not plain.has_header("Content-Encoding")


def _joining_link_shown(client, session) -> bool:
    return "https://meet.example.org/secret" in client.get(session.get_absolute_url()).content.decode()


def test_the_joining_link_is_shown_only_to_confirmed_attendees_organisation(
    client, school_a, school_b, alice, charlie, officer
):
    session = make_session(capacity=1, mode="online", joining_link="https://meet.example.org/secret")
    assert not _joining_link_shown(client, session)  # anonymous
    book(session, school_a, alice)
    (waiting,) = book(session, school_b, charlie)
    assert waiting.status == Booking.Status.WAITLISTED
    client.force_login(alice)
    assert _joining_link_shown(client, session)
    booking_page = client.get(Booking.objects.get(organisation=school_a).get_absolute_url()).content.decode()
    assert "https://meet.example.org/secret" in booking_page
    client.force_login(charlie)  # only waitlisted: never the link
    assert not _joining_link_shown(client, session)
    assert "https://meet.example.org/secret" not in client.get(waiting.get_absolute_url()).content.decode()
    client.force_login(officer)
    assert _joining_link_shown(client, session)


def test_the_joining_link_is_not_shown_to_another_school_or_after_cancelling(
    client, school_a, school_b, alice, charlie
):
    from training import services

    session = make_session(mode="online", joining_link="https://meet.example.org/secret")
    (booking,) = book(session, school_a, alice)
    client.force_login(charlie)
    assert not _joining_link_shown(client, session)
    services.booking_cancel(booking=booking, by=alice)
    client.force_login(alice)
    assert not _joining_link_shown(client, session)


def _form(n=1, **override):
    data = {"rows": "3"}
    people = [("Jo Teacher", "jo@a.example", "teacher"), ("Kim Assistant", "kim@a.example", "teaching_assistant")]
    for i, (name, email, role) in enumerate(people[:n], start=1):
        data.update({f"name_{i}": name, f"email_{i}": email, f"role_{i}": role})
    data.update(override)
    return data


def test_a_lead_books_two_staff(client, alice, school_a):
    session = make_session(capacity=5)
    client.force_login(alice)
    url = reverse("training:book", args=[session.public_id])
    page = client.get(url)
    assert page.status_code == 200 and "Book places for School A Primary" in page.content.decode()
    response = client.post(url, _form(2), follow=True)
    assert "2 places confirmed: Jo Teacher, Kim Assistant." in response.content.decode()
    assert list(session.bookings.values_list("status", "organisation")) == [("confirmed", school_a.pk)] * 2


def test_booking_a_full_session_says_clearly_it_is_the_waiting_list(client, alice, school_a, school_b, charlie):
    session = make_session(capacity=1)
    book(session, school_b, charlie)
    client.force_login(alice)
    url = reverse("training:book", args=[session.public_id])
    assert "This session is full" in client.get(url).content.decode()
    response = client.post(url, _form(1), follow=True)
    body = response.content.decode()
    assert "On the waiting list: Jo Teacher. We email them if a place comes up." in body
    assert "govuk-notification-banner--success" in body and "There is a problem" not in body
    assert session.bookings.get(attendee_email="jo@a.example").status == Booking.Status.WAITLISTED


def test_adding_more_people_keeps_what_was_typed_and_books_nothing(client, alice):
    session = make_session(capacity=5)
    client.force_login(alice)
    url = reverse("training:book", args=[session.public_id])
    response = client.post(url, {**_form(2), "more": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in body
    assert 'value="Jo Teacher"' in body and 'value="kim@a.example"' in body
    assert 'name="name_6"' in body and "Add more people" not in body
    assert not session.bookings.exists()


def test_an_attendees_bad_email_says_which_attendee(client, alice):
    session = make_session(capacity=5)
    client.force_login(alice)
    url = reverse("training:book", args=[session.public_id])
    body = client.post(url, _form(2, email_2="kim-at-school")).content.decode()
    assert "Enter attendee 2&#x27;s email address in the correct format" in body
    assert not session.bookings.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the first attendee&#x27;s full name"),
        (
            {"name_1": "Jo", "email_1": "not-an-email", "role_1": "teacher"},
            "Enter attendee 1&#x27;s email address in the correct format",
        ),
        ({"name_1": "Jo", "email_1": "jo@a.example", "role_1": "wizard"}, "Select one of the options for"),
        (
            {"name_1": "Jo", "email_1": "jo@a.example", "role_1": "teacher", "name_2": "Kim"},
            "Enter attendee 2&#x27;s email address",
        ),
        ({"name_1": "Jo", "email_1": "jo@a.example", "role_1": "teacher", "rows": "many"}, None),
    ],
)
def test_booking_form_errors_are_in_the_error_summary_and_book_nothing(client, alice, data, message):
    session = make_session()
    client.force_login(alice)
    response = client.post(reverse("training:book", args=[session.public_id]), {"rows": "3", **data})
    if message is None:  # a mangled row count falls back to the default form and still books
        assert response.status_code == 302
        return
    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content and message in content
    assert "This field is required" not in content
    assert not session.bookings.exists()


def test_booking_someone_twice_or_after_the_deadline_says_why(client, alice, school_a):
    session = make_session()
    book(session, school_a, alice, name="Jo Teacher", email="jo@a.example")
    client.force_login(alice)
    url = reverse("training:book", args=[session.public_id])
    assert "Jo Teacher (jo@a.example) already has a place" in client.post(url, _form(1)).content.decode()
    CourseSession.objects.filter(pk=session.pk).update(booking_deadline=timezone.now() - datetime.timedelta(minutes=1))
    assert "Bookings for this session closed on" in client.post(url, _form(2)).content.decode()
    assert session.bookings.count() == 1


def test_booking_a_cancelled_session_says_so(client, alice):
    session = make_session()
    CourseSession.objects.filter(pk=session.pk).update(status="cancelled")
    client.force_login(alice)
    response = client.post(reverse("training:book", args=[session.public_id]), _form(1))
    assert "This session has been cancelled" in response.content.decode()
    assert not session.bookings.exists()


def test_only_an_organisations_staff_can_book(client, officer):
    from tests.factories import UserFactory

    session = make_session()
    url = reverse("training:book", args=[session.public_id])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    client.force_login(UserFactory())
    assert client.post(url, _form(1)).status_code == 403
    client.force_login(officer)
    assert client.get(url).status_code == 403
    assert not session.bookings.exists()
    assert client.get(reverse("training:book", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404


def test_booking_needs_post_or_get(client, alice):
    client.force_login(alice)
    assert client.delete(reverse("training:book", args=[make_session().public_id])).status_code == 405


def test_the_booker_cancels_a_place_and_the_waiting_list_moves_up(client, bob, alice, school_a):
    session = make_session(capacity=1)
    first, second = book(session, school_a, alice, 2)
    client.force_login(bob)
    url = reverse("training:booking-cancel", args=[first.public_id])
    page = client.get(url).content.decode()
    assert "Cancelling is free of charge" in page and "goes to the first person on the waiting list" in page
    (alone,) = book(make_session(capacity=5), school_a, alice)  # nobody waiting: the page says so
    page = client.get(reverse("training:booking-cancel", args=[alone.public_id])).content.decode()
    assert "waiting list" not in page and "free for anyone to book" in page
    response = client.post(url, {"reason": "Off sick"}, follow=True)
    assert "place is cancelled" in response.content.decode()
    assert "No charge: cancelled in time" in response.content.decode()  # the place's page, after
    assert Booking.objects.get(pk=first.pk).status == "cancelled"
    assert Booking.objects.get(pk=second.pk).status == "confirmed"
    assert client.get(url, follow=True).status_code == 200  # cancelled already: back to the place with a message


def test_a_late_cancellation_warns_of_the_charge(client, alice, school_a):
    (booking,) = book(make_session(days=3), school_a, alice)
    client.force_login(alice)
    assert "still charged" in client.get(reverse("training:booking-cancel", args=[booking.public_id])).content.decode()
    after = client.post(reverse("training:booking-cancel", args=[booking.public_id]), {"reason": "Ill"}, follow=True)
    assert "cancelled late, so still charged" in after.content.decode()


def test_the_booker_names_a_substitute(client, bob, alice, school_a):
    (booking,) = book(make_session(), school_a, alice)
    client.force_login(bob)
    url = reverse("training:booking-substitute", args=[booking.public_id])
    response = client.post(url, {"name": "", "email": "x", "role": ""})
    content = response.content.decode()
    assert "Enter the new attendee&#x27;s full name" in content and "Select the new attendee&#x27;s role" in content
    response = client.post(url, {"name": "Pat New", "email": "pat@a.example", "role": "senco"}, follow=True)
    assert "Pat New now has the place." in response.content.decode()
    booking.refresh_from_db()
    assert booking.attendee_email == "pat@a.example"


def test_another_school_cannot_see_or_change_a_place(client, alice, charlie, school_a):
    (booking,) = book(make_session(), school_a, alice)
    client.force_login(charlie)
    for name in ("training:booking", "training:booking-cancel", "training:booking-substitute"):
        assert client.get(reverse(name, args=[booking.public_id])).status_code == 404
    assert client.post(reverse("training:booking-cancel", args=[booking.public_id])).status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_a_school_sees_only_its_own_bookings(client, alice, charlie, school_a, school_b):
    session = make_session()
    book(session, school_a, alice, name="Ours Person")
    book(session, school_b, charlie, name="Theirs Person")
    client.force_login(alice)
    session_page = client.get(session.get_absolute_url()).content.decode()
    record = client.get(reverse("training:record", args=[school_a.slug])).content.decode()
    for content in (session_page, record):
        assert "Ours Person" in content and "Theirs Person" not in content
    assert client.get(reverse("training:record", args=[school_b.slug])).status_code == 404
    assert client.get(reverse("training:mine")).url == reverse("training:record", args=[school_a.slug])


def test_the_training_record_lists_completed_training_with_certificates_and_csv(client, alice, bob, officer, school_a):
    session, bookings, _ = certified_session(school_a, alice, officer, attended=2, absent=1)
    client.force_login(bob)
    content = client.get(reverse("training:record", args=[school_a.slug])).content.decode()
    assert content.count("Download<span") == 2
    assert "Charges" not in content  # members do not see charges; the lead does
    client.force_login(alice)
    assert "£285.00" in client.get(reverse("training:record", args=[school_a.slug])).content.decode()
    csv_text = client.get(reverse("training:record-csv", args=[school_a.slug])).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Name,Email,Role,Course,Date")
    assert len(csv_text.splitlines()) == 3 and "PPP-" in csv_text


def test_training_record_queries_do_not_grow_with_rows(client, alice, officer, school_a, django_assert_max_num_queries):
    certified_session(school_a, alice, officer, attended=1)
    book(make_session(), school_a, alice)
    client.force_login(alice)
    url = reverse("training:record", args=[school_a.slug])
    with django_assert_max_num_queries(20) as one:
        client.get(url)
    certified_session(school_a, alice, officer, attended=49)
    book(make_session(capacity=50), school_a, alice, 49)
    with django_assert_max_num_queries(len(one.captured_queries)):
        content = client.get(url).content.decode()
    assert content.count("Download<span") == 50


def test_the_lead_downloads_a_certificate_that_verifies(client, alice, officer, school_a, charlie):
    _, bookings, _ = certified_session(school_a, alice, officer, attended=1)
    client.force_login(alice)
    page = client.get(bookings[0].get_absolute_url()).content.decode()
    assert "Download the certificate of attendance (PDF)" in page
    from ppp.certificates.models import IssuedCertificate

    certificate = IssuedCertificate.objects.get()
    pdf = client.get(reverse("certificates:download", args=[certificate.code]))
    assert pdf.content.startswith(b"%PDF")
    verify = client.get(certificate.get_absolute_url()).content.decode()
    assert bookings[0].attendee_name in verify
    client.force_login(charlie)
    assert client.get(reverse("certificates:download", args=[certificate.code])).status_code == 404


def test_an_attendee_evaluates_by_their_private_link_once(
    client, alice, officer, school_a, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        completed_session(school_a, alice, officer, attended=1)
    link = next(m for m in mail.outbox if "How useful" in m.subject).body.split("\n")
    url = next(line for line in link if "/training/evaluate/" in line).strip()
    path = url[url.index("/training/") :]
    page = client.get(path)
    assert page.status_code == 200 and "How was Emotion Coaching?" in page.content.decode()
    errors = client.post(path, {}).content.decode()
    assert "Select how useful the session was" in errors
    done = client.post(path, {"usefulness": "4", "will_change": "Name the feeling first", "comments": ""})
    assert "Thank you for your evaluation" in done.content.decode()
    evaluation = Evaluation.objects.get()
    assert (evaluation.usefulness, evaluation.will_change) == (4, "Name the feeling first")
    assert "already sent" in client.get(path).content.decode()
    assert client.post(path, {"usefulness": "1"}).status_code == 200
    assert Evaluation.objects.get().usefulness == 4
    assert client.get(reverse("training:evaluate", args=["forged-token"])).status_code == 404


def test_the_award_offers_the_training_record_for_2_1_and_2_4_and_attaches_it(client, alice, officer, school_a):
    application = award.evidencing(school_a, alice, officer)
    certified_session(school_a, alice, officer, attended=2)
    certified_session(school_a, alice, officer, attended=1, role="governor",
                      course_obj=Course.objects.get(slug="school-governor-workshop"))  # fmt: skip
    client.force_login(alice)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Training record: staff trained" in page and "Training record: governors trained" in page
    assert "2 people from School A Primary completed Emotion Coaching (2)" in page
    response = client.post(reverse("training:award-attach", args=[application.public_id, "2.1"]))
    evidence = Evidence.objects.get(application=application)
    assert response.url == evidence.get_absolute_url()
    assert list(evidence.criteria.values_list("code", flat=True)) == ["2.1"]
    assert evidence.statement.count("Emotion Coaching") == 2 and "certificate PPP-" in evidence.statement
    shown = client.get(evidence.get_absolute_url()).content.decode()
    assert "Emotion Coaching" in shown


def test_nothing_is_offered_or_attached_without_completed_training(client, alice, officer, school_a):
    application = award.evidencing(school_a, alice, officer)
    client.force_login(alice)
    assert "Training record" not in client.get(application.get_absolute_url()).content.decode()
    client.post(reverse("training:award-attach", args=[application.public_id, "2.1"]))
    assert not Evidence.objects.exists()
    assert client.post(reverse("training:award-attach", args=[application.public_id, "9.9"])).status_code == 404


def test_an_officer_cannot_attach_a_schools_evidence(client, alice, officer, school_a):
    application = award.evidencing(school_a, alice, officer)
    completed_session(school_a, alice, officer, attended=1)
    client.force_login(officer)
    client.post(reverse("training:award-attach", args=[application.public_id, "2.1"]))
    assert not Evidence.objects.exists()


def test_the_evaluation_link_is_never_cached(client, alice, officer, school_a):
    response = client.get(reverse("training:evaluate", args=["any-token"]))
    assert "no-store" in response["Cache-Control"]
