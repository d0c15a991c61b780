"""Reads about the award that several pages or other apps use. Nothing here writes."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from ppp.accounts.models import Organisation
from ppp.dates import start_of_day
from ppp.home import HomeSection, HomeTask, home_sections
from ppp.offers import EvidenceOffer, evidence_offer_sources
from ppp.pagination import first_of
from ppp.search import PER_SOURCE, SearchGroup, SearchResult, as_uuid, group, organisation_matches, search_sources

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
    Visit,
)
from .reports import standard_progress

S = Application.Status


STANDARD_FIELDS = ("pk", "scheme_id", *Standard.FROZEN_FIELDS)
CRITERION_FIELDS = ("pk", *Criterion.FROZEN_FIELDS)


def scheme_standards(scheme: Scheme) -> list[Standard]:
    """`scheme`'s standards in order, each with its criteria prefetched: only the fields
    the award pages show (number, title, description; code, order, statement,
    evidence_required). Two queries."""
    criteria = Criterion.objects.only(*CRITERION_FIELDS).order_by("order", "code")
    return list(
        Standard.objects.filter(scheme=scheme)
        .only(*STANDARD_FIELDS)
        .prefetch_related(Prefetch("criteria", queryset=criteria))
        .order_by("number")
    )


def scheme_criterion_codes(scheme: Scheme, wanted) -> set[str]:
    """Which of the criterion codes `wanted` `scheme` has."""
    return set(Criterion.objects.filter(standard__scheme=scheme, code__in=list(wanted)).values_list("code", flat=True))


def application_evidence(application: Application) -> list[Evidence]:
    """The application's evidence, oldest first, each with `criterion_ids`: the pks of
    the criteria it shows, read from the link table (no criterion rows are built; the
    criteria themselves come with `scheme_standards`). Two queries, whatever the size."""
    evidence = list(application.evidence.order_by("created_at"))
    links = defaultdict(set)
    for evidence_id, criterion_id in Evidence.criteria.through.objects.filter(
        evidence__application=application
    ).values_list("evidence_id", "criterion_id"):
        links[evidence_id].add(criterion_id)
    for item in evidence:
        item.criterion_ids = links[item.pk]
    return evidence


@home_sections.register
def home_section(user, membership) -> HomeSection | None:
    """The award on a school's home: what needs its staff now, then the task list."""
    organisation = membership.organisation
    if not organisation.takes_the_award:
        return None
    application = (
        Application.objects.filter(organisation=organisation)
        .exclude(status=S.WITHDRAWN)
        .select_related("scheme", "assigned_officer")
        .order_by("-created_at")
        .first()
    )
    if application is None:
        return HomeSection(
            "The award",
            tasks=[HomeTask("Apply for the Positive and Peaceful Places award", reverse("accreditation:dashboard"))]
            if membership.is_lead
            else [],
            summary="" if membership.is_lead else "Your lead applies for the award.",
        )
    evidence = application_evidence(application)
    visits = list(application.visits.all())
    tasks = [HomeTask(step.text, step.url) for step in next_steps(application, user, evidence, visits)]
    tasks = _with_officer_comments(tasks, evidence)
    if application.is_open:
        overdue = ActionItem.objects.filter(application=application).overdue().order_by("due_date")[:5]
        tasks += [HomeTask(f"Action: {item.action}", item.get_absolute_url(), due="Overdue") for item in overdue]
    award = Award.objects.filter(application=application, status=Award.Status.ISSUED).first()
    if award is not None and award.expires_on <= timezone.localdate() + datetime.timedelta(days=90):
        tasks.append(
            HomeTask(
                "Start re-accreditation to keep your award",
                reverse("accreditation:apply") + "?reaccredit=1",
                due=f"Expires {award.expires_on:%-d %B %Y}",
            )
        )
    links = [HomeTask("Your award page", application.get_absolute_url(), detail=application.get_status_display())]
    if application.is_open and application.status != S.APPLIED:
        links += [
            HomeTask(
                f"{p['standard'].number}. {p['standard'].title}",
                f"{application.get_absolute_url()}#standard-{p['standard'].number}",
                detail=p["status"],
            )
            for p in standard_progress(scheme_standards(application.scheme), evidence)
        ]
    return HomeSection("The award", tasks=tasks, links=links)


