"""Pages of the award: thin views that fetch through `for_user`, ask `permissions` what
the person may do, call one service per URL, and render.

    applications.py   the award page, applying, and each workflow action (one URL each)
    planning.py       self-review and action plan
    evidence.py       evidence: add, change, submit (one or several drafts), review, download
    visits.py         visits: offer dates, book, confirm or move, record, cancel, calendar, report
    officers.py       the caseload and its export
    public.py         award holders, the award's terms
"""

from .applications import (
    application_agree_plan,
    application_assign,
    application_award,
    application_detail,
    application_ratify,
    application_return,
    application_submit,
    application_withdraw,
    apply,
    award_logo,
    dashboard,
)
from .evidence import (
    evidence_add,
    evidence_detail,
    evidence_download,
    evidence_edit,
    evidence_review,
    evidence_submit,
    evidence_submit_drafts,
)
from .officers import caseload, caseload_assign
from .planning import action_delete, action_edit, action_plan, action_plan_csv, action_plan_pdf, self_review
from .public import award_holders, award_terms
from .visits import visit_cancel, visit_confirm, visit_detail, visit_ics, visit_new, visit_record, visit_report_download

__all__ = [
    "action_delete",
    "action_edit",
    "action_plan",
    "action_plan_csv",
    "action_plan_pdf",
    "application_agree_plan",
    "application_assign",
    "application_award",
    "application_detail",
    "application_ratify",
    "application_return",
    "application_submit",
    "application_withdraw",
    "apply",
    "award_holders",
    "award_terms",
    "award_logo",
    "caseload",
    "caseload_assign",
    "dashboard",
    "evidence_add",
    "evidence_detail",
    "evidence_download",
    "evidence_edit",
    "evidence_review",
    "evidence_submit",
    "evidence_submit_drafts",
    "self_review",
    "visit_cancel",
    "visit_confirm",
    "visit_detail",
    "visit_ics",
    "visit_new",
    "visit_record",
    "visit_report_download",
]
