"""A new partner signs the charter, verifies its email, an officer approves, the pledge
is on the public register and its certificate's code verifies. axe on every page."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import expect

from charter.models import Pledge
from tests.e2e.test_platform_journeys import current_totp_code, sign_in
from tests.factories import make_officer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_new_partner_signs_and_appears_on_the_register(page, live_server, axe_check):
    cache.clear()
    make_officer("officer@e2e.example")

    # The public reads the charter and starts signing.
    page.goto(f"{live_server.url}/charter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Leicester's Anti-Bullying Charter")
    axe_check(page)
    page.get_by_role("button", name="Sign the charter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign the charter")
    axe_check(page)

    # Sending it empty shows the errors and saves nothing.
    page.get_by_role("button", name="Sign the charter").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error:")
    axe_check(page)
    assert not Pledge.objects.exists()

    page.get_by_label("Organisation name").fill("Riverside Youth Club")
    page.get_by_label("Kind of organisation").select_option("youth_service")
    page.get_by_label("Address", exact=True).fill("1 River Lane\nLeicester")
    page.get_by_label("Postcode", exact=True).fill("LE2 7AB")
    page.get_by_label("Your full name").fill("Rita River")
    page.get_by_label("Your role").fill("Manager")
    page.get_by_label("Your work email address").fill("rita@riverside.example")
    page.get_by_label("Direct service to children and young people").check()
    for box in page.get_by_label(re.compile("How will you show this")).all():
        box.fill("Our youth workers will do this, and we will check every term.")
    page.get_by_label("How many children and young people does your pledge cover?").fill("250")
    page.get_by_label("How many staff does your pledge cover?").fill("12")
    page.get_by_label("A statement from your organisation's leader (optional)").fill("Everyone belongs here.")
    page.get_by_label("List our organisation, our statement and our pledge on the public register").check()
    page.get_by_role("button", name="Sign the charter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    axe_check(page)

    # The signatory opens the link from the email and chooses a password.
    link = re.search(r"https?://\S+/charter/verify/\S+/", mail.outbox[-1].body).group(0)
    page.goto(live_server.url + "/charter/verify/" + link.split("/charter/verify/", 1)[1])
    axe_check(page)
    page.get_by_label("Create a password").fill("a-long-Secret-phrase-42")
    page.get_by_label("Confirm your password").fill("a-long-Secret-phrase-42")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_text("your pledge is with the council")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anti-Bullying Charter pledge")
    axe_check(page)
    pledge = Pledge.objects.get()
    assert pledge.status == Pledge.Status.SUBMITTED

    # An officer approves it from the charter overview.
    page.context.clear_cookies()
    sign_in(page, live_server, "officer@e2e.example")
    page.get_by_label("Enter the code from your authenticator app").fill(current_totp_code())
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/charter/officer/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Charter pledges")
    axe_check(page)
    page.get_by_role("link", name="Riverside Youth Club").first.click()
    axe_check(page)
    page.get_by_role("button", name="Approve the pledge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to approve Riverside Youth Club's pledge?"
    )
    expect(page.get_by_text("It is listed on the public register.")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Yes, approve the pledge").click()
    expect(page.get_by_text("Riverside Youth Club's pledge is approved.")).to_be_visible()
    axe_check(page)
    code = page.get_by_text(re.compile(r"Code PPP-")).inner_text().split()[1].rstrip(",")

    # The public finds it on the register and checks the certificate.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/charter/register/")
    axe_check(page)
    page.get_by_label("Search by name or postcode").fill("riverside")
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name="Riverside Youth Club").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Youth Club")
    expect(page.get_by_text("Everyone belongs here.")).to_be_visible()
    axe_check(page)

    page.goto(f"{live_server.url}/verify/{code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is valid")
    expect(page.get_by_text("Riverside Youth Club").first).to_be_visible()
    axe_check(page)
