"""The award workflow through its services: every move allowed and refused."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from accreditation import selectors, services
from accreditation.models import Application, ApplicationEvent, Award, Evidence, EvidenceEvent, Scheme, Visit
from accreditation.services import WorkflowError
from ppp.certificates.models import IssuedCertificate
from tests.accreditation import factories as f
from tests.factories import make_officer

S = Application.Status


def statuses(application):
    """The statuses the application went through, from its history."""
    steps = application.history.exclude(action__in=["assigned", "award_cancelled"])
    return list(steps.values_list("to_status", flat=True))


# Applying


def test_lead_applies_and_the_council_is_told(alice, school_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = f.apply(school_a, alice, purchase_order="PO-1")
    assert application.status == S.APPLIED
    assert statuses(application) == [S.APPLIED]
    assert mail.outbox[-1].subject == "PPP award: new application from School A Primary"


def test_only_the_lead_applies(bob, school_a):
    with pytest.raises(WorkflowError, match="Only School A Primary's lead can apply"):
        f.apply(school_a, bob)
    assert not Application.objects.exists()


def test_one_open_application_per_organisation(alice, school_a):
    f.apply(school_a, alice)
    with pytest.raises(WorkflowError, match="already has an application in progress"):
        f.apply(school_a, alice)
    assert Application.objects.count() == 1


def test_the_database_holds_one_open_application(alice, school_a):
    from django.db import IntegrityError, transaction

    first = f.apply(school_a, alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            organisation=school_a,
            scheme=first.scheme,
            contact_name="x",
            contact_email="x@a.example",
            terms_accepted_at=timezone.now(),
            created_by=alice,
        )


def test_terms_and_bespoke_note_are_required(alice, school_a):
    with pytest.raises(WorkflowError, match="accept the terms"):
        services.application_apply(
            organisation=school_a,
            scheme=Scheme.current(),
            by=alice,
            contact_name="A",
            contact_email="a@a.example",
            accept_terms=False,
        )
    with pytest.raises(WorkflowError, match="bespoke"):
        f.apply(school_a, alice, package=Application.Package.BESPOKE)


def test_a_draft_scheme_takes_no_applications(alice, school_a):
    draft = Scheme.objects.create(name="Next", version=2, status=Scheme.Status.DRAFT)
    with pytest.raises(WorkflowError, match="not open for applications"):
        services.application_apply(
            organisation=school_a,
            scheme=draft,
            by=alice,
            contact_name="A",
            contact_email="a@a.example",
            accept_terms=True,
        )


# Visits and planning


def test_recording_the_initial_visit_moves_to_planning(alice, officer, school_a):
    application = f.apply(school_a, alice)
    f.initial_visit_done(application, officer)
    application.refresh_from_db()
    assert application.status == S.PLANNING
    assert statuses(application) == [S.APPLIED, S.PLANNING]
    assert ApplicationEvent.objects.last().by == officer


def test_a_visit_in_the_future_cannot_be_recorded(alice, officer, school_a):
    application = f.apply(school_a, alice)
    visit = services.visit_schedule(
        application=application,
        by=officer,
        kind="initial",
        mode="online",
        starts_at=timezone.now() + datetime.timedelta(days=2),
    )
    with pytest.raises(WorkflowError, match="has not happened yet"):
        services.visit_complete(visit=visit, by=officer, report="x")


def test_only_officers_schedule_and_record_visits(alice, officer, school_a):
    application = f.apply(school_a, alice)
    with pytest.raises(WorkflowError, match="Only a council officer"):
        services.visit_schedule(
            application=application,
            by=alice,
            kind="initial",
            mode="online",
            starts_at=timezone.now() + datetime.timedelta(days=2),
        )


def test_lead_offers_dates_and_the_officer_confirms_one(alice, officer, school_a):
    application = f.apply(school_a, alice)
    soon = timezone.now() + datetime.timedelta(days=5)
    with pytest.raises(WorkflowError, match="at least two dates"):
        services.visit_request(application=application, by=alice, kind="initial", mode="online", preferred=[soon])
    visit = services.visit_request(
        application=application,
        by=alice,
        kind="initial",
        mode="in_person",
        preferred=[soon, soon + datetime.timedelta(days=1)],
    )
    assert visit.status == Visit.Status.REQUESTED
    services.visit_schedule(
        application=application,
        by=officer,
        visit=visit,
        kind="initial",
        mode="in_person",
        starts_at=visit.preferred_2,
        location="School hall",
    )
    visit.refresh_from_db()
    assert (visit.status, visit.starts_at) == (Visit.Status.SCHEDULED, visit.preferred_2)


def test_visits_are_cancelled_with_a_reason(alice, officer, school_a):
    application = f.apply(school_a, alice)
    visit = services.visit_schedule(
        application=application,
        by=officer,
        kind="initial",
        mode="online",
        starts_at=timezone.now() + datetime.timedelta(days=2),
    )
    with pytest.raises(WorkflowError, match="reason"):
        services.visit_cancel(visit=visit, by=alice, reason=" ")
    services.visit_cancel(visit=visit, by=alice, reason="Snow day")
    with pytest.raises(WorkflowError, match="already cancelled"):
        services.visit_cancel(visit=visit, by=officer, reason="again")


def test_the_action_plan_needs_actions_and_an_officer(alice, officer, school_a):
    application = f.planning(school_a, alice, officer)
    with pytest.raises(WorkflowError, match="no actions yet"):
        services.action_plan_agree(application=application, by=officer)
    services.action_item_save(application=application, by=alice, action="A", owner="B", due_date=timezone.localdate())
    with pytest.raises(WorkflowError, match="Only a council officer"):
        services.action_plan_agree(application=application, by=alice)
    services.action_plan_agree(application=application, by=officer)
    application.refresh_from_db()
    assert application.status == S.EVIDENCING and application.action_plan_agreed_at


def test_self_review_gaps_copy_into_the_action_plan_once(alice, bob, officer, school_a):
    application = f.planning(school_a, alice, officer)
    criteria = list(application.scheme.standards.first().criteria.all())
    services.self_review_save(
        application=application,
        by=bob,
        ratings={
            criteria[0].pk: ("developing", "Needs work"),
            criteria[1].pk: ("embedded", ""),
            criteria[2].pk: ("not_started", ""),
        },
    )
    due = timezone.localdate() + datetime.timedelta(days=30)
    assert services.action_items_from_self_review(application=application, by=bob, due_date=due) == 2
    assert services.action_items_from_self_review(application=application, by=bob, due_date=due) == 0


# Evidence


def test_members_draft_and_only_the_lead_submits(alice, bob, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, bob)
    with pytest.raises(WorkflowError, match="lead can submit evidence"):
        services.evidence_submit(evidence=evidence, by=bob)
    services.evidence_submit(evidence=evidence, by=alice)
    assert Evidence.objects.get(pk=evidence.pk).status == Evidence.Status.SUBMITTED


def test_changes_requested_then_response_and_resubmission_keep_history(alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice)
    services.evidence_submit(evidence=evidence, by=alice)
    with pytest.raises(WorkflowError, match="Say what needs to change"):
        services.evidence_review(
            evidence=evidence, by=officer, decision="changes_requested", comment="", seen_status="submitted"
        )
    services.evidence_review(
        evidence=evidence, by=officer, decision="changes_requested", comment="Add the date", seen_status="submitted"
    )
    services.evidence_update(evidence=evidence, by=alice, criteria=None, statement="Agreed on 1 May.")
    services.evidence_submit(evidence=evidence, by=alice, comment="Date added")
    services.evidence_review(evidence=evidence, by=officer, decision="accepted", seen_status="submitted")
    actions = list(evidence.events.values_list("action", "note"))
    assert actions == [
        ("created", ""),
        ("submitted", ""),
        ("changes_requested", "Add the date"),
        ("edited", "Statement: What we do. → Agreed on 1 May."),
        ("responded", "Date added"),
        ("submitted", ""),
        ("accepted", ""),
    ]


def test_a_second_officer_reviewing_the_same_item_sees_the_first_decision(alice, officer, school_a):
    other = make_officer("second@example.org")
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice)
    services.evidence_submit(evidence=evidence, by=alice)
    services.evidence_review(evidence=evidence, by=officer, decision="accepted", seen_status="submitted")
    with pytest.raises(WorkflowError, match="changed since you opened it: it is now accepted by Olivia Officer"):
        services.evidence_review(
            evidence=evidence, by=other, decision="changes_requested", comment="No", seen_status="submitted"
        )
    assert Evidence.objects.get(pk=evidence.pk).status == Evidence.Status.ACCEPTED
    assert EvidenceEvent.objects.filter(evidence=evidence, action="changes_requested").count() == 0


def test_accepted_evidence_cannot_be_edited(alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice)
    services.evidence_submit(evidence=evidence, by=alice)
    services.evidence_review(evidence=evidence, by=officer, decision="accepted", seen_status="submitted")
    with pytest.raises(WorkflowError, match="only be changed while"):
        services.evidence_update(evidence=evidence, by=alice, criteria=None, title="New")


def test_evidence_must_map_to_this_schemes_criteria(alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    with pytest.raises(WorkflowError, match="at least one criterion"):
        services.evidence_add(application=application, by=alice, criteria=[], title="x", kind="statement")


# Tests of submitting, returning and awarding


def test_submitting_needs_evidence_for_every_required_criterion(alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    f.statement(application, alice)
    with pytest.raises(WorkflowError, match="Still missing: 1.1, 1.2"):
        services.application_submit(application=application, by=alice)
    f.all_evidence(application, alice)
    services.application_submit(application=application, by=alice)
    assert Application.objects.get(pk=application.pk).status == S.ASSESSMENT


def test_more_evidence_needed_goes_back_with_a_note(alice, officer, school_a):
    application = f.assessment(school_a, alice, officer)
    with pytest.raises(WorkflowError, match="Say what more evidence"):
        services.application_return(application=application, by=officer, note="")
    services.application_return(application=application, by=officer, note="Parent survey please")
    application.refresh_from_db()
    assert application.status == S.EVIDENCING
    assert application.history.last().note == "Parent survey please"


def test_award_issues_a_certificate_valid_for_the_schemes_months(alice, officer, school_a):
    application = f.assessment(school_a, alice, officer)
    award = services.application_award(application=application, by=officer, awarded_on=datetime.date(2026, 11, 30))
    application.refresh_from_db()
    assert application.status == S.ACCREDITED
    assert award.expires_on == datetime.date(2029, 11, 30)
    assert award.certificate.holder == school_a.name
    assert award.certificate.kind == IssuedCertificate.Kind.AWARD


def test_award_needs_every_item_reviewed(alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    f.all_evidence(application, alice, officer=None)
    services.application_submit(application=application, by=alice)
    with pytest.raises(WorkflowError, match="Review every submitted item"):
        services.application_award(application=application, by=officer)


def test_levels_when_the_scheme_has_them(alice, officer, school_a):
    Scheme.objects.update(levels="Bronze, Silver, Gold")
    application = f.assessment(school_a, alice, officer)
    with pytest.raises(WorkflowError, match="Choose the level: Bronze, Silver, Gold"):
        services.application_award(application=application, by=officer)
    award = services.application_award(application=application, by=officer, level="Gold")
    assert award.certificate.level == "Gold"


def test_ratification_needs_a_second_officer(alice, officer, school_a):
    Scheme.objects.update(requires_ratification=True)
    application = f.assessment(school_a, alice, officer)
    award = services.application_award(application=application, by=officer)
    assert award.status == Award.Status.AWAITING_RATIFICATION and award.certificate is None
    assert Application.objects.get(pk=application.pk).status == S.ASSESSMENT
    with pytest.raises(WorkflowError, match="not the officer who made it"):
        services.award_ratify(award=award, by=officer)
    services.award_ratify(award=award, by=make_officer("ratifier@example.org"))
    award.refresh_from_db()
    assert award.status == Award.Status.ISSUED and award.certificate
    assert Application.objects.get(pk=application.pk).status == S.ACCREDITED


def test_leads_cannot_award_themselves(alice, officer, school_a):
    application = f.assessment(school_a, alice, officer)
    with pytest.raises(WorkflowError, match="Only a council officer"):
        services.application_award(application=application, by=alice)


@pytest.mark.parametrize("status", ["applied", "planning", "evidencing", "assessment"])
def test_any_open_state_can_be_withdrawn(alice, officer, school_a, status):
    builders = {
        "applied": lambda: f.apply(school_a, alice),
        "planning": lambda: f.planning(school_a, alice, officer),
        "evidencing": lambda: f.evidencing(school_a, alice, officer),
        "assessment": lambda: f.assessment(school_a, alice, officer),
    }
    application = builders[status]()
    services.application_withdraw(application=application, by=alice, reason="Staff changes")
    assert Application.objects.get(pk=application.pk).status == S.WITHDRAWN
    # and a new application can then be made
    f.apply(school_a, alice)


def test_closed_applications_cannot_be_withdrawn_or_submitted(alice, officer, school_a):
    application = f.accredited(school_a, alice, officer)
    with pytest.raises(WorkflowError, match="while the application is accredited"):
        services.application_withdraw(application=application, by=alice, reason="x")
    with pytest.raises(WorkflowError, match="while the application is accredited"):
        services.application_submit(application=application, by=alice)


def test_expiry_moves_the_award_and_application_to_expired_once(alice, officer, school_a):
    application = f.accredited(school_a, alice, officer, awarded_on=datetime.date(2023, 1, 10))
    award = application.award
    assert services.award_expire(award=award, today=datetime.date(2026, 1, 10)) is False
    assert services.award_expire(award=award, today=datetime.date(2026, 1, 11)) is True
    assert services.award_expire(award=award, today=datetime.date(2026, 1, 12)) is False
    application.refresh_from_db()
    assert application.status == S.EXPIRED
    assert application.history.last().by is None


# Re-accreditation


def test_reaccreditation_carries_accepted_evidence_forward(alice, officer, school_a):
    old = f.accredited(school_a, alice, officer, awarded_on=datetime.date(2023, 1, 10))
    services.award_expire(award=old.award, today=datetime.date(2026, 2, 1))
    new = services.reaccreditation_start(
        organisation=school_a, by=alice, contact_name="A", contact_email="a@a.example", accept_terms=True
    )
    assert new.kind == Application.Kind.REACCREDITATION and new.previous_application == old
    carried = new.evidence.all()
    assert carried.count() == old.evidence.count()
    assert all(e.carried_forward_from_id and e.status == Evidence.Status.DRAFT for e in carried)
    assert {c.code for e in carried for c in e.criteria.all()} == {
        c.code for e in old.evidence.all() for c in e.criteria.all()
    }


def test_reaccreditation_from_the_earlier_scheme(alice, school_a):
    from accreditation.models import LegacyAward

    legacy = LegacyAward.objects.create(organisation=school_a, awarded_on=datetime.date(2021, 6, 1))
    new = services.reaccreditation_start(
        organisation=school_a, by=alice, contact_name="A", contact_email="a@a.example", accept_terms=True
    )
    assert new.previous_legacy_award == legacy and new.kind == Application.Kind.REACCREDITATION


def test_nothing_to_reaccredit(alice, school_a):
    with pytest.raises(WorkflowError, match="no award to re-accredit"):
        services.reaccreditation_start(
            organisation=school_a, by=alice, contact_name="A", contact_email="a@a.example", accept_terms=True
        )


def test_moving_a_booked_visit_needs_a_reason_the_school_is_told(
    alice, officer, school_a, django_capture_on_commit_callbacks
):
    application = f.apply(school_a, alice)
    first = timezone.now() + datetime.timedelta(days=3)
    visit = services.visit_schedule(application=application, by=officer, kind="initial", mode="online", starts_at=first)
    with pytest.raises(WorkflowError, match="Give the reason for moving the visit"):
        services.visit_schedule(
            application=application,
            by=officer,
            visit=visit,
            kind="initial",
            mode="online",
            starts_at=first + datetime.timedelta(days=1),
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_schedule(
            application=application,
            by=officer,
            visit=visit,
            kind="initial",
            mode="online",
            starts_at=first + datetime.timedelta(days=1),
            reason="Officer unwell",
        )
    moved = visit.history.get(action="moved")
    assert "Officer unwell" in moved.note and moved.by == officer
    assert "Why it moved: Officer unwell" in mail.outbox[-1].body


def test_legacy_holders_are_invited_to_reaccredit_through_their_lead(
    alice, officer, school_a, school_b, django_capture_on_commit_callbacks
):
    from accreditation.models import LegacyAward

    with_lead = LegacyAward.objects.create(organisation=school_a, awarded_on=datetime.date(2021, 6, 1), level="Gold")
    without_lead = LegacyAward.objects.create(organisation=school_b, awarded_on=datetime.date(2021, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.legacy_award_invite(legacy_award=with_lead, by=officer)
    assert mail.outbox[-1].to == [alice.email] and "Gold" in mail.outbox[-1].body
    with pytest.raises(WorkflowError, match="has no lead on PPP yet"):
        services.legacy_award_invite(legacy_award=without_lead, by=officer)
    with pytest.raises(WorkflowError, match="Only a council officer"):
        services.legacy_award_invite(legacy_award=with_lead, by=alice)


def test_returning_or_withdrawing_cancels_an_award_waiting_for_ratification(alice, officer, school_a):
    Scheme.objects.update(requires_ratification=True)
    second = make_officer("second@example.org")
    application = f.assessment(school_a, alice, officer)
    award = services.application_award(application=application, by=officer)
    services.application_return(application=application, by=second, note="Parent survey please")
    assert not Award.objects.filter(pk=award.pk).exists()
    with pytest.raises(WorkflowError, match="not waiting for ratification"):
        services.award_ratify(award=award, by=second)
    assert Application.objects.get(pk=application.pk).status == S.EVIDENCING
    services.application_submit(application=application, by=alice)
    award = services.application_award(application=application, by=officer)  # can be awarded again
    services.application_withdraw(application=application, by=alice, reason="Closing")
    assert not Award.objects.filter(application=application).exists()


def test_evidence_is_frozen_while_an_award_waits_for_ratification(alice, officer, school_a):
    Scheme.objects.update(requires_ratification=True)
    application = f.assessment(school_a, alice, officer)
    services.application_award(application=application, by=officer)
    extra = f.statement(application, alice, title="Late addition")
    with pytest.raises(WorkflowError, match="waiting for ratification"):
        services.evidence_submit(evidence=extra, by=alice)


def test_nothing_is_reviewed_or_changed_on_a_closed_application(alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice)
    services.evidence_submit(evidence=evidence, by=alice)
    services.application_withdraw(application=application, by=alice, reason="Closing")
    with pytest.raises(WorkflowError, match="withdrawn"):
        services.evidence_review(evidence=evidence, by=officer, decision="accepted", seen_status="submitted")
    with pytest.raises(WorkflowError, match="withdrawn"):
        services.evidence_update(evidence=evidence, by=alice, criteria=None, title="x")
    assert not selectors.evidence_waiting_for_review().filter(pk=evidence.pk).exists()


def test_reaccreditation_opens_90_days_before_the_award_expires(alice, officer, school_a):
    old = f.accredited(school_a, alice, officer, awarded_on=timezone.localdate() - datetime.timedelta(days=900))
    with pytest.raises(WorkflowError, match="You can start re-accreditation from"):
        services.reaccreditation_start(
            organisation=school_a, by=alice, contact_name="A", contact_email="a@a.example", accept_terms=True
        )
    assert selectors.reaccreditation_opens_on(old) == old.award.expires_on - datetime.timedelta(days=90)


def test_a_new_award_supersedes_the_previous_one(alice, officer, school_a):
    old = f.accredited(school_a, alice, officer, awarded_on=timezone.localdate() - datetime.timedelta(days=1020))
    new = services.reaccreditation_start(
        organisation=school_a, by=alice, contact_name="A", contact_email="a@a.example", accept_terms=True
    )
    f.initial_visit_done(new, officer)
    services.action_item_save(application=new, by=alice, action="x", owner="y", due_date=timezone.localdate())
    services.action_plan_agree(application=new, by=officer)
    f.all_evidence(new, alice, officer)
    services.application_submit(application=new, by=alice)
    services.application_award(application=new, by=officer)
    assert Award.objects.get(application=old).status == Award.Status.SUPERSEDED
    assert list(Award.objects.current().values_list("application", flat=True)) == [new.pk]


def test_visits_more_than_two_years_ahead_are_refused(alice, officer, school_a):
    application = f.apply(school_a, alice)
    with pytest.raises(WorkflowError, match="within the next two years"):
        services.visit_schedule(
            application=application,
            by=officer,
            kind="initial",
            mode="online",
            starts_at=timezone.now() + datetime.timedelta(days=3650),
        )


def test_what_is_missing_is_one_rule_for_the_award_page_and_the_services(client, alice, officer, school_a):
    """selectors.missing_criteria: the page lists what it finds and submitting is refused
    with it. A draft and an item sent back leave a criterion missing; submitted and
    accepted items do not."""
    from accreditation.models import Criterion

    application = f.evidencing(school_a, alice, officer)
    criteria = list(Criterion.objects.filter(standard__scheme=application.scheme, evidence_required=True))
    draft = f.statement(application, alice, criteria=[criteria[0]], title="Draft")
    submitted = f.statement(application, alice, criteria=[criteria[1], criteria[2]], title="Submitted")
    services.evidence_submit(evidence=submitted, by=alice)
    returned = f.statement(application, alice, criteria=[criteria[3]], title="Returned")
    services.evidence_submit(evidence=returned, by=alice)
    services.evidence_review(
        evidence=returned,
        by=officer,
        decision=Evidence.Status.CHANGES_REQUESTED,
        comment="More",
        seen_status="submitted",
    )
    accepted = f.statement(application, alice, criteria=[criteria[4]], title="Accepted")
    services.evidence_submit(evidence=accepted, by=alice)
    services.evidence_review(evidence=accepted, by=officer, decision=Evidence.Status.ACCEPTED, seen_status="submitted")
    assert draft.status == Evidence.Status.DRAFT

    missing = selectors.missing_criteria(application)
    assert criteria[0] in missing and criteria[3] in missing
    assert not {criteria[1], criteria[2], criteria[4]} & set(missing)
    client.force_login(alice)
    page = " ".join(client.get(application.get_absolute_url()).content.decode().split())
    codes = ", ".join(c.code for c in missing)
    assert f"Still needed before you can submit for assessment: {codes}." in page
    with pytest.raises(WorkflowError, match=re.escape(missing[0].code)):
        services.application_submit(application=application, by=alice)


def test_an_edit_records_the_earlier_and_the_new_words_and_a_non_change_records_nothing(alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice)
    long_text = "We now hold a half-termly pupil council meeting on bullying, minuted, with actions. " * 3
    services.evidence_update(evidence=evidence, by=alice, criteria=None, statement=long_text, title="Pupil council")
    note = evidence.events.get(action="edited").note
    assert "Title: Our practice → Pupil council" in note
    assert "Statement changed.\nEarlier: What we do.\nNow: We now hold" in note
    # The same words again (only spaces and line endings differ): no history entry.
    services.evidence_update(evidence=evidence, by=alice, criteria=None, statement=long_text.replace(". ", ".\r\n"))
    services.evidence_update(evidence=evidence, by=alice, criteria=None, title="Pupil council ")
    assert evidence.events.filter(action="edited").count() == 1
