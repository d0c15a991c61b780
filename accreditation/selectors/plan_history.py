"""Action plan history: part of `accreditation.selectors` (see its docstring)."""

import datetime
from dataclasses import dataclass

from ..models import (
    ActionItem,
    Application,
    Criterion,
)


@dataclass(frozen=True)
class PlanChange:
    at: datetime.datetime
    by: str
    what: str  # "added", "changed" or "deleted"
    action: str  # the action's words (as they were, for a deleted one)
    changes: list[str]  # "Due date: 3 April 2027 → 10 April 2027"


_PLAN_FIELDS = {
    "action": "Action",
    "owner": "Who will do it",
    "due_date": "Due date",
    "success_measure": "How you will know it has worked",
    "status": "Status",
    "criterion_id": "Criterion",
}


def plan_changes(application: Application, limit: int = 30) -> list[PlanChange]:
    """The latest changes to the action plan, newest first: each item added, changed (with
    what changed, from and to) or deleted, and who did it. Two queries at any size."""
    versions = list(
        ActionItem.history.filter(application_id=application.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    criteria = {c.pk: c.code for c in Criterion.objects.filter(standard__scheme_id=application.scheme_id)}
    changes, previous = [], {}  # type: ignore[var-annotated]  # simple_history's rows are untyped
    for version in versions:
        before = previous.get(version.id)
        previous[version.id] = version
        what = {"+": "added", "-": "deleted"}.get(version.history_type, "changed")
        lines = [] if what != "changed" or before is None else _differences(before, version, criteria)
        if what == "changed" and not lines:
            continue
        changes.append(
            PlanChange(
                at=version.history_date,
                by=str(version.history_user) if version.history_user else "Someone",
                what=what,
                action=version.action,
                changes=lines,
            )
        )
    return sorted(changes, key=lambda c: c.at, reverse=True)[:limit]


def _differences(before, after, criteria: dict) -> list[str]:
    def shown(field, value):
        if value in (None, ""):
            return "(none)"
        if field == "due_date":
            return f"{value:%-d %B %Y}"
        if field == "status":
            return ActionItem.Status(value).label
        if field == "criterion_id":
            return criteria.get(value, "(another scheme)")
        return str(value)

    lines = []
    for field, label in _PLAN_FIELDS.items():
        old, new = shown(field, getattr(before, field)), shown(field, getattr(after, field))
        if " ".join(old.split()) != " ".join(new.split()):  # the same words read the same: no change
            lines.append(f"{label}: {old} → {new}")
    return lines
