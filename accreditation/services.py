"""Every write with a rule in the award workflow.

    applied ──initial visit done──▶ planning ──action plan agreed──▶ evidencing
    evidencing ──submitted by lead──▶ assessment ──award──▶ accredited
    assessment ──more evidence needed──▶ evidencing
    any open state ──withdraw──▶ withdrawn          accredited past expiry ⇒ expired

Each function is keyword-only, takes `by=` (None only for the daily command), locks
what it reads to decide, writes the StatusChange or EvidenceEvent in the same
transaction, raises `WorkflowError` with a sentence for the person, and sends email
after commit.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ppp.accounts.models import Membership, Organisation, User
from ppp.accounts.selectors import is_lead, is_member
from ppp.audit.services import audit_record
from ppp.certificates.models import IssuedCertificate
from ppp.certificates.services import certificate_issue
from ppp.dates import add_months
from ppp.mail import send_after_commit

from .models import (
    ActionItem,
    Application,
    Award,
    Criterion,
    Evidence,
    EvidenceEvent,
    LegacyAward,
    Scheme,
    SelfReview,
    Standard,
    StatusChange,
    Visit,
)

S = Application.Status


class WorkflowError(Exception):
    """A rule of the award workflow was broken; the message says which, for a person."""


# Who is who


def _require_officer(by: User, what: str) -> None:
    if by is None or not by.is_officer:
        raise WorkflowError(f"Only a council officer can {what}.")


def _require_lead(by: User, application: Application, what: str) -> None:
    if not is_lead(by, application.organisation):
        raise WorkflowError(f"Only {application.organisation}'s lead can {what}.")


def _require_member(by: User, application: Application, what: str) -> None:
    if not (is_member(by, application.organisation) or by.is_officer):
        raise WorkflowError(f"Only staff of {application.organisation} can {what}.")


def _require_status(application: Application, allowed, what: str) -> None:
    if application.status not in allowed:
        raise WorkflowError(f"You cannot {what} while the application is {application.get_status_display().lower()}.")


def _lock(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("organisation", "scheme").get(pk=application.pk)


# Email


def lead_emails(application: Application) -> list[str]:
    leads = Membership.objects.filter(organisation=application.organisation, role=Membership.Role.LEAD)
    return sorted({m.user.email for m in leads.select_related("user")} | {application.contact_email})


def officer_emails(application: Application) -> list[str]:
    if application.assigned_officer_id:
        return [application.assigned_officer.email]
    return [settings.PPP_TEAM_EMAIL]


def _notify(to: list[str], subject: str, body: str) -> None:
    send_after_commit(f"PPP award: {subject}", body + f"\n\nPositive and Peaceful Places\n{settings.SITE_URL}\n", to)


def _link(obj) -> str:
    return settings.SITE_URL + obj.get_absolute_url()


# Moving through the workflow


def _move(application: Application, to: str, *, by: User | None, note: str = "") -> None:
    StatusChange.objects.create(application=application, from_status=application.status, to_status=to, by=by, note=note)
    application.status = to
    application.last_activity_at = timezone.now()
    application.save(update_fields=["status", "last_activity_at"])
    audit_record(
        "application.status",
        actor=by,
        target=application,
        organisation=application.organisation,
        to=to,
        note=note[:500],
    )


def _touch(application: Application) -> None:
    Application.objects.filter(pk=application.pk).update(last_activity_at=timezone.now())


def application_can_apply(organisation: Organisation, scheme: Scheme) -> str | None:
    """Why `organisation` cannot apply to `scheme` now, or None if it can."""
    if scheme.status != Scheme.Status.PUBLISHED:
        return f"{scheme} is not open for applications."
    if Application.objects.open().filter(organisation=organisation).exists():
        return f"{organisation} already has an application in progress."
    if scheme.requires_pledge:
        from charter.services import has_approved_pledge

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
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not is_lead(by, organisation):
        raise WorkflowError(f"Only {organisation}'s lead can apply for the award.")
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
    StatusChange.objects.create(application=application, from_status="", to_status=S.APPLIED, by=by)
    audit_record("application.apply", actor=by, target=application, organisation=organisation, kind=kind)
    _notify(
        officer_emails(application),
        f"{'re-accreditation' if kind == Application.Kind.REACCREDITATION else 'new'} application from {organisation}",
        f"{organisation} has applied for {scheme}.\n\nAssign an officer and arrange the initial visit:\n"
        f"{_link(application)}",
    )
    return application


@transaction.atomic
def application_assign(*, application: Application, officer: User, by: User) -> Application:
    application = _lock(application)
    _require_officer(by, "assign an application")
    if not officer.is_officer:
        raise WorkflowError(f"{officer} is not a council officer.")
    _require_status(application, Application.OPEN_STATUSES, "assign an officer")
    application.assigned_officer = officer
    application.last_activity_at = timezone.now()
    application.save(update_fields=["assigned_officer", "last_activity_at"])
    audit_record("application.assign", actor=by, target=application, officer=officer.email)
    _notify([officer.email], f"{application.organisation} is on your caseload", f"Application: {_link(application)}")
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by: User, reason: str) -> Application:
    application = _lock(application)
    if not (by.is_officer or is_lead(by, application.organisation)):
        raise WorkflowError("Only the school's lead or a council officer can withdraw an application.")
    _require_status(application, Application.OPEN_STATUSES, "withdraw the application")
    if not reason.strip():
        raise WorkflowError("Give a reason for withdrawing.")
    _cancel_pending_award(application, by, "withdrawn")
    _move(application, S.WITHDRAWN, by=by, note=reason)
    _notify(
        lead_emails(application) + officer_emails(application),
        f"{application.organisation}'s application was withdrawn",
        reason,
    )
    return application


@transaction.atomic
def action_plan_agree(*, application: Application, by: User, note: str = "") -> Application:
    application = _lock(application)
    _require_officer(by, "agree an action plan")
    _require_status(application, [S.PLANNING], "agree the action plan")
    if not application.action_items.exists():
        raise WorkflowError("The action plan has no actions yet: the school drafts them first.")
    application.action_plan_agreed_at = timezone.now()
    application.save(update_fields=["action_plan_agreed_at"])
    _move(application, S.EVIDENCING, by=by, note=note or "Action plan agreed.")
    _notify(
        lead_emails(application),
        "your action plan is agreed",
        f"Your officer has agreed your action plan. You can now submit evidence:\n{_link(application)}",
    )
    return application


def missing_criteria(application: Application) -> list[Criterion]:
    """Required criteria with no evidence submitted or accepted."""
    covered = Evidence.objects.filter(
        application=application, status__in=[Evidence.Status.SUBMITTED, Evidence.Status.ACCEPTED]
    ).values("criteria")
    return list(
        Criterion.objects.filter(standard__scheme=application.scheme, evidence_required=True)
        .exclude(pk__in=covered)
        .select_related("standard")
    )


@transaction.atomic
def application_submit(*, application: Application, by: User) -> Application:
    """The lead submits the school's evidence for assessment."""
    application = _lock(application)
    _require_lead(by, application, "submit for assessment")
    _require_status(application, [S.EVIDENCING], "submit for assessment")
    missing = missing_criteria(application)
    if missing:
        codes = ", ".join(c.code for c in missing[:8]) + ("…" if len(missing) > 8 else "")
        raise WorkflowError(f"Every required criterion needs submitted evidence first. Still missing: {codes}.")
    _move(application, S.ASSESSMENT, by=by)
    _notify(
        officer_emails(application),
        f"{application.organisation} has submitted for assessment",
        f"Review the evidence and decide:\n{_link(application)}",
    )
    return application


