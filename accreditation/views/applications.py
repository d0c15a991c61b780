"""The award page, applying, and the workflow's actions: one URL, one service each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.selectors import current_pledge, has_approved_pledge
from ppp import brand
from ppp.accounts.selectors import current_membership
from ppp.forms import posted
from ppp.history import history_of

from .. import permissions, selectors, services
from ..forms import ApplyForm, AssignForm, AwardForm, NoteForm, ReasonForm
from ..models import Application, Award, Evidence, Visit
from ..reports import standard_progress
from ..services import WorkflowError
from .common import get_application, get_application_page, standing
from .public import terms_context


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
            "can_apply": permissions.can_apply(request.user, organisation),
            "apply_refusal": permissions.can_apply.refusal(request.user, organisation),
            "scheme": selectors.current_scheme(),
            "reaccreditation_source": selectors.reaccreditation_source(organisation),
            "pledge": current_pledge(organisation),
            "history": Application.objects.filter(organisation=organisation).select_related("scheme"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    membership = current_membership(request)
    if membership is None:
        raise PermissionDenied("Only your organisation's lead can apply for the award.")
    organisation = membership.organisation
    refusal = permissions.can_apply.refusal(request.user, organisation)
    if refusal:
        raise PermissionDenied(refusal)
    scheme = selectors.current_scheme()
    source = selectors.reaccreditation_source(organisation)
    reaccredit = bool(source) and "1" in (request.GET.get("reaccredit"), request.POST.get("reaccredit"))
    blocked = services.application_can_apply(organisation, scheme) if scheme else "No scheme is open for applications."
    if not blocked and reaccredit and isinstance(source, Application):
        blocked = selectors.can_reaccredit_now(source)
    initial = {"contact_name": request.user.get_full_name(), "contact_email": request.user.email}
    terms = terms_context()
    form = ApplyForm(posted(request), initial=initial, standard_price=terms["standard_price"])
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            if reaccredit:
                application = services.reaccreditation_start(
                    organisation=organisation, by=request.user, **form.cleaned_data
                )
            else:
                application = services.application_apply(
                    organisation=organisation, scheme=scheme, by=request.user, **form.cleaned_data
                )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Application sent. Next, offer two or three dates for your initial visit: "
                "your council officer will confirm one.",
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
            "reaccredit": reaccredit,
            "source": source,
            **terms,
        },
    )


def _render_application(request, application: Application, *, status: int = 200, **forms) -> HttpResponse:
    """The award page, with any bound form a POST view hands back to show its errors."""
    user = request.user
    actions = permissions.application_actions(user, application)
    evidence = selectors.application_evidence(application)
    progress = standard_progress(selectors.scheme_standards(application.scheme), evidence)
    visits = list(application.visits.order_by("starts_at", "created_at"))
    now = timezone.now()
    next_visit = next(
        (v for v in visits if v.status == Visit.Status.SCHEDULED and v.starts_at and v.starts_at >= now), None
    )
    evidencing = application.status == Application.Status.EVIDENCING
    missing = selectors.missing_criteria(application) if evidencing else []
    context = {
        "application": application,
        "actions": actions,
        **standing(user, application),
        "progress": progress,
        "evidence": evidence,
        "visits": visits,
        "next_visit": next_visit,
        **selectors.page_counts(application),
        "timeline": history_of(application),
        "award": selectors.award_of(application),
        "missing": missing,
        "pledge": current_pledge(application.organisation),
        "criteria_count": sum(len(p["criteria"]) for p in progress),
        "offers": selectors.evidence_offers(application, user, evidence) if "add_evidence" in actions else {},
        "reaccreditation_opens": selectors.reaccreditation_opens_on(application),
        "distance_travelled": selectors.distance_since_award(application, user),
        "next_steps": selectors.next_steps(application, user, evidence, visits, missing),
        "assign_form": AssignForm(initial={"officer": application.assigned_officer_id}, prefix="assign")
        if "assign" in actions
        else None,
        "return_form": NoteForm(prefix="return") if "return" in actions else None,
        "form": next(iter(forms.values()), None),
        **forms,
    }
    return render(request, "accreditation/application_detail.html", context, status=status)


@login_required
@require_GET
def application_detail(request, pk):
    return _render_application(request, get_application_page(request, pk))


def _act(request, application, service, done: str, **kwargs):
    try:
        service(application=application, by=request.user, **kwargs)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(application)


@login_required
@require_POST
def application_assign(request, pk):
    application = get_application(request, pk)
    form = AssignForm(request.POST, prefix="assign")
    if not form.is_valid():
        return _render_application(request, application, assign_form=form)
    officer = form.cleaned_data["officer"]
    return _act(request, application, services.application_assign, f"Assigned to {officer}.", officer=officer)


@login_required
@require_POST
def application_agree_plan(request, pk):
    return _act(
        request,
        get_application(request, pk),
        services.action_plan_agree,
        "Action plan agreed: the school can now submit evidence.",
    )


@login_required
@require_POST
def application_submit(request, pk):
    return _act(
        request,
        get_application(request, pk),
        services.application_submit,
        "Submitted for assessment. Your officer will review your evidence.",
    )


@login_required
@require_POST
def application_return(request, pk):
    application = get_application(request, pk)
    form = NoteForm(request.POST, prefix="return")
    if not form.is_valid():
        return _render_application(request, application, return_form=form)
    return _act(
        request,
        application,
        services.application_return,
        "Returned to the school for more evidence.",
        note=form.cleaned_data["note"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_award(request, pk):
    """Make the award: a page that says what will happen (and what is missing) first."""
    application = get_application(request, pk)
    refusal = permissions.can_award.refusal(request.user, application)
    if refusal:
        messages.error(request, refusal)
        return redirect(application)
    form = AwardForm(posted(request), levels=application.scheme.level_choices)
    if request.method == "POST" and form.is_valid():
        try:
            award = services.application_award(
                application=application, by=request.user, level=form.cleaned_data.get("level", "")
            )
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Award made. A second officer must now ratify it."
                if award.status == Award.Status.AWAITING_RATIFICATION
                else "Award made and certificate issued.",
            )
            return redirect(application)
    assessed = application.visits.filter(kind=Visit.Kind.ASSESSMENT, status=Visit.Status.COMPLETED).exists()
    return render(
        request,
        "accreditation/award_confirm.html",
        {
            "application": application,
            "form": form,
            "no_assessment_visit": not assessed,
            "without_accepted": selectors.criteria_without_accepted_evidence(application),
            "waiting": application.evidence.filter(status=Evidence.Status.SUBMITTED).count(),
        },
    )


@login_required
@require_POST
def application_ratify(request, pk):
    application = get_application(request, pk)
    award = get_object_or_404(Award, application=application)
    try:
        services.award_ratify(award=award, by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Award ratified and certificate issued.")
    return redirect(application)


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request, pk):
    """Withdraw: a page that says what withdrawing means, then the decision."""
    application = get_application(request, pk)
    refusal = permissions.can_withdraw_application.refusal(request.user, application)
    if refusal:
        messages.error(request, refusal)
        return redirect(application)
    form = ReasonForm(posted(request), prefix="withdraw")
    form.fields["reason"].label = "Why is the application being withdrawn?"
    form.fields["reason"].error_messages["required"] = "Enter why the application is being withdrawn"
    if request.method == "POST" and form.is_valid():
        return _act(
            request,
            application,
            services.application_withdraw,
            "Application withdrawn.",
            reason=form.cleaned_data["reason"],
        )
    return render(
        request,
        "accreditation/withdraw_confirm.html",
        {"application": application, "form": form},
    )


@login_required
@require_GET
def award_logo(request, pk, fmt="svg"):
    """The award pack's logo with the award's expiry year: SVG, or PNG for newsletters and
    websites that do not take SVG (drawn from the same shapes, ppp.brand)."""
    application = get_application(request, pk)
    award = get_object_or_404(Award, application=application, status=Award.Status.ISSUED)
    year = award.expires_on.year
    if fmt == "png":
        response = HttpResponse(brand.award_logo_png(year=year, level=award.level), content_type="image/png")
    else:
        response = HttpResponse(brand.award_logo_svg(year=year, level=award.level), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="ppp-award-{year}.{fmt}"'
    return response
