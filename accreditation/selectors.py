"""Reads about the award that several pages or other apps use. Nothing here writes."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ppp.accounts.models import Organisation

from .models import Application, Award, Criterion, Evidence, LegacyAward, Scheme, Visit

S = Application.Status


def current_scheme() -> Scheme | None:
    """The scheme schools apply to today: the latest published version."""
    return Scheme.current()


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


def criteria_without_accepted_evidence(application: Application) -> list[Criterion]:
    """Required criteria that no accepted evidence shows yet (warned about before awarding)."""
    accepted = Evidence.objects.filter(application=application, status=Evidence.Status.ACCEPTED).values("criteria")
    return list(
        Criterion.objects.filter(standard__scheme=application.scheme, evidence_required=True)
        .exclude(pk__in=accepted)
        .select_related("standard")
    )


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


def reaccreditation_opens_on(application: Application) -> datetime.date | None:
    """The first day a school holding a current award can start re-accrediting
    (REACCREDITATION_OPENS_DAYS before it expires); None if its award is not current."""
    award = Award.objects.filter(application=application, status=Award.Status.ISSUED).first()
    if award is None:
        return None
    return award.expires_on - datetime.timedelta(days=settings.REACCREDITATION_OPENS_DAYS)


def can_reaccredit_now(application: Application, today: datetime.date | None = None) -> str | None:
    """Why the school cannot start re-accrediting from `application` today, or None."""
    today = today or timezone.localdate()
    if application.status not in (S.ACCREDITED, S.EXPIRED):
        return "Re-accreditation starts from an award."
    if Application.objects.open().filter(organisation=application.organisation).exists():
        return f"{application.organisation} already has an application in progress."
    opens = reaccreditation_opens_on(application)
    if opens is not None and opens > today:
        return (
            f"You can start re-accreditation from {opens:%-d %B %Y}, "
            f"{settings.REACCREDITATION_OPENS_DAYS} days before your award expires."
        )
    return None


def _mine(queryset, officer, path: str = "application__"):
    """Only `officer`'s cases and the ones nobody has yet (or everything, officer None)."""
    if officer is None:
        return queryset
    return queryset.filter(Q(**{f"{path}assigned_officer": officer}) | Q(**{f"{path}assigned_officer__isnull": True}))


def caseload_applications():
    """Applications with their evidence waiting for review counted per row, by a
    subquery (no join and GROUP BY over every evidence row)."""
    waiting = (
        Evidence.objects.filter(application=OuterRef("pk"), status=Evidence.Status.SUBMITTED)
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Application.objects.select_related("organisation", "scheme", "assigned_officer").annotate(
        waiting=Coalesce(Subquery(waiting), 0)
    )


def unassigned_applications():
    return (
        Application.objects.open()
        .filter(assigned_officer__isnull=True)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )


def evidence_waiting_for_review(officer=None):
    """Submitted evidence of open applications, oldest first (optionally `officer`'s)."""
    return _mine(
        Evidence.objects.filter(status=Evidence.Status.SUBMITTED, application__status__in=Application.OPEN_STATUSES)
        .select_related("application__organisation", "application__assigned_officer")
        .order_by("submitted_at", "pk"),
        officer,
    )


def next_evidence_waiting(*, after: Evidence, officer) -> Evidence | None:
    """Where an officer goes after reviewing `after`: the next item waiting in the same
    application, else the oldest waiting on their own caseload."""
    waiting = evidence_waiting_for_review().exclude(pk=after.pk)
    return (
        waiting.filter(application_id=after.application_id).first()
        or waiting.filter(application__assigned_officer=officer).first()
    )


def stale_applications(today: datetime.date, days: int = 30):
    """Open applications with nothing done for `days` days."""
    cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time()))
    return Application.objects.open().filter(last_activity_at__lt=cutoff)


def overdue_write_ups(officer=None):
    """Scheduled visits whose time has passed without the officer recording them."""
    return _mine(
        Visit.objects.filter(status=Visit.Status.SCHEDULED, starts_at__lt=timezone.now())
        .select_related("application__organisation")
        .order_by("starts_at", "pk"),
        officer,
    )


