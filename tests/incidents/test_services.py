"""Recording, editing, triage, status changes and repeats, through the services."""

import datetime
import json
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from incidents import services
from incidents.models import Classification, Incident, IncidentEvent, PupilMessage, Role, Status
from incidents.services import IncidentError
from ppp.audit.models import AuditEvent
from ppp.crypto import blind_index
from tests.incidents.factories import details, grant, involve, pupil_report, record, triage


def test_a_reviewers_record_is_open_and_numbered_per_school_and_year(school_a, school_b, rita, charlie):
    first = record(school_a, rita)
    second = record(school_a, rita)
    other = record(school_b, charlie)
    year = timezone.localdate().year
    assert (first.reference, second.reference, other.reference) == (f"{year}-0001", f"{year}-0002", f"{year}-0001")
    assert first.status == Status.OPEN
    assert first.recorded_by == rita
    assert [e.action for e in first.events.all()] == ["recorded"]


def test_a_recorders_record_is_new_until_a_reviewer_opens_it(school_a, ravi, rita):
    incident = record(school_a, ravi)
    assert incident.status == Status.NEW
    services.incident_triage(incident=incident, by=rita, details=details())
    incident.refresh_from_db()
    assert incident.status == Status.OPEN


def test_a_member_without_permission_cannot_record(school_a, bob):
    with pytest.raises(IncidentError, match="lead has not given you access"):
        record(school_a, bob)
    assert not Incident.objects.exists()


def test_officers_cannot_record_even_as_members(school_a, officer):
    grant(school_a, officer, record=True, review=True)
    with pytest.raises(IncidentError):
        record(school_a, officer)


@pytest.mark.parametrize(
    ("stop", "expected"),
    [
        ((True, True, True), Classification.BULLYING),
        ((False, True, True), Classification.ONE_OFF),
        ((True, False, True), Classification.CONFLICT),
        ((True, True, False), Classification.CONFLICT),
    ],
)
def test_the_stop_test_decides_how_it_is_recorded(school_a, alice, stop, expected):
    several, purpose, power = stop
    incident = record(school_a, alice, stop_several_times=several, stop_on_purpose=purpose, stop_power_imbalance=power)
    assert incident.classification == expected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"occurred_at": timezone.now() + datetime.timedelta(days=2)}, "today or in the past"),
        ({"review_date": timezone.localdate() - datetime.timedelta(days=30)}, "on or after the date of the incident"),
        ({"forms": ["shouting"]}, "from the list"),
        ({"forms": []}, "at least one form"),
        ({"categories": ["height"]}, "from the list"),
        ({"description": "  "}, "Describe what happened"),
        ({"location": "moon"}, "where it happened"),
        ({"stop_on_purpose": None}, "STOP questions"),
    ],
)
def test_bad_details_are_refused_and_nothing_is_saved(school_a, alice, overrides, message):
    with pytest.raises(IncidentError, match=message):
        record(school_a, alice, **overrides)
    assert not Incident.objects.exists()


