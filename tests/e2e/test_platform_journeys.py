"""A council officer, lead A and lead B, in a real browser, with an axe scan of every page."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from playwright.sync_api import expect

from ppp.accounts.models import Invitation, Membership
from tests.factories import PASSWORD, TOTP_SECRET, MembershipFactory, OrganisationFactory, make_officer

# serialized_rollback: the flush after a transactional test must not lose the rows
# data migrations made (the Council officers group).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def current_totp_code() -> str:
    """The authenticator's code now, with time left to type it: a code read in the last
    seconds of its 30-second window expires before a busy machine submits it, so wait for
    the next window instead."""
    if time.time() % 30 > 20:
        time.sleep(30 - time.time() % 30 + 0.5)
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(TOTP_SECRET, counter))


def sign_in(page, live_server, email, axe_check=None):
    page.goto(f"{live_server.url}/accounts/login/")
    if axe_check:
        axe_check(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_officer_signs_in_with_an_authenticator_code(page, live_server, axe_check):
    make_officer("officer@e2e.example")
    OrganisationFactory(name="Abbeygate Primary School")

    sign_in(page, live_server, "officer@e2e.example", axe_check)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enter the code from your authenticator app")
    axe_check(page)
    page.get_by_label("Enter the code from your authenticator app").fill(current_totp_code())
    page.get_by_role("button", name="Sign in").click()

    # Officers land on their own work: the caseload.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    axe_check(page)
    page.get_by_role("link", name="Organisations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    expect(page.get_by_role("link", name="Abbeygate Primary School")).to_be_visible()
    axe_check(page)


def test_lead_a_sees_school_a_and_invites_a_member(page, live_server, axe_check):
    school_a = OrganisationFactory(name="Abbeygate Primary School")
    MembershipFactory(organisation=school_a, role=Membership.Role.LEAD, user__email="lead.a@e2e.example")

    sign_in(page, live_server, "lead.a@e2e.example")
    expect(page.locator(".govuk-caption-l")).to_have_text("Abbeygate Primary School")
    axe_check(page)
    page.get_by_role("link", name="Organisation details and members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Abbeygate Primary School")
    axe_check(page)

    page.get_by_role("button", name="Invite someone").click()
    axe_check(page)
    page.get_by_role("button", name="Send invitation").click()  # empty: errors, nothing saved
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error:")
    axe_check(page)
    assert not Invitation.objects.exists()

    page.get_by_label("Full name").fill("Sam Teacher")
    page.get_by_label("Email address").fill("sam@e2e.example")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to sam@e2e.example")).to_be_visible()
    axe_check(page)
    assert mail.outbox[-1].to == ["sam@e2e.example"]

    # Sam opens the link from the email in a fresh browser and joins.
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("/invitations/", 1)[1]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/invitations/{path}")
    axe_check(page)
    page.get_by_label("Full name").fill("Sam Teacher")
    page.get_by_label("Create a password").fill("a-long-Secret-phrase-42")
    page.get_by_label("Confirm your password").fill("a-long-Secret-phrase-42")
    page.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_text("Welcome to Abbeygate Primary School")).to_be_visible()
    assert Membership.objects.filter(user__email="sam@e2e.example", organisation=school_a).exists()


def test_lead_b_cannot_open_school_a(page, live_server, axe_check):
    school_a = OrganisationFactory(name="Abbeygate Primary School")
    school_b = OrganisationFactory(name="Brookfield Academy")
    MembershipFactory(organisation=school_b, role=Membership.Role.LEAD, user__email="lead.b@e2e.example")

    sign_in(page, live_server, "lead.b@e2e.example")
    expect(page.locator(".govuk-caption-l")).to_have_text("Brookfield Academy")

    response = page.goto(f"{live_server.url}{school_a.get_absolute_url()}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe_check(page)
