"""Commissioners: part of `charter.services` (see its docstring)."""

import datetime

from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import Membership, Organisation, User
from ppp.audit.services import audit_record
from ppp.links import absolute_url

from .. import selectors
from ..models import CommissionedProvider
from ..permissions import (
    can_answer_provider_request,
    can_manage_providers,
)
from ._base import CharterError
from ._helpers import _mail_after_commit

PROVIDERS_ADDED_PER_DAY = 100


class CloseNames(CharterError):
    """No organisation has exactly this name, but some have close ones: ask "did you mean"
    before inviting a new organisation (a duplicate of one already here)."""

    def __init__(self, name: str, matches: list[Organisation]):
        super().__init__(f"Check whether {name} is already on Positive and Peaceful Places under a close name.")
        self.name, self.matches = name, matches


@transaction.atomic
def provider_add(
    *,
    commissioner: Organisation,
    by: User,
    name: str,
    email: str = "",
    urn: str = "",
    organisation: Organisation | None = None,
    new: bool = False,
    request=None,
) -> CommissionedProvider:
    """List a provider the commissioner funds: an organisation on PPP (found by URN, exact
    name, or chosen from close names: `organisation`), else a new one by name and email,
    who is invited to sign the charter. Close names are offered first (`CloseNames`) unless
    the commissioner said it is `new`. An organisation on PPP is asked, through its lead,
    to agree before the commissioner sees its charter status (`provider_accept`)."""
    Organisation.objects.select_for_update().get(pk=commissioner.pk)
    can_manage_providers.require(by, commissioner, CharterError)
    added_today = CommissionedProvider.objects.filter(
        commissioner=commissioner, added_at__gte=timezone.now() - datetime.timedelta(days=1)
    ).count()
    if added_today >= PROVIDERS_ADDED_PER_DAY:
        raise CharterError(f"You can add up to {PROVIDERS_ADDED_PER_DAY} providers a day. Add the rest tomorrow.")
    name, email, urn = name.strip(), email.strip().lower(), urn.strip()
    found = Organisation.objects.filter(urn=urn).first() if urn else None
    if found is None and organisation is not None:
        found = organisation
    if found is None:
        matches = list(Organisation.objects.filter(name__iexact=name)[:2])
        found = matches[0] if len(matches) == 1 else None
    if found is None and not new:
        close = selectors.close_organisations(name, commissioner=commissioner)
        if close:
            raise CloseNames(name, close)
    if found is not None and found.pk == commissioner.pk:
        raise CharterError("An organisation cannot list itself as its own provider.")
    if found is None and not email:
        raise CharterError(f"{name} is not on Positive and Peaceful Places yet: give an email address to invite them.")
    if found is not None and CommissionedProvider.objects.filter(commissioner=commissioner, provider=found).exists():
        raise CharterError(f"{found.name} is already on your list of providers.")
    if found is None and CommissionedProvider.objects.filter(commissioner=commissioner, email__iexact=email).exists():
        raise CharterError(f"{email} is already on your list of providers.")
    provider = CommissionedProvider.objects.create(
        commissioner=commissioner, provider=found, name=found.name if found else name, email=email, added_by=by
    )
    audit_record("provider.add", actor=by, target=provider, organisation=commissioner, request=request)
    if found is not None:
        _mail_after_commit(
            f"{commissioner} lists {found} as a provider it commissions",
            "charter/email/provider_request.txt",
            {"provider": provider, "url": absolute_url("charter:provider-requests", slug=found.slug)},
            provider_emails(provider),
        )
    if found is None:
        provider.last_reminded_at = timezone.now()
        provider.save(update_fields=["last_reminded_at"])
        _mail_after_commit(
            f"{commissioner} invites you to sign Leicester's Anti-Bullying Charter",
            "charter/email/provider_invite.txt",
            {"provider": provider, "url": absolute_url("charter:sign")},
            [email],
        )
    return provider


def provider_emails(provider: CommissionedProvider) -> list[str]:
    """Where a provider's emails go: an organisation on PPP hears through its leads only
    (never an address the commissioner typed, which could be anyone's); one not on PPP
    yet at the address the commissioner gave."""
    if provider.provider_id:
        emails = set(
            Membership.objects.leads()
            .filter(organisation_id=provider.provider_id)
            .values_list("user__email", flat=True)
        )
    else:
        emails = {provider.email}
    return sorted(emails - {""})


@transaction.atomic
def provider_remind(*, provider: CommissionedProvider, by: User, request=None) -> CommissionedProvider:
    """Email the provider a reminder to sign (or review) the charter; once a week at most."""
    provider = CommissionedProvider.objects.select_for_update().select_related("commissioner").get(pk=provider.pk)
    can_manage_providers.require(by, provider.commissioner, CharterError)
    if provider.provider_id and provider.accepted_at is None:
        raise CharterError(
            f"{provider.name} has not agreed yet to be listed as your provider. "
            "You can send reminders once its lead has agreed."
        )
    if provider.last_reminded_at and provider.last_reminded_at > timezone.now() - datetime.timedelta(days=7):
        raise CharterError(f"{provider.name} was reminded on {provider.last_reminded_at:%d %B %Y}. Wait a week.")
    to = provider_emails(provider)
    if not to:
        raise CharterError(f"We have no email address for {provider.name}.")
    pledge = selectors.current_pledge(provider.provider) if provider.provider is not None else None
    provider.last_reminded_at = timezone.now()
    provider.save(update_fields=["last_reminded_at"])
    audit_record("provider.remind", actor=by, target=provider, organisation=provider.commissioner, request=request)
    _mail_after_commit(
        f"A reminder from {provider.commissioner} about Leicester's Anti-Bullying Charter",
        "charter/email/provider_remind.txt",
        {"provider": provider, "pledge": pledge, "url": absolute_url("charter:sign")},
        to,
    )
    return provider


@transaction.atomic
def provider_remove(*, provider: CommissionedProvider, by: User, request=None) -> None:
    provider = CommissionedProvider.objects.select_for_update().select_related("commissioner").get(pk=provider.pk)
    can_manage_providers.require(by, provider.commissioner, CharterError)
    audit_record("provider.remove", actor=by, target=provider, organisation=provider.commissioner, request=request)
    provider.delete()


@transaction.atomic
def provider_accept(*, provider: CommissionedProvider, by: User, request=None) -> CommissionedProvider:
    """The provider's lead agrees that the commissioner may see its charter status."""
    provider = (
        CommissionedProvider.objects.select_for_update(of=("self",))
        .select_related("commissioner", "provider")
        .get(pk=provider.pk)
    )
    can_answer_provider_request.require(by, provider, CharterError)
    if provider.accepted_at:
        raise CharterError(f"You already share your charter status with {provider.commissioner}.")
    provider.accepted_at, provider.accepted_by = timezone.now(), by
    provider.save(update_fields=["accepted_at", "accepted_by"])
    audit_record("provider.accept", actor=by, target=provider, organisation=provider.provider, request=request)
    return provider


@transaction.atomic
def provider_decline(*, provider: CommissionedProvider, by: User, request=None) -> None:
    """The provider's lead says the commissioner does not commission them (or may not see
    their status): the link is removed, and the commissioner sees it no more."""
    provider = (
        CommissionedProvider.objects.select_for_update(of=("self",))
        .select_related("commissioner", "provider")
        .get(pk=provider.pk)
    )
    can_answer_provider_request.require(by, provider, CharterError)
    audit_record(
        "provider.decline",
        actor=by,
        target=provider,
        organisation=provider.provider,
        request=request,
        commissioner=provider.commissioner.name,
    )
    provider.delete()
