"""Re-accreditation: part of `accreditation.services` (see its docstring)."""

from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import Organisation, User
from ppp.audit.services import audit_record
from ppp.history import record_transition
from ppp.links import absolute_url

from ..models import (
    Application,
    Criterion,
    Evidence,
    EvidenceEvent,
    LegacyAward,
    Scheme,
)
from ..selectors import reaccreditation_source
from ._base import WorkflowError
from .applying import application_apply
from .emails import _notify


@transaction.atomic
def reaccreditation_start(
    *,
    organisation: Organisation,
    by: User,
    contact_name: str,
    contact_email: str,
    accept_terms: bool,
    package: str = Application.Package.STANDARD,
    bespoke_note: str = "",
    purchase_order: str = "",
    contact_phone: str = "",
    carry_forward: bool = True,
) -> Application:
    """Apply onto the current scheme, carrying accepted evidence forward onto criteria
    with the same code (marked as carried forward; the officer still reviews it)."""
    source = reaccreditation_source(organisation)
    if source is None:
        raise WorkflowError(f"{organisation} has no award to re-accredit. Apply for a new award instead.")
    if isinstance(source, Application):
        from ..selectors import can_reaccredit_now

        reason = can_reaccredit_now(source)
        if reason:
            raise WorkflowError(reason)
    scheme = Scheme.current()
    if scheme is None:
        raise WorkflowError("No scheme is open for applications.")
    application = application_apply(
        organisation=organisation,
        scheme=scheme,
        by=by,
        contact_name=contact_name,
        contact_email=contact_email,
        accept_terms=accept_terms,
        package=package,
        bespoke_note=bespoke_note,
        purchase_order=purchase_order,
        contact_phone=contact_phone,
        previous_application=source if isinstance(source, Application) else None,
        previous_legacy_award=source if isinstance(source, LegacyAward) else None,
    )
    if carry_forward and isinstance(source, Application):
        _carry_forward(source, application, scheme, by)
    return application


def _carry_forward(source: Application, application: Application, scheme: Scheme, by: User) -> None:
    by_code = {c.code: c for c in Criterion.objects.filter(standard__scheme=scheme)}
    for old in source.evidence.filter(status=Evidence.Status.ACCEPTED).prefetch_related("criteria"):
        criteria = [by_code[c.code] for c in old.criteria.all() if c.code in by_code]
        if not criteria:
            continue
        new = Evidence.objects.create(
            application=application,
            title=old.title,
            kind=old.kind,
            file=old.file.name,
            original_filename=old.original_filename,
            content_type=old.content_type,
            size=old.size,
            url=old.url,
            statement=old.statement,
            status=Evidence.Status.DRAFT,
            carried_forward_from=old,
            created_by=by,
        )
        new.criteria.set(criteria)
        record_transition(new, action=EvidenceEvent.Action.CARRIED_FORWARD, by=by)


@transaction.atomic
def legacy_award_invite(*, legacy_award: LegacyAward, by: User) -> LegacyAward:
    """Invite a holder of the earlier scheme's award to re-accredit (emails its lead)."""
    legacy_award = LegacyAward.objects.select_for_update().select_related("organisation").get(pk=legacy_award.pk)
    if not by.is_officer:
        raise WorkflowError("Only a council officer can invite a school to re-accredit.")
    organisation = legacy_award.organisation
    leads = list(organisation.memberships.leads().values_list("user__email", flat=True))
    if not leads:
        raise WorkflowError(f"{organisation} has no lead on PPP yet: invite a lead from its organisation page first.")
    if Application.objects.open().filter(organisation=organisation).exists():
        raise WorkflowError(f"{organisation} already has an application in progress.")
    legacy_award.invited_at = timezone.now()
    legacy_award.save(update_fields=["invited_at"])
    audit_record("legacy_award.invite", actor=by, target=legacy_award, organisation=organisation)
    _notify(
        leads,
        "re-accredit onto the new Positive and Peaceful Places scheme",
        "reaccredit_invite",
        legacy_award=legacy_award,
        url=absolute_url("accreditation:dashboard"),
    )
    return legacy_award
