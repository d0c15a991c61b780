"""The platform's background tasks (django-tasks, database backend, `manage.py db_worker`).

Each app keeps its own tasks in `<app>/tasks.py`. Services enqueue them once their
transaction commits (`transaction.on_commit(lambda: task.enqueue(...))`), so nothing is
sent for a change that was rolled back. Arguments are JSON: ids and text, never model
instances. A task that fails is kept by the worker with its traceback (Admin → Tasks)
and logged; mail is retried first (see `send_email`).
"""

import datetime
import logging
import smtplib

from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import default_task_backend, task

log = logging.getLogger(__name__)

# Minutes to wait before each new attempt when the mail server does not answer.
RETRY_MINUTES = [1, 5, 30, 120]


def clean_subject(subject: str) -> str:
    """One line, whatever people typed into the names it contains (no header injection)."""
    return " ".join(subject.split())[:200]


@task()
def send_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    attachments: list[dict] | None = None,
    attempt: int = 1,
) -> int:
    """Send one email; returns how many addresses it went to.

    `attachments` are `{"filename", "content", "mimetype"}` with text content (calendar
    files). If the mail server refuses or is unreachable, the email is queued again a
    little later (RETRY_MINUTES); after the last attempt the task fails, and the worker
    keeps it with the error for the IT team.
    """
    recipients = sorted({address for address in to if address})
    if not recipients:
        return 0
    message = EmailMessage(clean_subject(subject), body, None, recipients)
    for attachment in attachments or []:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    try:
        message.send()
    except (smtplib.SMTPException, OSError):
        if attempt > len(RETRY_MINUTES) or not default_task_backend.supports_defer:
            log.exception(
                "Could not send %r to %s (attempt %s); giving up", clean_subject(subject), recipients, attempt
            )
            raise
        wait = RETRY_MINUTES[attempt - 1]
        log.warning("Could not send %r to %s; trying again in %s minutes", clean_subject(subject), recipients, wait)
        send_email.using(run_after=timezone.now() + datetime.timedelta(minutes=wait)).enqueue(
            subject=subject, body=body, to=recipients, attachments=attachments, attempt=attempt + 1
        )
        return 0
    return len(recipients)