@transaction.atomic
def application_return(*, application: Application, by: User, note: str) -> Application:
    """More evidence needed: back from assessment to evidencing, with what is needed."""
    application = _lock(application)
    _require_officer(by, "ask for more evidence")
    _require_status(application, [S.ASSESSMENT], "ask for more evidence")
    if not note.strip():
        raise WorkflowError("Say what more evidence is needed.")
    _cancel_pending_award(application, by, "more evidence needed")
    _move(application, S.EVIDENCING, by=by, note=note)
    _notify(lead_emails(application), "more evidence is needed", f"{note}\n\n{_link(application)}")
    return application


def _issue_certificate(award: Award, application: Application, by: User) -> IssuedCertificate:
    """Issue the award's certificate and accredit `application` (locked by the caller).
    A re-accredited school's previous award is superseded: one current award each."""
    certificate = certificate_issue(
        source=award,
        kind=IssuedCertificate.Kind.AWARD,
        holder=application.organisation.name,
        title="Positive and Peaceful Places Award",
        level=award.level,
        valid_from=award.awarded_on,
        valid_until=award.expires_on,
        organisation=application.organisation,
        by=by,
    )
    award.certificate = certificate
    award.status = Award.Status.ISSUED
    award.save(update_fields=["certificate", "status"])
    Award.objects.filter(application__organisation=application.organisation, status=Award.Status.ISSUED).exclude(
        pk=award.pk
    ).update(status=Award.Status.SUPERSEDED)
    _move(application, S.ACCREDITED, by=by, note=f"Awarded{f' at {award.level}' if award.level else ''}.")
    _notify(
        lead_emails(application),
        "congratulations: you have the Positive and Peaceful Places award",
        f"{application.organisation} holds the award until {award.expires_on:%-d %B %Y}.\n"
        f"Download your certificate and award pack:\n{_link(application)}",
    )
    return certificate


