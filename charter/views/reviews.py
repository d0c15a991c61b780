"""Reviews: part of `charter.views` (see its docstring)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ppp.accounts.selectors import is_lead
from ppp.forms import posted
from ppp.once import submitted_once

from .. import permissions, services
from ..forms import (
    FeedbackForm,
    ReviewForm,
)
from ..models import Review
from ..services import CharterError
from .pledge import _pledges


@login_required
@require_http_methods(["GET", "POST"])
@submitted_once
def review_create(request, pledge):
    pledge = get_object_or_404(_pledges(request.user).prefetch_related("commitments"), public_id=pledge)
    if not is_lead(request.user, pledge.organisation):
        raise PermissionDenied("Only the organisation's lead can submit its review.")
    refusal = permissions.can_review_pledge.refusal(request.user, pledge)
    if refusal:
        messages.error(request, refusal)
        return redirect(pledge)
    form = ReviewForm(posted(request), pledge=pledge)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_submit(
                pledge=pledge,
                by=request.user,
                answers=form.answers(),
                consent_to_publish=form.cleaned_data["consent_to_publish"],
                request=request,
            )
        except CharterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you: your review is with the council.")
            return redirect(review)
    return render(request, "charter/review_form.html", {"form": form, "pledge": pledge})


@login_required
@require_GET
def review_detail(request, review):
    review = get_object_or_404(
        Review.objects.for_user(request.user).select_related("pledge__organisation", "submitted_by", "feedback_by"),
        public_id=review,
    )
    form = FeedbackForm()
    form.helper.form_action = reverse("charter:review-feedback", args=[review.public_id])
    return render(
        request,
        "charter/review_detail.html",
        {"review": review, "answers": review.answers.select_related("commitment"), "form": form},
    )


@login_required
@require_POST
def review_feedback(request, review):
    review = get_object_or_404(Review.objects.for_user(request.user), public_id=review)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your feedback.")
        return redirect(review)
    try:
        services.review_feedback(
            review=review, by=request.user, feedback=form.cleaned_data["feedback"], request=request
        )
    except CharterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your feedback has been sent.")
    return redirect(review)
