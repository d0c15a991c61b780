"""Every write with a rule about the charter: signing, approving, returning, withdrawing,
lapsing and renewing pledges, annual reviews, commissioners' providers.

Functions are keyword-only, run in one transaction, lock what they read to decide,
write a PledgeEvent (the pledge's history) and an AuditEvent, send email after commit,
and raise `CharterError` with a sentence a person can read.
"""

import datetime
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from ppp.accounts.models import Membership, Organisation, User
from ppp.audit.services import audit_record
from ppp.certificates.models import IssuedCertificate
from ppp.certificates.services import certificate_issue, certificate_revoke
from ppp.dates import add_months
from ppp.errors import DomainError
from ppp.history import HistoryEntry, changes_note, record_transition
from ppp.links import absolute_url
from ppp.mail import queue_link_email, render_text, send_after_commit
from ppp.tokens import hash_token, new_token

from . import selectors
from .models import Charter, CommissionedProvider, Pledge, PledgeCommitment, PledgeEvent, Review, ReviewAnswer
from .permissions import (
    can_answer_provider_request,
    can_approve_pledge,
    can_give_review_feedback,
    can_manage_providers,
    can_publish_charter,
    can_remove_from_register,
    can_renew_pledge,
    can_restore_to_register,
    can_resubmit_pledge,
    can_return_pledge,
    can_review_pledge,
    can_set_listing,
    can_sign,
    can_withdraw_pledge,
)
from .selectors import duplicate_organisation, matching_organisations


class CharterError(DomainError):
    """A charter rule was broken; the message says which and is shown to the person."""


# ---------------------------------------------------------------- helpers


def next_review_due(from_day: datetime.date) -> datetime.date:
    return add_months(from_day, settings.CHARTER_REVIEW_MONTHS)


A = PledgeEvent.Action
S = Pledge.Status


def _lock(pledge: Pledge) -> Pledge:
    return Pledge.objects.select_for_update().select_related("organisation", "charter").get(pk=pledge.pk)


def _organisation_emails(pledge: Pledge) -> list[str]:
    leads = Membership.objects.leads().filter(organisation=pledge.organisation).values_list("user__email", flat=True)
    return sorted({pledge.signatory_email, *leads} - {""})


def _mail_after_commit(subject: str, template: str, context: dict, to: list[str]) -> None:
    send_after_commit(subject, render_text(template, context), to)


def _officer_emails() -> list[str]:
    return list(User.objects.officers().values_list("email", flat=True))


@dataclass
class PledgeDetails:
    """What an organisation pledges; the forms build it, the services store it."""

    delivery_role: str
    commitments: dict[int, str]  # Commitment pk -> how the organisation will demonstrate it
    children_covered: int
    staff_covered: int
    signatory_name: str
    signatory_role: str
    leader_statement: str = ""
    consent_to_list: bool = False
    signed_on: datetime.date | None = None
    extra: dict = field(default_factory=dict)


def _check_details(details: PledgeDetails, charter: Charter) -> None:
    wanted = set(charter.commitments.values_list("pk", flat=True))
    given = {pk for pk, text in details.commitments.items() if text and text.strip()}
    if wanted - given:
        raise CharterError("Say how your organisation will demonstrate every commitment.")
    if details.delivery_role not in Pledge.DeliveryRole.values:
        raise CharterError("Choose your organisation's delivery role.")


def _apply_details(pledge: Pledge, details: PledgeDetails) -> None:
    pledge.delivery_role = details.delivery_role
    pledge.children_covered = details.children_covered
    pledge.staff_covered = details.staff_covered
    pledge.signatory_name = details.signatory_name.strip()
    pledge.signatory_role = details.signatory_role.strip()
    pledge.leader_statement = details.leader_statement.strip()
    pledge.consent_to_list = details.consent_to_list
    pledge.signed_on = details.signed_on or timezone.localdate()


def _save_commitments(pledge: Pledge, details: PledgeDetails) -> None:
    for commitment in pledge.charter.commitments.all():
        PledgeCommitment.objects.update_or_create(
            pledge=pledge, commitment=commitment, defaults={"text": details.commitments[commitment.pk].strip()}
        )


