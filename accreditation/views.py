"""Pages of the award: thin views that fetch through for_user, call a service, render."""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.services import current_pledge, has_approved_pledge
from ppp.accounts.selectors import current_membership, is_lead, is_member
from ppp.audit.services import audit_record
from ppp.csvsafe import csv_safe
from ppp.decorators import officer_required

from . import services
from .filters import ApplicationFilter, AwardHolderFilter
from .forms import (
    ActionItemForm,
    ApplyForm,
    AssignForm,
    AwardForm,
    EvidenceForm,
    EvidenceReviewForm,
    EvidenceSubmitForm,
    NoteForm,
    ReasonForm,
    VisitCompleteForm,
    VisitRequestForm,
    VisitScheduleForm,
)
from .models import ActionItem, Application, Award, Evidence, SelfReview, Standard, Visit
from .reports import standard_progress
from .selectors import evidence_offers
from .services import WorkflowError

# Finding things


def _application(request, pk) -> Application:
    return get_object_or_404(
        Application.objects.for_user(request.user).select_related("organisation", "scheme", "assigned_officer"),
        public_id=pk,
    )


def _role(request, application: Application) -> dict:
    user = request.user
    return {
        "is_officer": user.is_officer,
        "is_lead": is_lead(user, application.organisation),
        "is_member": is_member(user, application.organisation),
    }


# Lead: start and apply


