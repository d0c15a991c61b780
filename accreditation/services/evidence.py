"""Evidence: part of `accreditation.services` (see its docstring)."""

import contextlib

from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import User
from ppp.history import changes_note, record_transition
from ppp.links import absolute_url
from ppp.storage import StorageFull

from .. import permissions as can
from ..models import (
    Application,
    Criterion,
    Evidence,
    EvidenceEvent,
)
from ._base import WorkflowError, _lock, _touch
from .emails import _notify, lead_emails


def _check_criteria(application: Application, criteria) -> list[Criterion]:
    criteria = list(criteria)
    if not criteria:
        raise WorkflowError("Choose at least one criterion this evidence shows.")
    if any(c.standard.scheme_id != application.scheme_id for c in criteria):
        raise WorkflowError("That criterion is not part of this scheme.")
    return criteria


@contextlib.contextmanager
def _storing_files():
    """A full disk for uploads is a message for the person, not an error page: the storage
    kept nothing of the file, and the transaction keeps nothing of the rest."""
    try:
        yield
    except StorageFull:
        raise WorkflowError(
            "The file could not be saved because the service has run out of space for files. "
            "Nothing was saved. Try again later; if it happens again, contact the council's PPP team."
        ) from None


@transaction.atomic
def evidence_add(
    *,
    application: Application,
    by: User,
    criteria,
    title: str,
    kind: str,
    file=None,
    original_filename: str = "",
    content_type: str = "",
    size: int | None = None,
    url: str = "",
    statement: str = "",
) -> Evidence:
    """Any member drafts evidence (a file, a link or a written statement); the lead submits it.

    Other apps attach what they hold through this too (a training record, a governors'
    report of incident figures): `file` may be an upload or a `ContentFile` with a name."""
    application = _lock(application)
    can.can_add_evidence.require(by, application, WorkflowError)
    criteria = _check_criteria(application, criteria)
    if kind not in Evidence.Kind.values:
        raise WorkflowError("Choose a file, a link or a written statement.")
    with _storing_files():
        evidence = Evidence.objects.create(
            application=application,
            created_by=by,
            title=title,
            kind=kind,
            file=file or "",
            original_filename=original_filename,
            content_type=content_type,
            size=size,
            url=url,
            statement=statement,
        )
    evidence.criteria.set(criteria)
    record_transition(evidence, action=EvidenceEvent.Action.CREATED, by=by)
    _touch(application)
    return evidence


@transaction.atomic
def evidence_update(
    *,
    evidence: Evidence,
    by: User,
    criteria=None,
    title: str | None = None,
    kind: str | None = None,
    file=None,
    original_filename: str = "",
    content_type: str = "",
    size: int | None = None,
    url: str | None = None,
    statement: str | None = None,
) -> Evidence:
    """Change a draft, or an item the officer asked to be changed. What is not given (None)
    stays as it is; without a new `file`, a file item keeps the one it has."""
    application = _lock(evidence.application)  # the application first, then the evidence
    evidence = Evidence.objects.select_for_update().select_related("application").get(pk=evidence.pk)
    can.can_edit_evidence.require(by, evidence, WorkflowError)
    if kind is not None and kind not in Evidence.Kind.values:
        raise WorkflowError("Choose a file, a link or a written statement.")
    before = _evidence_version(evidence)
    for name, value in (("title", title), ("kind", kind), ("url", url), ("statement", statement)):
        if value is not None:
            setattr(evidence, name, value)
    if file is not None:
        evidence.file, evidence.original_filename = file, original_filename
        evidence.content_type, evidence.size = content_type, size
    if criteria is not None:
        criteria = _check_criteria(application, criteria)
    after = _evidence_version(evidence, criteria)
    # The officer reads what changed: the earlier and the new words, the file's name.
    note = changes_note(before, after, EVIDENCE_CHANGE_LABELS)
    if file is not None and not note:
        note = f"File: replaced with a new copy of {original_filename}"
    if not note:
        return evidence  # nothing changed, so nothing to record
    with _storing_files():
        evidence.save()
    if criteria is not None:
        evidence.criteria.set(criteria)
    record_transition(evidence, action=EvidenceEvent.Action.EDITED, by=by, note=note)
    _touch(application)
    return evidence


EVIDENCE_CHANGE_LABELS = {
    "title": "Title",
    "kind": "Kind",
    "file": "File",
    "url": "Link",
    "statement": "Statement",
    "criteria": "Criteria",
}


