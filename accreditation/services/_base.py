"""What every part shares: part of `accreditation.services` (see its docstring)."""

from django.utils import timezone

from ppp.accounts.models import User
from ppp.errors import DomainError
from ppp.history import record_transition
from ppp.locking import lock

from ..models import (
    Application,
    ApplicationEvent,
)

S = Application.Status
A = ApplicationEvent.Action


class WorkflowError(DomainError):
    """A rule of the award workflow was broken; the message says which, for a person."""


def _lock(application: Application) -> Application:
    return lock(Application, application.pk, "organisation", "scheme")


def _touch(application: Application) -> None:
    Application.objects.filter(pk=application.pk).update(last_activity_at=timezone.now())


def _move(application: Application, to: str | None, *, action: str, by: User | None, note: str = "") -> None:
    """Record a step of the workflow on the (locked) application."""
    application.last_activity_at = timezone.now()
    record_transition(application, to, action=action, by=by, note=note, update_fields=("last_activity_at",))
