"""One history mechanism for everything that changes state.

An object's history is a table of `HistoryEntry` rows: what happened (`action`, a
`TextChoices` of the concrete model), the status before and after, who, when and why.
`record_transition` is the one way to write it: it moves the object (when given a new
status), adds the history row and the matching `AuditEvent`, in the caller's
transaction. Services call it; nothing else writes `status`.

A concrete history model names its subject and its actions:

    class PledgeEvent(HistoryEntry):
        class Action(models.TextChoices):
            SIGNED = "signed", "Signed the charter"
            APPROVED = "approved", "Approved"

        pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="events")
        action = models.CharField(max_length=40, choices=Action.choices)
        subject_field = "pledge"

    record_transition(pledge, Pledge.Status.APPROVED, action=PledgeEvent.Action.APPROVED, by=officer)
"""

import datetime
import functools
from collections.abc import Mapping
from typing import ClassVar, cast

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

from ppp.audit.services import audit_record


class HistoryEntry(models.Model):
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    # The name of the ForeignKey to the object this is the history of.
    subject_field: ClassVar[str] = ""

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"

    def get_action_display(self) -> str:
        field = cast(models.Field, self._meta.get_field("action"))
        return dict(field.flatchoices).get(self.action, self.action.replace("_", " ").capitalize())

    @property
    def changed_status(self) -> bool:
        return bool(self.from_status) and self.from_status != self.to_status


@functools.cache
def history_model(subject_model: type[models.Model]) -> type[HistoryEntry]:
    """The concrete HistoryEntry model whose `subject_field` points at `subject_model`."""
    for model in apps.get_models():
        subject_field = getattr(model, "subject_field", "")
        if subject_field and model._meta.get_field(subject_field).related_model is subject_model:
            return cast(type[HistoryEntry], model)
    raise LookupError(f"No history model records {subject_model.__name__}.")


def history_of(obj: models.Model) -> models.QuerySet:
    """The object's history, oldest first, with who did each step."""
    model = history_model(type(obj))
    return model._default_manager.filter(**{model.subject_field: obj}).select_related("by").order_by("at", "pk")


def record_transition(
    obj: models.Model,
    to: str | None = None,
    *,
    action: str,
    by=None,
    note: str = "",
    request=None,
    update_fields: tuple[str, ...] = (),
    organisation=None,
    **detail,
) -> HistoryEntry:
    """Record that `action` happened to `obj`, by `by`, with `note`.

    With `to`, the object moves to that status first: `status` (and any `update_fields`
    the caller changed alongside it) are saved. The history row and an AuditEvent
    (`<model>.<action>`, with the organisation the object belongs to) are written in the
    caller's transaction, so the change and its record stand or fall together.
    """
    from_status = getattr(obj, "status", "") or ""
    if to is not None:
        obj.status = to  # type: ignore[attr-defined]  # a model with a history has a status
        obj.save(update_fields=["status", *update_fields])
    elif update_fields:
        obj.save(update_fields=list(update_fields))
    model = history_model(type(obj))
    entry = model._default_manager.create(
        **{model.subject_field: obj},
        action=action,
        from_status=from_status if to is not None else "",
        to_status=getattr(obj, "status", "") or "",
        by=by if getattr(by, "is_authenticated", False) else None,
        note=note,
    )
    audit_record(
        f"{obj._meta.model_name}.{action}",
        actor=by,
        target=obj,
        organisation=organisation,
        request=request,
        **({"from": from_status, "to": to} if to is not None else {}),
        **({"note": note[:500]} if note else {}),
        **detail,
    )
    return entry


def shown(value) -> str:
    """A field's value as a person reads it in a history entry."""
    if value is None or value == "" or value == [] or value == ():
        return "(none)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%-d %B %Y %H:%M}"
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(str(v) for v in value)) or "(none)"
    return str(value).strip()


def changes_note(before: Mapping[str, object], after: Mapping[str, object], labels: Mapping[str, str]) -> str:
    """What really changed between two versions, for a history entry's note: one line per
    short field ("Title: Old → New"), the earlier and the new text for a long one. A value
    that reads the same (the same date, text differing only in spaces or line endings) is no
    change, so "18 December → 18 December" is never written. Empty when nothing changed."""
    lines = []
    for field, label in labels.items():
        old, new = shown(before.get(field)), shown(after.get(field))
        if " ".join(old.split()) == " ".join(new.split()):
            continue
        if "\n" in old + new or len(old) + len(new) > 120:
            lines.append(f"{label} changed.\nEarlier: {old}\nNow: {new}")
        else:
            lines.append(f"{label}: {old} → {new}")
    return "\n".join(lines)
