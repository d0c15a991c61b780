"""Visits: the school offers dates, the officer books, confirms or moves, records and
cancels; anyone at the school adds it to a calendar and downloads the report."""

import datetime

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.audit.services import audit_record
from ppp.forms import posted
from ppp.history import history_of
from ppp.links import absolute_url
from ppp.once import submitted_once
from ppp.pdf import render_pdf

from .. import permissions, services
from ..forms import (
    ReasonForm,
    VisitCompleteForm,
    VisitConfirmForm,
    VisitMoveForm,
    VisitRecordPastForm,
    VisitRequestForm,
    VisitScheduleForm,
)
from ..models import Visit
from ..services import WorkflowError
from .common import get_application, get_visit, standing


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def visit_new(request, pk):
    """Officers book a visit (or record one that already happened); leads offer dates."""
    application = get_application(request, pk)
    actions = permissions.application_actions(request.user, application)
    recording = request.GET.get("record") == "1" or request.POST.get("record") == "1"
    if "book_visit" in actions:
        form_class = VisitRecordPastForm if recording else VisitScheduleForm
        initial = {"address": application.organisation.address.replace("\n", ", "), "mode": Visit.Mode.IN_PERSON}
        form = form_class(posted(request), initial=initial)
    elif "request_visit" in actions:
        recording = False
        form = VisitRequestForm(posted(request))
    else:
        raise PermissionDenied(
            permissions.can_request_visit.refusal(request.user, application)
            or "Only the lead or a council officer can arrange visits."
        )
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            if recording:
                visit = services.visit_record_past(
                    application=application,
                    by=request.user,
                    kind=c["kind"],
                    mode=c["mode"],
                    starts_at=form.starts_at(),
                    location=form.location(),
                    attendees=c["attendees"],
                    duration_minutes=c["duration_minutes"],
                    report=c["report"],
                    outcome=c["outcome"],
                    notes=c["notes"],
                )
                done = "Visit recorded. The school can read your report."
            elif "book_visit" in actions:
                visit = services.visit_schedule(
                    application=application,
                    by=request.user,
                    kind=c["kind"],
                    mode=c["mode"],
                    starts_at=form.starts_at(),
                    location=form.location(),
                    attendees=c["attendees"],
                    duration_minutes=c["duration_minutes"],
                )
                done = "Visit booked. The school has been told."
            else:
                visit = services.visit_request(
                    application=application,
                    by=request.user,
                    kind=c["kind"],
                    mode=c["mode"],
                    preferred=form.preferred(),
                    note=c["note"],
                )
                done = "Dates sent to your officer."
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            return redirect(visit)
    return render(
        request,
        "accreditation/visit_new.html",
        {
            "form": form,
            "application": application,
            "recording": recording,
            "actions": actions,
            **standing(request.user, application),
        },
    )


def _render_visit(request, visit: Visit, *, status: int = 200, **forms) -> HttpResponse:
    actions = permissions.visit_actions(request.user, visit)
    context = {
        "visit": visit,
        "application": visit.application,
        "actions": actions,
        "history": history_of(visit),
        "form": next(iter(forms.values()), None),
        **standing(request.user, visit.application),
    }
    if "confirm" in actions:
        action = reverse("accreditation:visit-confirm", args=[visit.public_id])
        if visit.status == Visit.Status.REQUESTED:
            form = forms.get("confirm_form") or VisitConfirmForm(visit=visit, prefix="confirm")
            context["confirm_form"] = form
        else:
            form = forms.get("move_form") or VisitMoveForm(visit=visit, prefix="move")
            context["move_form"] = form
        form.helper.form_action = action
    if "record" in actions:
        context["record_form"] = forms.get("record_form") or VisitCompleteForm(visit=visit, prefix="record")
        today = timezone.localdate()
        context["visit_day_come"] = bool(visit.starts_at) and timezone.localdate(visit.starts_at) <= today
    if "cancel" in actions:
        context["cancel_form"] = forms.get("cancel_form") or ReasonForm(prefix="cancel")
    return render(request, "accreditation/visit_detail.html", context, status=status)


