"""The incident pages for every kind of person, bad input, query counts, and what every
view, print and export writes to the audit trail."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accreditation.models import Evidence
from incidents import services
from incidents.models import Incident, IncidentNote, IncidentRole, Involvement, PupilMessage, Status
from ppp.accounts.models import Membership, Organisation
from ppp.audit.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.factories import grant, involve, pupil_report, record, triage

PEOPLE = ["alice", "rita", "ravi", "bob", "officer", "charlie", "anonymous"]


@pytest.fixture
def people(alice, rita, ravi, bob, officer, charlie):
    return {"alice": alice, "rita": rita, "ravi": ravi, "bob": bob, "officer": officer, "charlie": charlie}


def _get(client, people, who, url):
    if who != "anonymous":
        client.force_login(people[who])
    return client.get(url)


def _status(response):
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


SCHOOL_PAGES = {
    # url name: alice, rita, ravi, bob, officer, charlie, anonymous
    "incidents:list": (200, 200, 200, 403, 404, 200, "login"),
    "incidents:new": (200, 200, 200, 403, 404, 200, "login"),
    "incidents:report": (200, 200, 403, 403, 404, 200, "login"),
    "incidents:pupil-search": (200, 200, 403, 403, 404, 200, "login"),
    "incidents:governors-pdf": (200, 200, 403, 403, 404, 200, "login"),
    "incidents:governors-csv": (200, 200, 403, 403, 404, 200, "login"),
    "incidents:export": (200, 403, 403, 403, 404, 200, "login"),
    "incidents:subject-access": (200, 403, 403, 403, 404, 200, "login"),
    "incidents:staff": (200, 403, 403, 403, 404, 200, "login"),
    "incidents:access-log": (200, 403, 403, 403, 404, 200, "login"),
    "incidents:reporting-link": (200, 403, 403, 403, 404, 200, "login"),
    # Nothing just made in the session: back to the reporting link page.
    "incidents:reporting-link-made": (302, 403, 403, 403, 404, 302, "login"),
    "incidents:figures": (403, 403, 403, 403, 200, 403, "login"),
    "incidents:figures-csv": (403, 403, 403, 403, 404, 403, "login"),  # 404: nothing published yet
    "incidents:participation": (403, 403, 403, 403, 200, 403, "login"),
}


@pytest.mark.parametrize("name", sorted(SCHOOL_PAGES))
@pytest.mark.parametrize("who", PEOPLE)
def test_school_pages_for_every_kind_of_person(client, people, name, who):
    expected = SCHOOL_PAGES[name][PEOPLE.index(who)]
    assert _status(_get(client, people, who, reverse(name))) == expected


RECORD_PAGES = {
    # (url name, whose record): alice, rita, ravi, bob, officer, charlie, anonymous
    ("incidents:detail", "ravi"): (200, 200, 200, 404, 404, 404, "login"),
    ("incidents:detail", "rita"): (200, 200, 404, 404, 404, 404, "login"),
    ("incidents:edit", "ravi"): (200, 200, 200, 404, 404, 404, "login"),
    ("incidents:print", "ravi"): (200, 200, 200, 404, 404, 404, "login"),
    ("incidents:review", "ravi"): (200, 200, 403, 404, 404, 404, "login"),
    ("incidents:resolve", "ravi"): (200, 200, 403, 404, 404, 404, "login"),
    ("incidents:involvement-new", "ravi"): (200, 200, 200, 404, 404, 404, "login"),
}


@pytest.mark.parametrize(("name", "owner"), sorted(RECORD_PAGES))
@pytest.mark.parametrize("who", PEOPLE)
def test_record_pages_for_every_kind_of_person(client, people, school_a, rita, name, owner, who):
    incident = record(school_a, people[owner])
    if incident.status == Status.NEW:
        services.incident_triage(incident=incident, by=rita, details=services.IncidentDetails.of(incident))
    expected = RECORD_PAGES[(name, owner)][PEOPLE.index(who)]
    assert _status(_get(client, people, who, reverse(name, kwargs={"pk": incident.public_id}))) == expected


@pytest.mark.parametrize("who", PEOPLE)
def test_pupil_history_is_for_reviewers_only(client, people, school_a, who):
    incident = record(school_a, people["ravi"])
    person = involve(incident, people["ravi"], "AB")
    expected = (200, 200, 403, 404, 404, 404, "login")[PEOPLE.index(who)]
    url = reverse("incidents:pupil-history", kwargs={"pk": person.public_id})
    assert _status(_get(client, people, who, url)) == expected


def test_an_officer_who_is_also_a_member_of_the_school_still_sees_nothing(client, school_a, alice, officer):
    grant(school_a, officer, record=True, review=True)
    incident = record(school_a, alice)
    client.force_login(officer)
    assert client.get(incident.get_absolute_url()).status_code == 404
    assert client.get(reverse("incidents:list")).status_code == 404
    assert not Incident.objects.for_user(officer).exists()
    assert not Involvement.objects.for_user(officer).exists()


def test_incidents_are_in_no_admin(client, officer):
    from django.contrib import admin

    from incidents import models

    registered = set(admin.site._registry)
    for name in (
        "Incident",
        "Involvement",
        "PupilMessage",
        "IncidentNote",
        "IncidentEvent",
        "ReportingLink",
        "IncidentRole",
    ):
        assert getattr(models, name) not in registered


# What is recorded about reading


def test_opening_a_record_writes_exactly_one_audit_event(client, school_a, alice, rita):
    incident = record(school_a, alice)
    client.force_login(rita)
    before = AuditEvent.objects.count()
    response = client.get(incident.get_absolute_url(), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 200
    events = AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before]
    assert [(e.action, e.actor, e.target_id, e.ip) for e in events] == [
        ("incident.view", rita, str(incident.pk), "203.0.113.9")
    ]


def test_printing_and_exporting_are_recorded_once_per_record(client, school_a, alice):
    first, second = record(school_a, alice), record(school_a, alice)
    client.force_login(alice)
    pdf = client.get(reverse("incidents:print", kwargs={"pk": first.public_id}))
    assert pdf["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(action="incident.print", target_id=str(first.pk)).count() == 1
    csv_response = client.get(reverse("incidents:export"))
    body = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert first.reference in body and "AB called CD names" in body
    exported = AuditEvent.objects.filter(action="incident.export").values_list("target_id", flat=True)
    assert sorted(exported) == sorted([str(first.pk), str(second.pk)])


def test_the_access_log_shows_who_opened_which_record(client, school_a, alice, rita, charlie, school_b):
    incident = record(school_a, alice)
    elsewhere = record(school_b, charlie)
    client.force_login(rita)
    client.get(incident.get_absolute_url())
    client.force_login(charlie)
    client.get(elsewhere.get_absolute_url())
    client.force_login(alice)
    page = client.get(reverse("incidents:access-log")).content.decode()
    assert "Rita Reviewer" in page and "Opened the record" in page and incident.reference in page
    assert "Charlie Lead" not in page
    filtered = client.get(reverse("incidents:access-log"), {"reference": incident.reference}).content.decode()
    assert "Rita Reviewer" in filtered


# Recording through the pages


def _form(**overrides):
    today = timezone.localdate() - datetime.timedelta(days=1)
    data = {
        "occurred_on_0": today.day,
        "occurred_on_1": today.month,
        "occurred_on_2": today.year,
        "occurred_time": "12:30",
        "reported_on_0": today.day,
        "reported_on_1": today.month,
        "reported_on_2": today.year,
        "reported_by": "staff",
        "location": "playground",
        "mode": "face_to_face",
        "bullying_forms": ["verbal", "physical"],
        "categories": ["race"],
        "description": "AB pushed CD and said racist things.",
        "stop_several_times": "yes",
        "stop_on_purpose": "yes",
        "stop_power_imbalance": "yes",
        "immediate_action": "Separated them.",
        "parents_informed": "yes",
        "parents_informed_on_0": today.day,
        "parents_informed_on_1": today.month,
        "parents_informed_on_2": today.year,
        "parents_informed_how": "phone",
    }
    data.update(overrides)
    return data


def test_recording_an_incident_through_the_form(client, school_a, ravi):
    client.force_login(ravi)
    form = client.get(reverse("incidents:new")).content.decode()
    today = timezone.localdate()
    assert f'name="reported_on_0" value="{today.day}"' in form  # the date it was reported: today unless changed
    response = client.post(reverse("incidents:new"), _form())
    incident = Incident.objects.get()
    assert incident.reported_on == today - datetime.timedelta(days=1)  # as typed, apart from when recorded
    assert timezone.localtime(incident.reported_at).date() == today
    assert response["Location"] == incident.get_absolute_url()
    assert incident.forms == ["physical", "verbal"] and incident.categories == ["race"]
    assert incident.classification == "bullying" and incident.status == Status.NEW
    assert incident.parents_informed and incident.parents_informed_how == "phone"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("12.15pm", datetime.time(12, 15)), ("2pm", datetime.time(14, 0)), ("14:00", datetime.time(14, 0))],
)
def test_the_time_is_read_as_visits_read_it(client, school_a, alice, typed, expected):
    """The project's time field (as on visits): 12.15pm, 2pm and 14:00 are all times."""
    client.force_login(alice)
    response = client.post(reverse("incidents:new"), _form(occurred_time=typed))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert timezone.localtime(Incident.objects.get().occurred_at).time() == expected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_on_0": "", "occurred_on_1": "", "occurred_on_2": ""}, "Enter the date of the incident"),
        ({"occurred_on_0": "31", "occurred_on_1": "2"}, "The date of the incident must be a real date"),
        (
            {"occurred_on_2": str(timezone.localdate().year + 1)},
            "The date of the incident must be today or in the past",
        ),
        (
            {"review_date_0": "1", "review_date_1": "1", "review_date_2": "2001"},
            "The review date must be on or after the date of the incident",
        ),
        ({"categories": ["height"]}, "Choose prejudice-related categories from the list"),
        ({"bullying_forms": []}, "Choose at least one form the incident took"),
        ({"description": ""}, "Describe what happened"),
        ({"description": "x" * 10_001}, "The description must be 10,000 characters or fewer"),
        ({"stop_on_purpose": "maybe"}, "Say whether it was done on purpose"),
        (
            {"parents_informed_on_0": "", "parents_informed_on_1": "", "parents_informed_on_2": ""},
            "Enter the date parents",
        ),
        (
            {"reported_on_2": str(timezone.localdate().year + 1)},
            "The date it was reported must be today or in the past",
        ),
        (
            {"reported_on_0": "1", "reported_on_1": "1", "reported_on_2": "2001"},
            "The date it was reported must be on or after the date of the incident",
        ),
        ({"reported_on_0": "", "reported_on_1": "", "reported_on_2": ""}, "Enter the date it was reported"),
        ({"occurred_time": "25:99"}, "Time of the incident must be a real time, like 09:30 or 14:00"),
    ],
)
def test_bad_input_gives_form_errors_in_the_summary_and_saves_nothing(client, school_a, alice, overrides, message):
    client.force_login(alice)
    response = client.post(reverse("incidents:new"), _form(**overrides))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and message in body
    assert "This field is required" not in body
    assert "<title>Error:" in body
    assert not Incident.objects.exists()