@transaction.atomic
def application_award(
    *, application: Application, by: User, level: str = "", awarded_on: datetime.date | None = None
) -> Award:
    application = _lock(application)
    _require_officer(by, "make an award")
    _require_status(application, [S.ASSESSMENT], "make the award")
    if hasattr(application, "award"):
        raise WorkflowError("This application already has an award.")
    levels = application.scheme.level_choices
    if levels and level not in levels:
        raise WorkflowError(f"Choose the level: {', '.join(levels)}.")
    if not levels and level:
        raise WorkflowError(f"{application.scheme.name} has no levels.")
    if missing_criteria(application):
        raise WorkflowError("Some required criteria have no evidence yet.")
    unaccepted = application.evidence.exclude(status=Evidence.Status.ACCEPTED).exclude(status=Evidence.Status.DRAFT)
    if unaccepted.exists():
        raise WorkflowError("Review every submitted item of evidence (accept it or ask for changes) before awarding.")
    awarded_on = awarded_on or timezone.localdate()
    award = Award.objects.create(
        application=application,
        level=level,
        awarded_on=awarded_on,
        expires_on=add_months(awarded_on, application.scheme.validity_months),
        awarded_by=by,
        status=Award.Status.AWAITING_RATIFICATION,
    )
    audit_record("award.make", actor=by, target=award, organisation=application.organisation, level=level)
    if not application.scheme.requires_ratification:
        _issue_certificate(award, application, by)
    else:
        _notify(
            [settings.PPP_TEAM_EMAIL],
            f"an award for {application.organisation} needs ratifying",
            f"A second officer must ratify it:\n{_link(application)}",
        )
    return award


@transaction.atomic
def award_ratify(*, award: Award, by: User) -> Award:
    application = _lock(award.application)  # the application first, as everywhere else
    award = Award.objects.select_for_update().filter(pk=award.pk).first()
    _require_officer(by, "ratify an award")
    if award is None or award.status != Award.Status.AWAITING_RATIFICATION:
        raise WorkflowError("This award is not waiting for ratification.")
    _require_status(application, [S.ASSESSMENT], "ratify the award")
    if award.awarded_by_id == by.pk:
        raise WorkflowError("A second officer must ratify the award: not the officer who made it.")
    award.ratified_by, award.ratified_at = by, timezone.now()
    award.save(update_fields=["ratified_by", "ratified_at"])
    _issue_certificate(award, application, by)
    return award


