"""Moving the award's history onto ppp.history keeps every row: status changes become
application events with the right action, evidence comments become notes, and each visit's
old "changes" text becomes one history row per move."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("accreditation", "0004_award_superseded")]
AFTER = [("accreditation", "0005_one_history")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def test_every_history_row_survives_the_move():
    old = _migrate(BEFORE)
    try:
        Scheme = old.get_model("accreditation", "Scheme")
        Application = old.get_model("accreditation", "Application")
        StatusChange = old.get_model("accreditation", "StatusChange")
        Evidence = old.get_model("accreditation", "Evidence")
        EvidenceEvent = old.get_model("accreditation", "EvidenceEvent")
        Visit = old.get_model("accreditation", "Visit")
        Award = old.get_model("accreditation", "Award")
        # People and schools are made as they are today (their app is not migrated back).
        lead = old.get_model("accounts", "User").objects.get(pk=UserFactory(email="old-lead@example.org").pk)
        school_id = OrganisationFactory(name="Old School").pk
        application = Application.objects.create(
            organisation_id=school_id,
            scheme=Scheme.objects.first(),
            contact_name="A",
            contact_email="a@example.org",
            terms_accepted_at=timezone.now(),
            created_by=lead,
            status="accredited",
        )
        steps = [
            ("", "applied"),
            ("applied", "planning"),
            ("planning", "evidencing"),
            ("evidencing", "assessment"),
            ("assessment", "evidencing"),
            ("evidencing", "assessment"),
            ("assessment", "accredited"),
        ]
        for frm, to in steps:
            StatusChange.objects.create(application=application, from_status=frm, to_status=to, by=lead)
        evidence = Evidence.objects.create(application=application, title="Policy", kind="statement", created_by=lead)
        EvidenceEvent.objects.create(evidence=evidence, action="changes_requested", by=lead, comment="Add the date")
        visit = Visit.objects.create(
            application=application,
            kind="initial",
            status="completed",
            starts_at=timezone.now() - datetime.timedelta(days=30),
            completed_at=timezone.now() - datetime.timedelta(days=29),
            changes="3 Nov 2026: moved from 1 Nov 2026 10:00 by Olivia. Snow\n5 Nov 2026: moved again. Illness\n",
        )
        Award.objects.create(
            application=application,
            awarded_on=datetime.date(2026, 10, 1),
            expires_on=datetime.date(2029, 10, 1),
            status="issued",
            awarded_by=lead,
        )
    finally:
        new = _migrate(AFTER)
    ApplicationEvent = new.get_model("accreditation", "ApplicationEvent")
    actions = list(ApplicationEvent.objects.filter(application_id=application.pk).values_list("action", flat=True))
    assert actions == ["applied", "planning", "plan_agreed", "submitted", "returned", "submitted", "accredited"]
    EvidenceEvent = new.get_model("accreditation", "EvidenceEvent")
    event = EvidenceEvent.objects.get(evidence_id=evidence.pk)
    assert event.note == "Add the date" and event.to_status == "changes_requested"
    VisitEvent = new.get_model("accreditation", "VisitEvent")
    moves = list(VisitEvent.objects.filter(visit_id=visit.pk, action="moved").values_list("note", flat=True))
    assert moves == ["3 Nov 2026: moved from 1 Nov 2026 10:00 by Olivia. Snow", "5 Nov 2026: moved again. Illness"]
    assert VisitEvent.objects.filter(visit_id=visit.pk, action="recorded").count() == 1
    AwardEvent = new.get_model("accreditation", "AwardEvent")
    assert set(AwardEvent.objects.values_list("action", flat=True)) == {"made", "issued"}
