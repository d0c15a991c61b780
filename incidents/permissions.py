"""Who may do what with a school's incidents, as rules (see ppp/permissions.py): each
returns why not, in a sentence, or None. Views and templates ask them (`allowed_actions`);
services refuse through them (`rule.require(by, incident, IncidentError)`). Council
officers may do nothing here, whatever else they are.

- the school's **lead**: everything, including staff permissions, the reporting link,
  the access log, exports and subject access;
- a **reviewer** ("reviews incidents"): sees every incident of the school, records,
  triages pupils' reports, replies to pupils, reviews, resolves, closes, reads the reports;
- a **recorder** ("records incidents"): records incidents and sees, adds to and changes
  the ones they recorded while they are open;
- any other member: nothing;
- commissioners and partner agencies keep no incident records: nobody there is offered
  "Record an incident" or the termly reports (`keeps_incident_records`).
"""

from django.db.models import Q

from ppp.accounts.models import Membership
from ppp.accounts.selectors import membership_in
from ppp.permissions import allowed_actions as _allowed
from ppp.permissions import rule

from .models import Incident, Status

OPEN_FOR_EDITS = {Status.NEW, Status.OPEN, Status.UNDER_REVIEW}
OFFICERS = "Council officers see only the figures across all settings, never an incident record."
NOT_A_SETTING = (
    "Incident records are kept by schools and settings that work with children, "
    "not by commissioners or partner agencies."
)


def keeps_incident_records(organisation) -> bool:
    """Schools and settings that work with children record incidents; commissioners and
    partner agencies (which pledge to the charter, but have no pupils) do not."""
    return organisation is not None and organisation.takes_the_award


ANONYMISED = "This record has been anonymised under the retention policy and cannot be changed."


def _membership(user, organisation) -> Membership | None:
    """The user's membership of `organisation` (read once a request: membership_in)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_officer or organisation is None:
        return None
    return membership_in(user, organisation)


def _grants(membership: Membership | None) -> tuple[bool, bool]:
    """(records, reviews) for a membership: the lead has both."""
    if membership is None:
        return False, False
    if membership.is_lead:
        return True, True
    role = getattr(membership, "incident_role", None)
    return bool(role and (role.can_record or role.can_review)), bool(role and role.can_review)


def _reviewer_refusal(user, organisation, doing: str) -> str | None:
    if user.is_officer:
        return OFFICERS
    if not keeps_incident_records(organisation):
        return NOT_A_SETTING
    if not _grants(_membership(user, organisation))[1]:
        return f"Only the school's lead or its reviewers can {doing}."
    return None


# The school's pages


@rule
def can_record_incidents(user, organisation):
    if user.is_officer:
        return OFFICERS
    if not keeps_incident_records(organisation):
        return NOT_A_SETTING
    if not _grants(_membership(user, organisation))[0]:
        return "Your school's lead has not given you access to incident records. Ask them for it."
    return None


@rule
def can_review_incidents(user, organisation):
    return _reviewer_refusal(user, organisation, "do this")


@rule
def can_see_reports(user, organisation):
    return _reviewer_refusal(user, organisation, "read the incident reports")


@rule
def can_manage_incidents(user, organisation):
    """Staff permissions, the reporting link, the access log, exports, subject access."""
    if user.is_officer:
        return OFFICERS
    if not keeps_incident_records(organisation):
        return NOT_A_SETTING
    membership = _membership(user, organisation)
    if membership is None or not membership.is_lead:
        return "Only your school's lead can do this."
    return None


can_use_incidents = can_record_incidents


def is_incidents_lead(user, organisation) -> bool:
    return can_manage_incidents(user, organisation)


# One record


@rule
def can_view_incident(user, incident: Incident):
    if user.is_officer:
        return OFFICERS
    records, reviews = _grants(membership := _membership(user, incident.organisation))
    if reviews:
        return None
    if (
        records
        and membership is not None
        and membership.incident_role.can_record
        and incident.recorded_by_id == user.pk
    ):
        return None
    return "You can see only the incidents you recorded."


@rule
def can_edit_incident(user, incident: Incident):
    if (refusal := can_view_incident.refusal(user, incident)) is not None:
        return refusal
    if incident.is_anonymised:
        return ANONYMISED
    if can_review_incidents(user, incident.organisation):
        return None
    if incident.status not in OPEN_FOR_EDITS:
        return "A resolved or closed incident is changed by a reviewer."
    return None


def _reviewer_on(user, incident: Incident, doing: str, statuses, when: str) -> str | None:
    if (refusal := _reviewer_refusal(user, incident.organisation, doing)) is not None:
        return refusal
    if incident.is_anonymised:
        return ANONYMISED
    if incident.status not in statuses:
        return f"You can {doing} only {when}."
    return None


@rule
def can_triage_incident(user, incident: Incident):
    return _reviewer_on(user, incident, "open a new report", {Status.NEW}, "while it is new")


@rule
def can_dismiss_incident(user, incident: Incident):
    return _reviewer_on(user, incident, "close a report without recording an incident", {Status.NEW}, "while it is new")


@rule
def can_set_review(user, incident: Incident):
    return _reviewer_on(
        user, incident, "set a review", {Status.OPEN, Status.UNDER_REVIEW}, "while the incident is open"
    )


@rule
def can_resolve_incident(user, incident: Incident):
    return _reviewer_on(
        user, incident, "resolve an incident", {Status.OPEN, Status.UNDER_REVIEW}, "while it is open or under review"
    )


@rule
def can_close_incident(user, incident: Incident):
    return _reviewer_on(user, incident, "close an incident", {Status.RESOLVED}, "once it is resolved")


@rule
def can_reopen_incident(user, incident: Incident):
    return _reviewer_on(
        user, incident, "reopen an incident", {Status.RESOLVED, Status.CLOSED}, "once it is resolved or closed"
    )


@rule
def can_reply_to_pupil(user, incident: Incident):
    if (refusal := _reviewer_refusal(user, incident.organisation, "reply to a pupil")) is not None:
        return refusal
    if not incident.from_pupil:
        return "Only a report a pupil sent through the school's link has a pupil to reply to."
    if incident.is_anonymised:
        return ANONYMISED
    return None


@rule
def can_add_note(user, incident: Incident):
    if (refusal := can_view_incident.refusal(user, incident)) is not None:
        return refusal
    return ANONYMISED if incident.is_anonymised else None


@rule
def can_add_involvement(user, incident: Incident):
    """A pupil's report is opened (triaged) first; any other record takes people at once."""
    if (refusal := can_edit_incident.refusal(user, incident)) is not None:
        return refusal
    if incident.status == Status.NEW and incident.from_pupil:
        return "Open the pupil's report first, then add the people involved."
    return None


