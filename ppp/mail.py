"""Sending email from PPP: once, after the change that causes it is saved, and never lost.

- `send_after_commit` / `email_after_commit` save an `Email` row with the change (same
  transaction) and queue a task that carries only its id (`send_email`). If the change
  rolls back, neither exists.
- `send_email` claims the row, sends it and marks it sent. A relay that is down or slow
  (EMAIL_TIMEOUT) fails the attempt, which is tried again later with back-off; after
  EMAIL_MAX_ATTEMPTS tries the email shows as failed (Admin → Emails), where it can be
  sent again. A row already sent is never sent again.
- The one gap: if the worker dies after the relay accepted an email and before PPP wrote
  down that it did (a few milliseconds), the email is sent again when the job is run again.
  Both copies carry the same Message-ID (docs/operations/background-work.md).
- Emails with a secret link are queued with `queue_link_email(kind, params=ids)`; the
  function registered for `kind` with `@email_writer` writes the subject, body and link
  when the email is sent, so no live link waits in any table.

Bodies are plain text from `templates/<app>/email/<name>.txt`, rendered with autoescaping
off (`render_text`): an email is not HTML, so O'Brien stays O'Brien. Every email says it
is automatic (`Auto-Submitted: auto-generated`, RFC 3834), so out-of-office replies stay away.
"""

import base64
import contextlib
import datetime
import hashlib
import hmac
import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import engines
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from ppp.notifications.models import Email
from ppp.tasks import MAIL, RetryStrategy, defer, task, unfinished_work

__all__ = [
    "Written",
    "clean_subject",
    "email_after_commit",
    "email_writer",
    "link_token",
    "no_email",
    "queue_email",
    "queue_link_email",
    "render_text",
    "send_after_commit",
    "send_email",
]

log = logging.getLogger(__name__)

AUTOMATIC = {"Auto-Submitted": "auto-generated"}


@dataclass
class Written:
    """What an email writer returns: the email as it is sent now."""

    subject: str
    body: str
    headers: dict = field(default_factory=dict)
    # (filename, content, mimetype), made when the email is sent and never stored (a
    # certificate's PDF): bytes or text.
    attachments: list[tuple[str, bytes | str, str]] = field(default_factory=list)


_writers: dict[str, Callable[[Email], Written | None]] = {}


def email_writer(kind: str):
    """Register the function that writes emails of `kind` when they are sent. It gets the
    `Email` (its `params`, `public_id`) and returns `Written`, or None when the email is
    no longer wanted (the invitation was cancelled meanwhile)."""

    def register(function):
        _writers[kind] = function
        return function

    return register


def _writer(kind: str) -> Callable[[Email], Written | None]:
    if kind not in _writers:
        autodiscover_modules("tasks")  # writers live in the apps' tasks.py
    return _writers[kind]


