"""Search: part of `accreditation.selectors` (see its docstring)."""

from django.db.models import Q

from ppp.search import PER_SOURCE, SearchGroup, SearchResult, as_uuid, group, organisation_matches, search_sources

from ..models import (
    Application,
)


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
