"""Who may do what in the award: each rule returns why not (a sentence), or None.

Services refuse with `rule.require(by, obj, WorkflowError)`; views hand templates the
allowed actions (`application_actions`, `evidence_actions`, `visit_actions`), and a
template shows a button only for an allowed action (see ppp/permissions.py).
"""

from ppp.accounts.selectors import is_lead, is_member
from ppp.permissions import allowed_actions, rule

from .models import Application, Award, Evidence, Visit

S = Application.Status
OPEN = Application.OPEN_STATUSES
# While the school works on its plan and evidence.
EDITABLE = [S.APPLIED, S.PLANNING, S.EVIDENCING, S.ASSESSMENT]
EVIDENCE_OPEN = [S.PLANNING, S.EVIDENCING, S.ASSESSMENT]


def _officer(user, what: str):
    return None if user.is_officer else f"Only a council officer can {what}."


def _lead(user, application, what: str):
    return None if is_lead(user, application.organisation) else f"Only {application.organisation}'s lead can {what}."


def _staff(user, application, what: str):
    if user.is_officer or is_member(user, application.organisation):
        return None
    return f"Only staff of {application.organisation} can {what}."


def _while(application, allowed, what: str):
    if application.status in allowed:
        return None
    return f"You cannot {what} while the application is {application.get_status_display().lower()}."


def _first(*reasons):
    return next((reason for reason in reasons if reason), None)


# ---------------------------------------------------------------- the application


@rule
def can_apply(user, organisation):
    if not is_lead(user, organisation):
        return f"Only {organisation}'s lead can apply for the award."
    if not organisation.takes_the_award:
        return "The Positive and Peaceful Places award is for schools and settings that work with children."
    return None


@rule
def can_assign(user, application):
    return _first(_officer(user, "assign an application"), _while(application, OPEN, "assign an officer"))


@rule
def can_agree_plan(user, application):
    return _first(_officer(user, "agree an action plan"), _while(application, [S.PLANNING], "agree the action plan"))


@rule
def can_submit_application(user, application):
    return _first(
        _lead(user, application, "submit for assessment"),
        _while(application, [S.EVIDENCING], "submit for assessment"),
    )


@rule
def can_return_application(user, application):
    return _first(_officer(user, "ask for more evidence"), _while(application, [S.ASSESSMENT], "ask for more evidence"))


def _award_of(application) -> Award | None:
    try:
        return application.award
    except Award.DoesNotExist:
        return None


@rule
def can_award(user, application):
    return _first(
        _officer(user, "make an award"),
        _while(application, [S.ASSESSMENT], "make the award"),
        "This application already has an award." if _award_of(application) is not None else None,
    )


@rule
def can_ratify(user, application):
    award = _award_of(application)
    return _first(
        _officer(user, "ratify an award"),
        "This award is not waiting for ratification."
        if award is None or award.status != Award.Status.AWAITING_RATIFICATION
        else None,
        _while(application, [S.ASSESSMENT], "ratify the award"),
        "A second officer must ratify the award: not the officer who made it."
        if award is not None and award.awarded_by_id == user.pk
        else None,
    )


@rule
def can_withdraw_application(user, application):
    if not (user.is_officer or is_lead(user, application.organisation)):
        return "Only the school's lead or a council officer can withdraw an application."
    return _while(application, OPEN, "withdraw the application")


@rule
def can_edit_plan(user, application):
    """The self-review and the action plan: the school's staff and officers, while open."""
    return _first(_staff(user, application, "change the action plan"), _while(application, EDITABLE, "change it"))


@rule
def can_add_evidence(user, application):
    return _first(_staff(user, application, "add evidence"), _while(application, EVIDENCE_OPEN, "add evidence"))


@rule
def can_submit_new_evidence(user, application):
    """Save and submit in one go: the lead, once evidence can be submitted."""
    award = _award_of(application)
    return _first(
        _lead(user, application, "submit evidence"),
        _while(application, [S.EVIDENCING, S.ASSESSMENT], "submit evidence"),
        "An award is waiting for ratification: evidence cannot change now."
        if award is not None and award.status == Award.Status.AWAITING_RATIFICATION
        else None,
    )


