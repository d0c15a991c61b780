"""The award from application to verified certificate, in a real browser, axe on every page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accreditation.models import Criterion, Scheme, Standard, Visit
from ppp.accounts.models import Membership
from tests.accreditation.factories import one_page_pdf
from tests.e2e.test_platform_journeys import current_totp_code
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, make_officer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = one_page_pdf()


def small_scheme():
    """A published scheme with two criteria, so the journey stays short."""
    Scheme.objects.update(status=Scheme.Status.RETIRED)
    scheme = Scheme.objects.create(name="Journey scheme", version=1, status=Scheme.Status.DRAFT, validity_months=36)
    standard = Standard.objects.create(scheme=scheme, number=1, title="Policies that record, monitor and review")
    Criterion.objects.create(
        standard=standard, code="1.1", order=1, statement="The setting has an anti-bullying policy."
    )
    Criterion.objects.create(standard=standard, code="1.2", order=2, statement="Every incident is recorded.")
    Scheme.objects.filter(pk=scheme.pk).update(status=Scheme.Status.PUBLISHED, published_on=datetime.date(2026, 9, 1))
    scheme.refresh_from_db()
    return scheme


def sign_in(page, live_server, email, totp=False):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if totp:
        page.get_by_label("Enter the code from your authenticator app").fill(current_totp_code())
        page.get_by_role("button", name="Sign in").click()


def on_a_phone(axe_check):
    """Every page of the journey: axe finds nothing, and it fits a 375 px screen."""

    def check(page):
        axe_check(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{page.url} scrolls sideways"
        )

    return check


def fill_date(page, group: str, day: datetime.date):
    fields = page.get_by_role("group", name=group)
    fields.get_by_label("Day").fill(str(day.day))
    fields.get_by_label("Month").fill(str(day.month))
    fields.get_by_label("Year").fill(str(day.year))


def test_from_application_to_a_verified_certificate(new_context, live_server, axe_check, tmp_path):
    """Both people work on phones (375 px) here; the other journeys use a desktop."""
    check = on_a_phone(axe_check)
    small_scheme()
    school = OrganisationFactory(name="Abbeygate Primary School", address="1 Abbey Lane\nLeicester")
    MembershipFactory(organisation=school, role=Membership.Role.LEAD, user__email="lead@e2e.example")
    make_officer("officer@e2e.example")
    lead, officer = new_context().new_page(), new_context().new_page()
    for page in (lead, officer):
        page.set_viewport_size({"width": 375, "height": 800})

    # The lead lands on their task home and applies from it.
    sign_in(lead, live_server, "lead@e2e.example")
    expect(lead.get_by_role("heading", level=1)).to_have_text("What needs you now")
    check(lead)
    lead.get_by_role("link", name="Apply for the Positive and Peaceful Places award").click()
    check(lead)
    lead.get_by_role("button", name="Apply for the award").click()
    check(lead)
    lead.get_by_role("button", name="Send application").click()  # empty: GOV.UK messages, nothing sent
    expect(lead).to_have_title(re.compile("^Error: "))
    expect(lead.locator(".govuk-error-summary")).to_contain_text("Confirm that you agree to the terms of the award")
    check(lead)
    # The price and the terms are on the page before the school agrees to them.
    lead.get_by_text("Read the terms and charges of the award").click()
    expect(lead.get_by_text("Pay the invoice within 30 days")).to_be_visible()
    check(lead)
    lead.get_by_label("Standard package: £695").check()
    lead.get_by_label("I have read the terms of the award").check()
    lead.get_by_role("button", name="Send application").click()
    expect(lead.get_by_text("Application sent. Next, offer two or three dates for your initial visit")).to_be_visible()
    check(lead)
    application_url = lead.url

    # Home now says the next step: offer dates for the initial visit.
    lead.get_by_role("button", name="Menu").click()  # on a phone the navigation folds into a menu
    lead.get_by_role("link", name=re.compile("^Home")).click()
    lead.get_by_role("link", name="Offer two or three dates for your initial visit").click()
    check(lead)
    lead.get_by_role("button", name="Offer these dates").click()  # empty
    expect(lead.locator(".govuk-error-summary")).to_contain_text("Enter the date of your first choice")
    summary_link = lead.locator(".govuk-error-summary a", has_text="Enter the date of your first choice")
    assert summary_link.get_attribute("href") == "#id_first_date_0"  # the day box, which exists
    check(lead)
    lead.get_by_label("Initial visit").check()
    lead.get_by_label("In person").check()
    first, second = (timezone.localdate() + datetime.timedelta(days=n) for n in (5, 6))
    fill_date(lead, "Date of your first choice", first)
    lead.get_by_label("Time of your first choice").fill("09:30")
    fill_date(lead, "Date of your second choice", second)
    lead.get_by_label("Time of your second choice").fill("2pm")
    lead.get_by_role("button", name="Offer these dates").click()
    check(lead)

    # The officer lands on the caseload and confirms one of the offered dates in one choice.
    sign_in(officer, live_server, "officer@e2e.example", totp=True)
    expect(officer.get_by_role("heading", level=1)).to_have_text("Your caseload")
    check(officer)
    # On a phone the filters fold away so the list comes first; they open with one tap.
    filters = officer.locator("details.ppp-filter-panel")
    assert filters.evaluate("d => d.open") is False
    officer.get_by_text("Filter applications").click()
    expect(officer.get_by_role("button", name="Apply filters")).to_be_visible()
    dates_panel = officer.locator("section, div").filter(
        has=officer.get_by_role("heading", name="Visit dates to confirm")
    )
    dates_panel.get_by_role("link", name="Abbeygate Primary School").first.click()
    check(officer)
    officer.get_by_role("button", name="Confirm the visit").click()  # empty
    expect(officer.locator(".govuk-error-summary")).to_contain_text("Select one of the dates the school offered")
    check(officer)
    officer.get_by_label(f"{first:%A %-d %B %Y} at 09:30").check()
    expect(officer.get_by_label("Address")).to_have_value("1 Abbey Lane, Leicester")
    officer.get_by_role("button", name="Confirm the visit").click()
    expect(officer.get_by_text("Visit confirmed.")).to_be_visible()
    check(officer)
    visit = Visit.objects.get()
    assert timezone.localtime(visit.starts_at).date() == first
    # Before its day, recording waits behind "happened earlier"; a report typed too soon is kept.
    expect(officer.get_by_role("heading", name="Record the visit")).to_have_count(0)
    officer.get_by_text("The visit happened earlier than booked").click()
    officer.get_by_label("Report for the school").fill("Typed before the day.")
    officer.get_by_role("button", name="Save the visit record").click()
    expect(officer.locator(".govuk-error-summary")).to_contain_text("Date of the visit must be today or in the past")
    expect(officer.get_by_label("Report for the school")).to_have_value("Typed before the day.")
    check(officer)

    # The day comes and goes: the officer records the visit afterwards.
    Visit.objects.update(starts_at=timezone.now() - datetime.timedelta(hours=3))
    officer.goto(live_server.url + visit.get_absolute_url())
    officer.get_by_role("button", name="Save the visit record").click()  # empty
    expect(officer.locator(".govuk-error-summary")).to_contain_text("Enter the report for the school")
    check(officer)
    officer.get_by_label("Report for the school").fill("A positive visit. Next: gather incident records.")
    officer.get_by_role("button", name="Save the visit record").click()
    expect(officer.get_by_text("Visit recorded. The school can read your report.")).to_be_visible()
    check(officer)

    # The lead self-reviews and drafts the action plan.
    lead.goto(application_url)
    expect(lead.locator(".govuk-summary-list strong.govuk-tag").first).to_have_text("Planning")
    lead.get_by_role("link", name="Update self-review").click()
    check(lead)
    lead.locator("input[name^='rating-'][value='developing']").first.check()
    lead.locator("input[name^='rating-'][value='established']").last.check()
    lead.get_by_role("button", name="Save and copy gaps into the action plan").click()
    expect(lead.get_by_text("1 action(s) added")).to_be_visible()
    check(lead)

    # The officer agrees the plan.
    officer.goto(application_url)
    officer.get_by_role("button", name="Agree the action plan").click()
    expect(officer.get_by_text("Action plan agreed: the school can now submit evidence")).to_be_visible()

    # The lead uploads evidence for both criteria and submits each.
    policy = tmp_path / "Anti-bullying policy.pdf"
    policy.write_bytes(PDF)
    lead.goto(application_url)
    lead.get_by_role("link", name="Add evidence for 1.1", exact=True).first.click()
    check(lead)
    lead.get_by_label("Title").fill("Anti-bullying policy")
    lead.get_by_role("radio", name="File").check()
    lead.get_by_label("Upload the file").set_input_files(str(policy))
    lead.get_by_role("button", name="Save as draft").click()
    check(lead)
    lead.goto(application_url)
    lead.get_by_role("link", name="Add evidence for 1.2", exact=True).first.click()
    lead.get_by_label("Title").fill("Incident log")
    lead.get_by_role("radio", name="Written statement").check()
    lead.get_by_label("Your statement").fill("Every incident is logged on the day by the class teacher.")
    lead.get_by_role("button", name="Save as draft").click()
    # Both drafts go to the officer in one go.
    lead.goto(application_url)
    lead.get_by_role("link", name="Submit 2 drafts for review").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Submit drafts for review")
    lead.get_by_label("Anti-bullying policy").uncheck()
    lead.get_by_label("Incident log").uncheck()
    lead.get_by_role("button", name="Submit for review").click()  # nothing ticked
    expect(lead.locator(".govuk-error-summary")).to_contain_text("Select the drafts to submit")
    check(lead)
    lead.get_by_label("Anti-bullying policy").check()
    lead.get_by_label("Incident log").check()
    lead.get_by_role("button", name="Submit for review").click()
    expect(lead.get_by_text("2 items submitted for review.")).to_be_visible()
    lead.get_by_role("button", name="Submit for assessment").click()
    expect(lead.get_by_text("Submitted for assessment. Your officer will review")).to_be_visible()
    check(lead)

    # The officer accepts the policy and asks for changes on the incident log.
    officer.goto(application_url)
    officer.get_by_role("link", name="Anti-bullying policy", exact=True).click()
    check(officer)
    officer.get_by_label("Accept").check()
    officer.get_by_role("button", name="Save decision").click()
    expect(officer.get_by_text("Decision saved")).to_be_visible()
    officer.goto(application_url)
    officer.get_by_role("link", name="Incident log", exact=True).click()
    officer.get_by_label("Ask for changes").check()
    officer.get_by_label("Comment for the school").fill("Please add who reviews the log, and how often.")
    officer.get_by_role("button", name="Save decision").click()

    # The lead's home says what to change, with the officer's comment; they act on it.
    lead.goto(f"{live_server.url}/home/")
    task = lead.locator(".govuk-task-list__item", has_text="Change “Incident log” as your officer asked")
    expect(task).to_contain_text("Please add who reviews the log, and how often.")
    check(lead)
    task.get_by_role("link").click()
    expect(lead.get_by_role("heading", name="Changes asked for")).to_be_visible()
    expect(lead.locator(".govuk-notification-banner").get_by_text("Please add who reviews the log")).to_be_visible()
    check(lead)
    lead.get_by_label("Your response to the officer's comment").fill("The deputy head reviews it weekly.")
    lead.get_by_role("button", name="Resubmit for review").click()
    expect(lead.get_by_text("Submitted for review.")).to_be_visible()

    # The officer accepts it and makes the award.
    officer.reload()
    officer.get_by_label("Accept").check()
    officer.get_by_role("button", name="Save decision").click()
    officer.goto(application_url)
    officer.get_by_role("button", name="Make the award").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Are you sure you want to make the award?")
    expect(officer.get_by_text("No assessment visit has been recorded")).to_be_visible()
    check(officer)
    officer.get_by_role("button", name="Yes, make the award").click()
    expect(officer.get_by_text("Award made and certificate issued")).to_be_visible()
    check(officer)

    # The lead downloads the certificate.
    lead.goto(application_url)
    expect(lead.get_by_role("heading", name="Awarded")).to_be_visible()
    check(lead)
    with lead.expect_download() as download:
        lead.get_by_role("link", name="Download the certificate (PDF)").click()
    code = download.value.suggested_filename.removesuffix(".pdf")
    assert re.fullmatch(r"PPP-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)

    # Anyone verifies it.
    visitor = new_context().new_page()
    visitor.goto(f"{live_server.url}/verify/")
    axe_check(visitor)
    visitor.get_by_label("Check a certificate").fill(code)
    visitor.get_by_role("button", name="Check certificate").click()
    expect(visitor.get_by_role("heading", name="This certificate is valid")).to_be_visible()
    expect(visitor.get_by_text("Abbeygate Primary School")).to_be_visible()
    axe_check(visitor)
    visitor.goto(f"{live_server.url}/award-holders/")
    expect(visitor.get_by_role("cell", name=re.compile("^Abbeygate Primary School"))).to_be_visible()
    axe_check(visitor)
