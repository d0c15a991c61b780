"""The council officer reads a closed term's published figures: every table with its
chart and key, all incidents and bullying only, and downloads the CSV. In a real
browser, with axe, at 1280 px and at 375 px (no sideways scrolling of the page)."""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import releases
from incidents.terms import Term
from ppp.accounts.models import Membership
from ppp.dates import start_of_day
from tests.e2e.test_award_journey import sign_in
from tests.e2e.test_incident_journey import fits_375
from tests.factories import MembershipFactory, OrganisationFactory, make_officer
from tests.incidents.factories import record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCREENSHOTS = os.environ.get("PPP_SCREENSHOTS", "")


def published_term() -> Term:
    term = Term.of(timezone.localdate()).previous()
    for n, count in enumerate((16, 13, 11, 9)):
        school = OrganisationFactory(name=f"Setting {n + 1}", postcode=f"LE{n + 1} 1AA")
        lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD).user
        for i in range(count):
            month = (term.start + datetime.timedelta(days=31 * (i % 3))).replace(day=3 + i % 20)
            record(
                school,
                lead,
                occurred_at=start_of_day(month) + datetime.timedelta(hours=10),
                forms=[["verbal"], ["physical", "verbal"], ["online"]][i % 3],
                location=["playground", "classroom", "corridor", "online"][i % 4],
                categories=["race"] if i % 5 == 0 else [],
            )
    releases.publish(term)
    return term


def test_the_officer_reads_a_published_term(new_context, live_server, axe_check, settings):
    settings.INCIDENT_FIGURES_DELAY_DAYS = 0
    make_officer("officer@e2e.example")
    term = published_term()
    page = new_context().new_page()
    sign_in(page, live_server, "officer@e2e.example", totp=True)
    page.get_by_role("link", name="Incident figures").click()
    expect(page.get_by_role("heading", level=2, name=term.label)).to_be_visible()
    expect(page.get_by_role("heading", name="How the figures protect children")).to_be_visible()
    expect(page.locator(".ppp-figures__key").first).to_contain_text("Rounded to the nearest 5")
    corridor = page.locator("#location ~ .govuk-grid-row").first.get_by_role("row", name="Corridor")
    expect(corridor).to_be_visible()
    axe_check(page)
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/figures-1280.png", full_page=True)
    fits_375(page)
    if SCREENSHOTS:
        page.set_viewport_size({"width": 375, "height": 800})
        page.screenshot(path=f"{SCREENSHOTS}/figures-375.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
    # Bullying only
    page.get_by_label("Incidents", exact=True).select_option("bullying")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=2, name=f"{term.label}: bullying only")).to_be_visible()
    axe_check(page)
    # The CSV carries the key
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these tables (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig") as downloaded:
        text = downloaded.read()
    assert "Disclosure rule" in text and "Symbol c" in text