def _current_charter() -> Charter:
    charter = Charter.objects.current()
    if charter is None:
        raise CharterError("The charter is not open for signing yet.")
    return charter


# ---------------------------------------------------------------- charter versions


@transaction.atomic
def charter_publish(*, charter: Charter, by: User, on: datetime.date | None = None, request=None) -> Charter:
    charter = Charter.objects.select_for_update().get(pk=charter.pk)
    can_publish_charter.require(by, charter, CharterError)
    if charter.status == Charter.Status.PUBLISHED:
        raise CharterError(f"Version {charter.version} is already published.")
    if not charter.principles.exists() or not charter.commitments.exists():
        raise CharterError("A charter needs its principles and commitments before it is published.")
    charter.status = Charter.Status.PUBLISHED
    charter.published_on = on or timezone.localdate()
    charter.save(update_fields=["status", "published_on"])
    audit_record("charter.publish", actor=by, target=charter, request=request, version=charter.version)
    return charter


# ---------------------------------------------------------------- signing


@dataclass
class SignUp:
    pledge: Pledge | None  # None when the address already had an account (told by email)


@transaction.atomic
def pledge_sign_up(
    *,
    organisation_name: str,
    kind: str,
    postcode: str,
    email: str,
    details: PledgeDetails,
    urn: str = "",
    address: str = "",
    local_authority: str = "Leicester",
    website: str = "",
    request=None,
) -> SignUp:
    """A new organisation signs from the public form: the organisation (provisional until
    an officer approves its pledge), its lead (the signatory, with no password yet) and
    the pledge, all or nothing. The pledge waits for the email address to be verified
    before an officer sees it.

    The answer is the same whether or not the address already has an account: someone
    who has one is emailed how to sign from their organisation's page instead, so the
    form cannot be used to find out who has an account."""
    email = email.strip().lower()
    charter = _current_charter()
    _check_details(details, charter)
    provisional = matching_organisations(
        Organisation.objects.filter(provisional=True).select_for_update(),
        name=organisation_name,
        postcode=postcode,
        urn=urn,
    )
    for organisation in provisional:
        pending = (
            Pledge.objects.select_for_update()
            .filter(organisation=organisation, status=Pledge.Status.UNVERIFIED, signatory_email__iexact=email)
            .first()
        )
        if pending is not None:  # the same person signing again: send a fresh link
            audit_record("pledge.verification_resent", target=pending, request=request, email=email)
            _send_verification(pending)
            return SignUp(pledge=pending)
        abandoned = _abandoned_sign_up(organisation)
        if abandoned is not None:
            _remove_abandoned_sign_up(abandoned, request=request)
    duplicate = duplicate_organisation(name=organisation_name, postcode=postcode, urn=urn)
    if duplicate is not None:
        raise CharterError(
            f"{duplicate.name} ({duplicate.postcode or 'no postcode'}) is already registered on Positive and "
            "Peaceful Places. If you work there, sign in and sign the charter from your organisation's page, "
            "or ask its lead to."
        )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        audit_record("organisation.sign_up_existing_account", target=existing, request=request, email=email)
        _mail_after_commit(
            "Signing Leicester's Anti-Bullying Charter",
            "charter/email/sign_up_existing_account.txt",
            {"user": existing, "organisation_name": organisation_name.strip(), "url": absolute_url("account_login")},
            [existing.email],
        )
        return SignUp(pledge=None)
    try:
        with transaction.atomic():  # two identical sign-ups at the same moment: one wins
            organisation = Organisation.objects.create(
                name=organisation_name.strip(),
                kind=kind,
                provisional=True,
                claimed_urn=urn.strip(),
                address=address.strip(),
                postcode=postcode.strip().upper(),
                local_authority=local_authority.strip(),
                website=website.strip(),
            )
            user = User.objects.create_user(
                email=email,
                password=None,
                full_name=details.signatory_name.strip(),
                job_title=details.signatory_role.strip(),
            )
    except IntegrityError:
        raise CharterError(
            f"{organisation_name.strip()} or {email} was registered a moment ago. Check your email for the link."
        ) from None
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.LEAD)
    pledge = Pledge(
        organisation=organisation,
        charter=charter,
        status=Pledge.Status.UNVERIFIED,
        signatory_email=email,
        created_by=user,
    )
    _apply_details(pledge, details)
    pledge.save()
    _save_commitments(pledge, details)
    audit_record("organisation.sign_up", actor=None, target=organisation, request=request, email=email)
    record_transition(
        pledge, action=A.SIGNED, note="Signed online by a new organisation; email not yet verified.", request=request
    )
    _send_verification(pledge)
    return SignUp(pledge=pledge)