@rule
def can_request_visit(user, application):
    return _first(_lead(user, application, "ask for a visit"), _while(application, OPEN, "ask for a visit"))


@rule
def can_book_visit(user, application):
    return _first(_officer(user, "schedule a visit"), _while(application, OPEN, "schedule a visit"))


@rule
def can_start_reaccreditation(user, application):
    """From the award page of an accredited or expired application."""
    from .selectors import can_reaccredit_now

    if not is_lead(user, application.organisation):
        return f"Only {application.organisation}'s lead can re-accredit."
    return can_reaccredit_now(application)


APPLICATION_RULES = {
    "assign": can_assign,
    "agree_plan": can_agree_plan,
    "submit": can_submit_application,
    "return": can_return_application,
    "award": can_award,
    "ratify": can_ratify,
    "withdraw": can_withdraw_application,
    "edit_plan": can_edit_plan,
    "add_evidence": can_add_evidence,
    "request_visit": can_request_visit,
    "book_visit": can_book_visit,
    "reaccredit": can_start_reaccreditation,
}


def application_actions(user, application) -> set[str]:
    return allowed_actions(user, application, APPLICATION_RULES)


# ---------------------------------------------------------------- evidence


@rule
def can_edit_evidence(user, evidence):
    application = evidence.application
    return _first(
        _staff(user, application, "change evidence"),
        _while(application, EVIDENCE_OPEN, "change evidence"),
        None
        if evidence.status in (Evidence.Status.DRAFT, Evidence.Status.CHANGES_REQUESTED)
        else "Evidence can only be changed while it is a draft or changes have been asked for.",
    )


@rule
def can_submit_evidence(user, evidence):
    application = evidence.application
    award = _award_of(application)
    return _first(
        _lead(user, application, "submit evidence"),
        _while(application, [S.EVIDENCING, S.ASSESSMENT], "submit evidence"),
        "An award is waiting for ratification: evidence cannot change now."
        if award is not None and award.status == Award.Status.AWAITING_RATIFICATION
        else None,
        None
        if evidence.status in (Evidence.Status.DRAFT, Evidence.Status.CHANGES_REQUESTED)
        else f"This evidence is already {evidence.get_status_display().lower()}.",
    )


@rule
def can_review_evidence(user, evidence):
    application = evidence.application
    return _first(
        _officer(user, "review evidence"),
        _while(application, [S.EVIDENCING, S.ASSESSMENT], "review evidence"),
        None
        if evidence.status == Evidence.Status.SUBMITTED
        else f"This evidence is {evidence.get_status_display().lower()}, not waiting for review.",
    )


EVIDENCE_RULES = {
    "edit": can_edit_evidence,
    "submit": can_submit_evidence,
    "review": can_review_evidence,
}


def evidence_actions(user, evidence) -> set[str]:
    return allowed_actions(user, evidence, EVIDENCE_RULES)


# ---------------------------------------------------------------- visits


def _visit_live(visit):
    if visit.status in (Visit.Status.REQUESTED, Visit.Status.SCHEDULED):
        return None
    return f"This visit is already {visit.get_status_display().lower()}."


@rule
def can_confirm_visit(user, visit):
    """Confirm one of the dates the school offered, or book or move the visit."""
    return _first(
        _officer(user, "schedule a visit"),
        _while(visit.application, OPEN, "schedule a visit"),
        _visit_live(visit),
    )


@rule
def can_record_visit(user, visit):
    return _first(
        _officer(user, "record a visit"),
        None if visit.status == Visit.Status.SCHEDULED else "Only a scheduled visit can be recorded as done.",
    )


@rule
def can_cancel_visit(user, visit):
    if not (user.is_officer or is_lead(user, visit.application.organisation)):
        return "Only the school's lead or a council officer can cancel a visit."
    return _visit_live(visit)


VISIT_RULES = {
    "confirm": can_confirm_visit,
    "record": can_record_visit,
    "cancel": can_cancel_visit,
}


def visit_actions(user, visit) -> set[str]:
    return allowed_actions(user, visit, VISIT_RULES)
