"""Annual review: part of `charter.services` (see its docstring)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import User
from ppp.history import record_transition
from ppp.links import absolute_url

from ..models import Pledge, Review, ReviewAnswer
from ..permissions import (
    can_give_review_feedback,
    can_review_pledge,
)
from ._base import CharterError
from ._helpers import A, _lock, _mail_after_commit, _officer_emails, _organisation_emails, next_review_due
from .decisions import _cycle_certificate


@transaction.atomic
def review_submit(
    *,
    pledge: Pledge,
    by: User,
    answers: dict[int, tuple[str, str]],
    consent_to_publish: bool,
    today: datetime.date | None = None,
    request=None,
) -> Review:
    """The annual self-assessment: what was done and what is next for every commitment.
    The next review falls due a year on; a certificate for the new year is issued."""
    pledge = _lock(pledge)
    today = today or timezone.localdate()
    can_review_pledge.require(by, pledge, CharterError)
    if not pledge.review_window_open(today) or pledge.review_due_on is None:
        raise CharterError(
            f"The annual review opens {settings.CHARTER_REVIEW_WINDOW_DAYS} days before it is due, for an approved "
            "pledge."
        )
    commitments = list(pledge.charter.commitments.all())
    missing = [c for c in commitments if not all(part.strip() for part in answers.get(c.pk, ("", "")))]
    if missing:
        raise CharterError("Say what was done and what is next for every commitment.")
    review = Review.objects.create(
        pledge=pledge, due_on=pledge.review_due_on, submitted_by=by, consent_to_publish=consent_to_publish
    )
    ReviewAnswer.objects.bulk_create(
        ReviewAnswer(review=review, commitment=c, done=answers[c.pk][0].strip(), next_steps=answers[c.pk][1].strip())
        for c in commitments
    )
    pledge.review_due_on = next_review_due(max(pledge.review_due_on, today))
    event = record_transition(pledge, action=A.REVIEWED, by=by, request=request, update_fields=("review_due_on",))
    _cycle_certificate(pledge, event, by)
    _mail_after_commit(
        f"Charter review to read: {pledge.organisation}",
        "charter/email/review_submitted.txt",
        {"review": review, "url": absolute_url(review)},
        _officer_emails(),
    )
    return review


@transaction.atomic
def review_feedback(*, review: Review, by: User, feedback: str, request=None) -> Review:
    review = Review.objects.select_for_update().select_related("pledge__organisation").get(pk=review.pk)
    can_give_review_feedback.require(by, review, CharterError)
    feedback = feedback.strip()
    if not feedback:
        raise CharterError("Write your feedback for the organisation.")
    review.feedback = feedback
    review.feedback_by = by
    review.feedback_at = timezone.now()
    review.save(update_fields=["feedback", "feedback_by", "feedback_at"])
    record_transition(review.pledge, action=A.REVIEW_FEEDBACK, by=by, note=feedback, request=request)
    _mail_after_commit(
        "Feedback on your Anti-Bullying Charter review",
        "charter/email/review_feedback.txt",
        {"review": review, "url": absolute_url(review)},
        _organisation_emails(review.pledge),
    )
    return review
