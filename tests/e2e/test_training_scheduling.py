"""An officer schedules a training session in the service on a 375 px phone (axe on every
page): an end before the start is refused in GOV.UK words, then "Copy this session"
schedules a repeat from a prefilled form."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_award_journey import sign_in
from tests.e2e.test_bulk_work import look, phone
from tests.factories import make_officer
from training.models import CourseSession

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fill_date(page, name, day):
    page.locator(f'[name="{name}_0"]').fill(str(day.day))
    page.locator(f'[name="{name}_1"]').fill(str(day.month))
    page.locator(f'[name="{name}_2"]').fill(str(day.year))


def test_an_officer_schedules_a_session_then_copies_it_for_a_repeat(new_context, live_server, axe_check):
    make_officer("officer@e2e.example")
    day = timezone.localdate() + datetime.timedelta(days=40)
    page = phone(new_context)
    sign_in(page, live_server, "officer@e2e.example", totp=True)
    page.goto(f"{live_server.url}/training/officer/")
    page.get_by_role("link", name="Schedule a session").click()
    look(page, axe_check)
    page.get_by_label("Course").select_option(label="Emotion Coaching")
    fill_date(page, "date", day)
    page.get_by_label("Start time").fill("2pm")
    page.get_by_label("End time").fill("9.30am")
    page.get_by_label("In person").check()
    page.get_by_label("Venue", exact=True).fill("City Hall")
    page.get_by_label("Number of places").fill("16")
    page.get_by_label("Trainer (optional)").fill("Sue Patel")
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="The end time must be after the start time")).to_be_visible()
    look(page, axe_check)
    assert not CourseSession.objects.exists()
    page.get_by_label("Start time").fill("9.30am")
    page.get_by_label("End time").fill("3.30pm")
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_text("is scheduled and open for booking")).to_be_visible()
    look(page, axe_check)
    first = CourseSession.objects.get()
    assert (timezone.localtime(first.starts_at).time(), first.venue, first.capacity) == (
        datetime.time(9, 30),
        "City Hall",
        16,
    )

    page.get_by_role("link", name="Copy this session").click()
    look(page, axe_check)
    expect(page.get_by_label("Venue", exact=True)).to_have_value("City Hall")
    expect(page.get_by_label("Start time")).to_have_value("09:30")
    expect(page.get_by_label("Number of places")).to_have_value("16")
    fill_date(page, "date", day + datetime.timedelta(days=7))
    page.get_by_role("button", name="Schedule the session").click()
    expect(page.get_by_text("is scheduled and open for booking")).to_be_visible()
    repeat = CourseSession.objects.latest("pk")
    assert timezone.localtime(repeat.starts_at).date() == day + datetime.timedelta(days=7)
    assert (repeat.course_id, repeat.trainer, timezone.localtime(repeat.ends_at).time()) == (
        first.course_id,
        "Sue Patel",
        datetime.time(15, 30),
    )
