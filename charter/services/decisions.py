"""Officer decisions: part of `charter.services` (see its docstring)."""

from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import Organisation, User
from ppp.audit.services import audit_record
from ppp.certificates.models import IssuedCertificate
from ppp.certificates.services import certificate_issue
from ppp.history import HistoryEntry, record_transition
from ppp.links import absolute_url

from ..models import Pledge
from ..permissions import (
    can_approve_pledge,
    can_remove_from_register,
    can_restore_to_register,
    can_return_pledge,
)
from ._base import CharterError
from ._helpers import A, S, _lock, _mail_after_commit, _organisation_emails, next_review_due


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