def _cancel_pending_award(application: Application, by: User, why: str) -> None:
    """An award not yet ratified falls away when the application leaves assessment."""
    for award in Award.objects.filter(application=application, status=Award.Status.AWAITING_RATIFICATION):
        audit_record("award.cancel", actor=by, target=award, organisation=application.organisation, why=why)
        award.delete()


@transaction.atomic
def award_expire(*, award: Award, today: datetime.date) -> bool:
    """Expire an issued award whose date has passed (the daily command). True if it did."""
    award = Award.objects.select_for_update().select_related("application__organisation").get(pk=award.pk)
    if award.status != Award.Status.ISSUED or award.expires_on >= today:
        return False
    award.status = Award.Status.EXPIRED
    award.save(update_fields=["status"])
    application = _lock(award.application)
    if application.status == S.ACCREDITED:
        _move(application, S.EXPIRED, by=None, note=f"The award expired on {award.expires_on:%-d %B %Y}.")
    return True


# Visits


def _visit_application(visit: Visit) -> Application:
    return _lock(visit.application)


@transaction.atomic
def visit_request(
    *, application: Application, by: User, kind: str, mode: str, preferred: list[datetime.datetime], note: str = ""
) -> Visit:
    """The lead offers two or three dates for a visit; the officer confirms one."""
    application = _lock(application)
    _require_lead(by, application, "ask for a visit")
    _require_status(application, Application.OPEN_STATUSES, "ask for a visit")
    preferred = sorted({d for d in preferred if d})
    if len(preferred) < 2:
        raise WorkflowError("Offer at least two dates and times, so your officer can pick one.")
    if any(d <= timezone.now() for d in preferred):
        raise WorkflowError("The dates you offer must be in the future.")
    if any(d > timezone.now() + datetime.timedelta(days=730) for d in preferred):
        raise WorkflowError("The dates you offer must be within the next two years.")
    visit = Visit.objects.create(
        application=application,
        kind=kind,
        mode=mode,
        status=Visit.Status.REQUESTED,
        preferred_1=preferred[0],
        preferred_2=preferred[1],
        preferred_3=preferred[2] if len(preferred) > 2 else None,
        attendees=note,
    )
    _touch(application)
    audit_record("visit.request", actor=by, target=visit, organisation=application.organisation)
    _notify(
        officer_emails(application),
        f"{application.organisation} has offered dates for a visit",
        f"Confirm one of them, or propose another:\n{_link(visit)}",
    )
    return visit


@transaction.atomic
def visit_schedule(
    *,
    application: Application,
    by: User,
    kind: str,
    mode: str,
    starts_at: datetime.datetime,
    location: str = "",
    attendees: str = "",
    duration_minutes: int = 90,
    visit: Visit | None = None,
    reason: str = "",
) -> Visit:
    """The officer books a visit, or confirms one the school asked for, or moves a booked
    visit to another time (with a reason, which the school is told)."""
    application = _lock(application)
    _require_officer(by, "schedule a visit")
    _require_status(application, Application.OPEN_STATUSES, "schedule a visit")
    if starts_at <= timezone.now():
        raise WorkflowError("A visit must be scheduled in the future.")
    if starts_at > timezone.now() + datetime.timedelta(days=730):
        raise WorkflowError("A visit must be within the next two years.")
    if visit is None:
        visit = Visit(application=application)
    else:
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        if visit.status in (Visit.Status.COMPLETED, Visit.Status.CANCELLED):
            raise WorkflowError(f"This visit is {visit.get_status_display().lower()}: it cannot be rescheduled.")
    moved = visit.status == Visit.Status.SCHEDULED and visit.starts_at is not None and visit.starts_at != starts_at
    if moved:
        if not reason.strip():
            raise WorkflowError("Give the reason for moving the visit: the school will be told.")
        old = timezone.localtime(visit.starts_at).strftime("%-d %b %Y %H:%M")
        visit.changes += f"{timezone.localdate():%-d %b %Y}: moved from {old} by {by}. {reason.strip()}\n"
    visit.kind, visit.mode, visit.starts_at = kind, mode, starts_at
    visit.location, visit.duration_minutes = location, duration_minutes
    if attendees:
        visit.attendees = attendees
    visit.status = Visit.Status.SCHEDULED
    visit.save()
    _touch(application)
    audit_record("visit.schedule", actor=by, target=visit, organisation=application.organisation)
    when = timezone.localtime(starts_at).strftime("%A %-d %B %Y at %H:%M")
    _notify(
        lead_emails(application),
        f"{visit.get_kind_display().lower()} {'moved to' if moved else 'booked for'} {when}",
        f"{visit.get_kind_display()} ({visit.get_mode_display().lower()}), {when}.\n{location}\n"
        + (f"Why it moved: {reason.strip()}\n" if moved else "")
        + f"\nAdd it to your calendar: {_link(visit)}",
    )
    return visit


