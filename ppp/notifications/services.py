"""Email that must go out once: reminders from the daily `send_reminders` command.

Each app that has reminders registers, in `<app>/reminders.py`, a function
`collect(today: datetime.date)` that yields `Reminder`s (and may make the state changes
that are due, such as expiring an award) with `ppp.discovery.reminder_sources`.
`send_reminders` calls every app's `collect` and records each reminder at most once,
ever, by its key (`send_once`), with one waiting delivery per address. Then
`send_digests` gives each address one email with everything waiting for it: the
reminder itself when there is one, else a digest listing each (ADR 0085). Ten
reminders to one officer on one morning are one email, not ten.

Both steps are safe to run again or to kill half-way: a reminder is recorded with its
deliveries in one transaction, and each address's email is queued in the same
transaction that marks its deliveries emailed (rows locked in primary-key order, so
two runs at once neither deadlock nor send twice).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ppp.discovery import reminder_sources
from ppp.mail import queue_email, render_text

from .models import ReminderDelivery, SentReminder

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
    """Record `reminder` for its addresses unless its key was sent before; True if
    recorded now. It is emailed by the next `send_digests`."""
    recipients = sorted({address.strip() for address in reminder.to if address and address.strip()})
    try:
        with transaction.atomic():
            sent = SentReminder.objects.create(
                key=reminder.key[:200],
                recipients=", ".join(recipients),
                subject=reminder.subject[:200],
                body=reminder.body,
            )
            if reminder.on_send:
                reminder.on_send()
            ReminderDelivery.objects.bulk_create(
                [ReminderDelivery(reminder=sent, address=address) for address in recipients]
            )
    except IntegrityError:
        return False
    return True


DIGEST_TEMPLATE = "notifications/email/digest.txt"


def send_digests(today: datetime.date) -> int:
    """Queue one email per address with every reminder waiting for it; how many emails.

    One waiting reminder goes as itself (its own subject and body); several go as one
    digest that lists each. Each address is its own transaction, so a run killed
    half-way leaves the rest waiting for the next run, and a run repeated finds
    nothing left to send."""
    addresses = list(
        ReminderDelivery.objects.filter(emailed_at__isnull=True)
        .order_by("address")
        .values_list("address", flat=True)
        .distinct()
    )
    emails = 0
    for address in addresses:
        with transaction.atomic():
            waiting = list(
                ReminderDelivery.objects.select_for_update(of=("self",))
                .filter(address=address, emailed_at__isnull=True)
                .select_related("reminder")
                .order_by("pk")
            )
            if not waiting:
                continue  # another run emailed them meanwhile
            reminders = [delivery.reminder for delivery in waiting]
            if len(reminders) == 1:
                subject, body = reminders[0].subject, reminders[0].body
            else:
                subject = f"PPP: {len(reminders)} reminders for {today:%A %-d %B %Y}"
                body = render_text(DIGEST_TEMPLATE, {"reminders": reminders, "today": today})
            email = queue_email(subject, body, [address])
            ReminderDelivery.objects.filter(pk__in=[delivery.pk for delivery in waiting]).update(
                emailed_at=timezone.now(), email=email
            )
            emails += 1
    # A body every address has had is not kept (as an email's body is not once sent).
    SentReminder.objects.exclude(body="").exclude(
        Exists(ReminderDelivery.objects.filter(reminder=OuterRef("pk"), emailed_at__isnull=True))
    ).update(body="")
    return emails


def record_reminders(today: datetime.date) -> dict[str, int]:
    """Collect and record every app's reminders for `today`; counts of new ones per app."""
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


def send_reminders(today: datetime.date) -> dict[str, int]:
    """Record every app's reminders for `today`, then email each address what waits for
    it; counts of new reminders per app."""
    sent = record_reminders(today)
    send_digests(today)
    return sent
