"""Evidence: added by the school's staff, submitted by its lead, reviewed by an officer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.audit.services import audit_record
from ppp.forms import posted, posted_files
from ppp.history import history_of
from ppp.once import submitted_once

from .. import permissions, selectors, services
from ..forms import EvidenceForm, EvidenceReviewForm, EvidenceSubmitDraftsForm, EvidenceSubmitForm
from ..models import Evidence
from ..services import WorkflowError
from .common import get_application, get_evidence, standing


def _render_form(request, application, form, evidence=None):
    return render(
        request,
        "accreditation/evidence_form.html",
        {
            "form": form,
            "application": application,
            "evidence": evidence,
            # Leads may save and submit in one go; members are told their lead submits.
            "can_save_and_submit": permissions.can_submit_new_evidence(request.user, application),
            **standing(request.user, application),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def evidence_add(request, pk):
    application = get_application(request, pk)
    refusal = permissions.can_add_evidence.refusal(request.user, application)
    if refusal:
        raise PermissionDenied(refusal)
    form = EvidenceForm(
        posted(request),
        posted_files(request),
        scheme=application.scheme,
        initial={"criteria": request.GET.getlist("criterion")},
    )
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("then") == "submit"
        try:
            with transaction.atomic():
                evidence = services.evidence_add(
                    application=application,
                    by=request.user,
                    criteria=form.cleaned_data["criteria"],
                    **form.evidence_fields(),
                )
                if submit:
                    services.evidence_submit(evidence=evidence, by=request.user)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Evidence submitted for review."
                if submit
                else "Evidence saved as a draft."
                + ("" if standing(request.user, application)["is_lead"] else " Your lead submits it for review."),
            )
            return redirect(evidence)
    return _render_form(request, application, form)


@login_required
@require_http_methods(["GET", "POST"])
def evidence_edit(request, pk):
    evidence = get_evidence(request, pk)
    application = evidence.application
    refusal = permissions.can_edit_evidence.refusal(request.user, evidence)
    if refusal:
        messages.error(request, refusal)
        return redirect(evidence)
    initial = {
        "title": evidence.title,
        "kind": evidence.kind,
        "url": evidence.url,
        "statement": evidence.statement,
        "criteria": list(evidence.criteria.values_list("pk", flat=True)),
    }
    form = EvidenceForm(
        posted(request), posted_files(request), scheme=application.scheme, editing=evidence, initial=initial
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
    return _render_form(request, application, form, evidence)


def _render_detail(request, evidence, *, status: int = 200, **forms):
    application = evidence.application
    events = list(history_of(evidence))
    # The officer's latest request for changes is shown at the top, where the school looks first.
    changes_asked = next(
        (e for e in reversed(events) if e.action == "changes_requested"),
        None,
    )
    return render(
        request,
        "accreditation/evidence_detail.html",
        {
            "evidence": evidence,
            "application": application,
            "actions": permissions.evidence_actions(request.user, evidence),
            "criteria": evidence.criteria.select_related("standard"),
            "events": events,
            "changes_asked": changes_asked if evidence.status == "changes_requested" else None,
            "next_waiting": selectors.next_evidence_waiting(after=evidence, officer=request.user)
            if request.user.is_officer and evidence.status != "submitted"
            else None,
            "review_form": forms.get("review_form")
            or EvidenceReviewForm(prefix="review", initial={"seen_status": evidence.status}),
            "submit_form": forms.get("submit_form") or EvidenceSubmitForm(prefix="submit"),
            "form": next(iter(forms.values()), None),
            **standing(request.user, application),
        },
        status=status,
    )


@login_required
@require_GET
def evidence_detail(request, pk):
    return _render_detail(request, get_evidence(request, pk))


@login_required
@require_POST
def evidence_submit(request, pk):
    evidence = get_evidence(request, pk)
    form = EvidenceSubmitForm(request.POST, prefix="submit")
    if not form.is_valid():
        return _render_detail(request, evidence, submit_form=form)
    try:
        services.evidence_submit(evidence=evidence, by=request.user, comment=form.cleaned_data["comment"])
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Submitted for review.")
    return redirect(evidence)


@login_required
@require_POST
def evidence_review(request, pk):
    evidence = get_evidence(request, pk)
    form = EvidenceReviewForm(request.POST, prefix="review")
    if not form.is_valid():
        return _render_detail(request, evidence, review_form=form)
    try:
        services.evidence_review(evidence=evidence, by=request.user, **form.cleaned_data)
    except WorkflowError as error:
        messages.error(request, str(error))
        return redirect(evidence)
    messages.success(request, "Decision saved.")
    return redirect(evidence)


@login_required
@require_GET
def evidence_download(request, pk):
    evidence = get_evidence(request, pk)
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


@login_required
@require_http_methods(["GET", "POST"])
def evidence_submit_drafts(request, pk):
    """The lead submits several drafts for review in one go."""
    application = get_application(request, pk)
    refusal = permissions.can_submit_new_evidence.refusal(request.user, application)
    if refusal:
        raise PermissionDenied(refusal)
    drafts = list(
        application.evidence.filter(status=Evidence.Status.DRAFT).prefetch_related("criteria").order_by("created_at")
    )
    form = EvidenceSubmitDraftsForm(posted(request), drafts=drafts)
    if request.method == "POST" and form.is_valid():
        try:
            submitted = services.evidence_submit_drafts(
                application=application, evidence_ids=form.cleaned_data["drafts"], by=request.user
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{len(submitted)} item{pluralize(len(submitted))} submitted for review.")
            return redirect(application)
    return render(
        request,
        "accreditation/evidence_submit_drafts.html",
        {"form": form, "application": application, "drafts": drafts, **standing(request.user, application)},
    )
