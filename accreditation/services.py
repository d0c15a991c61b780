"""Every write with a rule in the award workflow.

    applied ──initial visit done──▶ planning ──action plan agreed──▶ evidencing
    evidencing ──submitted by lead──▶ assessment ──award──▶ accredited
    assessment ──more evidence needed──▶ evidencing
    any open state ──withdraw──▶ withdrawn          accredited past expiry ⇒ expired

Each function is keyword-only and typed, takes `by=` (None only for the daily command),
refuses through `permissions` with a sentence for the person (`WorkflowError`), locks
what it reads to decide — the application first, then its evidence, visits or award
(see `ppp.locking`) — writes history through `ppp.history.record_transition` in the same
transaction, and queues email after commit from `templates/accreditation/email/`.
"""

import contextlib
import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ppp.accounts.models import Membership, Organisation, User
from ppp.audit.services import audit_record
from ppp.certificates.models import IssuedCertificate
from ppp.certificates.services import certificate_issue
from ppp.dates import add_months
from ppp.errors import DomainError
from ppp.history import changes_note, record_transition
from ppp.links import absolute_url
from ppp.locking import lock
from ppp.mail import email_after_commit
from ppp.storage import StorageFull

from . import permissions as can
from .models import (
    ActionItem,
    Application,
    ApplicationEvent,
    Award,
    AwardEvent,
    Criterion,
    Evidence,
    EvidenceEvent,
    LegacyAward,
    Scheme,
    SelfReview,
    Standard,
    Visit,
    VisitEvent,
)
from .selectors import missing_criteria, reaccreditation_source

S = Application.Status
A = ApplicationEvent.Action


class WorkflowError(DomainError):
    """A rule of the award workflow was broken; the message says which, for a person."""


def _lock(application: Application) -> Application:
    return lock(Application, application.pk, "organisation", "scheme")


def _touch(application: Application) -> None:
    Application.objects.filter(pk=application.pk).update(last_activity_at=timezone.now())


def _move(application: Application, to: str | None, *, action: str, by: User | None, note: str = "") -> None:
    """Record a step of the workflow on the (locked) application."""
    application.last_activity_at = timezone.now()
    record_transition(application, to, action=action, by=by, note=note, update_fields=("last_activity_at",))


# ---------------------------------------------------------------- email


def lead_emails(application: Application) -> list[str]:
    leads = (
        Membership.objects.leads().filter(organisation=application.organisation).values_list("user__email", flat=True)
    )
    return sorted({*leads, application.contact_email} - {""})


def officer_emails(application: Application) -> list[str]:
    if officer := application.assigned_officer:  # no query when there is none
        return [officer.email]
    return [settings.PPP_TEAM_EMAIL]


def _notify(to: list[str], subject: str, template: str, **context) -> None:
    email_after_commit(f"accreditation/email/{template}.txt", context, subject=f"PPP award: {subject}", to=to)


# ---------------------------------------------------------------- applying


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
    _notify(
        [officer.email],
        f"{application.organisation} is on your caseload",
        "assigned",
        application=application,
        url=absolute_url(application),
    )
    return application


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


# ---------------------------------------------------------------- awards


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
    record_transition(
        award, Award.Status.ISSUED, action=AwardEvent.Action.ISSUED, by=by, update_fields=("certificate",)
    )
    earlier = Award.objects.select_for_update().filter(
        application__organisation=application.organisation, status=Award.Status.ISSUED
    )
    for previous in earlier.exclude(pk=award.pk):
        record_transition(
            previous,
            Award.Status.SUPERSEDED,
            action=AwardEvent.Action.SUPERSEDED,
            by=by,
            note=f"Superseded by the award of {award.awarded_on:%-d %B %Y}.",
        )
    _move(
        application,
        S.ACCREDITED,
        action=A.ACCREDITED,
        by=by,
        note=f"Awarded{f' at {award.level}' if award.level else ''}.",
    )
    _notify(
        lead_emails(application),
        "congratulations: you have the Positive and Peaceful Places award",
        "awarded",
        application=application,
        award=award,
        url=absolute_url(application),
    )
    return certificate


