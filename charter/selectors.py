"""Reads about the charter that several pages or other apps use. Nothing here writes."""

import datetime

from django.db.models import Q

from ppp.accounts.models import Organisation
from ppp.certificates.models import IssuedCertificate
from ppp.certificates.services import certificate_for
from ppp.tokens import hash_token

from .models import Charter, CommissionedProvider, Pledge, PledgeEvent


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
