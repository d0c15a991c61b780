"""Roles and the reporting link: part of `incidents.services` (see its docstring)."""

import secrets

from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import Membership
from ppp.audit.services import audit_record

from .. import permissions
from ..models import (
    IncidentRole,
    ReportingLink,
    hash_token,
)
from ._base import IncidentError


@transaction.atomic
def incident_role_set(*, membership: Membership, by, can_record: bool, can_review: bool, request=None) -> IncidentRole:
    """The lead grants or takes away "records incidents" and "reviews incidents"."""
    membership = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    permissions.can_manage_incidents.require(by, membership.organisation, IncidentError)
    if membership.is_lead:
        raise IncidentError("The lead always records and reviews incidents.")
    role, _ = IncidentRole.objects.get_or_create(membership=membership)
    role.can_record, role.can_review, role.updated_by = can_record, can_review, by
    role.save()
    audit_record(
        "incidents.role_set",
        actor=by,
        target=membership,
        organisation=membership.organisation,
        request=request,
        person=membership.user.email,
        records=can_record,
        reviews=can_review,
    )
    return role


@transaction.atomic
def reporting_link_create(*, organisation, by, token: str | None = None, request=None) -> tuple[ReportingLink, str]:
    """A new secret link for pupils (192 random bits); the old one stops working. Returns
    the link and its token, which is never stored and cannot be shown again."""
    permissions.can_manage_incidents.require(by, organisation, IncidentError)
    now = timezone.now()
    retired = ReportingLink.objects.select_for_update().filter(organisation=organisation, retired_at__isnull=True)
    had_one = retired.update(retired_at=now) > 0
    token = token or secrets.token_urlsafe(24)
    link = ReportingLink.objects.create(organisation=organisation, token_hash=hash_token(token), created_by=by)
    audit_record(
        "incidents.reporting_link_rotated" if had_one else "incidents.reporting_link_created",
        actor=by,
        target=link,
        organisation=organisation,
        request=request,
    )
    return link, token


def active_link(organisation) -> ReportingLink | None:
    return ReportingLink.objects.filter(organisation=organisation, retired_at__isnull=True).first()


def link_for_token(token: str) -> ReportingLink | None:
    """The link a token opens (retired ones too, to say politely that they have stopped)."""
    if not token or len(token) > 100:
        return None
    return ReportingLink.objects.by_token(token).select_related("organisation").first()


# Retention
