"""The list and recording: part of `incidents.views` (see its docstring)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ppp.once import submitted_once

from .. import permissions, reports, services
from ..filters import IncidentFilter
from ..forms import (
    IncidentForm,
)
from ..models import Incident
from ..services import IncidentError
from ._base import PAGE_SIZE, _school


@login_required
@require_GET
def incident_list(request):
    organisation = _school(request)
    incidents = Incident.objects.for_user(request.user).filter(organisation=organisation)
    filterset = IncidentFilter(request.GET or None, queryset=incidents)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else incidents
    # In the order of the "Happened" column, newest first; reports whose date is not known
    # yet (a pupil's, waiting to be opened) first of all.
    rows = rows.order_by(F("occurred_at").desc(nulls_first=True), "-reported_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "incidents/list.html",
        {
            "organisation": organisation,
            "filter": filterset,
            "page": page,
            "querystring": query.urlencode(),
            "today": today,
            "actions": permissions.organisation_actions(request.user, organisation),
            "status_counts": reports.status_counts(incidents),
            "overdue": incidents.review_overdue(today).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def incident_new(request):
    organisation = _school(request, "record")
    form = IncidentForm(
        request.POST or None,
        initial={"reported_by": "staff", "parents_informed": "no", "reported_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_record(
                organisation=organisation, by=request.user, details=form.details(), request=request
            )
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Incident {incident.reference} recorded.")
            return redirect(incident)
    return render(request, "incidents/form.html", {"form": form, "organisation": organisation, "mode": "new"})