def _abandoned_sign_up(organisation: Organisation) -> Pledge | None:
    """The organisation exists only because of a sign-up whose email was never confirmed
    and whose link has expired: nobody can use it, so it is cleared away when the same
    organisation signs up again."""
    pledge = Pledge.objects.filter(organisation=organisation, status=Pledge.Status.UNVERIFIED).first()
    if pledge is None or not pledge.verification_expires_at or pledge.verification_expires_at > timezone.now():
        return None
    others = organisation.memberships.exclude(user__email__iexact=pledge.signatory_email)
    if others.exists() or organisation.pledges.exclude(pk=pledge.pk).exists():
        return None
    if any(m.user.has_usable_password() for m in organisation.memberships.select_related("user")):
        return None  # its signatory has an account they can sign in with
    return pledge


def _remove_abandoned_sign_up(pledge: Pledge, *, request=None) -> None:
    organisation = pledge.organisation
    users = [m.user for m in organisation.memberships.select_related("user")]
    audit_record("organisation.sign_up_abandoned", target=organisation, request=request, email=pledge.signatory_email)
    CommissionedProvider.objects.filter(provider=organisation).update(provider=None)
    pledge.delete()
    organisation.memberships.all().delete()
    organisation.delete()
    for user in users:
        if not user.memberships.exists():
            user.delete()


VERIFY_SUBJECT = "Confirm your email to sign Leicester's Anti-Bullying Charter"


def _send_verification(pledge: Pledge) -> None:
    """A new single-use link (the old one stops working at once), emailed after commit.
    The link is made when the email is sent (charter/tasks.py), so no table holds it."""
    pledge.verification_token_hash = hash_token(new_token())  # nobody knows this one
    pledge.verification_expires_at = timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    pledge.save(update_fields=["verification_token_hash", "verification_expires_at"])
    queue_link_email(
        "charter.verify_email", to=[pledge.signatory_email], subject=VERIFY_SUBJECT, params={"pledge_id": pledge.pk}
    )


def pledge_verify_email(*, pledge: Pledge, password: str, request=None) -> Pledge:
    """The signatory followed the emailed link and chose a password: the address is
    verified, the pledge goes to the officers. The password is hashed (most of a second,
    on purpose) before the transaction, so no lock is held meanwhile."""
    return _pledge_verify_email(
        pledge=pledge, password_hash=make_password(password) if password else "", request=request
    )


@transaction.atomic
def _pledge_verify_email(*, pledge: Pledge, password_hash: str, request) -> Pledge:
    pledge = _lock(pledge)
    if pledge.status != Pledge.Status.UNVERIFIED:
        raise CharterError("This email address has already been confirmed. Sign in to see your pledge.")
    if pledge.verification_expires_at and pledge.verification_expires_at <= timezone.now():
        raise CharterError("This link has expired. Sign the charter again, or contact the council's charter team.")
    user = User.objects.get(email__iexact=pledge.signatory_email)
    if not password_hash:
        raise CharterError("Choose a password.")
    user.password = password_hash
    user.save(update_fields=["password"])
    EmailAddress.objects.filter(user=user, email__iexact=pledge.signatory_email).update(verified=True)
    pledge.submitted_at = timezone.now()
    pledge.verification_token_hash = ""
    record_transition(
        pledge,
        S.SUBMITTED,
        action=A.EMAIL_VERIFIED,
        by=user,
        request=request,
        update_fields=("submitted_at", "verification_token_hash"),
    )
    _link_to_commissioners(pledge.organisation, pledge.signatory_email)
    _notify_officers(pledge)
    return pledge


def _notify_officers(pledge: Pledge) -> None:
    _mail_after_commit(
        f"Charter pledge to approve: {pledge.organisation}",
        "charter/email/to_approve.txt",
        {"pledge": pledge, "url": absolute_url(pledge)},
        _officer_emails(),
    )