def status_counts() -> dict[str, int]:
    """How many applications are in each status."""
    return dict(Application.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def visits_between(start: datetime.date, end: datetime.date, officer=None):
    return _mine(
        Visit.objects.filter(status=Visit.Status.SCHEDULED, starts_at__date__gte=start, starts_at__date__lte=end)
        .select_related("application__organisation")
        .order_by("starts_at", "pk"),
        officer,
    )


def visit_dates_to_confirm(officer=None):
    """Visits for which a school has offered dates that no officer has confirmed yet."""
    return _mine(
        Visit.objects.filter(status=Visit.Status.REQUESTED, application__status__in=Application.OPEN_STATUSES)
        .select_related("application__organisation", "application__assigned_officer")
        .order_by("created_at", "pk"),
        officer,
    )


def awards_expiring(today: datetime.date, within_days: int = 90):
    return (
        Award.objects.filter(
            status=Award.Status.ISSUED,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("application__organisation")
        .order_by("expires_on")
    )


def awards_awaiting_ratification():
    return Award.objects.filter(status=Award.Status.AWAITING_RATIFICATION).select_related(
        "application__organisation", "awarded_by"
    )


@dataclass(frozen=True)
class EvidenceOffer:
    """Something another part of PPP holds that shows a criterion, which the school's staff
    can attach as evidence in one click (a training record, a governors' report of incident
    figures). The offering app builds it; its own view at `attach_url` (POST) attaches it
    through `accreditation.services.evidence_add`."""

    criterion_code: str
    title: str
    summary: str
    attach_url: str
    button: str = "Attach as evidence"
    preview_url: str = ""


def evidence_offers(application: Application, user) -> dict[str, list[EvidenceOffer]]:
    """What other apps offer as evidence for `application`, by criterion code.

    Each app that holds evidence for the award answers through its own selectors;
    nothing is offered once the application is closed.
    """
    if not application.is_open or application.status == Application.Status.APPLIED:
        return {}
    offers: list[EvidenceOffer] = []
    for source in _offer_sources():
        offers.extend(source(application, user))
    by_code: dict[str, list[EvidenceOffer]] = {}
    for offer in offers:
        by_code.setdefault(offer.criterion_code, []).append(offer)
    return by_code


def _offer_sources():
    """The apps that offer evidence to the award: each has `award_evidence_offers(application, user)`."""
    return []


@dataclass(frozen=True)
class Step:
    """One thing to do next on an application, for the award page's "What to do next"."""

    text: str
    url: str = ""


def next_steps(application: Application, user, evidence: list[Evidence], visits: list[Visit]) -> list[Step]:
    """The specific next steps for the person looking, from rows the page already has."""
    from django.urls import reverse

    from ppp.accounts.selectors import is_lead, is_member

    if not application.is_open:
        return []
    pk = application.public_id
    requested = [v for v in visits if v.status == Visit.Status.REQUESTED]
    unwritten = [
        v for v in visits if v.status == Visit.Status.SCHEDULED and v.starts_at and v.starts_at < timezone.now()
    ]
    booked = [v for v in visits if v.status == Visit.Status.SCHEDULED and v.starts_at and v.starts_at >= timezone.now()]
    changes = [e for e in evidence if e.status == Evidence.Status.CHANGES_REQUESTED]
    drafts = [e for e in evidence if e.status == Evidence.Status.DRAFT]
    submitted = [e for e in evidence if e.status == Evidence.Status.SUBMITTED]
    steps: list[Step] = []
    if user.is_officer:
        steps += [
            Step(f"Confirm a date for the {v.get_kind_display().lower()}", v.get_absolute_url()) for v in requested
        ]
        steps += [
            Step(
                f"Write up the {v.get_kind_display().lower()} of {timezone.localtime(v.starts_at):%-d %B}",
                v.get_absolute_url(),
            )
            for v in unwritten
        ]
        if application.status == S.APPLIED and not (requested or booked or unwritten):
            steps.append(Step("Book the initial visit", reverse("accreditation:visit-new", args=[pk])))
        if application.status == S.PLANNING:
            steps.append(
                Step(
                    "Agree the action plan when the school has drafted it",
                    reverse("accreditation:action-plan", args=[pk]),
                )
            )
        if submitted:
            steps.append(
                Step(
                    f"Review {len(submitted)} item{'s' if len(submitted) != 1 else ''} of evidence waiting",
                    submitted[0].get_absolute_url(),
                )
            )
        if application.status == S.ASSESSMENT and not submitted:
            steps.append(Step("Every item is reviewed: make the award, or ask for more evidence, below"))
        return steps
    if not is_member(user, application.organisation):
        return steps
    lead = is_lead(user, application.organisation)
    steps += [Step(f"Change “{e.title}” as your officer asked", e.get_absolute_url()) for e in changes]
    if application.status == S.APPLIED and not (requested or booked):
        steps.append(
            Step("Offer two or three dates for your initial visit", reverse("accreditation:visit-new", args=[pk]))
            if lead
            else Step("Your lead offers dates for the initial visit")
        )
    if application.status == S.PLANNING:
        steps.append(Step("Rate your setting in the self-review", reverse("accreditation:self-review", args=[pk])))
        steps.append(
            Step("Draft your action plan for your officer to agree", reverse("accreditation:action-plan", args=[pk]))
        )
    if application.status == S.EVIDENCING:
        if drafts:
            steps.append(
                Step(
                    f"Submit {len(drafts)} draft{'s' if len(drafts) != 1 else ''} for review",
                    drafts[0].get_absolute_url(),
                )
                if lead
                else Step(f"{len(drafts)} draft{'s' if len(drafts) != 1 else ''} waiting for your lead to submit")
            )
        missing = missing_criteria(application)
        if missing:
            codes = ", ".join(c.code for c in missing[:3]) + (
                f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            )
            steps.append(
                Step(
                    f"Add evidence for {codes}",
                    reverse("accreditation:evidence-add", args=[pk]) + f"?criterion={missing[0].pk}",
                )
            )
        elif lead and not drafts and not changes:
            steps.append(Step("Submit for assessment: every criterion has evidence"))
    if application.status == S.ASSESSMENT:
        steps.append(Step("Your officer is assessing your evidence. Nothing to do until they decide."))
    return steps
