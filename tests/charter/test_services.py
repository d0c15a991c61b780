"""The pledge cycle's rules, allowed and refused, each leaving history."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from charter import selectors, services
from charter.models import Charter, Pledge, PledgeCommitment, PledgeEvent
from charter.services import CharterError
from ppp.certificates.models import IssuedCertificate
from ppp.dates import add_months
from tests.charter.factories import PledgeFactory, approved_pledge, details, due_pledge

pytestmark = pytest.mark.django_db


def actions(pledge):
    return list(PledgeEvent.objects.filter(pledge=pledge).values_list("action", flat=True))


def test_the_first_charter_is_loaded_from_the_councils_text():
    charter = Charter.objects.current()
    assert charter.version == 1
    assert charter.stop_several == "Several Times On Purpose"
    assert charter.stop_start == "Start Telling Other People"
    assert "imbalance of power" in charter.definition
    principles = [p.text for p in charter.principles.all()]
    assert len(principles) == 4 and "**feel safe**" in principles[0] and "**diversity**" in principles[3]
    commitments = list(charter.commitments.all())
    assert [c.order for c in commitments] == [1, 2, 3, 4]
    assert "record, monitor, and review" in commitments[0].text
    assert "- Team Teach" in commitments[1].guidance
    assert all(c.examples.exists() for c in commitments)


def test_a_lead_signs_and_the_officers_are_told(alice, school_a, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pledge = services.pledge_create(organisation=school_a, by=alice, details=details())
    assert pledge.status == Pledge.Status.SUBMITTED
    assert pledge.commitments.count() == 4
    assert actions(pledge) == ["signed"]
    assert mail.outbox[-1].to == [officer.email]


def test_a_member_cannot_sign(bob, school_a):
    with pytest.raises(CharterError, match="lead"):
        services.pledge_create(organisation=school_a, by=bob, details=details())
    assert not Pledge.objects.exists()


def test_an_organisation_cannot_sign_twice(alice, school_a):
    services.pledge_create(organisation=school_a, by=alice, details=details())
    with pytest.raises(CharterError, match="already signed"):
        services.pledge_create(organisation=school_a, by=alice, details=details())


def test_every_commitment_needs_an_answer(alice, school_a):
    charter = Charter.objects.current()
    first = charter.commitments.first()
    with pytest.raises(CharterError, match="every commitment"):
        services.pledge_create(
            organisation=school_a, by=alice, details=details(commitments={first.pk: "Only this one"})
        )


def test_an_officer_approves_and_a_certificate_is_issued(alice, school_a, officer, django_capture_on_commit_callbacks):
    pledge = PledgeFactory(organisation=school_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, by=officer)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.APPROVED
    assert pledge.review_due_on == add_months(timezone.localdate(), 12)
    certificate = selectors.pledge_certificate(pledge)
    assert certificate.kind == IssuedCertificate.Kind.PLEDGE
    assert certificate.holder == school_a.name
    assert certificate.valid_until == pledge.review_due_on
    assert actions(pledge)[-1] == "approved"
    assert alice.email in mail.outbox[-1].to


def test_approval_is_refused_to_a_lead_and_for_a_returned_pledge(alice, school_a, officer):
    pledge = PledgeFactory(organisation=school_a)
    with pytest.raises(CharterError, match="council officer"):
        services.pledge_approve(pledge=pledge, by=alice)
    services.pledge_return(pledge=pledge, by=officer, comment="Say more about training.")
    with pytest.raises(CharterError, match="awaiting approval"):
        services.pledge_approve(pledge=pledge, by=officer)


def test_return_needs_a_comment_which_is_kept_and_sent(alice, school_a, officer, django_capture_on_commit_callbacks):
    pledge = PledgeFactory(organisation=school_a)
    with pytest.raises(CharterError, match="Say what"):
        services.pledge_return(pledge=pledge, by=officer, comment="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_return(pledge=pledge, by=officer, comment="Say more about training.")
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.RETURNED
    assert pledge.events.last().note == "Say more about training."
    assert "Say more about training." in mail.outbox[-1].body


def test_a_returned_pledge_is_resubmitted_by_the_lead(alice, bob, school_a, officer):
    pledge = PledgeFactory(organisation=school_a, status=Pledge.Status.RETURNED)
    with pytest.raises(CharterError):
        services.pledge_resubmit(pledge=pledge, by=bob, details=details())
    services.pledge_resubmit(pledge=pledge, by=alice, details=details(children_covered=999))
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED and pledge.children_covered == 999
    assert actions(pledge)[-1] == "resubmitted"
    # The officer reads what changed, and only that.
    note = pledge.events.last().note
    assert "Children and young people covered: 250 → 999" in note


def test_a_resubmitted_pledge_shows_the_earlier_and_the_new_commitment_text(alice, school_a):
    pledge = PledgeFactory(organisation=school_a, status=Pledge.Status.RETURNED)
    first = pledge.charter.commitments.first()
    PledgeCommitment.objects.update_or_create(pledge=pledge, commitment=first, defaults={"text": "Posters."})
    text = details().commitments
    text[first.pk] = "A pupil anti-bullying council that meets each half term and reports to governors."
    services.pledge_resubmit(pledge=pledge, by=alice, details=details(commitments=text))
    note = pledge.events.last().note
    assert f"How you will show: {first.short_title}: Posters. → A pupil anti-bullying council" in note


def test_resubmit_is_refused_unless_returned(alice, school_a):
    pledge = PledgeFactory(organisation=school_a)
    with pytest.raises(CharterError, match="returned"):
        services.pledge_resubmit(pledge=pledge, by=alice, details=details())


def test_the_lead_withdraws_once(alice, bob, school_a):
    pledge = approved_pledge(school_a)
    with pytest.raises(CharterError):
        services.pledge_withdraw(pledge=pledge, by=bob)
    services.pledge_withdraw(pledge=pledge, by=alice, reason="Merging with another school")
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.WITHDRAWN
    with pytest.raises(CharterError, match="already been withdrawn"):
        services.pledge_withdraw(pledge=pledge, by=alice)
    # and may sign again
    services.pledge_create(organisation=school_a, by=alice, details=details())


def test_lapse_only_when_overdue_by_more_than_60_days(school_a):
    today = timezone.localdate()
    pledge = approved_pledge(school_a, review_due_on=today - datetime.timedelta(days=60))
    with pytest.raises(CharterError, match="not overdue"):
        services.pledge_lapse(pledge=pledge, today=today)
    services.pledge_lapse(pledge=pledge, today=today + datetime.timedelta(days=1))
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.LAPSED
    assert actions(pledge)[-1] == "lapsed"
    with pytest.raises(CharterError, match="approved"):
        services.pledge_lapse(pledge=pledge, today=today + datetime.timedelta(days=2))


def test_a_lapsed_pledge_is_renewed_and_approved_again(alice, school_a, officer):
    pledge = PledgeFactory(organisation=school_a, status=Pledge.Status.LAPSED, review_due_on=datetime.date(2025, 1, 1))
    services.pledge_renew(pledge=pledge, by=alice, details=details())
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED
    services.pledge_approve(pledge=pledge, by=officer)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.APPROVED and pledge.review_due_on > timezone.localdate()
    assert actions(pledge)[-2:] == ["renewed", "approved"]


def test_renew_is_refused_unless_lapsed(alice, school_a):
    pledge = approved_pledge(school_a)
    with pytest.raises(CharterError, match="lapsed"):
        services.pledge_renew(pledge=pledge, by=alice, details=details())


def test_removal_from_the_register_needs_a_reason_and_an_officer(alice, school_a, officer):
    pledge = approved_pledge(school_a)
    with pytest.raises(CharterError):
        services.pledge_remove_from_register(pledge=pledge, by=alice, reason="no")
    with pytest.raises(CharterError, match="reason"):
        services.pledge_remove_from_register(pledge=pledge, by=officer, reason="")
    services.pledge_remove_from_register(pledge=pledge, by=officer, reason="Complaint under investigation")
    assert not Pledge.objects.on_register().exists()
    assert pledge.events.last().note == "Complaint under investigation"
    services.pledge_restore_to_register(pledge=pledge, by=officer)
    assert Pledge.objects.on_register().exists()


def test_register_shows_only_approved_consenting_current_pledges(school_a, school_b, officer):
    shown = approved_pledge(school_a)
    approved_pledge(school_b, consent_to_list=False)
    for status in ("submitted", "returned", "lapsed", "withdrawn", "unverified"):
        PledgeFactory(status=status)
    assert list(Pledge.objects.on_register()) == [shown]


def test_the_review_moves_the_due_date_and_issues_a_new_certificate(alice, school_a, officer):
    pledge = due_pledge(school_a, days=10)
    old_due = pledge.review_due_on
    answers = {c.pk: ("We trained everyone", "Refresh next year") for c in pledge.charter.commitments.all()}
    review = services.review_submit(pledge=pledge, by=alice, answers=answers, consent_to_publish=True)
    pledge.refresh_from_db()
    assert pledge.review_due_on == add_months(old_due, 12)
    assert review.answers.count() == 4
    assert selectors.pledge_certificate(pledge).valid_until == pledge.review_due_on
    services.review_feedback(review=review, by=officer, feedback="Well done")
    review.refresh_from_db()
    assert review.feedback == "Well done" and actions(pledge)[-1] == "review_feedback"


def test_the_review_is_refused_too_early_or_incomplete(alice, school_a):
    pledge = due_pledge(school_a, days=90)
    answers = {c.pk: ("a", "b") for c in pledge.charter.commitments.all()}
    with pytest.raises(CharterError, match="opens 60 days"):
        services.review_submit(pledge=pledge, by=alice, answers=answers, consent_to_publish=False)
    pledge.review_due_on = timezone.localdate()
    pledge.save()
    first = next(iter(answers))
    with pytest.raises(CharterError, match="every commitment"):
        services.review_submit(pledge=pledge, by=alice, answers={first: ("a", "b")}, consent_to_publish=False)
    assert not pledge.reviews.exists()


def test_current_pledge_and_has_approved_pledge_for_accreditation(school_a, school_b):
    assert selectors.current_pledge(school_a) is None
    assert not selectors.has_approved_pledge(school_a)
    approved_pledge(school_a)
    PledgeFactory(organisation=school_b, status=Pledge.Status.LAPSED)
    assert selectors.current_pledge(school_a).status == "approved" and selectors.has_approved_pledge(school_a)
    assert selectors.current_pledge(school_b).status == "lapsed" and not selectors.has_approved_pledge(school_b)


def test_add_months_keeps_to_the_end_of_short_months():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)


def test_withdrawing_an_approved_pledge_revokes_its_certificate(alice, officer, school_a):
    pledge = services.pledge_create(organisation=school_a, by=alice, details=details())
    services.pledge_approve(pledge=pledge, by=officer)
    first = selectors.pledge_certificate(Pledge.objects.get(pk=pledge.pk))
    # a second certificate of the same pledge (as an annual review prints)
    from ppp.certificates.services import certificate_issue

    second_event = PledgeEvent.objects.create(pledge=pledge, action="reviewed", to_status="approved")
    second = certificate_issue(
        source=second_event,
        kind="pledge",
        holder="x",
        title="t",
        valid_from=timezone.localdate(),
        organisation=school_a,
        by=officer,
    )
    services.pledge_withdraw(pledge=pledge, by=alice, reason="Merging with another trust")
    for certificate in (first, second):
        certificate.refresh_from_db()
        assert certificate.status == "revoked"
        assert certificate.revoked_reason == "The organisation withdrew its pledge to the charter."


def test_a_holder_cannot_revoke_someone_elses_certificate(alice, charlie, officer, school_a, school_b):
    from ppp.certificates.services import CertificateError, certificate_revoke
    from tests.certificates.factories import issue_for

    certificate = issue_for(school_b, officer)
    with pytest.raises(CertificateError, match="Only a council officer"):
        certificate_revoke(certificate=certificate, reason="x", by=alice, holder_gives_up=True)
    certificate_revoke(certificate=certificate, reason="We closed", by=charlie, holder_gives_up=True)


def test_an_organisation_can_leave_and_rejoin_the_register_at_any_time(client, alice, bob, school_a):
    from django.urls import reverse

    pledge = approved_pledge(school_a)
    assert Pledge.objects.on_register().filter(pk=pledge.pk).exists()
    with pytest.raises(CharterError, match="lead"):
        services.pledge_set_listing(pledge=pledge, by=bob, consent=False)
    client.force_login(alice)
    client.post(reverse("charter:pledge-listing", kwargs={"pledge": pledge.public_id}), {"consent": "0"})
    assert not Pledge.objects.on_register().filter(pk=pledge.pk).exists()
    client.post(reverse("charter:pledge-listing", kwargs={"pledge": pledge.public_id}), {"consent": "1"})
    assert Pledge.objects.on_register().filter(pk=pledge.pk).exists()
    assert actions(pledge)[-2:] == ["listing_consent_withdrawn", "listing_consent_given"]