def _with_officer_comments(tasks: list[HomeTask], evidence: list[Evidence]) -> list[HomeTask]:
    """A task to change returned evidence carries the officer's comment."""
    returned = {e.get_absolute_url(): e for e in evidence if e.status == Evidence.Status.CHANGES_REQUESTED}
    if not returned:
        return tasks
    comments = {
        event.evidence_id: event.note
        for event in EvidenceEvent.objects.filter(
            evidence__in=returned.values(), action=EvidenceEvent.Action.CHANGES_REQUESTED
        ).order_by("at", "pk")
    }
    return [
        HomeTask(t.text, t.url, detail=comments.get(returned[t.url].pk, "")) if t.url in returned else t for t in tasks
    ]


def application_for(user, public_id) -> Application | None:
    """The application `user` may see with this public id (None otherwise): for the other
    apps that attach evidence to an award."""
    return (
        Application.objects.for_user(user).select_related("organisation", "scheme").filter(public_id=public_id).first()
    )


def criterion_by_code(application: Application, code: str) -> Criterion | None:
    return Criterion.objects.filter(standard__scheme=application.scheme, code=code).first()


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


def award_of(application: Application) -> Award | None:
    """The application's award (with its certificate and the officer who made it), or
    None. Read once: the answer is kept on `application`, where `application.award` finds
    it too."""
    relation = Award._meta.get_field("application").remote_field  # application.award
    if not relation.is_cached(application):
        award = Award.objects.filter(application=application).select_related("certificate", "awarded_by").first()
        relation.set_cached_value(application, award)
    return cast(Award | None, relation.get_cached_value(application))


PAGE_COUNTS = ("action_count", "overdue_actions", "self_reviewed")


def with_page_counts(applications, today: datetime.date | None = None):
    """`applications` annotated with the award page's summary figures (PAGE_COUNTS): how
    many actions, how many of them are overdue, and how many criteria the school has rated
    in its self-review. The page reads them with its application, in the same query."""
    today = today or timezone.localdate()
    actions = ActionItem.objects.filter(application=OuterRef("pk")).order_by().values("application")
    overdue = actions.filter(due_date__lt=today).exclude(status=ActionItem.Status.DONE)
    reviews = SelfReview.objects.filter(application=OuterRef("pk")).order_by().values("application")
    return applications.annotate(
        action_count=_count_of(actions),
        overdue_actions=_count_of(overdue),
        self_reviewed=_count_of(reviews),
    )


def page_counts(application: Application, today: datetime.date | None = None) -> dict[str, int]:
    """The award page's summary figures (PAGE_COUNTS): from `with_page_counts` if the
    application was read with them, else in one query. No action is overdue once the
    application is closed."""
    if all(hasattr(application, name) for name in PAGE_COUNTS):
        counts = {name: getattr(application, name) for name in PAGE_COUNTS}
    else:
        counts = with_page_counts(Application.objects.filter(pk=application.pk), today).values(*PAGE_COUNTS).get()
    if not application.is_open:
        counts["overdue_actions"] = 0
    return counts


