"""Training at national scale: the public pages kept for anonymous visitors and forgotten
on a change, the feed streamed, and the officers' pages and exports read in a constant
number of queries however many sessions, places and charges there are."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from icalendar import Calendar

from training.models import Booking, Charge, Course, CourseSession

from .factories import book, completed_session, into_the_past, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    cache.clear()


def test_the_catalogue_and_course_page_are_kept_and_forgotten_when_a_place_is_booked(
    client, kept, school_a, alice, django_assert_num_queries, django_capture_on_commit_callbacks
):
    session = make_session(capacity=5)
    catalogue, course = reverse("training:catalogue"), session.course.get_absolute_url()
    assert "5 places left" in client.get(catalogue).content.decode()
    assert "5 places left" in client.get(course).content.decode()
    with django_assert_num_queries(2):  # each: the kept page and its version, one cache read
        assert "5 places left" in client.get(catalogue).content.decode()
        assert "5 places left" in client.get(course).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        book(session, school_a, alice, 2)
    assert "3 places left" in client.get(catalogue).content.decode()
    assert "3 places left" in client.get(course).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Booking.objects.filter(session=session).first().delete()  # not a service: a signal forgets
    assert "4 places left" in client.get(catalogue).content.decode()


def test_a_session_changed_in_the_admin_is_forgotten(client, kept, django_capture_on_commit_callbacks):
    session = make_session()  # at City Hall
    url = session.course.get_absolute_url()
    assert "City Hall" in client.get(url).content.decode()
    session.venue = "Town Hall"
    with django_capture_on_commit_callbacks(execute=True):
        session.save()
    assert "Town Hall" in client.get(url).content.decode()
    course = Course.objects.get(pk=session.course_id)
    course.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        course.save()
    assert client.get(url).status_code == 404


def test_signed_in_people_are_never_served_the_kept_page(client, kept, officer):
    make_session()
    url = reverse("training:catalogue")
    assert "Run sessions, registers and charges" not in client.get(url).content.decode()
    client.force_login(officer)
    assert "Run sessions, registers and charges" in client.get(url).content.decode()


def test_the_feed_streams_upcoming_sessions_only_in_constant_queries(client, kept, django_assert_max_num_queries):
    make_session(days=5, mode="online", joining_link="https://meet.example.org/secret")
    into_the_past(make_session(days=3), 2)
    CourseSession.objects.filter(pk=make_session(days=20).pk).update(status="cancelled")
    url = reverse("training:sessions-ics")
    # the cache read, the sessions (one cursor), and the database cache's write once it is sent
    with django_assert_max_num_queries(8) as one:
        response = client.get(url)
        body = b"".join(response.streaming_content)
    assert response.streaming and response["Content-Disposition"].startswith("inline")
    events = list(Calendar.from_ical(body).walk("VEVENT"))
    assert len(events) == 1 and b"secret" not in body
    with django_assert_max_num_queries(1):  # kept once sent in full
        kept_response = client.get(url)
    assert kept_response.content == body and kept_response["Content-Type"].startswith("text/calendar")
    cache.clear()
    for days in range(6, 306):
        make_session(days=days)
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = b"".join(client.get(url).streaming_content)
    assert len(list(Calendar.from_ical(body).walk("VEVENT"))) == 301


def test_the_kept_feed_is_forgotten_when_a_session_is_added_moved_or_cancelled(
    client, kept, django_capture_on_commit_callbacks
):
    session = make_session(days=5)
    url = reverse("training:sessions-ics")

    def events():
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return list(Calendar.from_ical(body).walk("VEVENT"))

    assert len(events()) == 1
    assert len(events()) == 1  # kept
    with django_capture_on_commit_callbacks(execute=True):
        make_session(days=9)
    assert len(events()) == 2
    session.venue = "Town Hall"
    with django_capture_on_commit_callbacks(execute=True):
        session.save()
    assert any("Town Hall" in str(event.get("LOCATION")) for event in events())
    with django_capture_on_commit_callbacks(execute=True):
        CourseSession.objects.get(pk=session.pk).delete()
    assert len(events()) == 1


def _charges(school, lead, officer, n):
    for _ in range(n):
        completed_session(school, lead, officer, attended=1)


def test_charges_page_and_csv_read_in_constant_queries(
    client, alice, charlie, officer, school_a, school_b, django_assert_max_num_queries
):
    _charges(school_a, alice, officer, 1)
    client.force_login(officer)
    page, csv_url = reverse("training:charges"), reverse("training:charges-csv")
    with django_assert_max_num_queries(30) as one_page:
        client.get(page)
    with django_assert_max_num_queries(30) as one_csv:
        response = client.get(csv_url)
        b"".join(response.streaming_content)
    _charges(school_a, alice, officer, 4)
    _charges(school_b, charlie, officer, 5)
    with django_assert_max_num_queries(len(one_page.captured_queries)):
        content = client.get(page).content.decode()
    assert "10 charges" in content
    with django_assert_max_num_queries(len(one_csv.captured_queries)):
        response = client.get(csv_url)
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert response.streaming and len(lines) == 11
    assert lines[0].startswith("Organisation,URN,Finance contact,Traded services,Course,Session date")


def test_the_charges_filter_searches_organisations_by_name_or_urn(client, alice, charlie, officer, school_a, school_b):
    _charges(school_a, alice, officer, 1)
    _charges(school_b, charlie, officer, 2)
    client.force_login(officer)
    url = reverse("training:charges")
    content = client.get(url).content.decode()
    assert '<select name="organisation"' not in content and 'name="organisation"' in content
    assert "2 charges" in client.get(url, {"organisation": "academy"}).content.decode()
    assert "1 charge" in client.get(url, {"organisation": school_a.urn}).content.decode()
    assert "No charges match" in client.get(url, {"organisation": "nowhere"}).content.decode()
    csv_text = b"".join(client.get(reverse("training:charges-csv"), {"organisation": "academy"}).streaming_content)
    assert len(csv_text.decode("utf-8-sig").splitlines()) == 3
    assert client.get(url, {"organisation": "x" * 500, "status": "bogus"}).status_code == 200


def test_the_finance_csv_makes_typed_text_safe(client, alice, officer, school_a):
    from ppp.accounts.models import Organisation

    Organisation.objects.filter(pk=school_a.pk).update(name="=HYPERLINK(1)")
    _charges(school_a, alice, officer, 1)
    Charge.objects.update(invoice_reference="+SUM(A1)")
    client.force_login(officer)
    text = b"".join(client.get(reverse("training:charges-csv")).streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "'+SUM(A1)" in text


def test_reports_read_in_constant_queries(
    client,
    alice,
    charlie,
    officer,
    school_a,
    school_b,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    """The report reads the counts kept per course and term, in the same number of queries
    however many sessions and places; its table is kept under the training pages' version,
    so a second view reads nothing, and any new place (committed) draws it again."""
    completed_session(school_a, alice, officer, attended=2, absent=1)
    client.force_login(officer)
    with django_assert_max_num_queries(30) as one:
        client.get(reverse("training:reports"))
    with django_capture_on_commit_callbacks(execute=True):  # as each change commits
        for course in Course.objects.all()[:4]:
            completed_session(school_b, charlie, officer, attended=2, course_obj=course)
        book(make_session(capacity=1), school_b, charlie, 3)
    with django_assert_max_num_queries(len(one.captured_queries)) as drawn:
        content = client.get(reverse("training:reports")).content.decode()
    assert content.count("Results<span") >= 4
    report = [q["sql"] for q in drawn.captured_queries if "training_coursetermcount" in q["sql"]]
    assert len(report) == 1 and "training_booking" not in report[0]  # the kept counts, not the places
    with django_assert_max_num_queries(len(one.captured_queries)) as kept:
        again = client.get(reverse("training:reports")).content.decode()
    table = content[content.index("<table") : content.index("</table>")]
    assert again[again.index("<table") : again.index("</table>")] == table
    assert not [q for q in kept.captured_queries if "training_coursetermcount" in q["sql"]]


def test_the_admin_bookings_list_reads_in_constant_queries(
    client, alice, officer, school_a, django_assert_max_num_queries
):
    book(make_session(capacity=40), school_a, alice, 1)
    client.force_login(officer)
    url = reverse("admin:training_booking_changelist")
    with django_assert_max_num_queries(30) as one:
        assert client.get(url).status_code == 200
    book(make_session(capacity=40), school_a, alice, 30)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(url, {"status__exact": "confirmed"}).status_code == 200
