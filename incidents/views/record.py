"""One record: part of `incidents.views` (see its docstring)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.audit.services import audit_record
from ppp.once import submitted_once

from .. import permissions, services
from ..forms import (
    IncidentForm,
    NoteForm,
    ReasonForm,
    ReplyForm,
    ResolveForm,
    ReviewForm,
)
from ..models import IncidentEvent, PupilMessage, Status
from ..selectors import access_events
from ..services import IncidentError
from ._base import _attachment, _incident, _pdf, _require, _viewed


@login_required
@require_GET
def incident_detail(request, pk):
    incident = _incident(request, pk)
    user = request.user
    actions = permissions.allowed_actions(user, incident)
    _viewed(request, incident)
    context = {
        "incident": incident,
        "actions": actions,
        "today": timezone.localdate(),
        "involvements": list(incident.involvements.select_related("added_by").order_by("created_at", "id")),
        "conversation": list(incident.messages.select_related("by")) if incident.from_pupil else [],
        "notes": list(incident.notes.select_related("by")),
        "events": list(IncidentEvent.objects.filter(incident=incident).select_related("by").order_by("at", "id")),
        "access": list(
            access_events(incident.organisation).filter(target_id=str(incident.pk), action__startswith="incident.")[:10]
        )
        if "access_log" in actions
        else [],
    }
    return render(request, "incidents/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request, pk):
    incident = _incident(request, pk)
    _require(permissions.can_edit_incident, request.user, incident)
    if incident.status == Status.NEW and permissions.can_triage_incident(request.user, incident):
        return redirect("incidents:triage", pk=incident.public_id)
    form = IncidentForm(request.POST or None, incident=incident)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(incident=incident, by=request.user, details=form.details(), request=request)
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Record saved. The history shows what changed.")
            return redirect(incident)
    if request.method == "GET":
        _viewed(request, incident, "edit")
    return render(request, "incidents/form.html", {"form": form, "incident": incident, "mode": "edit"})


@login_required
@require_http_methods(["GET", "POST"])
def incident_triage(request, pk):
    incident = _incident(request, pk)
    _require(permissions.can_triage_incident, request.user, incident)
    initial = IncidentForm.initial_from(incident)
    if incident.from_pupil and not initial["description"]:
        first = incident.messages.filter(sender=PupilMessage.Sender.PUPIL).order_by("created_at", "id").first()
        initial["description"] = (first.body or "") if first else ""
    initial["parents_informed"] = initial["parents_informed"] or "no"
    form = IncidentForm(request.POST or None, initial=initial, submit_label="Open the incident")
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_triage(incident=incident, by=request.user, details=form.details(), request=request)
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            next_step = "" if incident.involvements.exists() else " Add the people involved next."
            messages.success(request, f"Incident {incident.reference} is open.{next_step}")
            return redirect(incident)
    if request.method == "GET":
        _viewed(request, incident, "triage")
    return render(
        request,
        "incidents/form.html",
        {
            "form": form,
            "incident": incident,
            "mode": "triage",
            "conversation": list(incident.messages.all()) if incident.from_pupil else [],
        },
    )


def _small_form(request, pk, *, check, form_class, template_title, service, done, prefill=None):
    """A page with one small form that moves the incident (review, resolve, reopen, dismiss)."""
    incident = _incident(request, pk)
    _require(check, request.user, incident)
    form = form_class(request.POST or None, initial=prefill(incident) if prefill else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(incident, form.cleaned_data)
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(incident)
    return render(request, "incidents/small_form.html", {"form": form, "incident": incident, "title": template_title})


@login_required
@require_http_methods(["GET", "POST"])
def incident_review(request, pk):
    return _small_form(
        request,
        pk,
        check=permissions.can_set_review,
        form_class=ReviewForm,
        template_title="Set a review",
        prefill=lambda i: {"review_date": i.review_date},
        service=lambda incident, data: services.incident_review_set(
            incident=incident, by=request.user, review_date=data["review_date"], request=request
        ),
        done="Review set. You will get a reminder on the day.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_resolve(request, pk):
    return _small_form(
        request,
        pk,
        check=permissions.can_resolve_incident,
        form_class=ResolveForm,
        template_title="Resolve the incident",
        service=lambda incident, data: services.incident_resolve(
            incident=incident, by=request.user, outcome=data["outcome"], request=request
        ),
        done="Incident resolved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_reopen(request, pk):
    return _small_form(
        request,
        pk,
        check=permissions.can_reopen_incident,
        form_class=ReasonForm,
        template_title="Reopen the incident",
        service=lambda incident, data: services.incident_reopen(
            incident=incident, by=request.user, reason=data["reason"], request=request
        ),
        done="Incident reopened.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_dismiss(request, pk):
    return _small_form(
        request,
        pk,
        check=permissions.can_dismiss_incident,
        form_class=ReasonForm,
        template_title="Close without recording an incident",
        service=lambda incident, data: services.incident_dismiss(
            incident=incident, by=request.user, reason=data["reason"], request=request
        ),
        done="Report closed. It is kept, and not counted in any figures.",
    )


@login_required
@require_POST
def incident_close(request, pk):
    incident = _incident(request, pk)
    try:
        services.incident_close(incident=incident, by=request.user, request=request)
    except IncidentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Incident closed.")
    return redirect(incident)


@login_required
@require_POST
@submitted_once
def note_add(request, pk):
    incident = _incident(request, pk)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise IncidentError(form.errors["body"][0])
        services.note_add(incident=incident, by=request.user, body=form.cleaned_data["body"], request=request)
    except IncidentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Note added.")
    return redirect(incident)


@login_required
@require_POST
@submitted_once
def pupil_reply(request, pk):
    incident = _incident(request, pk)
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise IncidentError(form.errors["body"][0])
        services.pupil_reply(incident=incident, by=request.user, body=form.cleaned_data["body"], request=request)
    except IncidentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Reply sent. The pupil reads it when they come back with their code.")
    return redirect(f"{incident.get_absolute_url()}#conversation")


@login_required
@require_GET
def incident_print(request, pk):
    incident = _incident(request, pk)
    _require(permissions.can_print_incident, request.user, incident)
    html = render_to_string(
        "incidents/print/record.html",
        {
            "incident": incident,
            "involvements": incident.involvements.order_by("created_at", "id"),
            "conversation": incident.messages.all() if incident.from_pupil else [],
            "notes": incident.notes.select_related("by"),
            "events": IncidentEvent.objects.filter(incident=incident).select_related("by").order_by("at", "id"),
            "printed_by": request.user,
            "printed_at": timezone.now(),
        },
    )
    pdf = _pdf(html)
    audit_record("incident.print", actor=request.user, target=incident, request=request)
    return _attachment(pdf, "application/pdf", f"incident-{incident.reference}.pdf")
