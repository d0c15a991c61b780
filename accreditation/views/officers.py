"""The officers' caseload: their own work first, the team's waiting items beside it."""

import datetime

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from charter.selectors import pledges_awaiting_approval
from ppp.audit.services import audit_record
from ppp.csvsafe import csv_safe
from ppp.decorators import officer_required
from ppp.exports import csv_download
from ppp.pagination import first_of

from .. import selectors
from ..filters import ApplicationFilter
from ..models import Application

PANEL_SIZE = 10


@officer_required
@require_GET
def caseload(request):
    filterset = ApplicationFilter(request.GET, queryset=selectors.caseload_applications(), request=request)
    rows = filterset.qs.order_by("status", "organisation__name", "pk")
    if request.GET.get("format") == "csv":
        return _caseload_csv(request, rows)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    mine = filterset.only_mine
    waiting = first_of(selectors.evidence_waiting_for_review(officer=request.user if mine else None), 20)
    for item in waiting["items"]:
        item.days_waiting = (timezone.now() - item.submitted_at).days if item.submitted_at else 0
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
            "waiting": waiting,
            "dates_to_confirm": first_of(
                selectors.visit_dates_to_confirm(officer=request.user if mine else None), PANEL_SIZE
            ),
            "unassigned": first_of(selectors.unassigned_applications(), PANEL_SIZE),
            "visits_this_week": first_of(
                selectors.visits_between(
                    today, today + datetime.timedelta(days=7), officer=request.user if mine else None
                ),
                PANEL_SIZE,
            ),
            "write_ups_due": first_of(selectors.overdue_write_ups(officer=request.user if mine else None), PANEL_SIZE),
            "awaiting_ratification": first_of(selectors.awards_awaiting_ratification(), PANEL_SIZE),
            "pledges_to_approve": first_of(pledges_awaiting_approval(), PANEL_SIZE),
            "expiring": first_of(selectors.awards_expiring(today), PANEL_SIZE),
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
