"""Reads about the charter that several pages or other apps use. Nothing here writes."""

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ppp.accounts.models import Organisation
from ppp.certificates.models import IssuedCertificate
from ppp.certificates.services import certificate_for
from ppp.home import HomeSection, HomeTask, home_sections
from ppp.search import PER_SOURCE, SearchGroup, SearchResult, as_uuid, group, organisation_matches, search_sources
from ppp.tokens import hash_token

from .models import Charter, CommissionedProvider, Pledge, PledgeEvent

CLOSE_NAMES = 5


def close_organisations(name: str, *, commissioner) -> list[Organisation]:
    """Organisations already on PPP whose names are close to `name`: its words in any order
    (plural or not), or, on PostgreSQL, a similar spelling (pg_trgm's `%` through the trigram
    index on UPPER(name)). Not the commissioner, nor those already on its list."""
    from django.db.models.functions import Upper

    from ppp.postgres import is_postgresql

    name = " ".join((name or "").split())
    if not name:
        return []
    rows = (
        Organisation.objects.exclude(pk=commissioner.pk)
        .exclude(
            pk__in=CommissionedProvider.objects.filter(commissioner=commissioner, provider__isnull=False).values(
                "provider"
            )
        )
        .annotate(upper_name=Upper("name"))
    )
    condition = organisation_matches(name)
    if is_postgresql():
        from django.contrib.postgres.search import TrigramSimilarity

        condition |= Q(upper_name__trigram_similar=name.upper())
        rows = rows.filter(condition).annotate(similarity=TrigramSimilarity("upper_name", name.upper()))
        return list(rows.order_by("-similarity", "name", "pk")[:CLOSE_NAMES])
    return list(rows.filter(condition).order_by("name", "pk")[:CLOSE_NAMES])


def current_charter() -> Charter | None:
    """The charter organisations sign today: the latest published version."""
    return Charter.objects.current()


def current_pledge(organisation: Organisation) -> Pledge | None:
    """The organisation's pledge that still stands (not withdrawn), if any."""
    return Pledge.objects.current().filter(organisation=organisation).first()


def has_approved_pledge(organisation: Organisation) -> bool:
    """True when the organisation's pledge is approved (and not lapsed or withdrawn)."""
    return Pledge.objects.filter(organisation=organisation, status=Pledge.Status.APPROVED).exists()


def pledges_awaiting_approval():
    """Pledges waiting for an officer's decision, oldest first."""
    return Pledge.objects.awaiting_approval().select_related("organisation")


def is_approved_commissioner(organisation: Organisation) -> bool:
    """Only a commissioner whose pledge the council has approved lists providers."""
    return Pledge.objects.filter(
        organisation=organisation,
        status=Pledge.Status.APPROVED,
        delivery_role__in=[Pledge.DeliveryRole.COMMISSIONER, Pledge.DeliveryRole.BOTH],
    ).exists()


def matching_organisations(queryset, *, name: str, postcode: str, urn: str = ""):
    """Organisations in `queryset` with the same URN, or the same name and postcode."""
    urn = (urn or "").strip()
    squashed = postcode.replace(" ", "").upper()
    found = []
    if urn:
        found += list(queryset.filter(Q(urn=urn) | Q(claimed_urn=urn)))
    for candidate in queryset.filter(name__iexact=name.strip()):
        if candidate.postcode.replace(" ", "").upper() == squashed and candidate not in found:
            found.append(candidate)
    return found


def duplicate_organisation(*, name: str, postcode: str, urn: str = "") -> Organisation | None:
    """A confirmed organisation already on PPP with the same URN, or the same name and
    postcode. Organisations made by public sign-ups that no officer has approved yet do
    not count: a stranger's sign-up must not lock the real organisation out."""
    found = matching_organisations(
        Organisation.objects.filter(provisional=False), name=name, postcode=postcode, urn=urn
    )
    return found[0] if found else None


def possible_duplicates(organisation: Organisation) -> list[Organisation]:
    """Other organisations a provisional one may be the same as, for the officer deciding."""
    return matching_organisations(
        Organisation.objects.exclude(pk=organisation.pk),
        name=organisation.name,
        postcode=organisation.postcode,
        urn=organisation.claimed_urn or organisation.urn or "",
    )


def pledge_for_token(token: str) -> Pledge | None:
    return Pledge.objects.filter(verification_token_hash=hash_token(token)).select_related("organisation").first()


def pledge_certificate(pledge: Pledge) -> IssuedCertificate | None:
    """The certificate of the pledge's latest approval or review, if it is approved."""
    if pledge.status != Pledge.Status.APPROVED:
        return None
    event = (
        pledge.events.filter(action__in=[PledgeEvent.Action.APPROVED, PledgeEvent.Action.REVIEWED])
        .order_by("-at", "-pk")
        .first()
    )
    return certificate_for(event) if event else None