def test_junk_posted_to_every_form_never_gives_a_500(client, school_a, alice, rita):
    incident, _code = pupil_report(school_a, alice)
    opened = record(school_a, alice)
    person = involve(opened, alice, "AB")
    client.force_login(alice)
    junk = {"occurred_on_0": "ß", "bullying_forms": ["\x00"], "review_date_2": "99999999", "body": "", "reason": ""}
    for url in [
        reverse("incidents:new"),
        reverse("incidents:triage", kwargs={"pk": incident.public_id}),
        reverse("incidents:dismiss", kwargs={"pk": incident.public_id}),
        reverse("incidents:edit", kwargs={"pk": opened.public_id}),
        reverse("incidents:review", kwargs={"pk": opened.public_id}),
        reverse("incidents:resolve", kwargs={"pk": opened.public_id}),
        reverse("incidents:note-add", kwargs={"pk": opened.public_id}),
        reverse("incidents:involvement-new", kwargs={"pk": opened.public_id}),
        reverse("incidents:involvement-edit", kwargs={"pk": person.public_id}),
        reverse("incidents:pupil-search"),
        reverse("incidents:subject-access"),
        reverse("incidents:poster"),
        reverse("incidents:reporting-link"),
    ]:
        response = client.post(url, junk)
        # A NUL character is refused before any view reads it (ppp.middleware.RefuseNulMiddleware).
        assert response.status_code in (200, 302, 400, 405), (url, response.status_code)