def _link_to_commissioners(organisation: Organisation, email: str) -> None:
    """A provider a commissioner invited by email has now registered: link them."""
    for provider in CommissionedProvider.objects.select_for_update().filter(provider__isnull=True, email__iexact=email):
        if not CommissionedProvider.objects.filter(commissioner=provider.commissioner, provider=organisation).exists():
            provider.provider = organisation
            provider.save(update_fields=["provider"])


@transaction.atomic
def pledge_create(*, organisation: Organisation, by: User, details: PledgeDetails, request=None) -> Pledge:
    """An organisation already on PPP signs: its lead signs, the pledge goes to the officers."""
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    can_sign.require(by, organisation, CharterError)
    charter = _current_charter()
    _check_details(details, charter)
    pledge = Pledge(
        organisation=organisation,
        charter=charter,
        status=Pledge.Status.SUBMITTED,
        signatory_email=by.email,
        created_by=by,
        submitted_at=timezone.now(),
    )
    _apply_details(pledge, details)
    pledge.save()
    _save_commitments(pledge, details)
    record_transition(pledge, action=A.SIGNED, by=by, request=request)
    _notify_officers(pledge)
    return pledge


# ---------------------------------------------------------------- officer decisions


def _cycle_certificate(pledge: Pledge, event: HistoryEntry, by: User) -> IssuedCertificate:
    """The pledge certificate for this review cycle, valid until the next review is due."""
    return certificate_issue(
        source=event,
        kind=IssuedCertificate.Kind.PLEDGE,
        holder=pledge.organisation.name,
        title="Signatory of Leicester's Anti-Bullying Charter",
        valid_from=timezone.localdate(),
        valid_until=pledge.review_due_on,
        organisation=pledge.organisation,
        by=by,
    )


