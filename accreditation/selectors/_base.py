"""What every part shares: part of `accreditation.selectors` (see its docstring)."""

from collections import defaultdict

from django.db.models import Prefetch

from ..models import (
    Application,
    Criterion,
    Evidence,
    Scheme,
    Standard,
)

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
