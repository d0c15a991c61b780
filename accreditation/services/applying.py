"""Applying: part of `accreditation.services` (see its docstring)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ppp.accounts.models import Organisation, User
from ppp.history import record_transition
from ppp.links import absolute_url
from ppp.locking import lock

from .. import permissions as can
from ..models import (
    Application,
    LegacyAward,
    Scheme,
)
from ..selectors import missing_criteria
from ._base import A, S, WorkflowError, _lock, _move
from .awards import _cancel_pending_award
from .emails import _notify, lead_emails, officer_emails


def application_can_apply(organisation: Organisation, scheme: Scheme) -> str | None:
    """Why `organisation` cannot apply to `scheme` now, or None if it can."""
    if scheme.status != Scheme.Status.PUBLISHED:
        return f"{scheme} is not open for applications."
    if not organisation.takes_the_award:
        return "The Positive and Peaceful Places award is for schools and settings that work with children."
    if Application.objects.open().filter(organisation=organisation).exists():
        return f"{organisation} already has an application in progress."
    if scheme.requires_pledge:
        from charter.selectors import has_approved_pledge

        if not has_approved_pledge(organisation):
            return (
                f"{scheme.name} asks schools to sign the Anti-Bullying Charter first. "
                "Sign the charter; you can apply once the council has approved your pledge."
            )
    return None


@transaction.atomic
def application_apply(
    *,
    organisation: Organisation,
    scheme: Scheme,
    by: User,
    contact_name: str,
    contact_email: str,
    accept_terms: bool,
    package: str = Application.Package.STANDARD,
    bespoke_note: str = "",
    purchase_order: str = "",
    contact_phone: str = "",
    previous_application: Application | None = None,
    previous_legacy_award: LegacyAward | None = None,
) -> Application:
    """A school's lead applies for the award (or to re-accredit)."""
    lock(Organisation, organisation.pk)
    can.can_apply.require(by, organisation, WorkflowError)
    if not accept_terms:
        raise WorkflowError("You must accept the terms to apply.")
    if package == Application.Package.BESPOKE and not bespoke_note.strip():
        raise WorkflowError("Tell us what you would like from a bespoke package.")
    reason = application_can_apply(organisation, scheme)
    if reason:
        raise WorkflowError(reason)
    kind = Application.Kind.REACCREDITATION if previous_application or previous_legacy_award else Application.Kind.NEW
    try:
        with transaction.atomic():
            application = Application.objects.create(
                organisation=organisation,
                scheme=scheme,
                kind=kind,
                previous_application=previous_application,
                previous_legacy_award=previous_legacy_award,
                package=package,
                agreed_price=settings.AWARD_STANDARD_PRICE if package == Application.Package.STANDARD else None,
                bespoke_note=bespoke_note,
                purchase_order=purchase_order,
                contact_name=contact_name,
                contact_email=contact_email,
                contact_phone=contact_phone,
                terms_accepted_at=timezone.now(),
                created_by=by,
            )
    except IntegrityError:
        raise WorkflowError(f"{organisation} already has an application in progress.") from None
    record_transition(application, action=A.APPLIED, by=by, kind=kind)
    _notify(
        officer_emails(application),
        f"{'re-accreditation' if kind == Application.Kind.REACCREDITATION else 'new'} application from {organisation}",
        "applied",
        application=application,
        url=absolute_url(application),
    )
    return application


@transaction.atomic
def application_assign(*, application: Application, officer: User, by: User) -> Application:
    application = _lock(application)
    can.can_assign.require(by, application, WorkflowError)
    if not officer.is_officer:
        raise WorkflowError(f"{officer} is not a council officer.")
    _assign(application, officer, by)
    _notify(
        [officer.email],
        f"{application.organisation} is on your caseload",
        "assigned",
        application=application,
        url=absolute_url(application),
    )
    return application


def _assign(application: Application, officer: User, by: User) -> None:
    application.assigned_officer = officer
    application.last_activity_at = timezone.now()
    record_transition(
        application,
        action=A.ASSIGNED,
        by=by,
        note=f"Assigned to {officer}.",
        update_fields=("assigned_officer", "last_activity_at"),
        officer=officer.email,
    )


