"""Email that must go out once: reminders from the daily `send_reminders` command.

Each app that has reminders provides `<app>/reminders.py` with a function
`collect(today: datetime.date)` that yields `Reminder`s (and may make the state changes
that are due, such as expiring an award). `send_reminders` calls every app's `collect`
and sends each reminder at most once, ever, by its key.
"""

import datetime
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import IntegrityError, transaction

from ppp.mail import send

from .models import SentReminder

log = logging.getLogger(__name__)


@dataclass
class Reminder:
    key: str
    to: list[str]
    subject: str
    body: str
    # Extra work done only if the reminder is sent for the first time (e.g. a status change).
    on_send: Callable[[], None] | None = field(default=None, repr=False)


def send_once(reminder: Reminder) -> bool:
    """Send `reminder` unless its key was sent before; True if sent now."""
    recipients = sorted({address for address in reminder.to if address})
    try:
        with transaction.atomic():
            SentReminder.objects.create(
                key=reminder.key[:200], recipients=", ".join(recipients), subject=reminder.subject[:200]
            )
            if reminder.on_send:
                reminder.on_send()
            send(reminder.subject, reminder.body, recipients)
    except IntegrityError:
        return False
    return True


def reminder_sources() -> Iterable[tuple[str, Callable[[datetime.date], Iterable[Reminder]]]]:
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.reminders")
        except ModuleNotFoundError as error:
            if error.name == f"{config.name}.reminders":
                continue
            raise
        yield config.label, module.collect


def send_reminders(today: datetime.date) -> dict[str, int]:
    """Collect and send every app's reminders for `today`; counts of sent ones per app."""
    sent: dict[str, int] = {}
    for label, collect in reminder_sources():
        sent[label] = 0
        for reminder in collect(today):
            try:
                if send_once(reminder):
                    sent[label] += 1
            except Exception:
                # Nothing of this reminder was kept (its transaction rolled back), so it is
                # tried again tomorrow; the others still go today.
                log.exception("Reminder %s failed", reminder.key)
    return sent
