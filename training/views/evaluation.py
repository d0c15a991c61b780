"""Evaluation (private link): part of `training.views` (see its docstring)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ppp.ratelimit import ALLOW, limited

from .. import services
from ..forms import (
    EvaluationForm,
)
from ..models import Evaluation
from ..services import TrainingError


@never_cache  # the address carries the attendee's secret token: never kept by a browser or proxy
@require_http_methods(["GET", "POST"])
@limited("training-evaluate", "30/m", cache_down=ALLOW)
def evaluate(request, token):
    evaluation = (
        Evaluation.objects.by_token(token).select_related("booking__session__course", "booking__organisation").first()
    )
    if evaluation is None or not evaluation.is_open:
        status = 404 if evaluation is None else 410
        done = evaluation is not None and evaluation.submitted_at is not None
        return render(request, "training/evaluate_unusable.html", {"done": done}, status=200 if done else status)
    form = EvaluationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_submit(evaluation=evaluation, **form.cleaned_data)
        except TrainingError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "training/evaluate_unusable.html", {"done": True, "thanks": True})
    booking = evaluation.booking
    return render(
        request,
        "training/evaluate.html",
        {"form": form, "booking": booking, "session": booking.session, "when": services.when(booking.session)},
    )