@login_required
@require_GET
def visit_detail(request, pk):
    return _render_visit(request, get_visit(request, pk))


@login_required
@require_POST
def visit_confirm(request, pk):
    """Confirm a date the school offered, or move a booked visit (with the reason)."""
    visit = get_visit(request, pk)
    refusal = permissions.can_confirm_visit.refusal(request.user, visit)
    if refusal:
        messages.error(request, refusal)
        return redirect(visit)
    moving = visit.status == Visit.Status.SCHEDULED
    form = (
        VisitMoveForm(request.POST, visit=visit, prefix="move")
        if moving
        else VisitConfirmForm(request.POST, visit=visit, prefix="confirm")
    )
    if form.is_valid():
        c = form.cleaned_data
        try:
            services.visit_schedule(
                application=visit.application,
                by=request.user,
                visit=visit,
                kind=visit.kind,
                mode=c["mode"],
                starts_at=form.starts_at(),
                location=form.location(),
                duration_minutes=c["duration_minutes"],
                reason=c.get("reason", ""),
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Visit moved. The school has been told." if moving else "Visit confirmed.")
            return redirect(visit)
    return _render_visit(request, visit, **{"move_form" if moving else "confirm_form": form})


@login_required
@require_POST
def visit_record(request, pk):
    visit = get_visit(request, pk)
    form = VisitCompleteForm(request.POST, visit=visit, prefix="record")
    if form.is_valid():
        c = form.cleaned_data
        try:
            services.visit_complete(
                visit=visit,
                by=request.user,
                report=c["report"],
                outcome=c["outcome"],
                notes=c["notes"],
                happened_at=form.happened_at(),
            )
        except WorkflowError as error:
            # What the officer typed stays in the form, with the reason beside it.
            form.add_error(None, str(error))
        else:
            messages.success(request, "Visit recorded. The school can read your report.")
            return redirect(visit)
    return _render_visit(request, visit, record_form=form)


@login_required
@require_POST
def visit_cancel(request, pk):
    visit = get_visit(request, pk)
    form = ReasonForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            services.visit_cancel(visit=visit, by=request.user, reason=form.cleaned_data["reason"])
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Visit cancelled.")
        return redirect(visit)
    return _render_visit(request, visit, cancel_form=form)


@login_required
@require_GET
def visit_ics(request, pk):
    """The visit as a calendar file (icalendar folds and escapes the lines itself)."""
    visit = get_visit(request, pk)
    if visit.status != Visit.Status.SCHEDULED or not visit.starts_at:
        raise Http404("This visit has no confirmed date.")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Leicester City Council//Positive and Peaceful Places//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"visit-{visit.public_id}@ppp.leicester.gov.uk")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", visit.starts_at.astimezone(datetime.UTC))
    event.add("dtend", visit.starts_at.astimezone(datetime.UTC) + datetime.timedelta(minutes=visit.duration_minutes))
    event.add("summary", f"PPP {visit.get_kind_display().lower()}: {visit.application.organisation}")
    event.add("location", visit.location)
    event.add("description", f"{visit.get_mode_display()}. {visit.attendees}".strip())
    event.add("url", absolute_url(visit))
    calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ppp-visit-{visit.starts_at:%Y-%m-%d}.ics"'
    return response


@login_required
@require_GET
def visit_report_download(request, pk):
    """The visit report as a PDF the school can file or send to governors."""
    visit = get_visit(request, pk)
    if visit.status != Visit.Status.COMPLETED:
        raise Http404("The report is written after the visit.")
    html = render_to_string("accreditation/visit_report_print.html", {"visit": visit})
    audit_record("visit.report_download", actor=request.user, target=visit, request=request)
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    # Named by the day of the visit, as its calendar file is, not the day the report was written.
    day = timezone.localtime(visit.starts_at or visit.completed_at)
    response["Content-Disposition"] = f'attachment; filename="ppp-visit-report-{day:%Y-%m-%d}.pdf"'
    return response
