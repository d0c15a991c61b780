"""Charges and accounts: part of `training.services` (see its docstring)."""

from django.db import transaction

from ppp.accounts.models import Organisation, User
from ppp.audit.services import audit_record
from ppp.history import record_transition

from .. import permissions
from ..models import (
    Charge,
    ChargeEvent,
    TrainingAccount,
)
from ._base import TrainingError

CHARGE_STEPS: dict[str, tuple[set[str], str]] = {
    Charge.Status.INVOICED: ({Charge.Status.NOT_INVOICED}, ChargeEvent.Action.INVOICED),
    Charge.Status.PAID: ({Charge.Status.INVOICED}, ChargeEvent.Action.PAID),
    Charge.Status.NOT_INVOICED: ({Charge.Status.INVOICED}, ChargeEvent.Action.REOPENED),
}


@transaction.atomic
def charge_mark(*, charge: Charge, status: str, by: User, invoice_reference: str = "", request=None) -> Charge:
    """Move a charge: not invoiced → invoiced → paid (or back to not invoiced)."""
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if not permissions.can_change_charge(by, charge):
        raise TrainingError("Only a council officer can change a charge.")
    if status not in CHARGE_STEPS:
        raise TrainingError("Choose invoiced, paid or not invoiced.")
    allowed_from, action = CHARGE_STEPS[status]
    if charge.status not in allowed_from:
        raise TrainingError(
            f"This charge is {charge.get_status_display().lower()}: it cannot be marked "
            f"{Charge.Status(status).label.lower()}."
        )
    fields: tuple[str, ...] = ()
    if invoice_reference.strip():
        charge.invoice_reference = invoice_reference.strip()[:60]
        fields = ("invoice_reference",)
    record_transition(
        charge, status, action=action, by=by, request=request, update_fields=fields, organisation=charge.organisation
    )
    return charge


@transaction.atomic
def charges_mark_invoiced(*, charges, by: User, request=None) -> tuple[list[Charge], list[Charge]]:
    """Finance marks several charges invoiced in one go: each as `charge_mark` would
    (history and audit per charge). Rows are locked in primary-key order, so two officers
    marking overlapping lists at once neither deadlock nor mark one twice. A charge that
    is no longer "not invoiced" when its lock is taken is left as it is. Returns
    (marked, left as they were)."""
    ids = sorted({charge.pk for charge in charges})
    if not ids:
        raise TrainingError("Select the charges to mark as invoiced.")
    locked = list(
        Charge.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("organisation").order_by("pk")
    )
    if not all(permissions.can_change_charge(by, charge) for charge in locked):
        raise TrainingError("Only a council officer can change a charge.")
    marked, skipped = [], []
    for charge in locked:
        if charge.status != Charge.Status.NOT_INVOICED:
            skipped.append(charge)
            continue
        record_transition(
            charge,
            Charge.Status.INVOICED,
            action=ChargeEvent.Action.INVOICED,
            by=by,
            request=request,
            organisation=charge.organisation,
        )
        marked.append(charge)
    return marked, skipped


@transaction.atomic
def training_account_set(*, organisation: Organisation, buys_traded_services: bool, by: User) -> TrainingAccount:
    """Officers record whether an organisation buys the traded-services agreement
    (prices of places booked from now on)."""
    if not by.is_officer:
        raise TrainingError("Only a council officer can change an organisation's traded-services agreement.")
    account, _ = TrainingAccount.objects.select_for_update().get_or_create(organisation=organisation)
    if account.buys_traded_services != buys_traded_services:
        account.buys_traded_services = buys_traded_services
        account.save(update_fields=["buys_traded_services", "updated_at"])
        audit_record(
            "trainingaccount.change", actor=by, target=account, organisation=organisation, traded=buys_traded_services
        )
    return account
