"""Writes with rules for accounts and organisations: invitations and memberships.

Every function is keyword-only, takes `by=` (the person acting), runs in a transaction,
raises `AccountsError` with a sentence a person can read, and records an AuditEvent.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ppp.audit.services import audit_record
from ppp.errors import DomainError
from ppp.links import absolute_url
from ppp.mail import render_text, send_after_commit

from .models import Invitation, Membership, Organisation, User
from .permissions import can_hand_over, can_invite_lead, can_manage_members


class AccountsError(DomainError):
    """A rule about accounts or memberships was broken; the message says which."""


@dataclass
class SentInvitation:
    invitation: Invitation
    url: str


def _invitation_email(invitation: Invitation, url: str) -> tuple[str, str]:
    context = {"invitation": invitation, "url": url, "valid_days": settings.INVITATION_VALID_DAYS}
    subject = f"You are invited to {invitation.organisation} on Positive and Peaceful Places"
    return subject, render_text("accounts/email/invitation.txt", context)


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    by: User,
    full_name: str = "",
    request=None,
) -> SentInvitation:
    """Invite `email` to `organisation` as `role`; the email goes after commit."""
    email = email.strip().lower()
    can_manage_members.require(by, organisation, AccountsError)
    if role == Membership.Role.LEAD:
        can_invite_lead.require(by, organisation, AccountsError)
    if User.objects.officers().filter(email__iexact=email).exists():
        raise AccountsError(
            f"{email} is a council officer's account. Officers already see every organisation, so they are not "
            "invited as members."
        )
    if role == Membership.Role.LEAD and organisation.memberships.leads().exists():
        raise AccountsError(
            f"{organisation} already has a lead. Hand the lead role to another member from the members list."
        )
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise AccountsError(f"{email} is already a member of {organisation}.")
    # A new invitation replaces any earlier pending one for the same person.
    Invitation.objects.pending().filter(organisation=organisation, email__iexact=email).update(
        revoked_at=timezone.now()
    )
    invitation = Invitation(organisation=organisation, email=email, full_name=full_name, role=role, invited_by=by)
    token = invitation.set_new_token()
    invitation.save()
    url = absolute_url("accounts:invitation-accept", token=token)
    audit_record("invitation.create", actor=by, target=invitation, request=request, email=email, role=role)
    send_after_commit(*_invitation_email(invitation, url), [invitation.email])
    return SentInvitation(invitation=invitation, url=url)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User, request=None) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    can_manage_members.require(by, invitation.organisation, AccountsError)
    if invitation.state != "pending":
        raise AccountsError(f"This invitation is already {invitation.state}.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_record("invitation.revoke", actor=by, target=invitation, request=request)
    return invitation


def invitation_check(invitation: Invitation) -> None:
    """Raise AccountsError unless the invitation can still be accepted."""
    state = invitation.state
    if state == "accepted":
        raise AccountsError("This invitation has already been used. Sign in, or reset your password if you need to.")
    if state == "revoked":
        raise AccountsError("This invitation was cancelled. Ask the person who invited you to send a new one.")
    if state == "expired":
        raise AccountsError(
            f"This invitation has expired: links last {settings.INVITATION_VALID_DAYS} days. "
            "Ask the person who invited you to send a new one."
        )


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
    request=None,
) -> Membership:
    """Accept an invitation: as the signed-in `user` whose email matches, or by creating
    the account with `full_name` and `password` (already validated by the form)."""
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    invitation_check(invitation)
    if user is not None and user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            raise AccountsError(
                f"This invitation is for {invitation.email}, but you are signed in as {user.email}. "
                "Sign out and open the link again."
            )
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise AccountsError(f"An account for {invitation.email} already exists. Sign in first, then open the link.")
        if not password:
            raise AccountsError("Choose a password.")
        user = User.objects.create_user(
            email=invitation.email, password=password, full_name=full_name or invitation.full_name
        )
    # The invitation went to this address and was opened from it: the address is verified.
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    role = invitation.role
    if role == Membership.Role.LEAD and invitation.organisation.memberships.leads().exists():
        role = Membership.Role.MEMBER  # a lead was appointed meanwhile; join as a member
    try:
        with transaction.atomic():
            membership, created = Membership.objects.get_or_create(
                user=user, organisation=invitation.organisation, defaults={"role": role}
            )
    except IntegrityError:  # another lead was appointed at this very moment
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=invitation.organisation, defaults={"role": Membership.Role.MEMBER}
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record("invitation.accept", actor=user, target=invitation, request=request)
    if created:
        audit_record("membership.create", actor=user, target=membership, request=request, role=membership.role)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User, request=None) -> None:
    membership = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    organisation = membership.organisation
    can_manage_members.require(by, organisation, AccountsError)
    if membership.is_lead:
        raise AccountsError("The lead cannot be removed. Hand the lead role to another member first.")
    audit_record(
        "membership.remove",
        actor=by,
        target=membership,
        organisation=organisation,
        request=request,
        email=membership.user.email,
    )
    membership.delete()


@transaction.atomic
def membership_make_lead(*, membership: Membership, by: User, request=None) -> Membership:
    """Hand the lead role to `membership`; the previous lead stays on as a member."""
    organisation = membership.organisation
    memberships = list(Membership.objects.select_for_update().filter(organisation=organisation).select_related("user"))
    can_manage_members.require(by, organisation, AccountsError)
    target = next((m for m in memberships if m.pk == membership.pk), None)
    if target is None:
        raise AccountsError("That person is no longer a member.")
    if target.is_lead:
        raise AccountsError(f"{target.user} is already the lead.")
    for previous in (m for m in memberships if m.is_lead):
        previous.role = Membership.Role.MEMBER
        previous.save(update_fields=["role"])
        audit_record("membership.role", actor=by, target=previous, request=request, role=previous.role)
    target.role = Membership.Role.LEAD
    try:
        target.save(update_fields=["role"])
    except IntegrityError as exc:  # pragma: no cover - the lock above makes this unreachable
        raise AccountsError("Someone else changed the lead at the same time. Try again.") from exc
    audit_record("membership.role", actor=by, target=target, request=request, role=target.role)
    _tell_new_lead(target, by)
    return target


def _tell_new_lead(membership: Membership, by: User) -> None:
    """The new lead hears it from PPP, with what being lead means and where to start."""
    body = render_text(
        "accounts/email/made_lead.txt",
        {
            "membership": membership,
            "by": by,
            "url": absolute_url(membership.organisation),
            "team_email": settings.PPP_TEAM_EMAIL,
        },
    )
    send_after_commit(f"You are now the lead for {membership.organisation} in PPP", body, [membership.user.email])


@transaction.atomic
def organisation_hand_over(
    *, organisation: Organisation, email: str, reason: str, by: User, full_name: str = "", request=None
) -> Membership | SentInvitation:
    """An officer gives an organisation to its real lead: someone else signed it up (or
    its lead has gone). The current lead is removed, pending invitations are cancelled,
    and the real lead is made lead (if already a member) or invited as lead."""
    can_hand_over.require(by, organisation, AccountsError)
    email, reason = email.strip().lower(), reason.strip()
    if not reason:
        raise AccountsError("Give the reason for handing the organisation over: it is kept in the audit trail.")
    memberships = list(Membership.objects.select_for_update().filter(organisation=organisation).select_related("user"))
    if any(m.is_lead and m.user.email.lower() == email for m in memberships):
        raise AccountsError(f"{email} is already the lead of {organisation}.")
    for lead in (m for m in memberships if m.is_lead):
        audit_record("membership.remove", actor=by, target=lead, request=request, email=lead.user.email, reason=reason)
        lead.delete()
    Invitation.objects.pending().filter(organisation=organisation).update(revoked_at=timezone.now())
    audit_record("organisation.hand_over", actor=by, target=organisation, request=request, to=email, reason=reason)
    member = next((m for m in memberships if not m.is_lead and m.user.email.lower() == email), None)
    if member is not None:
        member.role = Membership.Role.LEAD
        member.save(update_fields=["role"])
        audit_record("membership.role", actor=by, target=member, request=request, role=member.role)
        _tell_new_lead(member, by)
        return member
    return invitation_create(
        organisation=organisation, email=email, full_name=full_name, role=Membership.Role.LEAD, by=by, request=request
    )
