"""Work officers do in bulk, in a real browser on a 375 px phone, axe on every page:
finance marks several training charges invoiced at once; an officer assigns several
applications at once."""

import pytest
from playwright.sync_api import expect

from ppp.accounts.models import Membership
from tests.e2e.test_award_journey import sign_in
from tests.factories import MembershipFactory, OrganisationFactory, make_officer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 375, "height": 800}


def phone(new_context):
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    return page


def look(page, axe_check):
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"


def test_finance_ticks_two_charges_and_marks_them_invoiced_at_once(new_context, live_server, axe_check):
    from tests.training.factories import completed_session
    from training.models import Charge

    officer = make_officer("officer@e2e.example")
    schools = []
    for name in ("Abbeygate Primary School", "Beaumont Leys School", "Catherine Infant School"):
        school = OrganisationFactory(name=name)
        lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD).user
        completed_session(school, lead, officer, attended=1)
        schools.append(school)
    page = phone(new_context)
    sign_in(page, live_server, "officer@e2e.example", totp=True)
    page.goto(f"{live_server.url}/training/officer/charges/")
    look(page, axe_check)
    page.get_by_label("Select Abbeygate Primary School", exact=False).check()
    page.get_by_label("Select Catherine Infant School", exact=False).check()
    page.get_by_role("button", name="Mark selected invoiced").click()
    expect(page.get_by_text("2 charges marked invoiced.")).to_be_visible()
    look(page, axe_check)
    statuses = dict(Charge.objects.values_list("organisation__name", "status"))
    assert statuses == {
        "Abbeygate Primary School": "invoiced",
        "Beaumont Leys School": "not_invoiced",
        "Catherine Infant School": "invoiced",
    }
    # nothing ticked: a GOV.UK error, not a crash
    page.get_by_role("button", name="Mark selected invoiced").click()
    expect(page.get_by_text("Select the charges to mark as invoiced")).to_be_visible()
    look(page, axe_check)


def test_an_officer_ticks_two_applications_and_assigns_them_at_once(new_context, live_server, axe_check):
    from accreditation.models import Application
    from tests.accreditation import factories as award

    make_officer("officer@e2e.example")
    sam = make_officer("sam@e2e.example")
    sam.full_name = "Sam Singh"
    sam.save(update_fields=["full_name"])
    for name in ("Abbeygate Primary School", "Beaumont Leys School", "Catherine Infant School"):
        school = OrganisationFactory(name=name)
        award.apply(school, MembershipFactory(organisation=school, role=Membership.Role.LEAD).user)
    page = phone(new_context)
    sign_in(page, live_server, "officer@e2e.example", totp=True)
    page.goto(f"{live_server.url}/award/officer/?whose=everyone")
    look(page, axe_check)
    page.get_by_label("Select Abbeygate Primary School").check()
    page.get_by_label("Select Catherine Infant School").check()
    page.get_by_label("Assign the selected applications to").select_option(label="Sam Singh")
    page.get_by_role("button", name="Assign selected").click()
    expect(page.get_by_text("2 applications assigned to Sam Singh.")).to_be_visible()
    assert "whose=everyone" in page.url
    look(page, axe_check)
    assigned = dict(Application.objects.values_list("organisation__name", "assigned_officer"))
    assert assigned == {
        "Abbeygate Primary School": sam.pk,
        "Beaumont Leys School": None,
        "Catherine Infant School": sam.pk,
    }
    # no officer chosen: a GOV.UK error, nothing changed
    page.get_by_label("Select Beaumont Leys School").check()
    page.get_by_role("button", name="Assign selected").click()
    expect(page.get_by_text("Select the officer")).to_be_visible()
    assert Application.objects.get(organisation__name="Beaumont Leys School").assigned_officer is None
