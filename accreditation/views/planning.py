"""The self-review and the action plan."""

import csv
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.audit.services import audit_record
from ppp.csvsafe import csv_safe
from ppp.exports import csv_response
from ppp.forms import posted
from ppp.once import submitted_once
from ppp.pdf import render_pdf

from .. import permissions, selectors, services
from ..forms import ActionItemForm
from ..models import ActionItem, SelfReview, Standard
from ..services import WorkflowError
from .common import get_application, standing

COMMENTARY_MAX = 4000  # characters of "why" for each criterion of the self-review


def _ratings_from(post, standards) -> tuple[dict, dict]:
    ratings, errors = {}, {}
    for standard in standards:
        for criterion in standard.criteria.all():
            rating = post.get(f"rating-{criterion.pk}", "")
            commentary = post.get(f"commentary-{criterion.pk}", "")
            if rating not in SelfReview.Rating.values:
                errors[criterion.pk] = f"Choose a rating for {criterion.code}"
            elif len(commentary) > COMMENTARY_MAX:
                # Given back whole to shorten, never cut without a word.
                errors[criterion.pk] = (
                    f"What you wrote for {criterion.code} must be {COMMENTARY_MAX:,} characters or fewer "
                    f"(it is {len(commentary):,})"
                )
            ratings[criterion.pk] = (rating, commentary)
    return ratings, errors


@login_required
@require_http_methods(["GET", "POST"])
def self_review(request, pk):
    application = get_application(request, pk)
    can_edit = permissions.can_edit_plan(request.user, application)
    standards = Standard.objects.filter(scheme=application.scheme).prefetch_related("criteria").order_by("number")
    existing = {r.criterion_id: r for r in SelfReview.objects.filter(application=application)}
    errors = {}
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(permissions.can_edit_plan.refusal(request.user, application))
        ratings, errors = _ratings_from(request.POST, standards)
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
        {
            "application": application,
            "rows": rows,
            "figures": selectors.criterion_figures(application, request.user),
            "ratings": SelfReview.Rating.choices,
            "meanings": [(label, SelfReview.MEANINGS[value]) for value, label in SelfReview.Rating.choices],
            "errors": errors,
            "can_edit": can_edit,
            **standing(request.user, application),
        },
    )


def _action_items(application):
    return application.action_items.select_related("criterion").order_by("due_date", "id")


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def action_plan(request, pk):
    application = get_application(request, pk)
    can_edit = permissions.can_edit_plan(request.user, application)
    form = ActionItemForm(posted(request), scheme=application.scheme)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(permissions.can_edit_plan.refusal(request.user, application))
        if form.is_valid():
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
            "changes": selectors.plan_changes(application),
            "form": form,
            "can_edit": can_edit,
            "today": timezone.localdate(),
            **standing(request.user, application),
        },
    )


def _action_item(request, pk) -> ActionItem:
    return get_object_or_404(
        ActionItem.objects.for_user(request.user).select_related("application__scheme", "application__organisation"),
        public_id=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk):
    item = _action_item(request, pk)
    application = item.application
    form = ActionItemForm(posted(request), instance=item, scheme=application.scheme)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_item_save(application=application, by=request.user, item=item, **form.cleaned_data)
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Action saved.")
            return redirect("accreditation:action-plan", pk=application.public_id)
    return render(
        request,
        "accreditation/action_edit.html",
        {
            "form": form,
            "item": item,
            "application": application,
            "can_edit": permissions.can_edit_plan(request.user, application),
        },
    )


@login_required
@require_POST
def action_delete(request, pk):
    item = _action_item(request, pk)
    application = item.application
    try:
        services.action_item_delete(item=item, by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Action deleted.")
    return redirect("accreditation:action-plan", pk=application.public_id)


@login_required
@require_GET
def action_plan_csv(request, pk):
    application = get_application(request, pk)
    response = csv_response(f"action-plan-{application.organisation.slug}.csv")
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
                "yes" if item.is_overdue and application.is_open else "",
            ]
        )
    audit_record("action_plan.export", actor=request.user, target=application, request=request, format="csv")
    return response


@login_required
@require_GET
def action_plan_pdf(request, pk):
    application = get_application(request, pk)
    html = render_to_string(
        "accreditation/action_plan_print.html",
        {"application": application, "items": _action_items(application), "today": timezone.localdate()},
    )
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="action-plan-{application.organisation.slug}.pdf"'
    audit_record("action_plan.export", actor=request.user, target=application, request=request, format="pdf")
    return response
