"""Signing: part of `charter.services` (see its docstring)."""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from ppp.accounts.models import Membership, Organisation, User
from ppp.audit.services import audit_record
from ppp.history import record_transition
from ppp.links import absolute_url
from ppp.mail import queue_link_email
from ppp.tokens import hash_token, new_token

from ..models import CommissionedProvider, Pledge
from ..permissions import (
    can_sign,
)
from ..selectors import duplicate_organisation, matching_organisations
from ._base import CharterError
from ._helpers import (
    A,
    PledgeDetails,
    S,
    _apply_details,
    _check_details,
    _current_charter,
    _lock,
    _mail_after_commit,
    _officer_emails,
    _save_commitments,
)


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
