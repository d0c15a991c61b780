"""What a recorder, a reviewer and a pupil still hit on the incident pages (issue 23), as
they would do it on a phone (375 px): the time typed as people type it, the recorder
changing their own new record, the people involved (no duplicates, removal with a
reason), the pupil's code and the "stay anonymous" boxes, the list's order."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from incidents import services
from incidents.models import Incident, IncidentEvent, Involvement, Status
from ppp.accounts.models import Membership
from tests.e2e.test_award_journey import sign_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.factories import grant, involve, record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 375, "height": 800}


def phone(new_context):
    page = new_context().new_page()
    page.set_viewport_size(PHONE)
    return page


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{page.url} scrolls sideways"


def fill_date(page, group, day: datetime.date):
    fieldset = page.get_by_role("group", name=group)
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


def test_a_recorder_records_with_a_time_typed_as_people_type_it_and_changes_it_while_new(
    new_context, live_server, axe_check
):
    school = OrganisationFactory(name="Abbeygate Primary School")
    MembershipFactory(organisation=school, role=Membership.Role.LEAD)
    grant(school, record=True, email="recorder@e2e.example", full_name="Rhea Recorder")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    page = phone(new_context)
    sign_in(page, live_server, "recorder@e2e.example")
    page.get_by_role("link", name="Record an incident").first.click()
    fill_date(page, "Date it happened", yesterday)
    page.get_by_label("Time (optional)").fill("12.15pm")
    page.get_by_label("Playground").check()
    page.get_by_label("Face to face").check()
    page.get_by_label("Verbal").check()
    page.get_by_label("What happened?").fill("AB called CD names at lunch.")
    for group in ("Has it happened several times?", "Was it done on purpose?", "Is there an imbalance of power?"):
        page.get_by_role("group", name=group).get_by_label("No").check()
    page.get_by_label("Not yet").check()
    fits(page)
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_text("recorded.")).to_be_visible()
    incident = Incident.objects.get(organisation=school)
    assert incident.status == Status.NEW
    assert timezone.localtime(incident.occurred_at).time() == datetime.time(12, 15)
    axe_check(page)
    fits(page)

    # The record is new (a reviewer has not opened it yet): the recorder can still change it.
    page.get_by_role("link", name="Change the record").click()
    expect(page.get_by_label("Time (optional)")).to_have_value("12:15")
    page.get_by_label("Time (optional)").fill("2pm")
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_text("Record saved.")).to_be_visible()
    incident.refresh_from_db()
    assert timezone.localtime(incident.occurred_at).time() == datetime.time(14, 0)