def _confirm_organisation(organisation: Organisation, *, by: User, request=None) -> None:
    """Approving a public sign-up's pledge confirms its organisation: from now on it
    counts as registered, and takes the URN it gave (if no other organisation has it)."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.claimed_urn:
        holder = Organisation.objects.filter(urn=organisation.claimed_urn).exclude(pk=organisation.pk).first()
        if holder is not None:
            raise CharterError(
                f"{holder} already has URN {organisation.claimed_urn}. If this sign-up is from the same school, hand "
                f"{holder} to its real lead from its organisation page and return this pledge; otherwise correct "
                "the URN in the admin first."
            )
        organisation.urn = organisation.claimed_urn
    organisation.provisional = False
    organisation.save(update_fields=["urn", "provisional"])
    audit_record("organisation.confirm", actor=by, target=organisation, request=request, urn=organisation.urn or "")


@transaction.atomic
def pledge_approve(*, pledge: Pledge, by: User, request=None) -> Pledge:
    pledge = _lock(pledge)
    can_approve_pledge.require(by, pledge, CharterError)
    if pledge.organisation.provisional:
        _confirm_organisation(pledge.organisation, by=by, request=request)
    pledge.approved_at = timezone.now()
    pledge.review_due_on = next_review_due(timezone.localdate())
    event = record_transition(
        pledge, S.APPROVED, action=A.APPROVED, by=by, request=request, update_fields=("approved_at", "review_due_on")
    )
    _cycle_certificate(pledge, event, by)
    _mail_after_commit(
        "Your Anti-Bullying Charter pledge is approved",
        "charter/email/approved.txt",
        {"pledge": pledge, "url": absolute_url(pledge)},
        _organisation_emails(pledge),
    )
    return pledge


@transaction.atomic
def pledge_return(*, pledge: Pledge, by: User, comment: str, request=None) -> Pledge:
    pledge = _lock(pledge)
    can_return_pledge.require(by, pledge, CharterError)
    comment = comment.strip()
    if not comment:
        raise CharterError("Say what the organisation needs to change: your comment is sent to them.")
    record_transition(pledge, S.RETURNED, action=A.RETURNED, by=by, note=comment, request=request)
    _mail_after_commit(
        "Your Anti-Bullying Charter pledge needs changes",
        "charter/email/returned.txt",
        {"pledge": pledge, "comment": comment, "url": absolute_url(pledge)},
        _organisation_emails(pledge),
    )
    return pledge


@transaction.atomic
def pledge_remove_from_register(*, pledge: Pledge, by: User, reason: str, request=None) -> Pledge:
    pledge = _lock(pledge)
    can_remove_from_register.require(by, pledge, CharterError)
    reason = reason.strip()
    if not reason:
        raise CharterError("Give the reason for removing the entry: it is kept in the pledge's history.")
    pledge.removed_from_register_at = timezone.now()
    pledge.removed_from_register_reason = reason
    record_transition(
        pledge,
        action=A.REMOVED_FROM_REGISTER,
        by=by,
        note=reason,
        request=request,
        update_fields=("removed_from_register_at", "removed_from_register_reason"),
    )
    return pledge


@transaction.atomic
def pledge_restore_to_register(*, pledge: Pledge, by: User, request=None) -> Pledge:
    pledge = _lock(pledge)
    can_restore_to_register.require(by, pledge, CharterError)
    pledge.removed_from_register_at = None
    pledge.removed_from_register_reason = ""
    record_transition(
        pledge,
        action=A.RESTORED_TO_REGISTER,
        by=by,
        request=request,
        update_fields=("removed_from_register_at", "removed_from_register_reason"),
    )
    return pledge


# ---------------------------------------------------------------- the organisation's changes


@transaction.atomic
def pledge_resubmit(*, pledge: Pledge, by: User, details: PledgeDetails, request=None) -> Pledge:
    """A returned pledge, changed, goes back to the officers."""
    pledge = _lock(pledge)
    can_resubmit_pledge.require(by, pledge, CharterError)
    return _submit_again(pledge, by, details, A.RESUBMITTED, request)


@transaction.atomic
def pledge_renew(*, pledge: Pledge, by: User, details: PledgeDetails, request=None) -> Pledge:
    """A lapsed pledge, confirmed or updated, goes back to the officers for approval."""
    pledge = _lock(pledge)
    can_renew_pledge.require(by, pledge, CharterError)
    return _submit_again(pledge, by, details, A.RENEWED, request)


DETAIL_FIELDS = (
    "delivery_role",
    "children_covered",
    "staff_covered",
    "signatory_name",
    "signatory_role",
    "leader_statement",
    "consent_to_list",
    "signed_on",
    "submitted_at",
)


def _submit_again(pledge: Pledge, by: User, details: PledgeDetails, action: str, request) -> Pledge:
    _check_details(details, pledge.charter)
    before = _pledge_version(pledge)
    _apply_details(pledge, details)
    pledge.submitted_at = timezone.now()
    # The officer reads what changed since the version they returned (or approved last year).
    after = _pledge_version(pledge, details)
    note = changes_note(before, after, _pledge_change_labels(pledge)) or "No changes."
    record_transition(
        pledge, S.SUBMITTED, action=action, by=by, request=request, update_fields=DETAIL_FIELDS, note=note
    )
    _save_commitments(pledge, details)
    _notify_officers(pledge)
    return pledge


_PLEDGE_CHANGE_LABELS = {
    "delivery_role": "Delivery role",
    "children_covered": "Children and young people covered",
    "staff_covered": "Staff covered",
    "signatory_name": "Signed by",
    "signatory_role": "Signatory's role",
    "leader_statement": "Statement from your leader",
    "consent_to_list": "Listed on the public register",
}


def _pledge_change_labels(pledge: Pledge) -> dict[str, str]:
    commitments = {
        f"commitment-{c.pk}": f"How you will show: {c.short_title}" for c in pledge.charter.commitments.all()
    }
    return {**_PLEDGE_CHANGE_LABELS, **commitments}


def _pledge_version(pledge: Pledge, details: PledgeDetails | None = None) -> dict:
    """What a person reads of a pledge, to compare two versions of it."""
    version = {name: getattr(pledge, name) for name in _PLEDGE_CHANGE_LABELS}
    version["delivery_role"] = pledge.get_delivery_role_display()
    texts = details.commitments if details else {c.commitment_id: c.text for c in pledge.commitments.all()}
    version.update({f"commitment-{pk}": text for pk, text in texts.items()})
    return version


@transaction.atomic
def pledge_withdraw(*, pledge: Pledge, by: User, reason: str = "", request=None) -> Pledge:
    pledge = _lock(pledge)
    can_withdraw_pledge.require(by, pledge, CharterError)
    record_transition(pledge, S.WITHDRAWN, action=A.WITHDRAWN, by=by, note=reason.strip(), request=request)
    for certificate in _current_certificates(pledge):
        certificate_revoke(
            certificate=certificate,
            reason="The organisation withdrew its pledge to the charter.",
            by=by,
            request=request,
            holder_gives_up=True,
        )
    return pledge


def _current_certificates(pledge: Pledge):
    """Every certificate of this pledge still valid (each approval and review printed one)."""
    events = ContentType.objects.get_for_model(PledgeEvent)
    event_ids = [str(pk) for pk in pledge.events.values_list("pk", flat=True)]
    return IssuedCertificate.objects.current().filter(source_type=events, source_id__in=event_ids)


@transaction.atomic
def pledge_set_listing(*, pledge: Pledge, by: User, consent: bool, request=None) -> Pledge:
    """The organisation changes its mind about being on the public register, at any time."""
    pledge = _lock(pledge)
    can_set_listing.require(by, pledge, CharterError)
    if pledge.consent_to_list == consent:
        return pledge
    pledge.consent_to_list = consent
    action = A.LISTING_CONSENT_GIVEN if consent else A.LISTING_CONSENT_WITHDRAWN
    record_transition(pledge, action=action, by=by, request=request, update_fields=("consent_to_list",))
    return pledge


@transaction.atomic
def pledge_lapse(*, pledge: Pledge, today: datetime.date) -> Pledge:
    """The annual review is overdue by more than the grace period: the pledge leaves the register."""
    pledge = _lock(pledge)
    if pledge.status != Pledge.Status.APPROVED:
        raise CharterError("Only an approved pledge can lapse.")
    grace = datetime.timedelta(days=settings.CHARTER_LAPSE_AFTER_DAYS)
    if pledge.review_due_on is None or today <= pledge.review_due_on + grace:
        raise CharterError(f"The review is not overdue by more than {settings.CHARTER_LAPSE_AFTER_DAYS} days.")
    record_transition(
        pledge, S.LAPSED, action=A.LAPSED, note=f"The review due on {pledge.review_due_on:%d %B %Y} was not received."
    )
    # Its certificate has expired by now (it runs to the review date); revoking it says why.
    for certificate in _current_certificates(pledge):
        certificate_revoke(
            certificate=certificate,
            reason=(
                f"The pledge lapsed: its annual review, due on {pledge.review_due_on:%-d %B %Y}, was not received."
            ),
            by=None,
            by_rule=True,
        )
    return pledge


# ---------------------------------------------------------------- annual review


@transaction.atomic
def review_submit(
    *,
    pledge: Pledge,
    by: User,
    answers: dict[int, tuple[str, str]],
    consent_to_publish: bool,
    today: datetime.date | None = None,
    request=None,
) -> Review:
    """The annual self-assessment: what was done and what is next for every commitment.
    The next review falls due a year on; a certificate for the new year is issued."""
    pledge = _lock(pledge)
    today = today or timezone.localdate()
    can_review_pledge.require(by, pledge, CharterError)
    if not pledge.review_window_open(today) or pledge.review_due_on is None:
        raise CharterError(
            f"The annual review opens {settings.CHARTER_REVIEW_WINDOW_DAYS} days before it is due, for an approved "
            "pledge."
        )
    commitments = list(pledge.charter.commitments.all())
    missing = [c for c in commitments if not all(part.strip() for part in answers.get(c.pk, ("", "")))]
    if missing:
        raise CharterError("Say what was done and what is next for every commitment.")
    review = Review.objects.create(
        pledge=pledge, due_on=pledge.review_due_on, submitted_by=by, consent_to_publish=consent_to_publish
    )
    ReviewAnswer.objects.bulk_create(
        ReviewAnswer(review=review, commitment=c, done=answers[c.pk][0].strip(), next_steps=answers[c.pk][1].strip())
        for c in commitments
    )
    pledge.review_due_on = next_review_due(max(pledge.review_due_on, today))
    event = record_transition(pledge, action=A.REVIEWED, by=by, request=request, update_fields=("review_due_on",))
    _cycle_certificate(pledge, event, by)
    _mail_after_commit(
        f"Charter review to read: {pledge.organisation}",
        "charter/email/review_submitted.txt",
        {"review": review, "url": absolute_url(review)},
        _officer_emails(),
    )
    return review


@transaction.atomic
def review_feedback(*, review: Review, by: User, feedback: str, request=None) -> Review:
    review = Review.objects.select_for_update().select_related("pledge__organisation").get(pk=review.pk)
    can_give_review_feedback.require(by, review, CharterError)
    feedback = feedback.strip()
    if not feedback:
        raise CharterError("Write your feedback for the organisation.")
    review.feedback = feedback
    review.feedback_by = by
    review.feedback_at = timezone.now()
    review.save(update_fields=["feedback", "feedback_by", "feedback_at"])
    record_transition(review.pledge, action=A.REVIEW_FEEDBACK, by=by, note=feedback, request=request)
    _mail_after_commit(
        "Feedback on your Anti-Bullying Charter review",
        "charter/email/review_feedback.txt",
        {"review": review, "url": absolute_url(review)},
        _organisation_emails(review.pledge),
    )
    return review


# ---------------------------------------------------------------- commissioners


PROVIDERS_ADDED_PER_DAY = 100


class CloseNames(CharterError):
    """No organisation has exactly this name, but some have close ones: ask "did you mean"
    before inviting a new organisation (a duplicate of one already here)."""

    def __init__(self, name: str, matches: list[Organisation]):
        super().__init__(f"Check whether {name} is already on Positive and Peaceful Places under a close name.")
        self.name, self.matches = name, matches


@transaction.atomic
def provider_add(
    *,
    commissioner: Organisation,
    by: User,
    name: str,
    email: str = "",
    urn: str = "",
    organisation: Organisation | None = None,
    new: bool = False,
    request=None,
) -> CommissionedProvider:
    """List a provider the commissioner funds: an organisation on PPP (found by URN, exact
    name, or chosen from close names: `organisation`), else a new one by name and email,
    who is invited to sign the charter. Close names are offered first (`CloseNames`) unless
    the commissioner said it is `new`. An organisation on PPP is asked, through its lead,
    to agree before the commissioner sees its charter status (`provider_accept`)."""
    Organisation.objects.select_for_update().get(pk=commissioner.pk)
    can_manage_providers.require(by, commissioner, CharterError)
    added_today = CommissionedProvider.objects.filter(
        commissioner=commissioner, added_at__gte=timezone.now() - datetime.timedelta(days=1)
    ).count()
    if added_today >= PROVIDERS_ADDED_PER_DAY:
        raise CharterError(f"You can add up to {PROVIDERS_ADDED_PER_DAY} providers a day. Add the rest tomorrow.")
    name, email, urn = name.strip(), email.strip().lower(), urn.strip()
    found = Organisation.objects.filter(urn=urn).first() if urn else None
    if found is None and organisation is not None:
        found = organisation
    if found is None:
        matches = list(Organisation.objects.filter(name__iexact=name)[:2])
        found = matches[0] if len(matches) == 1 else None
    if found is None and not new:
        close = selectors.close_organisations(name, commissioner=commissioner)
        if close:
            raise CloseNames(name, close)
    if found is not None and found.pk == commissioner.pk:
        raise CharterError("An organisation cannot list itself as its own provider.")
    if found is None and not email:
        raise CharterError(f"{name} is not on Positive and Peaceful Places yet: give an email address to invite them.")
    if found is not None and CommissionedProvider.objects.filter(commissioner=commissioner, provider=found).exists():
        raise CharterError(f"{found.name} is already on your list of providers.")
    if found is None and CommissionedProvider.objects.filter(commissioner=commissioner, email__iexact=email).exists():
        raise CharterError(f"{email} is already on your list of providers.")
    provider = CommissionedProvider.objects.create(
        commissioner=commissioner, provider=found, name=found.name if found else name, email=email, added_by=by
    )
    audit_record("provider.add", actor=by, target=provider, organisation=commissioner, request=request)
    if found is not None:
        _mail_after_commit(
            f"{commissioner} lists {found} as a provider it commissions",
            "charter/email/provider_request.txt",
            {"provider": provider, "url": absolute_url("charter:provider-requests", slug=found.slug)},
            provider_emails(provider),
        )
    if found is None:
        provider.last_reminded_at = timezone.now()
        provider.save(update_fields=["last_reminded_at"])
        _mail_after_commit(
            f"{commissioner} invites you to sign Leicester's Anti-Bullying Charter",
            "charter/email/provider_invite.txt",
            {"provider": provider, "url": absolute_url("charter:sign")},
            [email],
        )
    return provider


def provider_emails(provider: CommissionedProvider) -> list[str]:
    """Where a provider's emails go: an organisation on PPP hears through its leads only
    (never an address the commissioner typed, which could be anyone's); one not on PPP
    yet at the address the commissioner gave."""
    if provider.provider_id:
        emails = set(
            Membership.objects.leads()
            .filter(organisation_id=provider.provider_id)
            .values_list("user__email", flat=True)
        )
    else:
        emails = {provider.email}
    return sorted(emails - {""})


@transaction.atomic
def provider_remind(*, provider: CommissionedProvider, by: User, request=None) -> CommissionedProvider:
    """Email the provider a reminder to sign (or review) the charter; once a week at most."""
    provider = CommissionedProvider.objects.select_for_update().select_related("commissioner").get(pk=provider.pk)
    can_manage_providers.require(by, provider.commissioner, CharterError)
    if provider.provider_id and provider.accepted_at is None:
        raise CharterError(
            f"{provider.name} has not agreed yet to be listed as your provider. "
            "You can send reminders once its lead has agreed."
        )
    if provider.last_reminded_at and provider.last_reminded_at > timezone.now() - datetime.timedelta(days=7):
        raise CharterError(f"{provider.name} was reminded on {provider.last_reminded_at:%d %B %Y}. Wait a week.")
    to = provider_emails(provider)
    if not to:
        raise CharterError(f"We have no email address for {provider.name}.")
    pledge = selectors.current_pledge(provider.provider) if provider.provider is not None else None
    provider.last_reminded_at = timezone.now()
    provider.save(update_fields=["last_reminded_at"])
    audit_record("provider.remind", actor=by, target=provider, organisation=provider.commissioner, request=request)
    _mail_after_commit(
        f"A reminder from {provider.commissioner} about Leicester's Anti-Bullying Charter",
        "charter/email/provider_remind.txt",
        {"provider": provider, "pledge": pledge, "url": absolute_url("charter:sign")},
        to,
    )
    return provider


@transaction.atomic
def provider_remove(*, provider: CommissionedProvider, by: User, request=None) -> None:
    provider = CommissionedProvider.objects.select_for_update().select_related("commissioner").get(pk=provider.pk)
    can_manage_providers.require(by, provider.commissioner, CharterError)
    audit_record("provider.remove", actor=by, target=provider, organisation=provider.commissioner, request=request)
    provider.delete()


@transaction.atomic
def provider_accept(*, provider: CommissionedProvider, by: User, request=None) -> CommissionedProvider:
    """The provider's lead agrees that the commissioner may see its charter status."""
    provider = (
        CommissionedProvider.objects.select_for_update(of=("self",))
        .select_related("commissioner", "provider")
        .get(pk=provider.pk)
    )
    can_answer_provider_request.require(by, provider, CharterError)
    if provider.accepted_at:
        raise CharterError(f"You already share your charter status with {provider.commissioner}.")
    provider.accepted_at, provider.accepted_by = timezone.now(), by
    provider.save(update_fields=["accepted_at", "accepted_by"])
    audit_record("provider.accept", actor=by, target=provider, organisation=provider.provider, request=request)
    return provider


@transaction.atomic
def provider_decline(*, provider: CommissionedProvider, by: User, request=None) -> None:
    """The provider's lead says the commissioner does not commission them (or may not see
    their status): the link is removed, and the commissioner sees it no more."""
    provider = (
        CommissionedProvider.objects.select_for_update(of=("self",))
        .select_related("commissioner", "provider")
        .get(pk=provider.pk)
    )
    can_answer_provider_request.require(by, provider, CharterError)
    audit_record(
        "provider.decline",
        actor=by,
        target=provider,
        organisation=provider.provider,
        request=request,
        commissioner=provider.commissioner.name,
    )
    provider.delete()