@transaction.atomic
def application_award(
    *, application: Application, by: User, level: str = "", awarded_on: datetime.date | None = None
) -> Award:
    application = _lock(application)
    can.can_award.require(by, application, WorkflowError)
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
    record_transition(award, action=AwardEvent.Action.MADE, by=by, note=level, level=level)
    if not application.scheme.requires_ratification:
        _issue_certificate(award, application, by)
    else:
        _notify(
            [settings.PPP_TEAM_EMAIL],
            f"an award for {application.organisation} needs ratifying",
            "to_ratify",
            application=application,
            url=absolute_url(application),
        )
    return award


@transaction.atomic
def award_ratify(*, award: Award, by: User) -> Award:
    application = _lock(award.application)  # the application first, as everywhere else
    locked = Award.objects.select_for_update().filter(pk=award.pk).first()
    if locked is None:
        raise WorkflowError("This award is not waiting for ratification.")
    award = locked
    can.can_ratify.require(by, application, WorkflowError)
    award.ratified_by, award.ratified_at = by, timezone.now()
    record_transition(award, action=AwardEvent.Action.RATIFIED, by=by, update_fields=("ratified_by", "ratified_at"))
    _issue_certificate(award, application, by)
    return award


def _cancel_pending_award(application: Application, by: User, why: str) -> None:
    """An award not yet ratified falls away when the application leaves assessment: it
    is removed, and the application's history says so."""
    for award in Award.objects.select_for_update().filter(
        application=application, status=Award.Status.AWAITING_RATIFICATION
    ):
        record_transition(
            application,
            action=A.AWARD_CANCELLED,
            by=by,
            note=f"The award{f' at {award.level}' if award.level else ''} made by {award.awarded_by} on "
            f"{award.awarded_on:%-d %B %Y} was not ratified: {why}.",
        )
        award.delete()


@transaction.atomic
def award_expire(*, award: Award, today: datetime.date) -> bool:
    """Expire an issued award whose date has passed (the daily command). True if it did."""
    application = _lock(award.application)  # parent first
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != Award.Status.ISSUED or award.expires_on >= today:
        return False
    record_transition(award, Award.Status.EXPIRED, action=AwardEvent.Action.EXPIRED)
    if application.status == S.ACCREDITED:
        _move(
            application,
            S.EXPIRED,
            action=A.EXPIRED,
            by=None,
            note=f"The award expired on {award.expires_on:%-d %B %Y}.",
        )
    return True


# ---------------------------------------------------------------- visits


def _check_visit_time(starts_at: datetime.datetime, *, past_allowed: bool = False) -> None:
    now = timezone.now()
    if not past_allowed and starts_at <= now:
        raise WorkflowError("A visit must be scheduled in the future.")
    if starts_at > now + datetime.timedelta(days=730):
        raise WorkflowError("A visit must be within the next two years.")