@transaction.atomic
def visit_complete(*, visit: Visit, by: User, notes: str = "", outcome: str = "", report: str = "") -> Visit:
    """The officer records the visit; the initial visit moves the application to planning."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    application = _visit_application(visit)
    _require_officer(by, "record a visit")
    if visit.status != Visit.Status.SCHEDULED:
        raise WorkflowError("Only a scheduled visit can be recorded as done.")
    if visit.starts_at and visit.starts_at > timezone.now():
        raise WorkflowError("This visit has not happened yet.")
    if not report.strip():
        raise WorkflowError("Write a short report for the school.")
    visit.status = Visit.Status.COMPLETED
    visit.notes, visit.outcome, visit.report = notes, outcome, report
    visit.completed_at = timezone.now()
    visit.save()
    if visit.kind == Visit.Kind.INITIAL and application.status == S.APPLIED:
        _move(application, S.PLANNING, by=by, note="Initial visit and guided planning done.")
    else:
        _touch(application)
    _notify(lead_emails(application), "your visit report is ready", f"Read it here: {_link(visit)}")
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, by: User, reason: str) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    application = _visit_application(visit)
    if not (by.is_officer or is_lead(by, application.organisation)):
        raise WorkflowError("Only the school's lead or a council officer can cancel a visit.")
    if visit.status in (Visit.Status.COMPLETED, Visit.Status.CANCELLED):
        raise WorkflowError(f"This visit is already {visit.get_status_display().lower()}.")
    if not reason.strip():
        raise WorkflowError("Give a reason for cancelling.")
    visit.status, visit.cancelled_reason = Visit.Status.CANCELLED, reason
    visit.save(update_fields=["status", "cancelled_reason"])
    _touch(application)
    audit_record("visit.cancel", actor=by, target=visit, organisation=application.organisation, reason=reason)
    others = officer_emails(application) if not by.is_officer else lead_emails(application)
    _notify(others, f"{visit.get_kind_display().lower()} cancelled", reason)
    return visit


# Self-review and action plan

EDITABLE = [S.APPLIED, S.PLANNING, S.EVIDENCING, S.ASSESSMENT]


@transaction.atomic
def self_review_save(*, application: Application, by: User, ratings: dict[int, tuple[str, str]]) -> list[SelfReview]:
    """Save ratings and commentary, `{criterion_id: (rating, commentary)}`."""
    application = _lock(application)
    _require_member(by, application, "complete the self-review")
    _require_status(application, EDITABLE, "change the self-review")
    valid_ids = set(Criterion.objects.filter(standard__scheme=application.scheme).values_list("pk", flat=True))
    saved = []
    for criterion_id, (rating, commentary) in ratings.items():
        if criterion_id not in valid_ids:
            raise WorkflowError("That criterion is not part of this scheme.")
        if rating not in SelfReview.Rating.values:
            raise WorkflowError("Choose a rating for each criterion.")
        review, _ = SelfReview.objects.update_or_create(
            application=application,
            criterion_id=criterion_id,
            defaults={"rating": rating, "commentary": commentary.strip(), "updated_by": by},
        )
        saved.append(review)
    _touch(application)
    return saved


@transaction.atomic
def action_items_from_self_review(*, application: Application, by: User, due_date: datetime.date) -> int:
    """Copy every criterion rated below "established" into the action plan (once)."""
    application = _lock(application)
    _require_member(by, application, "change the action plan")
    _require_status(application, EDITABLE, "change the action plan")
    below = SelfReview.objects.filter(
        application=application, rating__in=[SelfReview.Rating.NOT_STARTED, SelfReview.Rating.DEVELOPING]
    ).select_related("criterion")
    already = set(application.action_items.values_list("criterion_id", flat=True))
    created = 0
    for review in below:
        if review.criterion_id in already:
            continue
        ActionItem.objects.create(
            application=application,
            criterion=review.criterion,
            action=f"Develop {review.criterion.code}: {review.criterion.statement}",
            owner=by.get_full_name(),
            due_date=due_date,
            success_measure="",
            created_by=by,
        )
        created += 1
    _touch(application)
    return created


@transaction.atomic
def action_item_save(*, application: Application, by: User, item: ActionItem | None = None, **fields) -> ActionItem:
    application = _lock(application)
    _require_member(by, application, "change the action plan")
    _require_status(application, EDITABLE, "change the action plan")
    criterion = fields.get("criterion")
    if criterion is not None and criterion.standard.scheme_id != application.scheme_id:
        raise WorkflowError("That criterion is not part of this scheme.")
    if item is None:
        item = ActionItem(application=application, created_by=by)
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    _touch(application)
    return item


# Evidence


@transaction.atomic
def evidence_add(
    *,
    application: Application,
    by: User,
    criteria,
    title: str,
    kind: str,
    file=None,
    original_filename: str = "",
    content_type: str = "",
    size: int | None = None,
    url: str = "",
    statement: str = "",
) -> Evidence:
    """Any member drafts evidence (a file, a link or a written statement); the lead submits it.

    Other apps attach what they hold through this too (a training record, a governors'
    report of incident figures): `file` may be an upload or a `ContentFile` with a name."""
    application = _lock(application)
    _require_member(by, application, "add evidence")
    _require_status(application, [S.PLANNING, S.EVIDENCING, S.ASSESSMENT], "add evidence")
    criteria = list(criteria)
    if not criteria:
        raise WorkflowError("Choose at least one criterion this evidence shows.")
    if any(c.standard.scheme_id != application.scheme_id for c in criteria):
        raise WorkflowError("That criterion is not part of this scheme.")
    if kind not in Evidence.Kind.values:
        raise WorkflowError("Choose a file, a link or a written statement.")
    evidence = Evidence.objects.create(
        application=application,
        created_by=by,
        title=title,
        kind=kind,
        file=file or "",
        original_filename=original_filename,
        content_type=content_type,
        size=size,
        url=url,
        statement=statement,
    )
    evidence.criteria.set(criteria)
    EvidenceEvent.objects.create(evidence=evidence, action=EvidenceEvent.Action.CREATED, by=by)
    _touch(application)
    audit_record("evidence.add", actor=by, target=evidence, organisation=application.organisation)
    return evidence


@transaction.atomic
def evidence_update(*, evidence: Evidence, by: User, criteria, **fields) -> Evidence:
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    application = _lock(evidence.application)
    _require_member(by, application, "change evidence")
    _require_status(application, [S.PLANNING, S.EVIDENCING, S.ASSESSMENT], "change evidence")
    if evidence.status not in (Evidence.Status.DRAFT, Evidence.Status.CHANGES_REQUESTED):
        raise WorkflowError("Evidence can only be changed while it is a draft or changes have been asked for.")
    for name, value in fields.items():
        setattr(evidence, name, value)
    evidence.save()
    if criteria is not None:
        evidence.criteria.set(criteria)
    _touch(application)
    return evidence


@transaction.atomic
def evidence_submit(*, evidence: Evidence, by: User, comment: str = "") -> Evidence:
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    application = _lock(evidence.application)
    _require_lead(by, application, "submit evidence")
    _require_status(application, [S.EVIDENCING, S.ASSESSMENT], "submit evidence")
    if Award.objects.filter(application=application, status=Award.Status.AWAITING_RATIFICATION).exists():
        raise WorkflowError("An award is waiting for ratification: evidence cannot change now.")
    if evidence.status not in (Evidence.Status.DRAFT, Evidence.Status.CHANGES_REQUESTED):
        raise WorkflowError(f"This evidence is already {evidence.get_status_display().lower()}.")
    if evidence.status == Evidence.Status.CHANGES_REQUESTED and comment.strip():
        EvidenceEvent.objects.create(evidence=evidence, action=EvidenceEvent.Action.RESPONDED, by=by, comment=comment)
    evidence.status, evidence.submitted_at = Evidence.Status.SUBMITTED, timezone.now()
    evidence.save(update_fields=["status", "submitted_at"])
    EvidenceEvent.objects.create(evidence=evidence, action=EvidenceEvent.Action.SUBMITTED, by=by)
    _touch(application)
    return evidence


@transaction.atomic
def evidence_review(*, evidence: Evidence, by: User, decision: str, comment: str = "", seen_status: str) -> Evidence:
    """The officer accepts an item or asks for changes. `seen_status` is the status the
    officer was looking at: if another officer decided meanwhile, nothing changes."""
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    application = _lock(evidence.application)
    _require_officer(by, "review evidence")
    _require_status(application, [S.EVIDENCING, S.ASSESSMENT], "review evidence")
    if evidence.status != seen_status or evidence.status != Evidence.Status.SUBMITTED:
        last = evidence.events.exclude(action=EvidenceEvent.Action.CREATED).select_related("by").last()
        who = f" by {last.by} ({last.get_action_display().lower()})" if last else ""
        raise WorkflowError(
            f"This evidence has changed since you opened it: it is now {evidence.get_status_display().lower()}{who}."
        )
    if decision not in (Evidence.Status.ACCEPTED, Evidence.Status.CHANGES_REQUESTED):
        raise WorkflowError("Choose accept or ask for changes.")
    if decision == Evidence.Status.CHANGES_REQUESTED and not comment.strip():
        raise WorkflowError("Say what needs to change, so the school can act on it.")
    evidence.status = decision
    evidence.save(update_fields=["status"])
    EvidenceEvent.objects.create(evidence=evidence, action=decision, by=by, comment=comment)
    _touch(application)
    audit_record("evidence.review", actor=by, target=evidence, organisation=application.organisation, decision=decision)
    if decision == Evidence.Status.CHANGES_REQUESTED:
        _notify(lead_emails(application), f"changes requested: {evidence.title}", f"{comment}\n\n{_link(evidence)}")
    return evidence


# Re-accreditation


def reaccreditation_source(organisation: Organisation):
    """The award a school would re-accredit from: its latest accredited or expired
    application, else its latest award under the earlier scheme."""
    previous = (
        Application.objects.filter(organisation=organisation, status__in=[S.ACCREDITED, S.EXPIRED])
        .order_by("-created_at")
        .first()
    )
    if previous:
        return previous
    return LegacyAward.objects.filter(organisation=organisation).order_by("-awarded_on").first()


@transaction.atomic
def reaccreditation_start(*, organisation: Organisation, by: User, carry_forward: bool = True, **apply_fields):
    """Apply onto the current scheme, carrying accepted evidence forward onto criteria
    with the same code (marked as carried forward; the officer still reviews it)."""
    source = reaccreditation_source(organisation)
    if source is None:
        raise WorkflowError(f"{organisation} has no award to re-accredit. Apply for a new award instead.")
    scheme = Scheme.current()
    if scheme is None:
        raise WorkflowError("No scheme is open for applications.")
    application = application_apply(
        organisation=organisation,
        scheme=scheme,
        by=by,
        previous_application=source if isinstance(source, Application) else None,
        previous_legacy_award=source if isinstance(source, LegacyAward) else None,
        **apply_fields,
    )
    if carry_forward and isinstance(source, Application):
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
            EvidenceEvent.objects.create(evidence=new, action=EvidenceEvent.Action.CARRIED_FORWARD, by=by)
    return application


@transaction.atomic
def legacy_award_invite(*, legacy_award: LegacyAward, by: User) -> LegacyAward:
    """Invite a holder of the earlier scheme's award to re-accredit (emails its lead)."""
    legacy_award = LegacyAward.objects.select_for_update().select_related("organisation").get(pk=legacy_award.pk)
    _require_officer(by, "invite a school to re-accredit")
    organisation = legacy_award.organisation
    leads = [m.user.email for m in organisation.memberships.leads().select_related("user")]
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
        f"{organisation} held the {legacy_award.scheme_name}"
        f"{f' ({legacy_award.level})' if legacy_award.level else ''} from {legacy_award.awarded_on:%B %Y}.\n"
        "The council's new scheme is open: sign in and choose Award, then Start re-accreditation.\n"
        f"{settings.SITE_URL}/award/",
    )
    return legacy_award