def test_an_edit_keeps_who_changed_what_without_plain_free_text_in_the_history(school_a, alice, rita):
    incident = record(school_a, alice, description="First account.")
    services.incident_update(
        incident=incident,
        by=rita,
        details=details(description="Second account.", location="corridor", forms=["verbal", "online"]),
    )
    incident.refresh_from_db()
    assert incident.description == "Second account."
    event = incident.events.get(action=IncidentEvent.Action.UPDATED)
    assert event.by == rita
    fields = {c["field"]: c for c in event.changes}
    assert fields["location"] == {"field": "location", "from": "Playground", "to": "Corridor"}
    assert fields["what happened"] == {"field": "what happened", "changed": True}
    assert fields["Online or cyber"]["to"] == "Yes"
    assert json.loads(event.previous_text) == {"description": "First account."}
    assert "First account" not in json.dumps(event.changes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT previous_text FROM incidents_incidentevent WHERE id = %s", [event.pk])
        assert "First account" not in cursor.fetchone()[0]
    audit = AuditEvent.objects.filter(action="incident.updated").get()
    assert "account" not in json.dumps(audit.detail)


def test_an_edit_that_changes_nothing_writes_no_history(school_a, alice):
    when = timezone.now() - datetime.timedelta(days=1)
    incident = record(school_a, alice, occurred_at=when)
    services.incident_update(incident=incident, by=alice, details=details(occurred_at=when))
    assert incident.events.count() == 1


def test_a_recorder_changes_only_their_own_open_records(school_a, ravi, rita):
    theirs = record(school_a, ravi)
    someone_elses = record(school_a, rita)
    services.incident_update(incident=theirs, by=ravi, details=details(location="toilets"))
    with pytest.raises(IncidentError):
        services.incident_update(incident=someone_elses, by=ravi, details=details(location="toilets"))


def test_the_workflow_from_open_to_closed_and_back(school_a, rita):
    incident = record(school_a, rita)
    review_on = timezone.localdate() + datetime.timedelta(days=14)
    services.incident_review_set(incident=incident, by=rita, review_date=review_on)
    incident.refresh_from_db()
    assert (incident.status, incident.review_date) == (Status.UNDER_REVIEW, review_on)
    services.incident_resolve(incident=incident, by=rita, outcome="It has stopped; both pupils agree.")
    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED and incident.resolved_at
    services.incident_close(incident=incident, by=rita)
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED and incident.closed_at
    services.incident_reopen(incident=incident, by=rita, reason="It started again.")
    incident.refresh_from_db()
    assert incident.status == Status.OPEN and incident.closed_at is None and incident.resolved_at is None
    steps = [(e.action, e.from_status, e.to_status) for e in incident.events.order_by("at", "id")]
    assert steps == [
        ("recorded", "", "open"),
        ("review_set", "open", "under_review"),
        ("resolved", "under_review", "resolved"),
        ("closed", "resolved", "closed"),
        ("reopened", "closed", "open"),
    ]
    reopened = incident.events.get(action="reopened")
    assert reopened.private_note == "It started again." and reopened.note == ""


def test_transitions_refuse_the_wrong_state_and_the_wrong_person(school_a, rita, ravi):
    incident = record(school_a, rita)
    with pytest.raises(IncidentError, match="once it is resolved"):
        services.incident_close(incident=incident, by=rita)
    with pytest.raises(IncidentError, match="Only the school.s lead or its reviewers can resolve"):
        services.incident_resolve(incident=incident, by=ravi, outcome="Done")
    with pytest.raises(IncidentError, match="today or in the future"):
        services.incident_review_set(
            incident=incident, by=rita, review_date=timezone.localdate() - datetime.timedelta(days=1)
        )
    with pytest.raises(IncidentError, match="Describe the outcome"):
        services.incident_resolve(incident=incident, by=rita, outcome=" ")
    incident.refresh_from_db()
    assert incident.status == Status.OPEN


def test_a_target_seen_again_within_12_months_makes_a_repeat(school_a, rita):
    now = timezone.now()
    old = record(school_a, rita, occurred_at=now - datetime.timedelta(days=500))
    earlier = record(school_a, rita, occurred_at=now - datetime.timedelta(days=100))
    later = record(school_a, rita, occurred_at=now - datetime.timedelta(days=5))
    involve(old, rita, "J.S.")
    involve(earlier, rita, "j.s.")  # the same reference, whatever its case
    assert not Incident.objects.get(pk=earlier.pk).is_repeat  # 400 days later is more than 12 months
    involve(later, rita, "JS-other")
    involve(later, rita, "J.S.", role=Role.WITNESS)  # a witness does not count
    assert not Incident.objects.get(pk=later.pk).is_repeat
    involve(later, rita, " j.s. ")
    assert Incident.objects.get(pk=later.pk).is_repeat
    assert later.events.filter(action="repeat_flagged").exists()
    # Moving the earlier incident out of the 12 months clears the flag.
    services.incident_update(incident=earlier, by=rita, details=details(occurred_at=now - datetime.timedelta(days=380)))
    assert not Incident.objects.get(pk=later.pk).is_repeat


def test_involvements_store_the_reference_encrypted_with_a_blind_index(school_a, rita):
    incident = record(school_a, rita)
    person = involve(incident, rita, "UPN-4471")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pupil_reference, pupil_index FROM incidents_involvement WHERE id = %s", [person.pk])
        raw, index = cursor.fetchone()
    assert "UPN-4471" not in raw and raw.startswith("gAAAAA")
    assert index == blind_index("upn-4471") and "4471" not in index


def test_a_pupils_report_lands_as_new_and_tells_the_reviewers_nothing_of_it(
    school_a, alice, rita, bob, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident, code = pupil_report(
            school_a, alice, text="Y6 boys push me in the lunch queue", name="Sam", class_name="5B"
        )
    assert incident.status == Status.NEW and incident.reported_by == "pupil"
    assert incident.classification == Classification.NOT_ASSESSED
    assert incident.reporter_name == "Sam, 5B"
    assert incident.pupil_code_hash and code not in incident.pupil_code_hash
    assert services.incident_for_code(services.format_code(code).lower()) == incident
    assert PupilMessage.objects.get(incident=incident).body == "Y6 boys push me in the lunch queue"
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["alice@a.example", "rita@a.example"]
    assert "lunch" not in mail.outbox[0].body and "Sam" not in mail.outbox[0].body
    event = AuditEvent.objects.get(action="incident.reported")
    assert event.ip is None and event.actor is None


def test_the_same_pupil_form_sent_twice_is_saved_once(school_a, alice):
    pupil_report(school_a, alice, submission_key="k" * 32)
    with pytest.raises(services.DuplicateSubmission):
        pupil_report(school_a, alice, submission_key="k" * 32)
    assert Incident.objects.count() == 1


def test_the_conversation_with_a_pupil(school_a, alice, rita, ravi, django_capture_on_commit_callbacks):
    incident, code = pupil_report(school_a, alice)
    triage(incident, rita)
    services.pupil_reply(incident=incident, by=rita, body="Thank you for telling us. We are sorting it out.")
    with pytest.raises(IncidentError):
        services.pupil_reply(incident=incident, by=ravi, body="Hello")
    with django_capture_on_commit_callbacks(execute=True):
        services.pupil_message_add(incident=incident, body="It happened again today")
    assert [m.sender for m in incident.messages.all()] == ["pupil", "school", "pupil"]
    assert "again" not in mail.outbox[-1].body
    services.incident_resolve(incident=incident, by=rita, outcome="Stopped")
    services.incident_close(incident=incident, by=rita)
    with pytest.raises(IncidentError, match="ended"):
        services.pupil_message_add(incident=incident, body="More")


def test_a_dismissed_report_is_kept_closed_and_never_counted(school_a, alice, rita):
    incident, _code = pupil_report(school_a, alice, text="test test")
    services.incident_dismiss(incident=incident, by=rita, reason="A test by the ICT technician")
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert not Incident.objects.assessed().exists()


def test_the_lead_grants_incident_roles(school_a, alice, bob, charlie):
    membership = bob.memberships.get()
    services.incident_role_set(membership=membership, by=alice, can_record=True, can_review=False)
    assert membership.incident_role.can_record and not membership.incident_role.can_review
    with pytest.raises(IncidentError):
        services.incident_role_set(membership=membership, by=charlie, can_record=True, can_review=True)
    with pytest.raises(IncidentError, match="always"):
        services.incident_role_set(membership=alice.memberships.get(), by=alice, can_record=False, can_review=False)
    assert AuditEvent.objects.filter(action="incidents.role_set", actor=alice).count() == 1


def test_a_changed_incident_role_holds_at_once_for_the_same_signed_in_person(school_a, alice, bob):
    """Rules remember a person's membership on their user object for the request; a role
    the lead grants or takes away is never answered from that memory."""
    from incidents import permissions

    membership = bob.memberships.get()
    assert not permissions.can_see_reports(bob, school_a)  # remembered: no incident role
    services.incident_role_set(membership=membership, by=alice, can_record=True, can_review=True)
    assert permissions.can_see_reports(bob, school_a) and permissions.can_record_incidents(bob, school_a)
    services.incident_role_set(membership=membership, by=alice, can_record=False, can_review=False)
    assert not permissions.can_see_reports(bob, school_a)
    assert not permissions.can_record_incidents(bob, school_a)


def test_a_new_reporting_link_retires_the_old_one(school_a, alice, rita):
    first, first_token = services.reporting_link_create(organisation=school_a, by=alice)
    second, second_token = services.reporting_link_create(organisation=school_a, by=alice)
    first.refresh_from_db()
    assert first.retired_at is not None and second.retired_at is None
    assert len(first_token) >= 32  # 24 random bytes: 192 bits
    assert first_token not in first.token_hash
    assert services.link_for_token(first_token) == first
    with pytest.raises(IncidentError):
        services.reporting_link_create(organisation=school_a, by=rita)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_references_stay_unique_when_several_people_record_at_once():
    from tests.factories import MembershipFactory, OrganisationFactory

    school = OrganisationFactory()
    lead = MembershipFactory(organisation=school, role="lead").user
    barrier = threading.Barrier(6)
    errors = []

    def work():
        try:
            barrier.wait()
            record(school, lead)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    references = sorted(Incident.objects.filter(organisation=school).values_list("reference", flat=True))
    year = timezone.localdate().year
    assert references == [f"{year}-{n:04d}" for n in range(1, 7)]