def test_a_full_name_as_a_pupil_reference_is_warned_about(client, school_a, alice):
    incident = record(school_a, alice)
    client.force_login(alice)
    url = reverse("incidents:involvement-new", kwargs={"pk": incident.public_id})
    response = client.post(url, {"pupil_reference": "Jamie Smith", "role": "target", "year_group": "5"})
    body = response.content.decode()
    assert "looks like a full name" in body and "This is not the pupil&#x27;s name" in body
    assert not Involvement.objects.exists()
    client.post(
        url, {"pupil_reference": "Jamie Smith", "role": "target", "year_group": "5", "confirm_not_a_name": "on"}
    )
    assert Involvement.objects.get().pupil_reference == "Jamie Smith"
    client.post(url, {"pupil_reference": "JS-5B", "role": "witness", "year_group": "5"})
    assert Involvement.objects.count() == 2


def test_triage_review_and_resolve_through_the_pages(client, school_a, alice, rita):
    incident, _code = pupil_report(school_a, alice, text="They hide my bag every day")
    client.force_login(rita)
    triage_page = client.get(reverse("incidents:triage", kwargs={"pk": incident.public_id})).content.decode()
    assert "They hide my bag every day" in triage_page
    opened = client.post(
        reverse("incidents:triage", kwargs={"pk": incident.public_id}),
        _form(reported_by="pupil", parents_informed="no"),
        follow=True,
    )
    assert "Add the people involved next" in opened.content.decode()  # nobody is on it yet
    incident.refresh_from_db()
    assert incident.status == Status.OPEN
    review_on = timezone.localdate() + datetime.timedelta(days=10)
    client.post(
        reverse("incidents:review", kwargs={"pk": incident.public_id}),
        {"review_date_0": review_on.day, "review_date_1": review_on.month, "review_date_2": review_on.year},
    )
    incident.refresh_from_db()
    assert incident.status == Status.UNDER_REVIEW and incident.review_date == review_on
    client.post(reverse("incidents:resolve", kwargs={"pk": incident.public_id}), {"outcome": "Stopped."})
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED


def test_the_list_filters(client, school_a, alice):
    physical = record(school_a, alice, forms=["physical"])
    online = record(school_a, alice, forms=["online"], categories=["appearance"])
    involve(online, alice, "ZZ", year_group="9")
    overdue = record(school_a, alice)
    Incident.objects.filter(pk=overdue.pk).update(review_date=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(alice)

    def refs(**query):
        body = client.get(reverse("incidents:list"), query).content.decode()
        return {i.reference for i in (physical, online, overdue) if i.reference in body}

    assert refs(form="physical") == {physical.reference}
    assert refs(category="appearance") == {online.reference}
    assert refs(year_group="9") == {online.reference}
    assert refs(review="overdue") == {overdue.reference}
    assert refs(status="open") == {physical.reference, online.reference, overdue.reference}
    assert "ppp-row--overdue" in client.get(reverse("incidents:list")).content.decode()


# Query counts stay the same as the data grows


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _many(school, by, n):
    for i in range(n):
        incident = record(school, by, forms=["verbal", "online"][: 1 + i % 2], categories=["race"] if i % 3 else [])
        involve(incident, by, f"P{i % 7}", year_group=str(1 + i % 6))


def test_the_list_the_report_and_the_figures_run_as_many_queries_for_1_or_50_records(
    client, school_a, school_b, alice, charlie, officer
):
    from tests.factories import MembershipFactory, OrganisationFactory

    third = OrganisationFactory()
    third_lead = MembershipFactory(organisation=third, role="lead").user
    for school, lead in ((school_a, alice), (school_b, charlie), (third, third_lead)):
        _many(school, lead, 1)
    client.force_login(alice)
    small = {u: _count(client, u) for u in (reverse("incidents:list"), reverse("incidents:report"))}
    client.force_login(officer)
    small_figures = _count(client, reverse("incidents:figures"))
    for school, lead in ((school_a, alice), (school_b, charlie), (third, third_lead)):
        _many(school, lead, 49)
    client.force_login(alice)
    large = {u: _count(client, u) for u in small}
    client.force_login(officer)
    assert _count(client, reverse("incidents:figures")) == small_figures
    assert large == small


def test_the_detail_page_runs_as_many_queries_with_many_people_and_messages(client, school_a, alice):
    incident, _code = pupil_report(school_a, alice)
    triage(incident, alice)
    client.force_login(alice)
    url = incident.get_absolute_url()
    few = _count(client, url)
    for n in range(12):
        involve(incident, alice, f"R{n}")
        services.pupil_reply(incident=incident, by=alice, body=f"Reply {n}")
        services.note_add(incident=incident, by=alice, body=f"Note {n}")
    assert _count(client, url) <= few + 2  # the repeat flag's history may add rows, not queries per row


# The POST cases of the tenancy sweep, with their effects


def test_sweep_posts_close_a_resolved_incident(client, school_a, alice):
    incident = record(school_a, alice)
    services.incident_resolve(incident=incident, by=alice, outcome="Done")
    client.force_login(alice)
    client.post(reverse("incidents:close", kwargs={"pk": incident.public_id}))
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED


def test_sweep_posts_add_a_note_and_a_reply(client, school_a, alice):
    incident, _code = pupil_report(school_a, alice)
    triage(incident, alice)
    client.force_login(alice)
    client.post(reverse("incidents:note-add", kwargs={"pk": incident.public_id}), {"body": "Spoke to AB."})
    client.post(reverse("incidents:reply", kwargs={"pk": incident.public_id}), {"body": "Thank you."})
    assert IncidentNote.objects.get().body == "Spoke to AB."
    assert PupilMessage.objects.filter(sender="school").get().body == "Thank you."
    client.post(reverse("incidents:note-add", kwargs={"pk": incident.public_id}), {"body": ""})
    assert IncidentNote.objects.count() == 1


def test_sweep_posts_set_a_members_incident_role(client, school_a, alice, bob):
    membership = bob.memberships.get()
    client.force_login(alice)
    client.post(
        reverse("incidents:role-set", kwargs={"pk": membership.public_id}),
        {f"{membership.public_id}-can_review": "on"},
    )
    role = IncidentRole.objects.get(membership=membership)
    assert role.can_review and not role.can_record
    client.force_login(bob)
    assert client.get(reverse("incidents:report")).status_code == 200


def test_sweep_posts_attach_the_governors_report_to_the_award(client, school_a, alice, rita, officer):
    from tests.accreditation import factories as award

    application = award.evidencing(school_a, alice, officer)
    secret = record(school_a, alice, description="Secret words about AB")
    involve(secret, alice, "UPN-7781")
    client.force_login(alice)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Attach this term&#x27;s governors&#x27; report" in page
    url = reverse("incidents:award-attach", kwargs={"application": application.public_id, "criterion": "1.2"})
    response = client.post(url)
    evidence = Evidence.objects.get(application=application)
    assert response["Location"] == evidence.get_absolute_url()
    assert evidence.kind == "file" and evidence.content_type == "application/pdf"
    assert [c.code for c in evidence.criteria.all()] == ["1.2"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(evidence.file.open("rb").read())).pages)
    assert "Governors" in text or "governors" in text
    assert "UPN-7781" not in text and "Secret words" not in text
    assert "is hidden and shown as" in text  # the disclosure rule's note
    # Once attached, 1.2 is no longer offered; 1.3 still is.
    page = client.get(application.get_absolute_url()).content.decode()
    assert reverse("incidents:award-attach", kwargs={"application": application.public_id, "criterion": "1.3"}) in page
    assert url not in page
    # A criterion that is not about incidents is not attachable.
    bad = reverse("incidents:award-attach", kwargs={"application": application.public_id, "criterion": "2.1"})
    assert client.post(bad).status_code == 404


