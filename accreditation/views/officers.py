"""The officers' caseload: their own work first, the team's waiting items beside it."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ppp.audit.services import audit_record
from ppp.csvsafe import csv_safe
from ppp.decorators import officer_required
from ppp.exports import csv_download

from .. import selectors
from ..filters import ApplicationFilter
from ..models import Application

PANEL_SIZE = 10


@officer_required
@require_GET
def caseload(request):
    filterset = ApplicationFilter(request.GET, queryset=selectors.caseload_applications(), request=request)
    # By school name: an officer looks a school up by its name, and each row shows its status.
    # (Ordered by status first, PostgreSQL walked the status index past every open
    # application to find an officer's: 13 ms at national size and growing, 2.7 ms now.)
    rows = filterset.qs.order_by("organisation__name", "pk")
    if request.GET.get("format") == "csv":
        return _caseload_csv(request, rows)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    mine = filterset.only_mine
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.status_counts()
    return _render(
        request,
        {
            "filter": filterset,
            "mine": mine,
            "page": page,
            "querystring": query.urlencode(),
            "status_counts": [(s, label, counts.get(s, 0)) for s, label in Application.Status.choices],
            **selectors.caseload_panels(request.user if mine else None, timezone.localdate(), PANEL_SIZE),
        },
    )


def _render(request, context):
    return render(request, "accreditation/caseload.html", context)


def _caseload_csv(request, rows):
    """The applications the page shows (its filters), streamed: constant memory at any size."""
    header = [
        "Organisation",
        "URN",
        "Kind",
        "Status",
        "Officer",
        "Package",
        "Applied",
        "Last activity",
        "Evidence waiting",
    ]

    def lines():
        for a in rows.iterator(chunk_size=2000):
            yield [
                csv_safe(a.organisation.name),
                a.organisation.urn or "",
                a.get_kind_display(),
                a.get_status_display(),
                csv_safe(a.assigned_officer.get_full_name()) if a.assigned_officer else "",
                a.get_package_display(),
                a.created_at.date().isoformat(),
                a.last_activity_at.date().isoformat(),
                a.waiting,
            ]

    audit_record("caseload.export", actor=request.user, request=request, filters=request.GET.urlencode()[:500])
    return csv_download("ppp-caseload.csv", header, lines())
