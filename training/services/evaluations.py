"""Evaluations: part of `training.services` (see its docstring)."""

from django.db import transaction
from django.utils import timezone

from ppp.audit.services import audit_record

from ..models import (
    Evaluation,
)
from ._base import TrainingError


@transaction.atomic
def evaluation_submit(*, evaluation: Evaluation, usefulness: int, will_change: str, comments: str) -> Evaluation:
    """The attendee's answers, once, through their private link."""
    evaluation = Evaluation.objects.select_for_update().select_related("booking__session").get(pk=evaluation.pk)
    if evaluation.submitted_at:
        raise TrainingError("You have already sent your evaluation. Thank you.")
    if not evaluation.is_open:
        raise TrainingError("This evaluation link has expired.")
    if usefulness not in Evaluation.Usefulness.values:
        raise TrainingError("Select how useful the session was.")
    evaluation.usefulness = usefulness
    evaluation.will_change = will_change.strip()
    evaluation.comments = comments.strip()
    evaluation.submitted_at = timezone.now()
    evaluation.save(update_fields=["usefulness", "will_change", "comments", "submitted_at"])
    audit_record("evaluation.submit", target=evaluation, organisation=evaluation.booking.organisation)
    return evaluation
