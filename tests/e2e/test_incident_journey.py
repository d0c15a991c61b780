"""A pupil tells their school through its private link; a reviewer triages the report
into an incident, records who was involved and what was done, replies and sets a review;
the pupil reads the reply with their code; the reviewer resolves it; the council
officer sees that the school has recorded incidents this term (its figures are published
once the term has closed: tests/e2e/test_figures_page.py). In a real browser, with axe on every page
and no sideways scrolling at 375 px on the pupils' pages, the staff pages and the officer's figures."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from incidents.models import Incident, Status
from ppp.accounts.models import Membership
from tests.e2e.test_award_journey import sign_in
from tests.factories import MembershipFactory, OrganisationFactory, make_officer
from tests.incidents.factories import grant, record
from tests.two_factor import give_authenticator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fits_375(page):
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    page.set_viewport_size({"width": 1280, "height": 900})


def fill_date(page, group, day: datetime.date):
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


def other_schools_with_incidents():
    """Two more settings with incidents this term, so the council's figures are published."""
    for name in ("Brookfield Academy", "Cedar Vale School"):
        school = OrganisationFactory(name=name)
        lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD).user
        for _ in range(6):
            record(school, lead, forms=["verbal"], occurred_at=timezone.now() - datetime.timedelta(hours=5))


