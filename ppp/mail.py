"""Sending email from PPP: bodies from plain-text templates, sent by the task worker once
the change that caused them is saved.

Templates live in `templates/<app>/email/<name>.txt` and are rendered with autoescaping
off (`render_text`): an email is not HTML, so O'Brien stays O'Brien.
"""

from django.db import transaction
from django.template import engines

from ppp.tasks import clean_subject, send_email

__all__ = ["clean_subject", "email_after_commit", "queue_email", "render_text", "send_after_commit"]


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template (no HTML escaping)."""
    return engines["text"].get_template(template_name).render(context)


def send_after_commit(subject: str, body: str, to: list[str], *, attachments: list[dict] | None = None) -> None:
    """Queue the email once the transaction commits. The change is already saved by then,
    so a mail server that is down never turns it into an error page: the worker retries."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    transaction.on_commit(
        lambda: send_email.enqueue(subject=clean_subject(subject), body=body, to=recipients, attachments=attachments)
    )


def queue_email(subject: str, body: str, to: list[str]) -> None:
    """Queue the email now, inside the current transaction. With the database task backend
    the queued email is saved with the change, so both stand or fall together: the daily
    reminders use this, so a reminder is never marked sent without its email."""
    recipients = sorted({address for address in to if address})
    if recipients:
        send_email.enqueue(subject=clean_subject(subject), body=body, to=recipients)


def email_after_commit(
    template_name: str, context: dict, *, subject: str, to: list[str], attachments: list[dict] | None = None
) -> None:
    """`send_after_commit` with the body rendered from `template_name`."""
    send_after_commit(subject, render_text(template_name, context), to, attachments=attachments)
