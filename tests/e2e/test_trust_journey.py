"""The public checks a certificate on a phone (375 px): from the home page's link, with the
code typed carelessly, an empty entry and a malformed one answered in GOV.UK words, and a
withdrawn pledge's certificate shown as no longer valid. The trust pages on the way. Every
page: axe finds nothing, and nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from charter.services import pledge_approve, pledge_withdraw
from ppp.certificates.models import IssuedCertificate
from tests.charter.factories import PledgeFactory
from tests.factories import MembershipFactory, OrganisationFactory, make_officer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def fits(page):
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width[0]} px on a {width[1]} px screen"


def test_the_public_checks_certificates_on_a_phone(browser, live_server, axe_check):
    officer = make_officer()
    school = OrganisationFactory(name="Riverside Primary School")
    lead = MembershipFactory(organisation=school, role="lead").user
    pledge = pledge_approve(pledge=PledgeFactory(organisation=school), by=officer)
    code = IssuedCertificate.objects.get(organisation=school).code

    page = browser.new_context(viewport={"width": 375, "height": 800}, bypass_csp=True).new_page()

    def look():
        axe_check(page)
        fits(page)

    page.goto(live_server.url + "/")
    look()
    expect(page.locator('link[rel="icon"][type="image/svg+xml"]')).to_have_attribute("href", "/static/ppp/favicon.svg")
    page.get_by_role("link", name="Check a certificate is genuine and current").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a certificate")
    look()

    # Nothing typed, then nonsense: GOV.UK error messages, linked to the box.
    page.get_by_role("button", name="Check certificate").click()
    expect(page).to_have_title("Error: Check a certificate – Positive and Peaceful Places – Leicester City Council")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the certificate code")
    look()
    page.get_by_label("Check a certificate").fill("PPP-12")
    page.get_by_role("button", name="Check certificate").click()
    expect(page.locator("#code-error")).to_contain_text("Enter the code as it is printed on the certificate")
    page.locator(".govuk-error-summary a").click()
    expect(page.get_by_label("Check a certificate")).to_be_focused()

    # Typed in lower case with spaces and no dashes: found.
    page.get_by_label("Check a certificate").fill(" " + code.lower().replace("-", " ") + " ")
    page.get_by_role("button", name="Check certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is valid")
    expect(page.get_by_text("Riverside Primary School")).to_be_visible()
    look()

    # The school withdraws its pledge: the same check now says it is no longer valid, and why.
    pledge_withdraw(pledge=pledge, by=lead, reason="The school has closed")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is no longer valid")
    expect(page.get_by_text("The organisation withdrew its pledge to the charter.")).to_be_visible()
    look()

    # The footer's links: the contact page, the accessibility statement, the privacy notice.
    for name, heading in (
        ("Contact", "Contact the Positive and Peaceful Places team"),
        ("Accessibility statement", "Accessibility statement for Positive and Peaceful Places"),
        ("Privacy notice", "Privacy notice"),
    ):
        page.locator("footer").get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator("main")).to_contain_text("0116 454 1000")
        look()
    page.locator("footer").get_by_role("link", name="Check a certificate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check a certificate")