def _evidence_version(evidence: Evidence, criteria: list[Criterion] | None = None) -> dict:
    """What a person reads of an evidence item, to compare two versions of it."""
    if criteria is None:
        criteria = list(evidence.criteria.all()) if evidence.pk else []
    return {
        "title": evidence.title,
        "kind": evidence.get_kind_display(),
        "file": evidence.original_filename if evidence.kind == Evidence.Kind.FILE else "",
        "url": evidence.url if evidence.kind == Evidence.Kind.LINK else "",
        "statement": evidence.statement if evidence.kind == Evidence.Kind.STATEMENT else "",
        "criteria": [c.code for c in criteria],
    }


@transaction.atomic
def evidence_submit(*, evidence: Evidence, by: User, comment: str = "") -> Evidence:
    application = _lock(evidence.application)  # the application first, then the evidence
    evidence = Evidence.objects.select_for_update().select_related("application").get(pk=evidence.pk)
    can.can_submit_evidence.require(by, evidence, WorkflowError)
    _submit(application, evidence, by=by, comment=comment)
    return evidence


@transaction.atomic
def evidence_submit_drafts(*, application: Application, evidence_ids: list, by: User) -> list[Evidence]:
    """The lead submits several drafts for review in one go: all of them, or none (the
    first that cannot be submitted says why)."""
    application = _lock(application)  # the application first, then the evidence
    drafts = list(
        Evidence.objects.select_for_update()
        .select_related("application")
        .filter(application=application, public_id__in=evidence_ids)
        .order_by("created_at", "pk")
    )
    if not drafts:
        raise WorkflowError("Select the drafts to submit.")
    for evidence in drafts:
        refusal = can.can_submit_evidence.refusal(by, evidence)
        if refusal:
            raise WorkflowError(f"“{evidence.title}”: {refusal}")
    for evidence in drafts:
        _submit(application, evidence, by=by)
    return drafts


def _submit(application: Application, evidence: Evidence, *, by: User, comment: str = "") -> None:
    if evidence.status == Evidence.Status.CHANGES_REQUESTED and comment.strip():
        record_transition(evidence, action=EvidenceEvent.Action.RESPONDED, by=by, note=comment.strip())
    evidence.submitted_at = timezone.now()
    record_transition(
        evidence,
        Evidence.Status.SUBMITTED,
        action=EvidenceEvent.Action.SUBMITTED,
        by=by,
        update_fields=("submitted_at",),
    )
    _touch(application)


@transaction.atomic
def evidence_review(*, evidence: Evidence, by: User, decision: str, comment: str = "", seen_status: str) -> Evidence:
    """The officer accepts an item or asks for changes. `seen_status` is the status the
    officer was looking at: if another officer decided meanwhile, nothing changes."""
    application = _lock(evidence.application)  # the application first, then the evidence
    evidence = Evidence.objects.select_for_update().select_related("application").get(pk=evidence.pk)
    if not by.is_officer:
        raise WorkflowError("Only a council officer can review evidence.")
    if evidence.status != seen_status or evidence.status != Evidence.Status.SUBMITTED:
        last = evidence.events.exclude(action=EvidenceEvent.Action.CREATED).select_related("by").last()
        who = f" by {last.by} ({last.get_action_display().lower()})" if last and last.by else ""
        raise WorkflowError(
            f"This evidence has changed since you opened it: it is now {evidence.get_status_display().lower()}{who}."
        )
    can.can_review_evidence.require(by, evidence, WorkflowError)
    if decision not in (Evidence.Status.ACCEPTED, Evidence.Status.CHANGES_REQUESTED):
        raise WorkflowError("Choose accept or ask for changes.")
    if decision == Evidence.Status.CHANGES_REQUESTED and not comment.strip():
        raise WorkflowError("Say what needs to change, so the school can act on it.")
    record_transition(evidence, decision, action=decision, by=by, note=comment.strip())
    _touch(application)
    if decision == Evidence.Status.CHANGES_REQUESTED:
        _notify(
            lead_emails(application),
            f"changes requested: {evidence.title}",
            "changes_requested",
            evidence=evidence,
            comment=comment.strip(),
            url=absolute_url(evidence),
        )
    else:
        _notify(
            lead_emails(application),
            f"evidence accepted: {evidence.title}",
            "evidence_accepted",
            evidence=evidence,
            comment=comment.strip(),
            url=absolute_url(application),
        )
    return evidence
