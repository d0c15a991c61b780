"""Helpers: part of `charter.services` (see its docstring)."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from ppp.accounts.models import Membership, User
from ppp.dates import add_months
from ppp.mail import render_text, send_after_commit

from ..models import Charter, Pledge, PledgeCommitment, PledgeEvent
from ._base import CharterError


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
