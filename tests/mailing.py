"""Emails go once the change that makes them commits (ppp.mail). A test runs inside a
transaction that never commits: these run the commit callbacks of what they wrap, as
the commit would."""

import functools

from django.core import mail
from django.test import TestCase
from django.utils import timezone

from ppp.notifications import services

emails_sent = functools.partial(TestCase.captureOnCommitCallbacks, execute=True)


def send_reminders(day):
    with emails_sent():
        return services.send_reminders(day)


def send_once(reminder):
    """Record the reminder and email what waits, as the daily command does."""
    with emails_sent():
        sent = services.send_once(reminder)
        services.send_digests(timezone.localdate())
        return sent


def inbox(address):
    """The emails sent to `address`. Reminders go one email per person (the digest)."""
    return [message for message in mail.outbox if address in message.to]