@login_required
def dashboard(request):
    """The award for the organisation the person is working for."""
    if request.user.is_officer:
        return redirect("accreditation:caseload")
    membership = current_membership(request)
    if membership is None:
        return render(request, "accounts/no_organisation.html")
    organisation = membership.organisation
    application = (
        Application.objects.filter(organisation=organisation)
        .exclude(status=Application.Status.WITHDRAWN)
        .order_by("-created_at")
        .first()
    )
    if application and application.status != Application.Status.EXPIRED:
        return redirect(application)
    return render(
        request,
        "accreditation/start.html",
        {
            "organisation": organisation,
            "is_lead": membership.is_lead,
            "scheme": services.Scheme.current(),
            "reaccreditation_source": services.reaccreditation_source(organisation),
            "pledge": current_pledge(organisation),
            "history": Application.objects.filter(organisation=organisation).select_related("scheme"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    membership = current_membership(request)
    if membership is None or not membership.is_lead:
        raise PermissionDenied("Only your organisation's lead can apply for the award.")
    organisation = membership.organisation
    scheme = services.Scheme.current()
    source = services.reaccreditation_source(organisation)
    reaccredit = request.GET.get("reaccredit") == "1" or request.POST.get("reaccredit") == "1"
    blocked = services.application_can_apply(organisation, scheme) if scheme else "No scheme is open for applications."
    initial = {"contact_name": request.user.get_full_name(), "contact_email": request.user.email}
    form = ApplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and not blocked and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            if reaccredit and source:
                application = services.reaccreditation_start(organisation=organisation, by=request.user, **fields)
            else:
                application = services.application_apply(
                    organisation=organisation, scheme=scheme, by=request.user, **fields
                )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Application sent. Your council officer will be in touch to arrange the initial visit."
            )
            return redirect(application)
    return render(
        request,
        "accreditation/apply.html",
        {
            "form": form,
            "organisation": organisation,
            "scheme": scheme,
            "blocked": blocked,
            "needs_pledge": bool(scheme and scheme.requires_pledge and not has_approved_pledge(organisation)),
            "reaccredit": reaccredit and source,
            "source": source,
        },
    )


# The application page


@login_required
def application_detail(request, pk):
    application = _application(request, pk)
    role = _role(request, application)
    evidence = list(application.evidence.prefetch_related("criteria").order_by("created_at"))
    standards = list(Standard.objects.filter(scheme=application.scheme).prefetch_related("criteria").order_by("number"))
    progress = standard_progress(standards, evidence)
    visits = list(application.visits.order_by("starts_at", "created_at"))
    now = timezone.now()
    next_visit = next(
        (v for v in visits if v.status == Visit.Status.SCHEDULED and v.starts_at and v.starts_at >= now), None
    )
    award = (
        Award.objects.filter(application=application).select_related("certificate", "awarded_by", "ratified_by").first()
    )
    context = {
        "application": application,
        **role,
        "progress": progress,
        "evidence": evidence,
        "visits": visits,
        "next_visit": next_visit,
        "overdue_actions": application.action_items.overdue().count(),
        "action_count": application.action_items.count(),
        "timeline": application.status_changes.select_related("by"),
        "award": award,
        "missing": services.missing_criteria(application)
        if application.status == Application.Status.EVIDENCING
        else [],
        "self_reviewed": SelfReview.objects.filter(application=application).count(),
        "pledge": current_pledge(application.organisation),
        "criteria_count": sum(len(p["criteria"]) for p in progress),
        "offers": evidence_offers(application, request.user) if role["is_member"] else {},
    }
    if role["is_officer"]:
        context["assign_form"] = AssignForm(initial={"officer": application.assigned_officer_id}, prefix="assign")
        context["return_form"] = NoteForm(prefix="return")
        context["award_form"] = AwardForm(levels=application.scheme.level_choices, prefix="award")
    context["withdraw_form"] = ReasonForm(prefix="withdraw")
    return render(request, "accreditation/application_detail.html", context)


ACTIONS = {"assign", "agree-plan", "submit", "return", "award", "ratify", "withdraw"}


@login_required
@require_POST
def application_action(request, pk, action):
    application = _application(request, pk)
    if action not in ACTIONS:
        raise Http404("No such action.")
    by = request.user
    try:
        if action == "assign":
            form = AssignForm(request.POST, prefix="assign")
            if not form.is_valid():
                raise WorkflowError("Choose an officer.")
            services.application_assign(application=application, officer=form.cleaned_data["officer"], by=by)
            done = f"Assigned to {form.cleaned_data['officer']}."
        elif action == "agree-plan":
            services.action_plan_agree(application=application, by=by)
            done = "Action plan agreed: the school can now submit evidence."
        elif action == "submit":
            services.application_submit(application=application, by=by)
            done = "Submitted for assessment. Your officer will review your evidence."
        elif action == "return":
            form = NoteForm(request.POST, prefix="return")
            if not form.is_valid():
                raise WorkflowError("Say what more evidence is needed.")
            services.application_return(application=application, by=by, note=form.cleaned_data["note"])
            done = "Returned to the school for more evidence."
        elif action == "award":
            form = AwardForm(request.POST, levels=application.scheme.level_choices, prefix="award")
            if not form.is_valid():
                raise WorkflowError("Choose the level.")
            award = services.application_award(application=application, by=by, level=form.cleaned_data.get("level", ""))
            done = (
                "Award made. A second officer must now ratify it."
                if award.status == Award.Status.AWAITING_RATIFICATION
                else "Award made and certificate issued."
            )
        elif action == "ratify":
            award = get_object_or_404(Award, application=application)
            services.award_ratify(award=award, by=by)
            done = "Award ratified and certificate issued."
        else:  # withdraw
            form = ReasonForm(request.POST, prefix="withdraw")
            if not form.is_valid():
                raise WorkflowError("Give a reason for withdrawing.")
            services.application_withdraw(application=application, by=by, reason=form.cleaned_data["reason"])
            done = "Application withdrawn."
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(application)


# Self-review and action plan


@login_required
@require_http_methods(["GET", "POST"])
def self_review(request, pk):
    application = _application(request, pk)
    role = _role(request, application)
    standards = Standard.objects.filter(scheme=application.scheme).prefetch_related("criteria").order_by("number")
    existing = {r.criterion_id: r for r in SelfReview.objects.filter(application=application)}
    errors = {}
    if request.method == "POST":
        if not (role["is_member"] or role["is_officer"]):
            raise PermissionDenied
        ratings = {}
        for standard in standards:
            for criterion in standard.criteria.all():
                rating = request.POST.get(f"rating-{criterion.pk}", "")
                if rating not in SelfReview.Rating.values:
                    errors[criterion.pk] = f"Choose a rating for {criterion.code}"
                ratings[criterion.pk] = (rating, request.POST.get(f"commentary-{criterion.pk}", "")[:4000])
        if not errors:
            try:
                services.self_review_save(application=application, by=request.user, ratings=ratings)
                if request.POST.get("copy") == "1":
                    created = services.action_items_from_self_review(
                        application=application,
                        by=request.user,
                        due_date=timezone.localdate() + datetime.timedelta(days=90),
                    )
                    messages.success(request, f"Self-review saved. {created} action(s) added to your action plan.")
                    return redirect("accreditation:action-plan", pk=application.public_id)
            except WorkflowError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Self-review saved.")
                return redirect(application)
        existing = {cid: SelfReview(criterion_id=cid, rating=r, commentary=c) for cid, (r, c) in ratings.items()}
    rows = [
        (standard, [(c, existing.get(c.pk), errors.get(c.pk)) for c in standard.criteria.all()])
        for standard in standards
    ]
    return render(
        request,
        "accreditation/self_review.html",
        {"application": application, "rows": rows, "ratings": SelfReview.Rating.choices, "errors": errors, **role},
    )


def _action_items(application):
    return application.action_items.select_related("criterion").order_by("due_date", "id")


@login_required
@require_http_methods(["GET", "POST"])
def action_plan(request, pk):
    application = _application(request, pk)
    role = _role(request, application)
    form = ActionItemForm(request.POST or None, scheme=application.scheme)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_save(application=application, by=request.user, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Action added.")
            return redirect("accreditation:action-plan", pk=application.public_id)
    return render(
        request,
        "accreditation/action_plan.html",
        {
            "application": application,
            "items": _action_items(application),
            "form": form,
            "today": timezone.localdate(),
            **role,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk):
    item = get_object_or_404(
        ActionItem.objects.for_user(request.user).select_related("application__scheme", "application__organisation"),
        public_id=pk,
    )
    application = item.application
    form = ActionItemForm(request.POST or None, instance=item, scheme=application.scheme)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_save(application=application, by=request.user, item=item, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Action saved.")
            return redirect("accreditation:action-plan", pk=application.public_id)
    return render(request, "accreditation/action_edit.html", {"form": form, "item": item, "application": application})


@login_required
@require_GET
def action_plan_csv(request, pk):
    application = _application(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="action-plan-{application.organisation.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(["Criterion", "Action", "Owner", "Due", "Success measure", "Status", "Overdue"])
    for item in _action_items(application):
        writer.writerow(
            [
                item.criterion.code if item.criterion else "",
                csv_safe(item.action),
                csv_safe(item.owner),
                item.due_date.isoformat(),
                csv_safe(item.success_measure),
                item.get_status_display(),
                "yes" if item.is_overdue else "",
            ]
        )
    audit_record("action_plan.export", actor=request.user, target=application, request=request, format="csv")
    return response


@login_required
@require_GET
def action_plan_pdf(request, pk):
    from weasyprint import HTML

    application = _application(request, pk)
    html = render_to_string(
        "accreditation/action_plan_print.html",
        {"application": application, "items": _action_items(application), "today": timezone.localdate()},
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="action-plan-{application.organisation.slug}.pdf"'
    audit_record("action_plan.export", actor=request.user, target=application, request=request, format="pdf")
    return response


# Evidence


@login_required
@require_http_methods(["GET", "POST"])
def evidence_add(request, pk):
    application = _application(request, pk)
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        scheme=application.scheme,
        initial={"criteria": request.GET.getlist("criterion")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            evidence = services.evidence_add(
                application=application,
                by=request.user,
                criteria=form.cleaned_data["criteria"],
                **form.evidence_fields(),
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Evidence saved as a draft. The lead submits it for review.")
            return redirect(evidence)
    return render(request, "accreditation/evidence_form.html", {"form": form, "application": application})


@login_required
@require_http_methods(["GET", "POST"])
def evidence_edit(request, pk):
    evidence = get_object_or_404(
        Evidence.objects.for_user(request.user).select_related("application__scheme", "application__organisation"),
        public_id=pk,
    )
    application = evidence.application
    initial = {
        "title": evidence.title,
        "kind": evidence.kind,
        "url": evidence.url,
        "statement": evidence.statement,
        "criteria": list(evidence.criteria.values_list("pk", flat=True)),
    }
    form = EvidenceForm(
        request.POST or None, request.FILES or None, scheme=application.scheme, editing=evidence, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(
                evidence=evidence, by=request.user, criteria=form.cleaned_data["criteria"], **form.evidence_fields()
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Evidence saved.")
            return redirect(evidence)
    return render(
        request, "accreditation/evidence_form.html", {"form": form, "application": application, "evidence": evidence}
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_detail(request, pk):
    evidence = get_object_or_404(
        Evidence.objects.for_user(request.user).select_related(
            "application__organisation", "application__scheme", "carried_forward_from"
        ),
        public_id=pk,
    )
    application = evidence.application
    role = _role(request, application)
    review_form = EvidenceReviewForm(prefix="review", initial={"seen_status": evidence.status})
    submit_form = EvidenceSubmitForm(prefix="submit")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "review":
                review_form = EvidenceReviewForm(request.POST, prefix="review")
                if review_form.is_valid():
                    services.evidence_review(evidence=evidence, by=request.user, **review_form.cleaned_data)
                    messages.success(request, "Decision saved.")
                    return redirect(evidence)
            elif request.POST.get("action") == "submit":
                submit_form = EvidenceSubmitForm(request.POST, prefix="submit")
                if submit_form.is_valid():
                    services.evidence_submit(
                        evidence=evidence, by=request.user, comment=submit_form.cleaned_data["comment"]
                    )
                    messages.success(request, "Submitted for review.")
                    return redirect(evidence)
            else:
                return HttpResponse("Unknown action", status=400)
        except WorkflowError as error:
            messages.error(request, str(error))
            return redirect(evidence)
    return render(
        request,
        "accreditation/evidence_detail.html",
        {
            "evidence": evidence,
            "application": application,
            "criteria": evidence.criteria.select_related("standard"),
            "events": evidence.events.select_related("by"),
            "review_form": review_form,
            "submit_form": submit_form,
            "form": review_form if review_form.is_bound else submit_form,
            **role,
        },
    )


@login_required
@require_GET
def evidence_download(request, pk):
    evidence = get_object_or_404(
        Evidence.objects.for_user(request.user).select_related("application__organisation"), public_id=pk
    )
    if not evidence.file:
        raise Http404("This evidence has no file.")
    audit_record("evidence.download", actor=request.user, target=evidence, request=request)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_filename or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Visits


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, pk):
    """Officers book a visit; leads offer two or three dates."""
    application = _application(request, pk)
    role = _role(request, application)
    if role["is_officer"]:
        form = VisitScheduleForm(
            request.POST or None, initial={"location": application.organisation.address.replace("\n", ", ")}
        )
    elif role["is_lead"]:
        form = VisitRequestForm(request.POST or None)
    else:
        raise PermissionDenied("Only the lead or a council officer can arrange visits.")
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            if role["is_officer"]:
                visit = services.visit_schedule(
                    application=application,
                    by=request.user,
                    kind=c["kind"],
                    mode=c["mode"],
                    starts_at=form.starts_at(),
                    location=c["location"],
                    attendees=c["attendees"],
                    duration_minutes=c["duration_minutes"],
                )
            else:
                visit = services.visit_request(
                    application=application,
                    by=request.user,
                    kind=c["kind"],
                    mode=c["mode"],
                    preferred=form.preferred(),
                    note=c["note"],
                )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Visit booked." if role["is_officer"] else "Dates sent to your officer.")
            return redirect(visit)
    return render(request, "accreditation/visit_new.html", {"form": form, "application": application, **role})


def _visit(request, pk) -> Visit:
    return get_object_or_404(
        Visit.objects.for_user(request.user).select_related("application__organisation", "application__scheme"),
        public_id=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_detail(request, pk):
    visit = _visit(request, pk)
    application = visit.application
    role = _role(request, application)
    schedule_form = complete_form = cancel_form = None
    if role["is_officer"] and visit.status in (Visit.Status.REQUESTED, Visit.Status.SCHEDULED):
        first = visit.starts_at or visit.preferred_1
        local = timezone.localtime(first) if first else None
        schedule_form = VisitScheduleForm(
            prefix="schedule",
            initial={
                "kind": visit.kind,
                "mode": visit.mode,
                "duration_minutes": visit.duration_minutes,
                "location": visit.location or application.organisation.address.replace("\n", ", "),
                "attendees": visit.attendees,
                "date": local.date() if local else None,
                "time": local.strftime("%H:%M") if local else None,
            },
        )
    if role["is_officer"] and visit.status == Visit.Status.SCHEDULED:
        complete_form = VisitCompleteForm(prefix="complete")
    if (role["is_officer"] or role["is_lead"]) and visit.status in (Visit.Status.REQUESTED, Visit.Status.SCHEDULED):
        cancel_form = ReasonForm(prefix="cancel")
    bound = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "schedule" and schedule_form is not None:
                bound = schedule_form = VisitScheduleForm(request.POST, prefix="schedule")
                if schedule_form.is_valid():
                    c = schedule_form.cleaned_data
                    services.visit_schedule(
                        application=application,
                        by=request.user,
                        visit=visit,
                        kind=c["kind"],
                        mode=c["mode"],
                        starts_at=schedule_form.starts_at(),
                        location=c["location"],
                        attendees=c["attendees"],
                        duration_minutes=c["duration_minutes"],
                        reason=c["reason"],
                    )
                    messages.success(request, "Visit confirmed. The school has been told.")
                    return redirect(visit)
            elif action == "complete" and complete_form is not None:
                bound = complete_form = VisitCompleteForm(request.POST, prefix="complete")
                if complete_form.is_valid():
                    services.visit_complete(visit=visit, by=request.user, **complete_form.cleaned_data)
                    messages.success(request, "Visit recorded. The school can read your report.")
                    return redirect(visit)
            elif action == "cancel" and cancel_form is not None:
                bound = cancel_form = ReasonForm(request.POST, prefix="cancel")
                if cancel_form.is_valid():
                    services.visit_cancel(visit=visit, by=request.user, reason=cancel_form.cleaned_data["reason"])
                    messages.success(request, "Visit cancelled.")
                    return redirect(visit)
            else:
                raise PermissionDenied("You cannot do that to this visit.")
        except WorkflowError as error:
            if bound is not None:
                bound.add_error(None, str(error))
            else:
                messages.error(request, str(error))
    return render(
        request,
        "accreditation/visit_detail.html",
        {
            "visit": visit,
            "application": application,
            "schedule_form": schedule_form,
            "complete_form": complete_form,
            "cancel_form": cancel_form,
            "form": bound,
            **role,
        },
    )


def _ics_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    data, parts = line.encode(), []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut and (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(data[:cut].decode())
        data = data[cut:]
    parts.append(data.decode())
    return "\r\n ".join(parts)


@login_required
@require_GET
def visit_ics(request, pk):
    visit = _visit(request, pk)
    if visit.status != Visit.Status.SCHEDULED or not visit.starts_at:
        raise Http404("This visit has no confirmed date.")
    fmt = "%Y%m%dT%H%M%SZ"
    start = visit.starts_at.astimezone(datetime.UTC)
    end = start + datetime.timedelta(minutes=visit.duration_minutes)
    summary = f"PPP {visit.get_kind_display().lower()}: {visit.application.organisation}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Leicester City Council//Positive and Peaceful Places//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:visit-{visit.public_id}@ppp.leicester.gov.uk",
        f"DTSTAMP:{timezone.now().astimezone(datetime.UTC).strftime(fmt)}",
        f"DTSTART:{start.strftime(fmt)}",
        f"DTEND:{end.strftime(fmt)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"LOCATION:{_ics_text(visit.location)}",
        f"DESCRIPTION:{_ics_text(visit.get_mode_display() + '. ' + visit.attendees)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    response = HttpResponse(
        "\r\n".join(_ics_fold(line) for line in lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="ppp-visit-{visit.starts_at:%Y-%m-%d}.ics"'
    return response


@login_required
@require_GET
def visit_report_download(request, pk):
    visit = _visit(request, pk)
    if visit.status != Visit.Status.COMPLETED:
        raise Http404("The report is written after the visit.")
    text = render_to_string("accreditation/visit_report.txt", {"visit": visit})
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ppp-visit-report-{visit.completed_at:%Y-%m-%d}.txt"'
    return response


# Award pack


@login_required
@require_GET
def award_logo(request, pk):
    application = _application(request, pk)
    award = get_object_or_404(Award, application=application, status=Award.Status.ISSUED)
    svg = render_to_string("accreditation/award_logo.svg", {"award": award})
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="ppp-award-{award.expires_on:%Y}.svg"'
    return response


# Officers


@officer_required
def caseload(request):
    applications = (
        Application.objects.for_user(request.user)
        .select_related("organisation", "scheme", "assigned_officer")
        .annotate(
            waiting=Count("evidence", filter=Q(evidence__status=Evidence.Status.SUBMITTED)),
        )
    )
    filterset = ApplicationFilter(request.GET or None, queryset=applications, request=request)
    rows = (
        filterset.qs
        if filterset.is_bound and filterset.is_valid()
        else applications.filter(status__in=Application.OPEN_STATUSES)
    )
    rows = rows.order_by("status", "organisation__name")
    if request.GET.get("format") == "csv":
        return _caseload_csv(request, rows)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=7)
    waiting = list(services.evidence_waiting_for_review()[:20])
    for item in waiting:
        item.days_waiting = (timezone.now() - item.submitted_at).days if item.submitted_at else 0
    query = request.GET.copy()
    query.pop("page", None)
    status_counts = dict(Application.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return render(
        request,
        "accreditation/caseload.html",
        {
            "filter": filterset,
            "page": page,
            "querystring": query.urlencode(),
            "status_counts": [(s, label, status_counts.get(s, 0)) for s, label in Application.Status.choices],
            "waiting": waiting,
            "visits_this_week": Visit.objects.filter(
                status=Visit.Status.SCHEDULED, starts_at__date__gte=today, starts_at__date__lte=week_end
            )
            .select_related("application__organisation")
            .order_by("starts_at"),
            "overdue_write_ups": services.overdue_write_ups().select_related("application__organisation"),
            "expiring": Award.objects.filter(
                status=Award.Status.ISSUED, expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=90)
            )
            .select_related("application__organisation")
            .order_by("expires_on"),
            "awaiting_ratification": Award.objects.filter(status=Award.Status.AWAITING_RATIFICATION).select_related(
                "application__organisation", "awarded_by"
            ),
        },
    )


def _caseload_csv(request, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ppp-caseload.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["Organisation", "URN", "Kind", "Status", "Officer", "Package", "Applied", "Last activity", "Evidence waiting"]
    )
    for a in rows:
        writer.writerow(
            [
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
        )
    audit_record("caseload.export", actor=request.user, request=request, rows=len(rows))
    return response


# Public


@require_GET
def award_holders(request):
    today = timezone.localdate()
    awards = (
        Award.objects.current(today)
        .select_related("application__organisation", "certificate")
        .order_by("application__organisation__name")
    )
    filterset = AwardHolderFilter(request.GET or None, queryset=awards)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else awards
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accreditation/award_holders.html",
        {"filter": filterset, "page": page, "querystring": query.urlencode()},
    )
