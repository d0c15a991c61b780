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
from tests.two_factor import give_authenticator

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
    recorder = grant(school, record=True, email="recorder@e2e.example", full_name="Rhea Recorder")
    give_authenticator(recorder)  # incident staff use two-factor (ADR 0031)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    page = phone(new_context)
    sign_in(page, live_server, "recorder@e2e.example", totp=True)
    record = page.get_by_role("link", name="Record an incident")
    record.or_(page.get_by_role("button", name="Record an incident")).first.click()
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


def test_a_pupil_on_a_phone_sees_their_code_whole_and_the_name_boxes_only_when_they_give_a_name(
    new_context, live_server, axe_check
):
    school = OrganisationFactory(name="Abbeygate Primary School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD).user
    _link, token = services.reporting_link_create(organisation=school, by=lead)

    page = phone(new_context)
    page.goto(f"{live_server.url}/tell/{token}/")
    page.get_by_label("No, I want to stay anonymous").check()
    expect(page.get_by_label("Your name")).to_be_hidden()
    expect(page.get_by_label("Your class")).to_be_hidden()
    page.get_by_label("Yes", exact=True).check()
    expect(page.get_by_label("Your name")).to_be_visible()
    page.get_by_label("Your name").fill("Sam")
    page.get_by_label("Your class").fill("6B")
    page.get_by_label("No, I want to stay anonymous").check()  # changes their mind
    expect(page.get_by_label("Your name")).to_be_hidden()
    axe_check(page)
    fits(page)
    page.get_by_label("What happened?").fill("Someone keeps hiding my bag.")
    page.get_by_label("In a classroom").check()
    page.get_by_label("It keeps happening").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    assert Incident.objects.get(organisation=school).reporter_name is None  # anonymous means anonymous
    fits(page)
    code = page.locator(".ppp-code")
    one_line = code.evaluate(
        "e => e.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(e).fontSize)"
        " && e.getBoundingClientRect().right <= window.innerWidth"
    )
    assert one_line, "the follow-up code wraps (or runs off the screen) at 375 px"

    # Without JavaScript the boxes are all there, and a name is kept when "Yes" is chosen.
    plain = new_context(java_script_enabled=False).new_page()
    plain.set_viewport_size(PHONE)
    plain.goto(f"{live_server.url}/tell/{token}/")
    expect(plain.get_by_label("Your name")).to_be_visible()
    plain.get_by_label("What happened?").fill("Someone said mean things online.")
    plain.get_by_label("Online, like on a phone, a game or an app").check()
    plain.get_by_label("Yesterday").check()
    plain.get_by_label("Yes", exact=True).check()
    plain.get_by_label("Your name").fill("Sam")
    plain.get_by_label("Your class").fill("6B")
    plain.get_by_role("button", name="Send").click()
    expect(plain.get_by_role("heading", name="Thank you for telling us")).to_be_visible()
    assert Incident.objects.filter(organisation=school).order_by("-pk").first().reporter_name == "Sam, 6B"


def test_a_reviewer_is_refused_a_pupil_twice_removes_one_wrongly_added_and_reads_the_list_by_when_it_happened(
    new_context, live_server, axe_check
):
    school = OrganisationFactory(name="Abbeygate Primary School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD).user
    reviewer = grant(school, review=True, email="reviewer@e2e.example", full_name="Ruth Reid")
    give_authenticator(reviewer)  # incident staff use two-factor (ADR 0031)
    now = timezone.now()
    # Recorded in one order, happened in another.
    older = record(school, lead, occurred_at=now - datetime.timedelta(days=30))
    newest = record(school, lead, occurred_at=now - datetime.timedelta(hours=2))
    middle = record(school, lead, occurred_at=now - datetime.timedelta(days=3))
    involve(older, lead, "JM-4C", year_group="4")

    page = phone(new_context)
    sign_in(page, live_server, "reviewer@e2e.example", totp=True)
    page.goto(f"{live_server.url}/incidents/")
    expect(page.get_by_role("columnheader", name="Happened")).to_be_visible()
    references = page.locator("tbody tr td:first-child").all_inner_texts()
    assert [r.strip() for r in references] == [newest.reference, middle.reference, older.reference]
    fits(page)

    page.get_by_role("link", name=middle.reference).click()
    for attempt in range(2):
        page.get_by_role("button", name="Add a person involved").click()
        page.get_by_label("Pupil reference").fill("JM-4C")
        page.get_by_label("Target").check()
        # (The second time another year group: an identical form sent twice is caught earlier.)
        page.get_by_label("Year group").select_option(label="Year 4" if attempt == 0 else "Not known")
        page.get_by_role("button", name="Save").click()
        if attempt == 0:
            expect(page.get_by_text("Person added.")).to_be_visible()
    # The second time: a GOV.UK error that names the field, and nothing saved.
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    summary_link = page.get_by_role("link", name="This pupil reference is already on this record as target")
    expect(summary_link).to_have_attribute("href", "#id_pupil_reference")
    axe_check(page)
    fits(page)
    assert Involvement.objects.filter(incident=middle).count() == 1
    middle.refresh_from_db()
    assert middle.is_repeat

    # It was the wrong pupil: the reviewer removes them, with a reason.
    page.goto(f"{live_server.url}{middle.get_absolute_url()}")
    page.get_by_role("link", name="Remove JM-4C").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove JM-4C from the record")
    axe_check(page)
    fits(page)
    page.get_by_role("button", name="Remove this person").click()  # no reason: refused
    expect(page.get_by_role("link", name="Say why this person is being removed from the record")).to_be_visible()
    page.get_by_label("Why are you removing this person from the record?").fill("Wrong pupil: it was JN in 4C.")
    page.get_by_role("button", name="Remove this person").click()
    expect(page.get_by_text("Person removed from the record.")).to_be_visible()
    expect(page.get_by_text("Person involved removed")).to_be_visible()
    expect(page.get_by_text("Reason: Wrong pupil: it was JN in 4C.")).to_be_visible()
    axe_check(page)
    fits(page)
    assert not Involvement.objects.filter(incident=middle).exists()
    middle.refresh_from_db()
    assert not middle.is_repeat
    assert IncidentEvent.objects.filter(incident=middle, action="involvement_removed", by__email="reviewer@e2e.example")


def test_a_commissioner_is_asked_did_you_mean_and_reminds_a_provider_only_once_it_agrees(
    new_context, live_server, axe_check
):
    from charter.models import CommissionedProvider, Pledge
    from tests.charter.factories import PledgeFactory

    commissioner = OrganisationFactory(name="Leicester Youth Commissioning", kind="commissioner", urn=None)
    PledgeFactory(
        organisation=commissioner, status=Pledge.Status.APPROVED, delivery_role=Pledge.DeliveryRole.COMMISSIONER
    )
    MembershipFactory(organisation=commissioner, role=Membership.Role.LEAD, user__email="lead@commissioner.example")
    elmfield = OrganisationFactory(name="Elmfield Sixth Form College", kind="college", postcode="LE3 9QP")
    MembershipFactory(organisation=elmfield, role=Membership.Role.LEAD, user__email="lead@elmfield.example")

    page = phone(new_context)
    sign_in(page, live_server, "lead@commissioner.example")
    # The commissioner is not offered incidents.
    record = page.get_by_role("link", name="Record an incident")
    expect(record.or_(page.get_by_role("button", name="Record an incident"))).to_have_count(0)
    page.goto(f"{live_server.url}/charter/organisations/{commissioner.slug}/providers/")
    page.get_by_label("Provider's name").fill("Elmfield College")
    page.get_by_label("Contact email (optional if they are already on this service)").fill("office@elmfield.example")
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_role("group", name="Did you mean one of these?")).to_be_visible()
    axe_check(page)
    fits(page)
    assert not CommissionedProvider.objects.exists()
    page.get_by_label("Elmfield Sixth Form College, LE3 9QP").check()
    page.get_by_role("button", name="Add provider").click()
    expect(page.get_by_text("Elmfield Sixth Form College has been added to your providers.")).to_be_visible()
    link = CommissionedProvider.objects.get()
    assert link.provider == elmfield and link.accepted_at is None
    # Pending: no reminder until Elmfield's lead agrees.
    expect(page.get_by_role("button", name="Send a reminder")).to_have_count(0)
    fits(page)

    provider_page = phone(new_context)
    sign_in(provider_page, live_server, "lead@elmfield.example")
    provider_page.goto(f"{live_server.url}/charter/organisations/{elmfield.slug}/commissioners/")
    expect(provider_page.get_by_text("waiting for your answer")).to_be_visible()
    fits(provider_page)
    provider_page.get_by_role("button", name="Agree").click()
    expect(provider_page.get_by_text("can now see your charter status")).to_be_visible()

    page.reload()
    page.get_by_role("button", name="Send a reminder").click()
    expect(page.get_by_text("A reminder has been sent to Elmfield Sixth Form College.")).to_be_visible()