def test_a_pupils_report_from_the_link_to_the_councils_figures(new_context, live_server, axe_check):
    school = OrganisationFactory(name="Abbeygate Primary School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD, user__email="lead@e2e.example").user
    reviewer = grant(school, review=True, email="reviewer@e2e.example", full_name="Ruth Reid")
    give_authenticator(reviewer)  # incident staff use two-factor (ADR 0031)
    _link, token = services.reporting_link_create(organisation=school, by=lead)
    make_officer("officer@e2e.example")
    other_schools_with_incidents()

    # The pupil tells the school, anonymously.
    pupil = new_context().new_page()
    pupil.goto(f"{live_server.url}/tell/{token}/")
    expect(pupil.get_by_role("heading", level=1)).to_have_text("Tell someone at Abbeygate Primary School")
    expect(pupil.get_by_text("call Childline on")).to_be_visible()
    axe_check(pupil)
    fits_375(pupil)
    pupil.get_by_role("button", name="Send").click()  # empty: a polite error, nothing stored
    expect(pupil.get_by_role("heading", name="There is a problem")).to_be_visible()
    axe_check(pupil)
    assert not Incident.objects.filter(organisation=school).exists()
    pupil.get_by_label("What happened?").fill("A boy in Year 6 pushes me over at football every lunchtime.")
    pupil.get_by_label("In the playground").check()
    pupil.get_by_label("It keeps happening").check()
    pupil.get_by_label("No, I want to stay anonymous").check()
    pupil.get_by_role("button", name="Send").click()
    expect(pupil.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    axe_check(pupil)
    fits_375(pupil)
    code = pupil.locator(".ppp-code").inner_text()
    assert len(code.replace("-", "")) == 16
    assert {c["name"] for c in pupil.context.cookies()} <= {"csrftoken"}

    # A reviewer triages it into an incident.
    staff = new_context().new_page()
    sign_in(staff, live_server, "reviewer@e2e.example", totp=True)
    staff.get_by_role("link", name="Incidents", exact=True).first.click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Incidents")
    axe_check(staff)
    fits_375(staff)
    incident = Incident.objects.get(organisation=school)
    staff.get_by_role("link", name=incident.reference).click()
    expect(staff.get_by_text("A boy in Year 6 pushes me over")).to_be_visible()
    axe_check(staff)
    staff.get_by_role("button", name="Open this report").click()
    axe_check(staff)
    fill_date(staff, "Date it happened", timezone.localdate())
    staff.get_by_label("Face to face").check()
    staff.get_by_label("Physical").check()
    staff.get_by_role("group", name="Has it happened several times?").get_by_label("Yes").check()
    staff.get_by_role("group", name="Was it done on purpose?").get_by_label("Yes").check()
    staff.get_by_role("group", name="Is there an imbalance of power?").get_by_label("Yes").check()
    staff.get_by_label("Immediate action taken (optional)").fill("Midday supervisors watch the football pitch.")
    staff.get_by_label("Not yet").check()
    staff.get_by_role("button", name="Open the incident").click()
    expect(staff.get_by_text(f"Incident {incident.reference} is open")).to_be_visible()
    axe_check(staff)

    # …records who was involved…
    staff.get_by_role("button", name="Add a person involved").click()
    axe_check(staff)
    staff.get_by_label("Pupil reference").fill("JM-4C")
    staff.get_by_label("Target").check()
    staff.get_by_label("Year group").select_option(label="Year 4")
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_role("cell", name="JM-4C", exact=True)).to_be_visible()
    axe_check(staff)
    fits_375(staff)

    # …changes "Who reported it?" (issue 19 §2): the pupil's words stay on the record…
    staff.get_by_role("link", name="Change the record").click()
    staff.get_by_role("group", name="Who reported it?").get_by_label("Staff").check()
    staff.get_by_role("button", name="Save the record").click()
    expect(staff.get_by_text("Record saved.")).to_be_visible()
    expect(staff.get_by_role("heading", name="Conversation with the pupil")).to_be_visible()
    pupils_words = staff.locator(".ppp-conversation__message--pupil")
    expect(pupils_words.get_by_text("A boy in Year 6 pushes me over")).to_be_visible()
    incident.refresh_from_db()
    assert incident.reported_by == "staff"

    # …replies to the pupil, and sets a review.
    staff.get_by_label("Your reply to the pupil").fill("Thank you for telling us. Mrs Reid will find you at break.")
    staff.get_by_role("button", name="Send the reply").click()
    expect(staff.get_by_text("Reply sent")).to_be_visible()
    axe_check(staff)
    staff.get_by_role("button", name="Set a review").click()
    axe_check(staff)
    fill_date(staff, "Review date", timezone.localdate() + datetime.timedelta(days=14))
    staff.get_by_role("button", name="Set the review").click()
    expect(staff.get_by_text("Review set. You will get a reminder on the day.")).to_be_visible()
    axe_check(staff)
    incident.refresh_from_db()
    assert incident.status == Status.UNDER_REVIEW

    # The pupil comes back with their code and reads the reply.
    pupil.goto(f"{live_server.url}/tell/follow-up/")
    axe_check(pupil)
    pupil.get_by_label("Your code").fill(code)
    pupil.get_by_role("button", name="Continue").click()
    expect(pupil.get_by_text("Mrs Reid will find you at break")).to_be_visible()
    expect(pupil.get_by_text("Ruth Reid")).to_have_count(0)
    axe_check(pupil)
    fits_375(pupil)
    pupil.get_by_label("Add something").fill("He pushed me again today.")
    pupil.get_by_role("button", name="Send").click()
    expect(pupil.get_by_text("The school will read what you added")).to_be_visible()

    # The reviewer reads what the pupil added and answers it.
    staff.reload()
    expect(pupils_words.get_by_text("He pushed me again today.")).to_be_visible()
    staff.get_by_label("Your reply to the pupil").fill("Thank you for telling us again. Mrs Reid will see you today.")
    staff.get_by_role("button", name="Send the reply").click()
    expect(staff.get_by_text("Reply sent")).to_be_visible()

    # The reviewer resolves it.
    staff.get_by_role("button", name="Resolve").click()
    axe_check(staff)
    staff.get_by_label("Outcome").fill("Spoke to both pupils; the pushing has stopped and JM feels safe at football.")
    staff.get_by_role("button", name="Resolve the incident").click()
    expect(staff.get_by_text("Incident resolved.")).to_be_visible()
    axe_check(staff)
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED

    # The council officer: this term's figures come once it has closed; meanwhile the
    # officer sees which settings have recorded incidents (yes or no, never a count).
    officer = new_context().new_page()
    sign_in(officer, live_server, "officer@e2e.example", totp=True)
    officer.get_by_role("link", name="Incident figures").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Bullying incident figures")
    expect(officer.get_by_text("No figures are published yet")).to_be_visible()
    axe_check(officer)
    fits_375(officer)
    officer.get_by_role("link", name="Which settings have recorded incidents this term").click()
    expect(officer.get_by_role("row", name="Abbeygate Primary School")).to_contain_text("Yes")
    axe_check(officer)
    fits_375(officer)
    expect(officer.get_by_text("JM-4C")).to_have_count(0)
    response = officer.goto(f"{live_server.url}{incident.get_absolute_url()}")
    assert response.status == 404


def test_a_lead_makes_the_reporting_link_on_a_phone_and_a_pupil_opens_it(new_context, live_server, axe_check):
    """The link shown is the link saved (it was once shown and never stored): made, shown
    once with its QR code, opened by a pupil; a new link stops it."""
    school = OrganisationFactory(name="Abbeygate Primary School")
    lead = give_authenticator(MembershipFactory(organisation=school, role=Membership.Role.LEAD).user)
    page = new_context().new_page()
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, lead.email, totp=True)
    page.goto(f"{live_server.url}/incidents/reporting-link/")
    page.get_by_role("button", name="Make the link").click()
    link = page.locator(".ppp-secret-link").inner_text().strip()
    assert "/tell/" in link
    axe_check(page)
    fits_375(page)
    pupil = new_context().new_page()
    pupil.goto(live_server.url + link[link.index("/tell/") :])
    expect(pupil.get_by_role("heading", level=1)).to_contain_text("Tell")
    page.goto(f"{live_server.url}/incidents/reporting-link/")
    page.get_by_role("button", name="Make a new link and stop the old one").click()
    expect(page.locator(".ppp-secret-link")).not_to_have_text(link)
    pupil.reload()
    expect(pupil.get_by_role("heading", level=1)).to_have_text("This link no longer works")