def link_token(email: Email) -> str:
    """The secret in a link sent by `email`: the same on every attempt at sending it (a
    copy sent twice carries the same working link), made from SECRET_KEY and the email's
    id, so the database alone cannot make it; the link's own table keeps only its hash."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"ppp-email-link:{email.public_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def render_text(template_name: str, context: dict) -> str:
    """Render a plain-text template (no HTML escaping)."""
    return engines["text"].get_template(template_name).render(context)


def clean_subject(subject: str) -> str:
    """One line, whatever people typed into the names it contains (no header injection)."""
    return " ".join(subject.split())[:200]


_quiet = threading.local()


@contextlib.contextmanager
def no_email():
    """Queue no email while inside (seed_demo: demo data must never email anyone)."""
    _quiet.on = True
    try:
        yield
    finally:
        _quiet.on = False


def _recipients(to: list[str]) -> list[str]:
    if getattr(_quiet, "on", False):
        return []
    return sorted({address.strip() for address in to if address and address.strip()})


def queue_email(
    subject: str, body: str, to: list[str], *, attachments: list[dict] | None = None, headers: dict | None = None
) -> Email | None:
    """Save the email with the current transaction and send it once that commits.

    `attachments` are `{"filename", "content", "mimetype"}` with text content (calendar
    files, whose content type carries their method: "text/calendar; method=CANCEL")."""
    recipients = _recipients(to)
    if not recipients:
        return None
    email = Email.objects.create(
        subject=clean_subject(subject), body=body, to=recipients, attachments=attachments or [], headers=headers or {}
    )
    defer(send_email, lock=f"email-{email.pk}", email_id=email.pk)
    return email


# The change is already saved by the time the email goes, so a mail server that is down
# never turns it into an error page: the worker tries again.
send_after_commit = queue_email


def email_after_commit(
    template_name: str,
    context: dict,
    *,
    subject: str,
    to: list[str],
    attachments: list[dict] | None = None,
    headers: dict | None = None,
) -> Email | None:
    """`send_after_commit` with the body rendered from `template_name`."""
    return queue_email(subject, render_text(template_name, context), to, attachments=attachments, headers=headers)


def queue_link_email(kind: str, *, to: list[str], subject: str, params: dict) -> Email | None:
    """Queue an email whose body (with its secret link) is written when it is sent, by the
    writer registered for `kind`, from `params` (ids)."""
    recipients = _recipients(to)
    if not recipients:
        return None
    email = Email.objects.create(kind=kind, params=params, subject=clean_subject(subject), to=recipients)
    defer(send_email, lock=f"email-{email.pk}", email_id=email.pk)
    return email


def message_id(email: Email) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "ppp.invalid"
    return f"<{email.public_id}@{domain}>"


def build_message(email: Email) -> EmailMessage | None:
    """The message as it goes out now; None if its writer says it is no longer wanted."""
    subject, body, headers = email.subject, email.body, dict(email.headers)
    made: list[tuple[str, bytes | str, str]] = []
    if email.kind:
        written = _writer(email.kind)(email)
        if written is None:
            return None
        subject, body = written.subject, written.body
        headers.update(written.headers)
        made = written.attachments
    message = EmailMessage(
        clean_subject(subject),
        body,
        None,
        list(email.to),
        headers={**AUTOMATIC, **headers, "Message-ID": message_id(email)},
    )
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    for filename, content, mimetype in made:
        message.attach(filename, content, mimetype)
    return message


class EmailNotSent(Exception):
    """The mail relay refused the email or did not answer; it is tried again later."""


@task(
    name="ppp.send_email",
    queue=MAIL,
    retry=RetryStrategy(
        max_attempts=max(settings.EMAIL_MAX_ATTEMPTS - 1, 0),
        wait=30,
        exponential_wait=4,
        retry_exceptions=[EmailNotSent],
    ),
)
def send_email(*, email_id: int) -> str:
    """Send one queued email, once. Returns what happened."""
    email = _claim(email_id)
    if email is None:
        return "nothing to send"
    try:
        message = build_message(email)
        if message is None:
            Email.objects.filter(pk=email.pk).update(status=Email.Status.CANCELLED, body="", attachments=[])
            return "not needed any more"
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        if _record_failure(email, error, final=email.attempts >= settings.EMAIL_MAX_ATTEMPTS):
            raise EmailNotSent(f"{type(error).__name__}: {error}") from error
        raise
    except Exception as error:
        _record_failure(email, error, final=True)
        raise
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.SENT, sent_at=timezone.now(), body="", attachments=[], last_error=""
    )
    return "sent"


def _claim(email_id: int) -> Email | None:
    with transaction.atomic():
        email = Email.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status not in (Email.Status.QUEUED, Email.Status.SENDING):
            return None
        email.status = Email.Status.SENDING
        email.attempts += 1
        email.last_attempt_at = timezone.now()
        email.save(update_fields=["status", "attempts", "last_attempt_at"])
    return email


def _record_failure(email: Email, error: BaseException, *, final: bool) -> bool:
    """Keep the error on the email; True if it will be tried again."""
    status = Email.Status.FAILED if final else Email.Status.QUEUED
    text = f"{type(error).__name__}: {error}"[:2000]
    Email.objects.filter(pk=email.pk).update(status=status, last_error=text)
    if final:
        log.error("Email %s to %s failed after %s tries: %s", email.pk, email.to, email.attempts, text)
    else:
        log.warning("Email %s to %s not sent (try %s): %s", email.pk, email.to, email.attempts, text)
    return not final


@transaction.atomic
def email_send_again(*, email: Email) -> Email:
    """An officer's "send again" for an email that failed: a fresh set of tries."""
    email = Email.objects.select_for_update().get(pk=email.pk)
    if email.status != Email.Status.FAILED:
        return email
    email.status = Email.Status.QUEUED
    email.attempts = 0
    email.save(update_fields=["status", "attempts"])
    defer(send_email, lock=f"email-{email.pk}", email_id=email.pk)
    return email


@unfinished_work.register
def unfinished():
    """For the "thread" runner: emails queued a while ago and not sent, and emails whose
    sending process stopped half-way (SENDING for longer than any attempt lasts)."""
    now = timezone.now()
    waiting = Email.objects.filter(status=Email.Status.QUEUED, created_at__lt=now - datetime.timedelta(seconds=30))
    retry_due = waiting.exclude(last_attempt_at__gt=now - datetime.timedelta(minutes=5))
    stuck = Email.objects.filter(
        status=Email.Status.SENDING,
        last_attempt_at__lt=now - datetime.timedelta(seconds=4 * settings.EMAIL_TIMEOUT + 30),
    )
    for pk in (retry_due | stuck).values_list("pk", flat=True)[:500]:
        yield send_email, {"email_id": pk}
