"""The organisation's changes: part of `charter.services` (see its docstring)."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import User
from ppp.certificates.models import IssuedCertificate
from ppp.certificates.services import certificate_revoke
from ppp.history import changes_note, record_transition

from ..models import Pledge, PledgeEvent
from ..permissions import (
    can_renew_pledge,
    can_resubmit_pledge,
    can_set_listing,
    can_withdraw_pledge,
)
from ._base import CharterError
from ._helpers import A, PledgeDetails, S, _apply_details, _check_details, _lock, _save_commitments
from .signing import _notify_officers


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
