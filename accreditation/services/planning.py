"""Self-review and action plan: part of `accreditation.services` (see its docstring)."""

import datetime

from django.db import transaction

from ppp.accounts.models import User
from ppp.audit.services import audit_record

from .. import permissions as can
from ..models import (
    ActionItem,
    Application,
    Criterion,
    SelfReview,
)
from ._base import WorkflowError, _lock, _touch


@transaction.atomic
def self_review_save(*, application: Application, by: User, ratings: dict[int, tuple[str, str]]) -> list[SelfReview]:
    """Save ratings and commentary, `{criterion_id: (rating, commentary)}`."""
    application = _lock(application)
    can.can_edit_plan.require(by, application, WorkflowError)
    valid_ids = set(Criterion.objects.filter(standard__scheme=application.scheme).values_list("pk", flat=True))
    saved = []
    for criterion_id, (rating, commentary) in ratings.items():
        if criterion_id not in valid_ids:
            raise WorkflowError("That criterion is not part of this scheme.")
        if rating not in SelfReview.Rating.values:
            raise WorkflowError("Choose a rating for each criterion.")
        review, _ = SelfReview.objects.update_or_create(
            application=application,
            criterion_id=criterion_id,
            defaults={"rating": rating, "commentary": commentary.strip(), "updated_by": by},
        )
        saved.append(review)
    _touch(application)
    return saved


@transaction.atomic
def action_items_from_self_review(*, application: Application, by: User, due_date: datetime.date) -> int:
    """Copy every criterion rated below "established" into the action plan (once)."""
    application = _lock(application)
    can.can_edit_plan.require(by, application, WorkflowError)
    below = SelfReview.objects.filter(
        application=application, rating__in=[SelfReview.Rating.NOT_STARTED, SelfReview.Rating.DEVELOPING]
    ).select_related("criterion")
    already = set(application.action_items.values_list("criterion_id", flat=True))
    created = 0
    for review in below:
        if review.criterion_id in already:
            continue
        item = ActionItem(
            application=application,
            criterion=review.criterion,
            action=f"Develop {review.criterion.code}: {review.criterion.statement}",
            owner=by.get_full_name(),
            due_date=due_date,
            success_measure="",
            created_by=by,
        )
        item._history_user = by
        item.save()
        created += 1
    _touch(application)
    return created


@transaction.atomic
def action_item_save(
    *,
    application: Application,
    by: User,
    action: str,
    owner: str,
    due_date: datetime.date,
    criterion: Criterion | None = None,
    success_measure: str = "",
    status: str = ActionItem.Status.NOT_STARTED,
    item: ActionItem | None = None,
) -> ActionItem:
    """Add an action to the plan, or change one (`item`)."""
    application = _lock(application)
    can.can_edit_plan.require(by, application, WorkflowError)
    if criterion is not None and criterion.standard.scheme_id != application.scheme_id:
        raise WorkflowError("That criterion is not part of this scheme.")
    if status not in ActionItem.Status.values:
        raise WorkflowError("Choose the action's status.")
    if item is None:
        item = ActionItem(application=application, created_by=by)
    else:
        item = ActionItem.objects.select_for_update().get(pk=item.pk, application=application)
    item.criterion, item.action, item.owner = criterion, action.strip(), owner.strip()
    item.due_date, item.success_measure, item.status = due_date, success_measure.strip(), status
    item._history_user = by  # the plan's history names who changed it
    item.save()
    audit_record("action_item.save", actor=by, target=item, organisation=application.organisation)
    _touch(application)
    return item


@transaction.atomic
def action_item_delete(*, item: ActionItem, by: User) -> None:
    application = _lock(item.application)
    can.can_edit_plan.require(by, application, WorkflowError)
    audit_record(
        "action_item.delete", actor=by, target=item, organisation=application.organisation, what=item.action[:200]
    )
    item._history_user = by
    item.delete()
    _touch(application)