@transaction.atomic
def visit_request(
    *, application: Application, by: User, kind: str, mode: str, preferred: list[datetime.datetime], note: str = ""
) -> Visit:
    """The lead offers two or three dates for a visit; the officer confirms one."""
    application = _lock(application)
    can.can_request_visit.require(by, application, WorkflowError)
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
    record_transition(visit, action=VisitEvent.Action.REQUESTED, by=by, note=note)
    _touch(application)
    _notify(
        officer_emails(application),
        f"{application.organisation} has offered dates for a visit",
        "visit_requested",
        visit=visit,
        url=absolute_url(visit),
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
    application = _lock(application)  # the application first, then the visit
    can.can_book_visit.require(by, application, WorkflowError)
    _check_visit_time(starts_at)
    if visit is None:
        visit = Visit(application=application)
        action = VisitEvent.Action.BOOKED
    else:
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        can.can_confirm_visit.require(by, visit, WorkflowError)
        action = VisitEvent.Action.CONFIRMED if visit.status == Visit.Status.REQUESTED else VisitEvent.Action.MOVED
    moved = visit.status == Visit.Status.SCHEDULED and visit.starts_at is not None and visit.starts_at != starts_at
    note = ""
    if moved:
        if not reason.strip():
            raise WorkflowError("Give the reason for moving the visit: the school will be told.")
        old = timezone.localtime(visit.starts_at).strftime("%-d %b %Y %H:%M")
        note = f"Moved from {old}. {reason.strip()}"
    elif action == VisitEvent.Action.MOVED:
        action = VisitEvent.Action.BOOKED  # details changed, same time
    visit.kind, visit.mode, visit.starts_at = kind, mode, starts_at
    visit.location, visit.duration_minutes = location, duration_minutes
    if attendees:
        visit.attendees = attendees
    visit.save()
    record_transition(visit, Visit.Status.SCHEDULED, action=action, by=by, note=note)
    _touch(application)
    _notify(
        lead_emails(application),
        f"{visit.get_kind_display().lower()} {'moved to' if moved else 'booked for'} "
        f"{timezone.localtime(starts_at):%A %-d %B %Y at %H:%M}",
        "visit_booked",
        visit=visit,
        moved=moved,
        reason=reason.strip(),
        url=absolute_url(visit),
    )
    return visit


@transaction.atomic
def visit_record_past(
    *,
    application: Application,
    by: User,
    kind: str,
    mode: str,
    starts_at: datetime.datetime,
    report: str,
    location: str = "",
    attendees: str = "",
    duration_minutes: int = 90,
    notes: str = "",
    outcome: str = "",
) -> Visit:
    """A visit that already happened (booked by phone, say) is recorded in one go."""
    application = _lock(application)
    can.can_book_visit.require(by, application, WorkflowError)
    if starts_at > timezone.now():
        raise WorkflowError("This visit has not happened yet: book it instead.")
    if starts_at < timezone.now() - datetime.timedelta(days=365):
        raise WorkflowError("A visit recorded afterwards must be within the last year.")
    visit = Visit.objects.create(
        application=application,
        kind=kind,
        mode=mode,
        status=Visit.Status.SCHEDULED,
        starts_at=starts_at,
        location=location,
        attendees=attendees,
        duration_minutes=duration_minutes,
    )
    record_transition(visit, action=VisitEvent.Action.BOOKED, by=by, note="Recorded after the visit.")
    return _complete(application, visit, by=by, notes=notes, outcome=outcome, report=report)


@transaction.atomic
def visit_complete(
    *,
    visit: Visit,
    by: User,
    notes: str = "",
    outcome: str = "",
    report: str = "",
    happened_at: datetime.datetime | None = None,
) -> Visit:
    """The officer records the visit; the initial visit moves the application to planning.

    `happened_at` is when the visit really took place, if not when it was booked (a visit
    brought forward, say): it must be past, and the visit's date is corrected with a note."""
    application = _lock(visit.application)  # the application first, then the visit
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    can.can_record_visit.require(by, visit, WorkflowError)
    happened_at = happened_at or visit.starts_at
    if happened_at and happened_at > timezone.now():
        raise WorkflowError(
            "This visit has not happened yet. If it took place on another day, enter that date and time."
        )
    if (
        happened_at
        and visit.starts_at
        and happened_at.replace(second=0, microsecond=0) != visit.starts_at.replace(second=0, microsecond=0)
    ):
        if happened_at < timezone.now() - datetime.timedelta(days=365):
            raise WorkflowError("A visit recorded on another day must be within the last year.")
        booked = timezone.localtime(visit.starts_at).strftime("%-d %b %Y %H:%M")
        visit.starts_at = happened_at
        visit.save(update_fields=["starts_at"])
        record_transition(
            visit,
            action=VisitEvent.Action.MOVED,
            by=by,
            note=f"Happened on {timezone.localtime(happened_at):%-d %b %Y %H:%M} (booked for {booked}).",
        )
    return _complete(application, visit, by=by, notes=notes, outcome=outcome, report=report)


def _complete(application: Application, visit: Visit, *, by: User, notes: str, outcome: str, report: str) -> Visit:
    if not report.strip():
        raise WorkflowError("Write a short report for the school.")
    visit.notes, visit.outcome, visit.report = notes, outcome, report
    visit.completed_at = timezone.now()
    record_transition(
        visit,
        Visit.Status.COMPLETED,
        action=VisitEvent.Action.RECORDED,
        by=by,
        update_fields=("notes", "outcome", "report", "completed_at"),
    )
    if visit.kind == Visit.Kind.INITIAL and application.status == S.APPLIED:
        _move(application, S.PLANNING, action=A.PLANNING, by=by, note="Initial visit and guided planning done.")
    else:
        _touch(application)
    _notify(
        lead_emails(application), "your visit report is ready", "visit_recorded", visit=visit, url=absolute_url(visit)
    )
    return visit


@transaction.atomic
def visit_cancel(*, visit: Visit, by: User, reason: str) -> Visit:
    application = _lock(visit.application)  # the application first, then the visit
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    can.can_cancel_visit.require(by, visit, WorkflowError)
    if not reason.strip():
        raise WorkflowError("Give a reason for cancelling.")
    visit.cancelled_reason = reason.strip()
    record_transition(
        visit,
        Visit.Status.CANCELLED,
        action=VisitEvent.Action.CANCELLED,
        by=by,
        note=reason.strip(),
        update_fields=("cancelled_reason",),
    )
    _touch(application)
    others = officer_emails(application) if not by.is_officer else lead_emails(application)
    _notify(
        others, f"{visit.get_kind_display().lower()} cancelled", "visit_cancelled", visit=visit, reason=reason.strip()
    )
    return visit


# ---------------------------------------------------------------- self-review and action plan


@transaction.atomic
def self_review_save(*, application: Application, by: User, ratings: dict[int, tuple[str, str]]) -> list[SelfReview]:
    """Save ratings and commentary, `{criterion_id: (rating, commentary)}`."""
    application = _lock(application)
    can.can_edit_plan.require(by, application, WorkflowError)
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
    can.can_edit_plan.require(by, application, WorkflowError)
    below = SelfReview.objects.filter(
        application=application, rating__in=[SelfReview.Rating.NOT_STARTED, SelfReview.Rating.DEVELOPING]
    ).select_related("criterion")
    already = set(application.action_items.values_list("criterion_id", flat=True))
    created = 0
    for review in below:
        if review.criterion_id in already:
            continue
        item = ActionItem(
            application=application,
            criterion=review.criterion,
            action=f"Develop {review.criterion.code}: {review.criterion.statement}",
            owner=by.get_full_name(),
            due_date=due_date,
            success_measure="",
            created_by=by,
        )
        item._history_user = by
        item.save()
        created += 1
    _touch(application)
    return created


@transaction.atomic
def action_item_save(
    *,
    application: Application,
    by: User,
    action: str,
    owner: str,
    due_date: datetime.date,
    criterion: Criterion | None = None,
    success_measure: str = "",
    status: str = ActionItem.Status.NOT_STARTED,
    item: ActionItem | None = None,
) -> ActionItem:
    """Add an action to the plan, or change one (`item`)."""
    application = _lock(application)
    can.can_edit_plan.require(by, application, WorkflowError)
    if criterion is not None and criterion.standard.scheme_id != application.scheme_id:
        raise WorkflowError("That criterion is not part of this scheme.")
    if status not in ActionItem.Status.values:
        raise WorkflowError("Choose the action's status.")
    if item is None:
        item = ActionItem(application=application, created_by=by)
    else:
        item = ActionItem.objects.select_for_update().get(pk=item.pk, application=application)
    item.criterion, item.action, item.owner = criterion, action.strip(), owner.strip()
    item.due_date, item.success_measure, item.status = due_date, success_measure.strip(), status
    item._history_user = by  # the plan's history names who changed it
    item.save()
    audit_record("action_item.save", actor=by, target=item, organisation=application.organisation)
    _touch(application)
    return item


@transaction.atomic
def action_item_delete(*, item: ActionItem, by: User) -> None:
    application = _lock(item.application)
    can.can_edit_plan.require(by, application, WorkflowError)
    audit_record(
        "action_item.delete", actor=by, target=item, organisation=application.organisation, what=item.action[:200]
    )
    item._history_user = by
    item.delete()
    _touch(application)


# ---------------------------------------------------------------- evidence


def _check_criteria(application: Application, criteria) -> list[Criterion]:
    criteria = list(criteria)
    if not criteria:
        raise WorkflowError("Choose at least one criterion this evidence shows.")
    if any(c.standard.scheme_id != application.scheme_id for c in criteria):
        raise WorkflowError("That criterion is not part of this scheme.")
    return criteria


@contextlib.contextmanager
def _storing_files():
    """A full disk for uploads is a message for the person, not an error page: the storage
    kept nothing of the file, and the transaction keeps nothing of the rest."""
    try:
        yield
    except StorageFull:
        raise WorkflowError(
            "The file could not be saved because the service has run out of space for files. "
            "Nothing was saved. Try again later; if it happens again, contact the council's PPP team."
        ) from None


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
    can.can_add_evidence.require(by, application, WorkflowError)
    criteria = _check_criteria(application, criteria)
    if kind not in Evidence.Kind.values:
        raise WorkflowError("Choose a file, a link or a written statement.")
    with _storing_files():
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
    record_transition(evidence, action=EvidenceEvent.Action.CREATED, by=by)
    _touch(application)
    return evidence


@transaction.atomic
def evidence_update(
    *,
    evidence: Evidence,
    by: User,
    criteria=None,
    title: str | None = None,
    kind: str | None = None,
    file=None,
    original_filename: str = "",
    content_type: str = "",
    size: int | None = None,
    url: str | None = None,
    statement: str | None = None,
) -> Evidence:
    """Change a draft, or an item the officer asked to be changed. What is not given (None)
    stays as it is; without a new `file`, a file item keeps the one it has."""
    application = _lock(evidence.application)  # the application first, then the evidence
    evidence = Evidence.objects.select_for_update().select_related("application").get(pk=evidence.pk)
    can.can_edit_evidence.require(by, evidence, WorkflowError)
    if kind is not None and kind not in Evidence.Kind.values:
        raise WorkflowError("Choose a file, a link or a written statement.")
    before = _evidence_version(evidence)
    for name, value in (("title", title), ("kind", kind), ("url", url), ("statement", statement)):
        if value is not None:
            setattr(evidence, name, value)
    if file is not None:
        evidence.file, evidence.original_filename = file, original_filename
        evidence.content_type, evidence.size = content_type, size
    if criteria is not None:
        criteria = _check_criteria(application, criteria)
    after = _evidence_version(evidence, criteria)
    # The officer reads what changed: the earlier and the new words, the file's name.
    note = changes_note(before, after, EVIDENCE_CHANGE_LABELS)
    if file is not None and not note:
        note = f"File: replaced with a new copy of {original_filename}"
    if not note:
        return evidence  # nothing changed, so nothing to record
    with _storing_files():
        evidence.save()
    if criteria is not None:
        evidence.criteria.set(criteria)
    record_transition(evidence, action=EvidenceEvent.Action.EDITED, by=by, note=note)
    _touch(application)
    return evidence


EVIDENCE_CHANGE_LABELS = {
    "title": "Title",
    "kind": "Kind",
    "file": "File",
    "url": "Link",
    "statement": "Statement",
    "criteria": "Criteria",
}


def _evidence_version(evidence: Evidence, criteria: list[Criterion] | None = None) -> dict:
    """What a person reads of an evidence item, to compare two versions of it."""
    if criteria is None:
        criteria = list(evidence.criteria.all()) if evidence.pk else []
    return {
        "title": evidence.title,
        "kind": evidence.get_kind_display(),
        "file": evidence.original_filename if evidence.kind == Evidence.Kind.FILE else "",
        "url": evidence.url if evidence.kind == Evidence.Kind.LINK else "",
        "statement": evidence.statement if evidence.kind == Evidence.Kind.STATEMENT else "",
        "criteria": [c.code for c in criteria],
    }


@transaction.atomic
def evidence_submit(*, evidence: Evidence, by: User, comment: str = "") -> Evidence:
    application = _lock(evidence.application)  # the application first, then the evidence
    evidence = Evidence.objects.select_for_update().select_related("application").get(pk=evidence.pk)
    can.can_submit_evidence.require(by, evidence, WorkflowError)
    _submit(application, evidence, by=by, comment=comment)
    return evidence


@transaction.atomic
def evidence_submit_drafts(*, application: Application, evidence_ids: list, by: User) -> list[Evidence]:
    """The lead submits several drafts for review in one go: all of them, or none (the
    first that cannot be submitted says why)."""
    application = _lock(application)  # the application first, then the evidence
    drafts = list(
        Evidence.objects.select_for_update()
        .select_related("application")
        .filter(application=application, public_id__in=evidence_ids)
        .order_by("created_at", "pk")
    )
    if not drafts:
        raise WorkflowError("Select the drafts to submit.")
    for evidence in drafts:
        refusal = can.can_submit_evidence.refusal(by, evidence)
        if refusal:
            raise WorkflowError(f"“{evidence.title}”: {refusal}")
    for evidence in drafts:
        _submit(application, evidence, by=by)
    return drafts


def _submit(application: Application, evidence: Evidence, *, by: User, comment: str = "") -> None:
    if evidence.status == Evidence.Status.CHANGES_REQUESTED and comment.strip():
        record_transition(evidence, action=EvidenceEvent.Action.RESPONDED, by=by, note=comment.strip())
    evidence.submitted_at = timezone.now()
    record_transition(
        evidence,
        Evidence.Status.SUBMITTED,
        action=EvidenceEvent.Action.SUBMITTED,
        by=by,
        update_fields=("submitted_at",),
    )
    _touch(application)


@transaction.atomic
def evidence_review(*, evidence: Evidence, by: User, decision: str, comment: str = "", seen_status: str) -> Evidence:
    """The officer accepts an item or asks for changes. `seen_status` is the status the
    officer was looking at: if another officer decided meanwhile, nothing changes."""
    application = _lock(evidence.application)  # the application first, then the evidence
    evidence = Evidence.objects.select_for_update().select_related("application").get(pk=evidence.pk)
    if not by.is_officer:
        raise WorkflowError("Only a council officer can review evidence.")
    if evidence.status != seen_status or evidence.status != Evidence.Status.SUBMITTED:
        last = evidence.events.exclude(action=EvidenceEvent.Action.CREATED).select_related("by").last()
        who = f" by {last.by} ({last.get_action_display().lower()})" if last and last.by else ""
        raise WorkflowError(
            f"This evidence has changed since you opened it: it is now {evidence.get_status_display().lower()}{who}."
        )
    can.can_review_evidence.require(by, evidence, WorkflowError)
    if decision not in (Evidence.Status.ACCEPTED, Evidence.Status.CHANGES_REQUESTED):
        raise WorkflowError("Choose accept or ask for changes.")
    if decision == Evidence.Status.CHANGES_REQUESTED and not comment.strip():
        raise WorkflowError("Say what needs to change, so the school can act on it.")
    record_transition(evidence, decision, action=decision, by=by, note=comment.strip())
    _touch(application)
    if decision == Evidence.Status.CHANGES_REQUESTED:
        _notify(
            lead_emails(application),
            f"changes requested: {evidence.title}",
            "changes_requested",
            evidence=evidence,
            comment=comment.strip(),
            url=absolute_url(evidence),
        )
    else:
        _notify(
            lead_emails(application),
            f"evidence accepted: {evidence.title}",
            "evidence_accepted",
            evidence=evidence,
            comment=comment.strip(),
            url=absolute_url(application),
        )
    return evidence


# ---------------------------------------------------------------- re-accreditation


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
        from .selectors import can_reaccredit_now

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


# ---------------------------------------------------------------- schemes


@transaction.atomic
def scheme_new_version(*, scheme: Scheme, by: User) -> Scheme:
    """A draft copy of `scheme` (standards and criteria) to edit: published criteria keep
    their meaning for the schools that answered them, so changes go into a new version."""
    if not by.is_officer:
        raise WorkflowError("Only a council officer can make a new version of a scheme.")
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
    if not by.is_officer:
        raise WorkflowError("Only a council officer can publish a scheme.")
    if scheme.status != Scheme.Status.DRAFT:
        raise WorkflowError(f"{scheme} is already {scheme.get_status_display().lower()}.")
    if not Criterion.objects.filter(standard__scheme=scheme).exists():
        raise WorkflowError(f"{scheme} has no criteria yet.")
    Scheme.objects.filter(name=scheme.name, status=Scheme.Status.PUBLISHED).update(status=Scheme.Status.RETIRED)
    scheme.status, scheme.published_on = Scheme.Status.PUBLISHED, timezone.localdate()
    scheme.save(update_fields=["status", "published_on"])
    audit_record("scheme.publish", actor=by, target=scheme)
    return scheme
