"""People involved: part of `incidents.views` (see its docstring)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ppp.audit.services import audit_record, audit_records
from ppp.crypto import blind_index
from ppp.once import submitted_once

from .. import permissions, services
from ..forms import (
    InvolvementForm,
    PupilReferenceForm,
    RemovePersonForm,
)
from ..models import Incident, Involvement, Role
from ..services import IncidentError
from ._base import _incident, _involvement, _require, _school, _viewed


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def involvement_new(request, pk):
    incident = _incident(request, pk)
    _require(permissions.can_add_involvement, request.user, incident)
    form = InvolvementForm(request.POST or None, initial={"role": Role.TARGET})
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.involvement_add(
                incident=incident,
                by=request.user,
                pupil_reference=c["pupil_reference"],
                year_group=c["year_group"],
                send=c["send"],
                role=c["role"],
                request=request,
            )
        except IncidentError as error:
            form.add_error(getattr(error, "field", None), str(error))
        else:
            messages.success(request, "Person added.")
            if request.POST.get("another"):
                return redirect("incidents:involvement-new", pk=incident.public_id)
            return redirect(f"{incident.get_absolute_url()}#people")
    return render(request, "incidents/involvement_form.html", {"form": form, "incident": incident})


@login_required
@require_http_methods(["GET", "POST"])
def involvement_edit(request, pk):
    involvement = _involvement(request, pk)
    incident = involvement.incident
    _require(permissions.can_edit_incident, request.user, incident)
    initial = {
        "pupil_reference": involvement.pupil_reference,
        "role": involvement.role,
        "year_group": involvement.year_group,
        "send": involvement.send,
    }
    form = InvolvementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.involvement_update(
                involvement=involvement,
                by=request.user,
                pupil_reference=c["pupil_reference"],
                year_group=c["year_group"],
                send=c["send"],
                role=c["role"],
                request=request,
            )
        except IncidentError as error:
            form.add_error(getattr(error, "field", None), str(error))
        else:
            messages.success(request, "Saved.")
            return redirect(f"{incident.get_absolute_url()}#people")
    if request.method == "GET":
        _viewed(request, incident, "person involved")
    return render(
        request, "incidents/involvement_form.html", {"form": form, "incident": incident, "involvement": involvement}
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_remove(request, pk):
    """A reviewer removes a pupil wrongly attached to the record, with a reason."""
    involvement = _involvement(request, pk)
    incident = involvement.incident
    _require(permissions.can_remove_involvement, request.user, incident)
    form = RemovePersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.involvement_remove(
                involvement=involvement, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except IncidentError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, "Person removed from the record. The history keeps why.")
            return redirect(f"{incident.get_absolute_url()}#people")
    if request.method == "GET":
        _viewed(request, incident, "person involved")
    return render(
        request, "incidents/involvement_remove.html", {"form": form, "incident": incident, "involvement": involvement}
    )


def _pupil_rows(organisation, index: str, user):
    """Every involvement of one pupil reference at the school that `user` may see."""
    return list(
        Involvement.objects.filter(incident__organisation=organisation, pupil_index=index)
        .filter(incident__in=Incident.objects.for_user(user))
        .select_related("incident")
        .order_by("-incident__occurred_at", "-incident__reported_at")
    )


def _shown(request, action, organisation, rows):
    """Each record a look-up showed gets its own audit event, so its "Who has opened this
    record" shows the look-up too (one query, however many records)."""
    incidents = list({row.incident.pk: row.incident for row in rows}.values())
    audit_records(action, actor=request.user, targets=incidents, organisation=organisation, request=request)


@login_required
@require_GET
def pupil_history(request, pk):
    involvement = _involvement(request, pk)
    organisation = involvement.incident.organisation
    _require(permissions.can_review_incidents, request.user, organisation)
    rows = _pupil_rows(organisation, involvement.pupil_index, request.user) if involvement.pupil_index else []
    audit_record(
        "incidents.pupil_history", actor=request.user, target=involvement.incident, request=request, records=len(rows)
    )
    _shown(request, "incident.pupil_history", organisation, rows)
    return render(
        request,
        "incidents/pupil_history.html",
        {"involvement": involvement, "rows": rows, "organisation": organisation, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pupil_search(request):
    """Find a pupil's history by reference. POST, so the reference never sits in a URL."""
    organisation = _school(request, "pupil_search")
    form = PupilReferenceForm(request.POST or None)
    rows = None
    if request.method == "POST" and form.is_valid():
        rows = _pupil_rows(organisation, blind_index(form.cleaned_data["pupil_reference"]), request.user)
        audit_record(
            "incidents.pupil_search", actor=request.user, organisation=organisation, request=request, found=len(rows)
        )
        _shown(request, "incident.pupil_search", organisation, rows)
    return render(
        request,
        "incidents/pupil_search.html",
        {"form": form, "rows": rows, "organisation": organisation, "today": timezone.localdate()},
    )
