"""Reads other apps and several pages use: what the award may take from incidents (a
governors' report, counts only), and the record-access trail."""

import datetime

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from accreditation.selectors import attached_criterion_codes, scheme_criterion_codes
from ppp.accounts.models import Organisation
from ppp.audit.models import AuditEvent
from ppp.dates import start_of_day
from ppp.home import HomeSection, HomeTask, home_sections
from ppp.offers import EvidenceOffer, evidence_offer_sources

from . import permissions
from .models import OPEN_STATUSES, FiguresRelease, Incident, IncidentRole, Status
from .terms import TERMS, Term

# The award's criteria about recording and reviewing incidents.
EVIDENCE_CRITERIA = {
    "1.2": "Every bullying incident is recorded in one place",
    "1.3": "Incidents are reviewed, and patterns monitored and reported to governors termly",
}


def evidence_title(term: Term) -> str:
    return f"Governors' report on bullying incidents, {term.label}"


@evidence_offer_sources.register
def award_evidence_offers(application, user, evidence) -> list[EvidenceOffer]:
    """For the school's award page: attach this term's governors' report (counts only,
    small numbers hidden) to criteria 1.2 and 1.3, unless it is already attached
    (`evidence`: the application's, as the award page read it)."""
    organisation = application.organisation
    if not permissions.can_see_reports(user, organisation):
        return []
    term = Term.of(timezone.localdate())
    title = evidence_title(term)
    codes = scheme_criterion_codes(application.scheme, EVIDENCE_CRITERIA)
    attached = attached_criterion_codes(application, evidence, title=title)
    return [
        EvidenceOffer(
            criterion_code=code,
            title=f"This term's governors' report on bullying incidents ({term.label})",
            summary="Counts only, with numbers under 5 hidden: no pupil references, no descriptions, no records.",
            attach_url=reverse(
                "incidents:award-attach", kwargs={"application": application.public_id, "criterion": code}
            ),
            button="Attach this term's governors' report",
            preview_url=reverse("incidents:governors-pdf") + f"?term={term.slug}&copy=award",
        )
        for code in sorted(codes - attached)
    ]


INCIDENT_ACTIONS = ("incident.", "incidents.")


def access_events(organisation):
    """Who opened, printed, exported or changed which record of the school, newest first."""
    query = Q()
    for prefix in INCIDENT_ACTIONS:
        query |= Q(action__startswith=prefix)
    return AuditEvent.objects.filter(query, organisation=organisation).select_related("actor").order_by("-at", "-id")


@home_sections.register
def home_section(user, membership) -> HomeSection | None:
    """Incidents on a school's home, for the staff who work with them: pupils' reports
    waiting to be opened and reviews due (counts and links only, never what a record says)."""
    organisation = membership.organisation
    if not permissions.can_use_incidents(user, organisation):
        return None
    today = timezone.localdate()
    mine = Incident.objects.for_user(user).filter(organisation=organisation)
    counts = mine.aggregate(
        waiting=Count("pk", filter=Q(status=Status.NEW)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, review_date__lt=today)),
        soon=Count(
            "pk",
            filter=Q(status__in=OPEN_STATUSES, review_date__gte=today, review_date__lte=today + datetime.timedelta(7)),
        ),
    )
    listing = reverse("incidents:list")
    tasks = []
    if counts["waiting"]:
        tasks.append(HomeTask(_plural(counts["waiting"], "new report") + " to open", f"{listing}?status=new"))
    if counts["overdue"]:
        tasks.append(
            HomeTask(_plural(counts["overdue"], "review") + " overdue", f"{listing}?review=overdue", due="Overdue")
        )
    if counts["soon"]:
        tasks.append(HomeTask(_plural(counts["soon"], "review") + " due within 7 days", f"{listing}?review=week"))
    links = [HomeTask("Incidents", listing), HomeTask("Record an incident", reverse("incidents:new"))]
    if permissions.can_see_reports(user, organisation):
        links.append(HomeTask("This term's report", reverse("incidents:report")))
    return HomeSection("Bullying incidents", tasks=tasks, links=links)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


# The council's figures: stored releases, and which settings take part


def figure_releases() -> list:
    """Every published release, newest term first, without its tables (1 query)."""
    order = {key: n for n, (key, _label, _months) in enumerate(TERMS)}
    rows = list(FiguresRelease.objects.defer("tables", "system"))
    return sorted(rows, key=lambda release: (release.year, order[release.term]), reverse=True)


def figure_release(year: int, term: str):
    """One release without its tables (1 query; `release_tables` reads them), or None."""
    return FiguresRelease.objects.defer("system", "tables").filter(year=year, term=term).first()


RELEASE_CACHE_SECONDS = 60 * 60 * 24 * 30


def release_tables(release: FiguresRelease, which: str) -> list[dict]:
    """The stored tables of `release` for `which` ("all" or "bullying"), kept in the shared
    cache under the release (its id and when it was made: a release never changes once
    made). Read from the database, a national release is some 200 KB of JSON, both views,
    that took 15 ms to read and parse on every view of the page; kept, one view's tables
    are one cache read (docs/adr/0087)."""
    stamp = f"incidents:release:{release.pk}:{release.published_at.timestamp()}"
    found = cache.get(f"{stamp}:{which}")
    if found is not None:
        return found
    stored = FiguresRelease.objects.filter(pk=release.pk).values_list("tables", flat=True).first() or []
    views: dict[str, list[dict]] = {which: []}
    for table in stored:
        views.setdefault(table["variant"], []).append(table)
    cache.set_many({f"{stamp}:{variant}": tables for variant, tables in views.items()}, RELEASE_CACHE_SECONDS)
    return views[which]


def participation(term: Term, recorded: bool | None = None):
    """Settings that can record incidents (someone there has an incident role), each with
    whether it has recorded anything in `term`: a yes or no, not a count."""
    recorded_in_term = Incident.objects.filter(
        organisation=OuterRef("pk"), reported_at__gte=start_of_day(term.start), reported_at__lt=start_of_day(term.end)
    )
    settings = (
        Organisation.objects.filter(Exists(IncidentRole.objects.filter(membership__organisation=OuterRef("pk"))))
        .annotate(recorded=Exists(recorded_in_term))
        .order_by("name", "pk")
    )
    if recorded is not None:
        settings = settings.filter(recorded=recorded)
    return settings.values("name", "kind", "recorded")


def reviews_incidents(user, organisation) -> bool:
    """Whether `user` is the school's lead or one of its incident reviewers: the staff
    other apps trust with what a child may disclose (surveys' free text). Never an officer."""
    return permissions.can_review_incidents(user, organisation)


def needs_two_factor(user) -> bool:
    """Whether `user` may read incident records anywhere (a lead, or staff who record or
    review them), and so must use two-factor authentication (ADR 0031): for other apps'
    pages that hold what a child may disclose (surveys' free text)."""
    return permissions.needs_two_factor(user)


def has_reporting_link(organisation) -> bool:
    """Whether `organisation` has a pupils' reporting link that works now."""
    from .services import active_link

    return active_link(organisation) is not None


def reporting_link_matches(organisation, token: str) -> bool:
    """Whether `token` opens `organisation`'s current pupils' reporting link."""
    from .services import link_for_token

    link = link_for_token(token)
    return link is not None and link.organisation_id == organisation.pk and link.retired_at is None