def providers_with_status(commissioner: Organisation, today: datetime.date):
    """The commissioner's providers, each with `pledge` and `state`. Two queries.

    A provider that has agreed to share its charter status shows it: pledged / due for
    review / awaiting approval / lapsed / not signed. Until then the commissioner sees only
    what anyone sees on the public register: "on the register" or "not on the register"
    (with `awaiting_acceptance` set), and `pledge` is None."""
    providers = list(
        CommissionedProvider.objects.filter(commissioner=commissioner).select_related("provider").order_by("name")
    )
    ids = [p.provider_id for p in providers if p.provider_id]
    pledges = {p.organisation_id: p for p in Pledge.objects.current().filter(organisation_id__in=ids)}
    for provider in providers:
        pledge = pledges.get(provider.provider_id)
        provider.awaiting_acceptance = bool(provider.provider_id and not provider.accepted_at)
        if provider.awaiting_acceptance:
            provider.pledge = None
            provider.state = "on the register" if pledge is not None and pledge.on_register else "not on the register"
            continue
        provider.pledge = pledge
        if pledge is None or pledge.status == Pledge.Status.UNVERIFIED:
            provider.state = "not signed"
        elif pledge.status == Pledge.Status.APPROVED:
            provider.state = "due for review" if pledge.review_window_open(today) else "pledged"
        elif pledge.status == Pledge.Status.LAPSED:
            provider.state = "lapsed"
        else:
            provider.state = "awaiting approval"
    return providers


def changes_asked(pledge: Pledge) -> PledgeEvent | None:
    """The council's comment on a returned pledge (None unless it is returned now)."""
    if pledge.status != Pledge.Status.RETURNED:
        return None
    return pledge.events.filter(action=PledgeEvent.Action.RETURNED).select_related("by").order_by("-at", "-pk").first()


@home_sections.register
def home_section(user, membership) -> HomeSection | None:
    """The charter on an organisation's home: sign, change, renew or review the pledge."""
    organisation = membership.organisation
    pledge = current_pledge(organisation)
    lead = membership.is_lead
    if pledge is None:
        return HomeSection(
            "The Anti-Bullying Charter",
            tasks=[
                HomeTask(
                    "Sign the Anti-Bullying Charter", reverse("charter:organisation-sign", args=[organisation.slug])
                )
            ]
            if lead
            else [],
            summary="" if lead else f"{organisation} has not signed the charter yet. Your lead signs it.",
        )
    tasks = []
    if pledge.status == Pledge.Status.RETURNED:
        comment = changes_asked(pledge)
        tasks.append(
            HomeTask(
                "Change your pledge as the council asked, and resubmit it"
                if lead
                else "The council asked for changes to your pledge",
                pledge.get_absolute_url(),
                detail=comment.note if comment else "",
            )
        )
    elif pledge.status == Pledge.Status.LAPSED:
        tasks.append(
            HomeTask(
                "Renew your lapsed pledge" if lead else "Your pledge has lapsed",
                pledge.get_absolute_url(),
                due="Overdue",
            )
        )
    elif pledge.review_window_open(timezone.localdate()) and pledge.review_due_on is not None:
        overdue = pledge.review_due_on < timezone.localdate()
        tasks.append(
            HomeTask(
                "Send your annual charter review" if lead else "Your annual charter review is due",
                reverse("charter:review-create", args=[pledge.public_id]) if lead else pledge.get_absolute_url(),
                due="Overdue" if overdue else f"Due {pledge.review_due_on:%-d %B %Y}",
            )
        )
    requests = CommissionedProvider.objects.filter(provider=organisation).awaiting_acceptance().count()
    if requests and lead:
        tasks.append(
            HomeTask(
                f"{requests} commissioner{'s ask' if requests != 1 else ' asks'} to see your charter status",
                reverse("charter:provider-requests", args=[organisation.slug]),
            )
        )
    summary = f"Your pledge is {pledge.get_status_display().lower()}"
    if pledge.status == Pledge.Status.APPROVED and pledge.review_due_on:
        summary += f"; the next review is due on {pledge.review_due_on:%-d %B %Y}"
    return HomeSection(
        "The Anti-Bullying Charter",
        tasks=tasks,
        links=[HomeTask("Your pledge", pledge.get_absolute_url(), detail=pledge.get_status_display())],
        summary=summary + f" (reviews open {settings.CHARTER_REVIEW_WINDOW_DAYS} days before they are due).",
    )


@search_sources.register
def search_results(user, query: str) -> SearchGroup | None:
    """Pledges by the organisation's name, URN or postcode, the signatory, or reference."""
    if not user.is_officer:
        return None
    reference = as_uuid(query)
    if reference:
        condition = Q(public_id=reference)
    else:
        condition = organisation_matches(query, "organisation__") | Q(signatory_email__iexact=query.strip())
    rows = list(
        Pledge.objects.for_user(user)
        .filter(condition)
        .select_related("organisation", "charter")
        .order_by("organisation__name", "-signed_on")[: PER_SOURCE + 1]
    )
    return group(
        "Charter pledges",
        rows,
        lambda p: SearchResult(
            p.organisation.name,
            p.get_absolute_url(),
            detail=f"Signed {p.signed_on:%-d %B %Y} by {p.signatory_name}" if p.signed_on else p.signatory_name,
            status=p.get_status_display(),
        ),
    )
