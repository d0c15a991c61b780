"""Training end to end in a real browser, axe on every page and no sideways scrolling at
375 px: a lead finds Emotion Coaching and books two staff; on the day the officer marks
attendance and issues certificates; the lead downloads one, its code verifies, and the
award's criterion 2.1 shows the training record as evidence."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ppp.accounts.models import Membership
from tests.accreditation import factories as award
from tests.e2e.test_award_journey import sign_in
from tests.factories import MembershipFactory, OrganisationFactory, make_officer
from training.models import Course, CourseSession

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fits_at_375(page):
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"
    page.set_viewport_size({"width": 1280, "height": 900})


def look(page, axe_check):
    axe_check(page)
    fits_at_375(page)


def test_a_lead_books_staff_who_are_certified_and_the_award_shows_it(new_context, live_server, axe_check):
    school = OrganisationFactory(name="Abbeygate Primary School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD, user__email="lead@e2e.example").user
    officer_user = make_officer("officer@e2e.example")
    application = award.evidencing(school, lead, officer_user)
    starts = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0) + datetime.timedelta(days=21)
    session = CourseSession.objects.create(
        course=Course.objects.get(slug="emotion-coaching"),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=6),
        booking_deadline=starts - datetime.timedelta(days=2),
        capacity=20,
        venue="City Hall",
        trainer="Sue Patel",
    )
    lead_page = new_context().new_page()
    officer_page = new_context().new_page()

    # The lead finds Emotion Coaching in the catalogue and books two staff.
    sign_in(lead_page, live_server, "lead@e2e.example")
    lead_page.get_by_role("link", name="Training", exact=True).click()
    expect(lead_page.get_by_role("heading", level=1)).to_have_text("SEND Support training")
    look(lead_page, axe_check)
    lead_page.get_by_label("Who it is for").select_option(label="Teachers")
    lead_page.get_by_label("Only sessions with places left").check()
    lead_page.get_by_role("button", name="Apply filters").click()
    look(lead_page, axe_check)
    lead_page.get_by_role("link", name="Emotion Coaching", exact=True).click()
    expect(lead_page.get_by_role("heading", level=1)).to_have_text("Emotion Coaching")
    look(lead_page, axe_check)
    lead_page.get_by_role("link", name=re.compile(starts.strftime("%A %-d %B %Y"))).click()
    look(lead_page, axe_check)
    lead_page.get_by_role("button", name="Book places").click()
    look(lead_page, axe_check)
    lead_page.get_by_role("button", name="Book places").click()  # nothing entered: the error summary
    expect(lead_page.get_by_text("There is a problem")).to_be_visible()
    look(lead_page, axe_check)
    for n, (name, email, role) in enumerate(
        [
            ("Jo Teacher", "jo@abbeygate.example", "Teacher"),
            ("Kim Assistant", "kim@abbeygate.example", "Teaching assistant"),
        ],
        start=1,
    ):
        group = lead_page.get_by_role("group", name=f"Attendee {n}")
        group.get_by_label("Full name").fill(name)
        group.get_by_label("Email address").fill(email)
        group.get_by_label("Role").select_option(label=role)
    # More rows keep what was typed, and book nothing yet.
    lead_page.get_by_role("button", name="Add more people (up to 6 at a time)").click()
    expect(lead_page.get_by_role("group", name="Attendee 6")).to_be_visible()
    expect(lead_page.get_by_role("group", name="Attendee 2").get_by_label("Full name")).to_have_value("Kim Assistant")
    look(lead_page, axe_check)
    lead_page.get_by_role("button", name="Book places").click()
    expect(lead_page.get_by_text("2 places confirmed: Jo Teacher, Kim Assistant.")).to_be_visible()
    look(lead_page, axe_check)

    # The day comes. The officer marks attendance, completes the session and issues certificates.
    CourseSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=7),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
        booking_deadline=timezone.now() - datetime.timedelta(days=2),
    )
    sign_in(officer_page, live_server, "officer@e2e.example", totp=True)
    officer_page.get_by_role("link", name="Training", exact=True).click()
    expect(officer_page.get_by_role("heading", level=1)).to_have_text("Training sessions")
    look(officer_page, axe_check)
    officer_page.get_by_role("list").get_by_role("link", name=re.compile("Emotion Coaching")).first.click()
    look(officer_page, axe_check)
    officer_page.get_by_label("Attended: Jo Teacher").check()
    officer_page.get_by_label("Attended: Kim Assistant").check()
    officer_page.get_by_role("button", name="Save attendance").click()
    expect(officer_page.get_by_text("Attendance saved (2 changes).")).to_be_visible()
    officer_page.get_by_role("button", name="Complete the session").click()
    expect(officer_page.get_by_text("Session completed")).to_be_visible()
    look(officer_page, axe_check)
    officer_page.get_by_role("button", name="Issue certificates").click()
    expect(officer_page.get_by_role("heading", level=1)).to_have_text("Certificates of attendance")
    expect(officer_page.get_by_text("2 of 2 certificates")).to_be_visible()
    expect(officer_page.get_by_text("Done", exact=True)).to_be_visible()
    look(officer_page, axe_check)

    # The lead downloads Jo's certificate from the training record, and checks its code.
    lead_page.goto(f"{live_server.url}/training/")
    lead_page.get_by_role("link", name="Abbeygate Primary School's bookings and training record").click()
    expect(lead_page.get_by_role("heading", level=1)).to_have_text("Training bookings and record")
    look(lead_page, axe_check)
    with lead_page.expect_download() as download:
        lead_page.get_by_role("link", name="Download Jo Teacher's certificate").click()
    assert download.value.suggested_filename.startswith("PPP-")
    code = download.value.suggested_filename.removesuffix(".pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    lead_page.goto(f"{live_server.url}/verify/")
    lead_page.get_by_label("Check a certificate").fill(code)
    lead_page.get_by_role("button", name="Check certificate").click()
    expect(lead_page.get_by_role("heading", name="This certificate is valid")).to_be_visible()
    expect(lead_page.get_by_text("Jo Teacher")).to_be_visible()
    look(lead_page, axe_check)

    # On the award, criterion 2.1 offers the training record; the lead attaches it.
    lead_page.goto(f"{live_server.url}{application.get_absolute_url()}")
    expect(
        lead_page.get_by_text("2 people from Abbeygate Primary School completed Emotion Coaching (2)")
    ).to_be_visible()
    axe_check(lead_page)
    lead_page.get_by_role("button", name="Attach the training record for 2.1").click()
    expect(lead_page.get_by_text("The training record is attached as draft evidence")).to_be_visible()
    expect(
        lead_page.get_by_text(re.compile(f"Jo Teacher \\(Teacher\\): Emotion Coaching, .*certificate {code}"))
    ).to_be_visible()
    look(lead_page, axe_check)


def test_the_other_training_pages_pass_axe_and_fit_a_phone(new_context, live_server, axe_check):
    from tests.training.factories import book, completed_session, make_session

    school = OrganisationFactory(name="Abbeygate Primary School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD, user__email="lead@e2e.example").user
    officer_user = make_officer("officer@e2e.example")
    completed_session(school, lead, officer_user, attended=2, absent=1)
    full = make_session(capacity=1, mode="online", joining_link="https://meet.example.org/abc")
    confirmed, waiting = book(full, school, lead, 2)
    lead_page, officer_page = new_context().new_page(), new_context().new_page()

    sign_in(lead_page, live_server, "lead@e2e.example")
    for path in [
        full.get_absolute_url(),
        confirmed.get_absolute_url(),
        f"/training/bookings/{confirmed.public_id}/cancel/",
        f"/training/bookings/{waiting.public_id}/substitute/",
        f"/training/sessions/{full.public_id}/book/",
        "/training/?delivery=online",
    ]:
        lead_page.goto(f"{live_server.url}{path}")
        look(lead_page, axe_check)

    sign_in(officer_page, live_server, "officer@e2e.example", totp=True)
    for path in [
        "/training/officer/",
        f"/training/officer/sessions/{full.public_id}/",
        f"/training/officer/sessions/{full.public_id}/capacity/",
        f"/training/officer/sessions/{full.public_id}/cancel/",
        f"/training/officer/sessions/{full.public_id}/evaluations/",
        "/training/officer/charges/",
        "/training/officer/reports/",
    ]:
        officer_page.goto(f"{live_server.url}{path}")
        look(officer_page, axe_check)
    officer_page.goto(f"{live_server.url}/training/officer/sessions/{full.public_id}/capacity/")
    officer_page.get_by_label("Places on the session").fill("0")
    officer_page.get_by_role("button", name="Change the capacity").click()
    expect(officer_page.get_by_text("There is a problem")).to_be_visible()
    look(officer_page, axe_check)
