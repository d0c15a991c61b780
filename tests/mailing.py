"""Emails go once the change that makes them commits (ppp.mail). A test runs inside a
transaction that never commits: these run the commit callbacks of what they wrap, as
the commit would."""

import functools

from django.test import TestCase

from ppp.notifications import services

emails_sent = functools.partial(TestCase.captureOnCommitCallbacks, execute=True)


def send_reminders(day):
    with emails_sent():
        return services.send_reminders(day)


def send_once(reminder):
    with emails_sent():
        return services.send_once(reminder)
