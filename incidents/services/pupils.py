"""Pupils' reports and their conversation: part of `incidents.services` (see its docstring)."""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from ppp.history import record_transition
from ppp.links import absolute_url
from ppp.mail import email_after_commit

from .. import permissions
from ..models import (
    Incident,
    Location,
    Mode,
    PupilMessage,
    PupilWhen,
    ReportedBy,
    ReportingLink,
    Status,
    hash_code,
    hash_token,
)
from ._base import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_MESSAGE,
    Action,
    DuplicateSubmission,
    IncidentError,
    _lock,
    _next_reference,
    reviewer_emails,
)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def pupil_report_submit(
    *,
    link: ReportingLink,
    what_happened: str,
    where: str,
    when: str,
    who: str = "",
    name: str = "",
    class_name: str = "",
    submission_key: str = "",
) -> tuple[Incident, str]:
    """A pupil tells the school through its link. The report lands as a new incident for a
    reviewer to triage; the reviewers are told one arrived (never what it says). Returns
    the incident and the pupil's follow-up code (shown once, stored only as a hash).

    Nothing about the pupil's device or address is kept: no request goes to the audit trail."""
    link = ReportingLink.objects.select_for_update().select_related("organisation").get(pk=link.pk)
    if link.retired_at is not None:
        raise IncidentError("This link no longer works.")
    what_happened = (what_happened or "").strip()
    if not what_happened:
        raise IncidentError("Tell us what happened.")
    if len(what_happened) > MAX_MESSAGE:
        raise IncidentError(f"What happened must be {MAX_MESSAGE:,} characters or fewer.")
    if where not in Location.values or when not in PupilWhen.values:
        raise IncidentError("Choose where and when from the list.")
    who, name, class_name = (who or "").strip(), (name or "").strip(), (class_name or "").strip()
    if len(who) > 500 or len(name) > 100 or len(class_name) > 50:
        raise IncidentError("One of your answers is too long.")
    key = hash_token(submission_key) if submission_key else None
    if key and Incident.objects.filter(submission_key=key).exists():
        raise DuplicateSubmission("We already have this report.")
    organisation = link.organisation
    code = new_code()
    now = timezone.now()
    incident = Incident.objects.create(
        organisation=organisation,
        reference=_next_reference(organisation, timezone.localtime(now).year),
        reported_at=now,
        reported_by=ReportedBy.PUPIL,
        location=where,
        mode=Mode.ONLINE if where == Location.ONLINE else "",
        pupil_when=when,
        pupil_who=who or None,
        reporter_name=", ".join(part for part in (name, class_name) if part) or None,
        pupil_code_hash=hash_code(code),
        submission_key=key,
        last_pupil_message_at=now,
        status=Status.NEW,
    )
    PupilMessage.objects.create(incident=incident, sender=PupilMessage.Sender.PUPIL, body=what_happened, created_at=now)
    record_transition(incident, action=Action.REPORTED)
    email_after_commit(
        "incidents/email/pupil_report.txt",
        {"organisation": organisation, "incident": incident, "url": absolute_url(incident)},
        subject="A pupil has sent a report through your reporting link",
        to=reviewer_emails(organisation),
    )
    return incident, code


def incident_for_code(code: str) -> Incident | None:
    """The report a follow-up code belongs to, if it is still held."""
    if not code or len(code) > 40:
        return None
    return (
        Incident.objects.filter(pupil_code_hash=hash_code(code), anonymised_at__isnull=True)
        .select_related("organisation")
        .first()
    )


# A pupil's added message sent again with the same words within this time is stored once.
SAME_WORDS_AGAIN = datetime.timedelta(hours=1)


@transaction.atomic
def pupil_message_add(*, incident: Incident, body: str) -> PupilMessage:
    """The pupil, back with their code, adds more."""
    incident = _lock(incident)
    if incident.is_anonymised or incident.status == Status.CLOSED:
        raise IncidentError("This conversation has ended, so you cannot add to it.")
    body = (body or "").strip()
    if not body:
        raise IncidentError("Write what you want to add.")
    if len(body) > MAX_MESSAGE:
        raise IncidentError(f"Your message must be {MAX_MESSAGE:,} characters or fewer.")
    now = timezone.now()
    last = incident.messages.filter(sender=PupilMessage.Sender.PUPIL).order_by("-created_at", "-id").first()
    if last is not None and last.body == body and now - last.created_at < SAME_WORDS_AGAIN:
        # The same words again (the page reloaded, which sends its form again; a double
        # tap): stored once, and nobody is emailed twice.
        return last
    message = PupilMessage.objects.create(
        incident=incident, sender=PupilMessage.Sender.PUPIL, body=body, created_at=now
    )
    incident.last_pupil_message_at = now
    record_transition(incident, action=Action.PUPIL_ADDED, update_fields=("last_pupil_message_at",))
    email_after_commit(
        "incidents/email/pupil_added.txt",
        {"organisation": incident.organisation, "incident": incident, "url": absolute_url(incident)},
        subject=f"A pupil has added to report {incident.reference}",
        to=reviewer_emails(incident.organisation),
    )
    return message


@transaction.atomic
def pupil_reply(*, incident: Incident, by, body: str, request=None) -> PupilMessage:
    """A reviewer writes back to the pupil, who reads it with their code."""
    incident = _lock(incident)
    permissions.can_reply_to_pupil.require(by, incident, IncidentError)
    body = (body or "").strip()
    if not body:
        raise IncidentError("Enter your reply.")
    if len(body) > MAX_MESSAGE:
        raise IncidentError(f"Your reply must be {MAX_MESSAGE:,} characters or fewer.")
    message = PupilMessage.objects.create(incident=incident, sender=PupilMessage.Sender.SCHOOL, body=body, by=by)
    record_transition(incident, action=Action.REPLIED, by=by, request=request)
    return message


# The school's settings