# Schemes


@transaction.atomic
def scheme_new_version(*, scheme: Scheme, by: User) -> Scheme:
    """A draft copy of `scheme` (standards and criteria) to edit: published criteria keep
    their meaning for the schools that answered them, so changes go into a new version."""
    _require_officer(by, "make a new version of a scheme")
    versions = list(Scheme.objects.select_for_update().filter(name=scheme.name).order_by("-version"))
    latest = versions[0]
    copy = Scheme.objects.create(
        name=scheme.name,
        version=latest.version + 1,
        status=Scheme.Status.DRAFT,
        description=scheme.description,
        validity_months=scheme.validity_months,
        levels=scheme.levels,
        requires_ratification=scheme.requires_ratification,
        requires_pledge=scheme.requires_pledge,
    )
    for standard in scheme.standards.prefetch_related("criteria"):
        new_standard = Standard.objects.create(
            scheme=copy, number=standard.number, title=standard.title, description=standard.description
        )
        Criterion.objects.bulk_create(
            Criterion(
                standard=new_standard,
                code=c.code,
                order=c.order,
                statement=c.statement,
                guidance=c.guidance,
                evidence_examples=c.evidence_examples,
                evidence_required=c.evidence_required,
            )
            for c in standard.criteria.all()
        )
    audit_record("scheme.new_version", actor=by, target=copy, source=scheme.pk)
    return copy