def _count_of(rows):
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def reaccreditation_opens_on(application: Application) -> datetime.date | None:
    """The first day a school holding a current award can start re-accrediting
    (REACCREDITATION_OPENS_DAYS before it expires); None if its award is not current."""
    award = award_of(application)
    if award is None or award.status != Award.Status.ISSUED:
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
    """How many applications are in each status (one grouped read)."""
    return dict(Application.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def visits_between(start: datetime.date, end: datetime.date, officer=None):
    """Scheduled visits on the days `start` to `end` (both included), as a range of times
    so the (status, starts_at) index answers it."""
    return _mine(
        Visit.objects.filter(
            status=Visit.Status.SCHEDULED,
            starts_at__gte=start_of_day(start),
            starts_at__lt=start_of_day(end + datetime.timedelta(days=1)),
        )
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


def reaccreditation_under_way():
    """For an award (as `OuterRef`): has its school started re-accrediting from it?"""
    return Exists(
        Application.objects.filter(
            previous_application_id=OuterRef("application_id"), status__in=Application.OPEN_STATUSES
        )
    )


def awards_expiring(today: datetime.date, within_days: int = 90):
    """Issued awards that expire within `within_days`, each saying whether its school has
    already started re-accreditation (`reaccrediting`)."""
    return (
        Award.objects.filter(
            status=Award.Status.ISSUED,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=within_days),
        )
        .annotate(reaccrediting=reaccreditation_under_way())
        .select_related("application__organisation")
        .order_by("expires_on")
    )


def awards_awaiting_ratification():
    return Award.objects.filter(status=Award.Status.AWAITING_RATIFICATION).select_related(
        "application__organisation", "awarded_by"
    )


# What each caseload panel item shows (templates/accreditation/includes/items/): loading only
# these columns, not every column of four joined tables, halves each panel's cost at
# national size (bench/FINDINGS.md).
_VISIT_FIELDS = (
    "public_id",
    "kind",
    "starts_at",
    "preferred_1",
    "preferred_2",
    "preferred_3",
    "application__organisation__name",
)
_EVIDENCE_FIELDS = ("public_id", "title", "submitted_at", "application__organisation__name")
_APPLICATION_FIELDS = ("public_id", "created_at", "organisation__name")
_AWARD_FIELDS = ("status", "expires_on", "application__public_id", "application__organisation__name")


def caseload_panels(officer, today: datetime.date, size: int = 10) -> dict[str, dict]:
    """The side panels of the caseload: each the first `size` items and whether there are
    more (ppp.pagination.first_of). `officer` narrows them to their own cases and the ones
    nobody has yet; None shows the team's."""
    from charter.selectors import pledges_awaiting_approval

    def by_school(queryset):  # the queues also join the officer, which the panels do not show
        return queryset.select_related(None).select_related("application__organisation")

    waiting = first_of(by_school(evidence_waiting_for_review(officer=officer)).only(*_EVIDENCE_FIELDS), 20)
    now = timezone.now()
    for item in waiting["items"]:
        item.days_waiting = (now - item.submitted_at).days if item.submitted_at else 0
    week = visits_between(today, today + datetime.timedelta(days=7), officer=officer)
    return {
        "waiting": waiting,
        "dates_to_confirm": first_of(by_school(visit_dates_to_confirm(officer=officer)).only(*_VISIT_FIELDS), size),
        "unassigned": first_of(unassigned_applications().only(*_APPLICATION_FIELDS), size),
        "visits_this_week": first_of(week.only(*_VISIT_FIELDS), size),
        "write_ups_due": first_of(overdue_write_ups(officer=officer).only(*_VISIT_FIELDS), size),
        "awaiting_ratification": first_of(
            awards_awaiting_ratification().only(*_AWARD_FIELDS, "awarded_by__full_name", "awarded_by__email"), size
        ),
        "pledges_to_approve": first_of(
            pledges_awaiting_approval().only("public_id", "submitted_at", "organisation__name"), size
        ),
        "expiring": first_of(awards_expiring(today).only(*_AWARD_FIELDS), size),
    }


def evidence_offers(
    application: Application, user, evidence: list[Evidence] | None = None
) -> dict[str, list[EvidenceOffer]]:
    """What other apps offer as evidence for `application`, by criterion code.

    Each app that holds evidence for the award registers a source with
    ppp.offers.evidence_offer_sources and answers from the evidence the page has read
    (`application_evidence`; read here if not given); nothing is offered once the
    application is closed.
    """
    if not application.is_open or application.status == Application.Status.APPLIED:
        return {}
    if evidence is None:
        evidence = application_evidence(application)
    offers: list[EvidenceOffer] = []
    for _label, source in evidence_offer_sources.all():
        offers.extend(source(application, user, evidence))
    by_code: dict[str, list[EvidenceOffer]] = {}
    for offer in offers:
        by_code.setdefault(offer.criterion_code, []).append(offer)
    return by_code


def attached_criterion_codes(application: Application, evidence: list[Evidence], *, title: str) -> set[str]:
    """The codes of the criteria that `application`'s evidence called `title` already
    shows, from evidence read by `application_evidence` (a query only if there is some)."""
    ids = {pk for item in evidence if item.title == title for pk in item.criterion_ids}
    if not ids:
        return set()
    return set(
        Criterion.objects.filter(pk__in=ids, standard__scheme_id=application.scheme_id).values_list("code", flat=True)
    )


@dataclass(frozen=True)
class Step:
    """One thing to do next on an application, for the award page's "What to do next"."""

    text: str
    url: str = ""


@dataclass
class _Page:
    """What the award page has already read, sorted for working out the next steps."""

    application: Application
    evidence: list[Evidence]
    visits: list[Visit]
    missing: list[Criterion] | None = None  # missing_criteria, when the page has read it

    def visits_in(self, status):
        return [v for v in self.visits if v.status == status]

    @property
    def unwritten(self):
        now = timezone.now()
        return [v for v in self.visits_in(Visit.Status.SCHEDULED) if v.starts_at and v.starts_at < now]

    @property
    def booked(self):
        now = timezone.now()
        return [v for v in self.visits_in(Visit.Status.SCHEDULED) if v.starts_at and v.starts_at >= now]

    def evidence_in(self, status):
        return [e for e in self.evidence if e.status == status]

    def url(self, name: str) -> str:
        return reverse(f"accreditation:{name}", args=[self.application.public_id])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def next_steps(
    application: Application,
    user,
    evidence: list[Evidence],
    visits: list[Visit],
    missing: list[Criterion] | None = None,
) -> list[Step]:
    """The specific next steps for the person looking, from rows the page already has
    (`missing`: its missing_criteria, if it has read them)."""
    from ppp.accounts.selectors import is_lead, is_member

    if not application.is_open:
        return []
    page = _Page(application, evidence, visits, missing)
    if user.is_officer:
        return _officer_steps(page)
    if not is_member(user, application.organisation):
        return []
    return _school_steps(page, lead=is_lead(user, application.organisation))


def _officer_steps(page: _Page) -> list[Step]:
    application = page.application
    requested = page.visits_in(Visit.Status.REQUESTED)
    submitted = page.evidence_in(Evidence.Status.SUBMITTED)
    steps = [Step(f"Confirm a date for the {v.get_kind_display().lower()}", v.get_absolute_url()) for v in requested]
    steps += [
        Step(
            f"Write up the {v.get_kind_display().lower()} of {timezone.localtime(v.starts_at):%-d %B}",
            v.get_absolute_url(),
        )
        for v in page.unwritten
    ]
    if application.status == S.APPLIED and not (requested or page.booked or page.unwritten):
        steps.append(Step("Book the initial visit", page.url("visit-new")))
    if application.status == S.PLANNING:
        steps.append(Step("Agree the action plan when the school has drafted it", page.url("action-plan")))
    if submitted:
        steps.append(
            Step(f"Review {_plural(len(submitted), 'item')} of evidence waiting", submitted[0].get_absolute_url())
        )
    elif application.status == S.ASSESSMENT:
        steps.append(Step("Every item is reviewed: make the award, or ask for more evidence, below"))
    return steps


def _school_steps(page: _Page, *, lead: bool) -> list[Step]:
    application = page.application
    changes = page.evidence_in(Evidence.Status.CHANGES_REQUESTED)
    steps = [Step(f"Change “{e.title}” as your officer asked", e.get_absolute_url()) for e in changes]
    if application.status == S.APPLIED and not (page.visits_in(Visit.Status.REQUESTED) or page.booked):
        steps.append(
            Step("Offer two or three dates for your initial visit", page.url("visit-new"))
            if lead
            else Step("Your lead offers dates for the initial visit")
        )
    elif application.status == S.PLANNING:
        steps.append(Step("Rate your setting in the self-review", page.url("self-review")))
        steps.append(Step("Draft your action plan for your officer to agree", page.url("action-plan")))
    elif application.status == S.EVIDENCING:
        steps += _evidencing_steps(page, lead=lead, changes=bool(changes))
    elif application.status == S.ASSESSMENT:
        steps.append(Step("Your officer is assessing your evidence. Nothing to do until they decide."))
    return steps


def _evidencing_steps(page: _Page, *, lead: bool, changes: bool) -> list[Step]:
    steps = []
    drafts = page.evidence_in(Evidence.Status.DRAFT)
    if drafts:
        steps.append(
            Step(
                f"Submit {_plural(len(drafts), 'draft')} for review",
                page.url("evidence-submit-drafts") if len(drafts) > 1 else drafts[0].get_absolute_url(),
            )
            if lead
            else Step(f"{_plural(len(drafts), 'draft')} waiting for your lead to submit")
        )
    missing = page.missing if page.missing is not None else missing_criteria(page.application)
    if missing:
        codes = ", ".join(c.code for c in missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        steps.append(Step(f"Add evidence for {codes}", page.url("evidence-add") + f"?criterion={missing[0].pk}"))
    elif lead and not drafts and not changes:
        steps.append(Step("Submit for assessment: every criterion has evidence"))
    return steps


@search_sources.register
def search_results(user, query: str) -> SearchGroup | None:
    """Applications by the organisation's name, URN or postcode, or by reference."""
    if not user.is_officer:
        return None
    reference = as_uuid(query)
    condition = Q(public_id=reference) if reference else organisation_matches(query, "organisation__")
    rows = list(
        Application.objects.for_user(user)
        .filter(condition)
        .select_related("organisation", "scheme", "assigned_officer")
        .order_by("organisation__name", "-created_at")[: PER_SOURCE + 1]
    )
    return group(
        "Award applications",
        rows,
        lambda a: SearchResult(
            a.organisation.name,
            a.get_absolute_url(),
            detail=" · ".join(
                [a.scheme.name, f"Officer: {a.assigned_officer}" if a.assigned_officer else "Not assigned"]
            ),
            status=a.get_status_display(),
        ),
    )


@dataclass(frozen=True)
class PlanChange:
    at: datetime.datetime
    by: str
    what: str  # "added", "changed" or "deleted"
    action: str  # the action's words (as they were, for a deleted one)
    changes: list[str]  # "Due date: 3 April 2027 → 10 April 2027"


_PLAN_FIELDS = {
    "action": "Action",
    "owner": "Who will do it",
    "due_date": "Due date",
    "success_measure": "How you will know it has worked",
    "status": "Status",
    "criterion_id": "Criterion",
}


def plan_changes(application: Application, limit: int = 30) -> list[PlanChange]:
    """The latest changes to the action plan, newest first: each item added, changed (with
    what changed, from and to) or deleted, and who did it. Two queries at any size."""
    versions = list(
        ActionItem.history.filter(application_id=application.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    criteria = {c.pk: c.code for c in Criterion.objects.filter(standard__scheme_id=application.scheme_id)}
    changes, previous = [], {}  # type: ignore[var-annotated]  # simple_history's rows are untyped
    for version in versions:
        before = previous.get(version.id)
        previous[version.id] = version
        what = {"+": "added", "-": "deleted"}.get(version.history_type, "changed")
        lines = [] if what != "changed" or before is None else _differences(before, version, criteria)
        if what == "changed" and not lines:
            continue
        changes.append(
            PlanChange(
                at=version.history_date,
                by=str(version.history_user) if version.history_user else "Someone",
                what=what,
                action=version.action,
                changes=lines,
            )
        )
    return sorted(changes, key=lambda c: c.at, reverse=True)[:limit]


def _differences(before, after, criteria: dict) -> list[str]:
    def shown(field, value):
        if value in (None, ""):
            return "(none)"
        if field == "due_date":
            return f"{value:%-d %B %Y}"
        if field == "status":
            return ActionItem.Status(value).label
        if field == "criterion_id":
            return criteria.get(value, "(another scheme)")
        return str(value)

    lines = []
    for field, label in _PLAN_FIELDS.items():
        old, new = shown(field, getattr(before, field)), shown(field, getattr(after, field))
        if " ".join(old.split()) != " ".join(new.split()):  # the same words read the same: no change
            lines.append(f"{label}: {old} → {new}")
    return lines