def test_members_without_access_are_offered_nothing_on_the_award(client, school_a, alice, bob, officer):
    from tests.accreditation import factories as award

    application = award.evidencing(school_a, alice, officer)
    client.force_login(bob)
    assert "governors&#x27; report" not in client.get(application.get_absolute_url()).content.decode()


def test_the_home_page_shows_reviewers_what_waits_for_them_without_saying_what(client, school_a, alice, rita, bob):
    incident, _code = pupil_report(school_a, alice, text="Secret words on the home page")
    late = record(school_a, alice)
    Incident.objects.filter(pk=late.pk).update(review_date=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(rita)
    body = client.get(reverse("accounts:home")).content.decode()
    assert "Bullying incidents" in body and "1 new report to open" in body and "1 review overdue" in body
    assert "Secret words" not in body and incident.reference not in body
    client.force_login(bob)
    assert "Bullying incidents" not in client.get(reverse("accounts:home")).content.decode()


@pytest.mark.parametrize("kind", [Organisation.Kind.COMMISSIONER, Organisation.Kind.PARTNER_AGENCY])
def test_commissioners_and_partner_agencies_are_not_offered_incidents_or_termly_reports(client, db, kind):
    """They pledge to the charter but have no pupils: no "Record an incident", no termly
    report, no Incidents link, on the home page or anywhere, and the pages refuse them."""
    organisation = OrganisationFactory(name="Leicester Youth Commissioning", kind=kind, urn=None)
    lead = MembershipFactory(organisation=organisation, role=Membership.Role.LEAD).user
    client.force_login(lead)
    home = client.get(reverse("portal"), follow=True).content.decode()
    for words in ("Record an incident", "This term&#x27;s report", "This term's report", 'href="/incidents/"'):
        assert words not in home
    assert client.get(reverse("incidents:new")).status_code == 403
    assert client.get(reverse("incidents:report")).status_code == 403
    assert client.get(reverse("incidents:list")).status_code == 403
    # A school's lead is offered both, on the same page.
    school = OrganisationFactory(name="Abbeygate Primary School")
    client.force_login(MembershipFactory(organisation=school, role=Membership.Role.LEAD).user)
    home = client.get(reverse("portal"), follow=True).content.decode()
    assert "Record an incident" in home and "This term" in home


# People involved: once in each part, and removed with a reason


def _person(**overrides):
    return {"pupil_reference": "JM-4C", "role": "target", "year_group": "4", **overrides}


def test_the_same_pupil_is_refused_twice_in_the_same_part_with_an_error_naming_the_field(client, school_a, alice):
    incident = record(school_a, alice)
    client.force_login(alice)
    url = reverse("incidents:involvement-new", kwargs={"pk": incident.public_id})
    assert client.post(url, _person()).status_code == 302
    response = client.post(url, _person(pupil_reference=" JM-4C "))
    body = response.content.decode()
    assert response.status_code == 200
    assert "This pupil reference is already on this record as target" in body
    assert 'href="#id_pupil_reference"' in body  # the error summary links to the field
    assert incident.involvements.count() == 1
    # The same pupil in another part (a target who was also a witness) is allowed.
    assert client.post(url, _person(role="witness")).status_code == 302
    witness = incident.involvements.get(role="witness")
    # …but not changed into a second target.
    edit = reverse("incidents:involvement-edit", kwargs={"pk": witness.public_id})
    response = client.post(edit, _person())
    assert "This pupil reference is already on this record as target" in response.content.decode()
    assert incident.involvements.filter(role="target").count() == 1


def test_the_database_refuses_a_pupil_twice_in_the_same_part(school_a, alice):
    from django.db import IntegrityError, transaction

    person = involve(record(school_a, alice), alice, "AB")
    with pytest.raises(IntegrityError), transaction.atomic():
        Involvement.objects.create(
            incident=person.incident, pupil_reference="AB", pupil_index=person.pupil_index, role=person.role
        )


def test_a_reviewer_removes_a_pupil_wrongly_attached_with_a_reason(client, school_a, alice, rita, ravi):
    from incidents.models import IncidentEvent, MonthlyFigures

    earlier = record(school_a, alice, occurred_at=timezone.now() - datetime.timedelta(days=20))
    involve(earlier, alice, "JM-4C", year_group="4")
    incident = record(school_a, alice)
    wrong = involve(incident, alice, "JM-4C", year_group="4")
    involve(incident, alice, "KL-5B", role="alleged_perpetrator", year_group="5")
    incident.refresh_from_db()
    assert incident.is_repeat
    url = reverse("incidents:involvement-remove", kwargs={"pk": wrong.public_id})

    # A recorder cannot; a reviewer must give a reason.
    client.force_login(ravi)
    assert client.get(url).status_code == 404  # not their record
    client.force_login(rita)
    page = client.get(url).content.decode()
    assert "Remove JM-4C from the record" in page
    response = client.post(url, {"reason": ""})
    assert "Say why this person is being removed from the record" in response.content.decode()
    assert Involvement.objects.filter(pk=wrong.pk).exists()

    response = client.post(url, {"reason": "The wrong pupil was added: it was JN, not JM."})
    assert response.status_code == 302
    assert not Involvement.objects.filter(pk=wrong.pk).exists()
    incident.refresh_from_db()
    assert not incident.is_repeat  # its only target is gone
    # The record's history keeps it, with the reason.
    removed = IncidentEvent.objects.get(incident=incident, action="involvement_removed")
    assert removed.by == rita and removed.private_note == "The wrong pupil was added: it was JN, not JM."
    assert {"field": "role", "from": "Target", "to": "—"} in removed.changes
    detail = client.get(incident.get_absolute_url()).content.decode()
    assert "Person involved removed" in detail and "The wrong pupil was added" in detail
    assert "JM-4C" not in detail
    # The pupil's history, the counts and the exports no longer find it.
    found = client.post(reverse("incidents:pupil-search"), {"pupil_reference": "JM-4C"}).content.decode()
    assert earlier.reference in found and incident.reference not in found
    month = timezone.localtime(incident.occurred_at).date().replace(day=1)
    assert sum(f.targets_4 for f in MonthlyFigures.objects.filter(organisation=school_a, month=month)) == (
        1 if timezone.localtime(earlier.occurred_at).date().replace(day=1) == month else 0
    )
    client.force_login(alice)
    export = b"".join(client.get(reverse("incidents:export")).streaming_content).decode()
    assert export.count("JM-4C") == 1  # the earlier record's only
    subject_access = client.post(reverse("incidents:subject-access"), {"pupil_reference": "JM-4C"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(subject_access.content)).pages)
    assert earlier.reference in text and incident.reference not in text
