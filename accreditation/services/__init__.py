"""Every write with a rule in the award workflow.

    applied ──initial visit done──▶ planning ──action plan agreed──▶ evidencing
    evidencing ──submitted by lead──▶ assessment ──award──▶ accredited
    assessment ──more evidence needed──▶ evidencing
    any open state ──withdraw──▶ withdrawn          accredited past expiry ⇒ expired

Each function is keyword-only and typed, takes `by=` (None only for the daily command),
refuses through `permissions` with a sentence for the person (`WorkflowError`), locks
what it reads to decide — the application first, then its evidence, visits or award
(see `ppp.locking`) — writes history through `ppp.history.record_transition` in the same
transaction, and queues email after commit from `templates/accreditation/email/`.
"""

from ._base import A, S, WorkflowError, _lock, _move, _touch
from .applying import (
    action_plan_agree,
    application_apply,
    application_assign,
    application_can_apply,
    application_return,
    application_submit,
    application_withdraw,
    applications_assign,
)
from .awards import _cancel_pending_award, _issue_certificate, application_award, award_expire, award_ratify
from .emails import _notify, lead_emails, officer_emails
from .evidence import (
    EVIDENCE_CHANGE_LABELS,
    _check_criteria,
    _evidence_version,
    _storing_files,
    _submit,
    evidence_add,
    evidence_review,
    evidence_submit,
    evidence_submit_drafts,
    evidence_update,
)
from .planning import action_item_delete, action_item_save, action_items_from_self_review, self_review_save
from .reaccreditation import _carry_forward, legacy_award_invite, reaccreditation_start
from .schemes import scheme_new_version, scheme_publish
from .visits import (
    _check_visit_time,
    _complete,
    visit_cancel,
    visit_complete,
    visit_record_past,
    visit_request,
    visit_schedule,
)

__all__ = [
    "A",
    "EVIDENCE_CHANGE_LABELS",
    "S",
    "WorkflowError",
    "_cancel_pending_award",
    "_carry_forward",
    "_check_criteria",
    "_check_visit_time",
    "_complete",
    "_evidence_version",
    "_issue_certificate",
    "_lock",
    "_move",
    "_notify",
    "_storing_files",
    "_submit",
    "_touch",
    "action_item_delete",
    "action_item_save",
    "action_items_from_self_review",
    "action_plan_agree",
    "application_apply",
    "application_assign",
    "applications_assign",
    "application_award",
    "application_can_apply",
    "application_return",
    "application_submit",
    "application_withdraw",
    "award_expire",
    "award_ratify",
    "evidence_add",
    "evidence_review",
    "evidence_submit",
    "evidence_submit_drafts",
    "evidence_update",
    "lead_emails",
    "legacy_award_invite",
    "officer_emails",
    "reaccreditation_start",
    "scheme_new_version",
    "scheme_publish",
    "self_review_save",
    "visit_cancel",
    "visit_complete",
    "visit_record_past",
    "visit_request",
    "visit_schedule",
]