@transaction.atomic
def applications_assign(
    *, applications, officer: User, by: User
) -> tuple[list[Application], list[tuple[Application, str]]]:
    """An officer assigns several applications in one go: each as `application_assign`
    would (history and audit per application), and the officer they go to gets one
    email listing them. Rows are locked in primary-key order, so two officers assigning
    overlapping lists at once never deadlock. An application already with `officer`, or
    that can no longer be assigned (closed meanwhile), is left as it is, with the reason.
    Returns (assigned, [(left as it was, why)])."""
    if not officer.is_officer:
        raise WorkflowError(f"{officer} is not a council officer.")
    ids = sorted({application.pk for application in applications})
    if not ids:
        raise WorkflowError("Select the applications to assign.")
    assigned: list[Application] = []
    skipped: list[tuple[Application, str]] = []
    for pk in ids:
        application = lock(Application, pk, "organisation", "scheme")
        refusal = can.can_assign.refusal(by, application)
        if refusal is not None:
            if not by.is_officer:
                raise WorkflowError(refusal)
            skipped.append((application, refusal))
        elif application.assigned_officer_id == officer.pk:
            skipped.append((application, f"already assigned to {officer}"))
        else:
            _assign(application, officer, by)
            assigned.append(application)
    if len(assigned) == 1:
        application = assigned[0]
        _notify(
            [officer.email],
            f"{application.organisation} is on your caseload",
            "assigned",
            application=application,
            url=absolute_url(application),
        )
    elif assigned:
        _notify(
            [officer.email],
            f"{len(assigned)} applications are on your caseload",
            "assigned_several",
            applications=[(application, absolute_url(application)) for application in assigned],
        )
    return assigned, skipped


@transaction.atomic
def application_withdraw(*, application: Application, by: User, reason: str) -> Application:
    application = _lock(application)
    can.can_withdraw_application.require(by, application, WorkflowError)
    if not reason.strip():
        raise WorkflowError("Give a reason for withdrawing.")
    _cancel_pending_award(application, by, "withdrawn")
    _move(application, S.WITHDRAWN, action=A.WITHDRAWN, by=by, note=reason.strip())
    _notify(
        lead_emails(application) + officer_emails(application),
        f"{application.organisation}'s application was withdrawn",
        "withdrawn",
        application=application,
        reason=reason.strip(),
    )
    return application


@transaction.atomic
def action_plan_agree(*, application: Application, by: User, note: str = "") -> Application:
    application = _lock(application)
    can.can_agree_plan.require(by, application, WorkflowError)
    if not application.action_items.exists():
        raise WorkflowError("The action plan has no actions yet: the school drafts them first.")
    application.action_plan_agreed_at = timezone.now()
    application.save(update_fields=["action_plan_agreed_at"])
    _move(application, S.EVIDENCING, action=A.PLAN_AGREED, by=by, note=note or "Action plan agreed.")
    _notify(
        lead_emails(application),
        "your action plan is agreed",
        "plan_agreed",
        application=application,
        url=absolute_url(application),
    )
    return application


@transaction.atomic
def application_submit(*, application: Application, by: User) -> Application:
    """The lead submits the school's evidence for assessment."""
    application = _lock(application)
    can.can_submit_application.require(by, application, WorkflowError)
    missing = missing_criteria(application)
    if missing:
        codes = ", ".join(c.code for c in missing[:8]) + ("…" if len(missing) > 8 else "")
        raise WorkflowError(f"Every required criterion needs submitted evidence first. Still missing: {codes}.")
    _move(application, S.ASSESSMENT, action=A.SUBMITTED, by=by)
    _notify(
        officer_emails(application),
        f"{application.organisation} has submitted for assessment",
        "submitted",
        application=application,
        url=absolute_url(application),
    )
    return application


@transaction.atomic
def application_return(*, application: Application, by: User, note: str) -> Application:
    """More evidence needed: back from assessment to evidencing, with what is needed."""
    application = _lock(application)
    can.can_return_application.require(by, application, WorkflowError)
    if not note.strip():
        raise WorkflowError("Say what more evidence is needed.")
    _cancel_pending_award(application, by, "more evidence needed")
    _move(application, S.EVIDENCING, action=A.RETURNED, by=by, note=note.strip())
    _notify(
        lead_emails(application),
        "more evidence is needed",
        "returned",
        application=application,
        note=note.strip(),
        url=absolute_url(application),
    )
    return application
