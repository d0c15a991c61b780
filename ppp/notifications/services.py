"""Email that must go out once: reminders from the daily `send_reminders` command.

Each app that has reminders registers, in `<app>/reminders.py`, a function
`collect(today: datetime.date)` that yields `Reminder`s (and may make the state changes
that are due, such as expiring an award) with `ppp.discovery.reminder_sources`.
`send_reminders` calls every app's `collect` and sends each reminder at most once,
ever, by its key.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from ppp.discovery import reminder_sources
from ppp.mail import queue_email

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
            queue_email(reminder.subject, reminder.body, recipients)
    except IntegrityError:
        return False
    return True


def send_reminders(today: datetime.date) -> dict[str, int]:
    """Collect and send every app's reminders for `today`; counts of sent ones per app."""
    sent: dict[str, int] = {}
    for label, collect in reminder_sources.all():
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
