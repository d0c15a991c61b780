"""Who may do what with a school's incidents. Views and templates ask these; services
refuse through them. Council officers may do nothing here, whatever else they are.

- the school's **lead**: everything, including staff permissions, the reporting link,
  the access log, exports and subject access;
- a **reviewer** ("reviews incidents"): sees every incident of the school, records,
  triages pupils' reports, replies to pupils, reviews, resolves, closes, reads the reports;
- a **recorder** ("records incidents"): records incidents and sees, adds to and changes
  the ones they recorded while they are open;
- any other member: nothing.
"""

from ppp.accounts.models import Membership

from .models import Incident, Status

OPEN_FOR_EDITS = {Status.NEW, Status.OPEN, Status.UNDER_REVIEW}


def _membership(user, organisation) -> Membership | None:
    """The user's membership of `organisation` with its incident role, cached on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_officer or organisation is None:
        return None
    cache = user.__dict__.setdefault("_incident_memberships", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = (
            Membership.objects.filter(user=user, organisation=organisation).select_related("incident_role").first()
        )
    return cache[organisation.pk]


def _role(membership: Membership | None):
    return getattr(membership, "incident_role", None) if membership is not None else None


def is_incidents_lead(user, organisation) -> bool:
    membership = _membership(user, organisation)
    return membership is not None and membership.is_lead


def can_review_incidents(user, organisation) -> bool:
    membership = _membership(user, organisation)
    if membership is None:
        return False
    role = _role(membership)
    return membership.is_lead or bool(role and role.can_review)


def can_record_incidents(user, organisation) -> bool:
    membership = _membership(user, organisation)
    if membership is None:
        return False
    role = _role(membership)
    return membership.is_lead or bool(role and (role.can_record or role.can_review))


def can_use_incidents(user, organisation) -> bool:
    """May open the school's incident pages at all."""
    return can_record_incidents(user, organisation)


def can_manage_incidents(user, organisation) -> bool:
    """Staff permissions, the reporting link, the access log, exports, subject access."""
    return is_incidents_lead(user, organisation)


def can_see_reports(user, organisation) -> bool:
    return can_review_incidents(user, organisation)


def can_view_incident(user, incident: Incident) -> bool:
    if can_review_incidents(user, incident.organisation):
        return True
    membership = _membership(user, incident.organisation)
    role = _role(membership)
    return bool(role and role.can_record and incident.recorded_by_id == user.pk)


def can_edit_incident(user, incident: Incident) -> bool:
    if incident.is_anonymised:
        return False
    if can_review_incidents(user, incident.organisation):
        return True
    return can_view_incident(user, incident) and incident.status in OPEN_FOR_EDITS


def can_triage_incident(user, incident: Incident) -> bool:
    return (
        incident.status == Status.NEW
        and not incident.is_anonymised
        and can_review_incidents(user, incident.organisation)
    )


def can_dismiss_incident(user, incident: Incident) -> bool:
    return can_triage_incident(user, incident)


def can_set_review(user, incident: Incident) -> bool:
    return (
        incident.status in (Status.OPEN, Status.UNDER_REVIEW)
        and not incident.is_anonymised
        and can_review_incidents(user, incident.organisation)
    )


def can_resolve_incident(user, incident: Incident) -> bool:
    return can_set_review(user, incident)


def can_close_incident(user, incident: Incident) -> bool:
    return (
        incident.status == Status.RESOLVED
        and not incident.is_anonymised
        and can_review_incidents(user, incident.organisation)
    )


def can_reopen_incident(user, incident: Incident) -> bool:
    return (
        incident.status in (Status.RESOLVED, Status.CLOSED)
        and not incident.is_anonymised
        and can_review_incidents(user, incident.organisation)
    )


def can_reply_to_pupil(user, incident: Incident) -> bool:
    return incident.from_pupil and not incident.is_anonymised and can_review_incidents(user, incident.organisation)


def can_add_note(user, incident: Incident) -> bool:
    return not incident.is_anonymised and can_view_incident(user, incident)


def can_add_involvement(user, incident: Incident) -> bool:
    """A pupil's report is opened (triaged) first; any other record takes people at once."""
    return can_edit_incident(user, incident) and not (incident.status == Status.NEW and incident.from_pupil)


def can_see_pupil_history(user, incident: Incident) -> bool:
    return can_review_incidents(user, incident.organisation)


def can_print_incident(user, incident: Incident) -> bool:
    return can_view_incident(user, incident)


def allowed_actions(user, incident: Incident) -> set[str]:
    """What `user` may do to `incident`, for its page: templates never re-derive a rule."""
    checks = {
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
        "pupil_history": can_see_pupil_history,
        "print": can_print_incident,
    }
    actions = {name for name, check in checks.items() if check(user, incident)}
    if is_incidents_lead(user, incident.organisation):
        actions.add("access_log")
    return actions


def organisation_actions(user, organisation) -> set[str]:
    """What `user` may do on the school's incident pages (list, report, settings)."""
    actions = set()
    if can_record_incidents(user, organisation):
        actions |= {"list", "record"}
    if can_review_incidents(user, organisation):
        actions |= {"report", "governors_report", "pupil_search"}
    if can_manage_incidents(user, organisation):
        actions |= {"manage", "export", "subject_access", "access_log", "reporting_link", "staff"}
    return actions
