"""Schemes: part of `accreditation.services` (see its docstring)."""

from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import User
from ppp.audit.services import audit_record

from ..models import (
    Criterion,
    Scheme,
    Standard,
)
from ._base import WorkflowError


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