@transaction.atomic
def scheme_publish(*, scheme: Scheme, by: User) -> Scheme:
    """Open a draft scheme for applications; earlier published versions of it retire
    (their schools carry on under the version they applied to)."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    _require_officer(by, "publish a scheme")
    if scheme.status != Scheme.Status.DRAFT:
        raise WorkflowError(f"{scheme} is already {scheme.get_status_display().lower()}.")
    if not Criterion.objects.filter(standard__scheme=scheme).exists():
        raise WorkflowError(f"{scheme} has no criteria yet.")
    Scheme.objects.filter(name=scheme.name, status=Scheme.Status.PUBLISHED).update(status=Scheme.Status.RETIRED)
    scheme.status, scheme.published_on = Scheme.Status.PUBLISHED, timezone.localdate()
    scheme.save(update_fields=["status", "published_on"])
    audit_record("scheme.publish", actor=by, target=scheme)
    return scheme


# Queries the pages share


def evidence_waiting_for_review():
    return (
        Evidence.objects.filter(status=Evidence.Status.SUBMITTED, application__status__in=Application.OPEN_STATUSES)
        .select_related("application__organisation", "application__assigned_officer")
        .order_by("submitted_at")
    )


def stale_applications(today: datetime.date, days: int = 30):
    cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time()))
    return Application.objects.open().filter(last_activity_at__lt=cutoff)


def overdue_write_ups():
    return Visit.objects.filter(Q(status=Visit.Status.SCHEDULED) & Q(starts_at__lt=timezone.now()))
