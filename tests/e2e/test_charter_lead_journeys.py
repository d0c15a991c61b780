"""A signed-in lead signs the charter for the first time, changes and resubmits a
returned pledge, and renews a lapsed one — each by filling the form as a person would.

The public sign-up form builds its own layout; these are the forms a lead sees signed
in, which once rendered without the commitment boxes.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from charter import services
from charter.models import Pledge
from ppp.accounts.models import Membership
from tests.charter.factories import PledgeFactory
from tests.e2e.test_platform_journeys import sign_in
from tests.factories import MembershipFactory, OrganisationFactory, make_officer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _lead(email="lead@lead-journey.example"):
    school = OrganisationFactory(name="Hollybank Primary School")
    MembershipFactory(organisation=school, role=Membership.Role.LEAD, user__email=email, user__full_name="Holly Bank")
    return school


def _fill_commitments(page, text):
    boxes = page.get_by_label(re.compile("How will you show this"))
    expect(boxes).to_have_count(4)
    for box in boxes.all():
        box.fill(text)


def test_a_signed_in_lead_signs_the_charter_for_the_first_time(page, live_server, axe_check):
    school = _lead()
    sign_in(page, live_server, "lead@lead-journey.example")
    page.goto(f"{live_server.url}/charter/")
    page.get_by_role("button", name="Sign the charter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign the charter")
    axe_check(page)

    # Every question the errors name is on the page: sending it empty shows them, saves nothing.
    page.get_by_role("button", name="Sign the charter").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary = page.locator(".govuk-error-summary")
    for link in summary.get_by_role("link").all():
        target = link.get_attribute("href")
        assert page.locator(target).count() == 1, f"the error {link.inner_text()!r} points at nothing on the page"
    axe_check(page)
    assert not Pledge.objects.exists()

    page.get_by_label("Direct service to children and young people").check()
    _fill_commitments(page, "Our staff will do this, and governors will check it every term.")
    page.get_by_label("How many children and young people does your pledge cover?").fill("420")
    page.get_by_label("How many staff does your pledge cover?").fill("55")
    expect(page.get_by_label("Your full name")).to_have_value("Holly Bank")
    page.get_by_label("Your role").fill("Headteacher")
    page.get_by_role("button", name="Sign the charter").click()

    expect(page.get_by_text("Thank you for signing the charter")).to_be_visible()
    axe_check(page)
    pledge = Pledge.objects.get(organisation=school)
    assert pledge.status == Pledge.Status.SUBMITTED
    assert pledge.children_covered == 420
    assert {c.text for c in pledge.commitments.all()} == {
        "Our staff will do this, and governors will check it every term."
    }


def test_a_lead_changes_and_resubmits_a_returned_pledge(page, live_server, axe_check):
    school = _lead()
    officer = make_officer("officer@lead-journey.example")
    pledge = PledgeFactory(organisation=school, status=Pledge.Status.SUBMITTED)
    services.pledge_return(pledge=pledge, by=officer, comment="Say who checks the policy.")

    sign_in(page, live_server, "lead@lead-journey.example")
    page.goto(f"{live_server.url}{pledge.get_absolute_url()}")
    page.get_by_role("button", name="Change and resubmit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your pledge")
    axe_check(page)

    # The form opens with what was pledged before.
    boxes = page.get_by_label(re.compile("How will you show this"))
    expect(boxes).to_have_count(4)
    expect(boxes.first).to_have_value(re.compile("Our plan for"))

    # Emptying a box is refused and names the commitment.
    boxes.first.fill("")
    page.get_by_role("button", name="Resubmit our pledge").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    axe_check(page)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RETURNED

    _fill_commitments(page, "The deputy head checks the policy each term and reports to governors.")
    page.get_by_role("button", name="Resubmit our pledge").click()
    expect(page.get_by_text("Your pledge is with the council for approval.")).to_be_visible()
    axe_check(page)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED
    assert all("deputy head" in c.text for c in pledge.commitments.all())


def test_a_lead_renews_a_lapsed_pledge(page, live_server, axe_check):
    school = _lead()
    pledge = PledgeFactory(
        organisation=school,
        status=Pledge.Status.LAPSED,
        review_due_on=timezone.localdate() - datetime.timedelta(days=90),
    )

    sign_in(page, live_server, "lead@lead-journey.example")
    page.goto(f"{live_server.url}{pledge.get_absolute_url()}")
    page.get_by_role("button", name="Renew our pledge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Renew your pledge")
    axe_check(page)

    _fill_commitments(page, "We renewed our anti-bullying policy with pupils this year.")
    page.get_by_label("How many staff does your pledge cover?").fill("60")
    page.get_by_role("button", name="Renew our pledge").click()
    expect(page.get_by_text("Your pledge is with the council for approval.")).to_be_visible()
    axe_check(page)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED
    assert pledge.staff_covered == 60
    assert pledge.events.filter(action="renewed").exists()
