"""Sending email from PPP: one place that makes subjects safe and keeps a failing mail
server from turning a saved change into an error page."""

import logging

from django.core.mail import send_mail
from django.db import transaction

log = logging.getLogger(__name__)


def clean_subject(subject: str) -> str:
    """One line, whatever people typed into the names it contains (no header injection)."""
    return " ".join(subject.split())[:200]


def send(subject: str, body: str, to: list[str]) -> None:
    """Send now; raises if the mail server refuses (for callers that must know)."""
    recipients = sorted({address for address in to if address})
    if recipients:
        send_mail(clean_subject(subject), body, None, recipients)


def send_after_commit(subject: str, body: str, to: list[str]) -> None:
    """Send once the transaction commits. The change is already saved by then, so a mail
    failure is logged for the IT team rather than shown to the person as an error."""

    def deliver():
        try:
            send(subject, body, to)
        except Exception:
            log.exception("Could not send %r to %s", clean_subject(subject), to)

    transaction.on_commit(deliver)