@rule
def can_remove_involvement(user, incident: Incident):
    """Taking a pupil wrongly attached off a record is a reviewer's decision, with a reason."""
    if (refusal := _reviewer_refusal(user, incident.organisation, "remove a person involved")) is not None:
        return refusal
    return ANONYMISED if incident.is_anonymised else None


@rule
def can_see_pupil_history(user, incident: Incident):
    return _reviewer_refusal(user, incident.organisation, "see a pupil's history")


@rule
def can_print_incident(user, incident: Incident):
    return can_view_incident.refusal(user, incident)


@rule
def can_see_access_log(user, incident: Incident):
    return can_manage_incidents.refusal(user, incident.organisation)


INCIDENT_RULES = {
    "edit": can_edit_incident,
    "triage": can_triage_incident,
    "dismiss": can_dismiss_incident,
    "set_review": can_set_review,
    "resolve": can_resolve_incident,
    "close": can_close_incident,
    "reopen": can_reopen_incident,
    "reply": can_reply_to_pupil,
    "note": can_add_note,
    "add_involvement": can_add_involvement,
    "remove_involvement": can_remove_involvement,
    "pupil_history": can_see_pupil_history,
    "print": can_print_incident,
    "access_log": can_see_access_log,
}


def allowed_actions(user, incident: Incident) -> set[str]:
    """What `user` may do to `incident`, for its page: templates never re-derive a rule."""
    return _allowed(user, incident, INCIDENT_RULES)


def organisation_actions(user, organisation) -> set[str]:
    """What `user` may do on the school's incident pages (list, report, settings)."""
    actions = set()
    if can_record_incidents(user, organisation):
        actions |= {"list", "record"}
    if can_see_reports(user, organisation):
        actions |= {"report", "governors_report", "pupil_search"}
    if can_manage_incidents(user, organisation):
        actions |= {"manage", "export", "subject_access", "access_log", "reporting_link", "staff"}
    return actions


def needs_two_factor(user) -> bool:
    """Anyone who may read incident records (a lead, or staff who record or review them)
    must use two-factor authentication, as officers do (ADR 0031)."""
    return (
        Membership.objects.filter(user=user)
        .filter(Q(role=Membership.Role.LEAD) | Q(incident_role__can_record=True) | Q(incident_role__can_review=True))
        .exists()
    )
