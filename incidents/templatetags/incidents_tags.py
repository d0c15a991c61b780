from django import template
from django.urls import reverse

from incidents import permissions

register = template.Library()


@register.inclusion_tag("incidents/includes/nav_item.html", takes_context=True)
def incidents_nav_item(context):
    """The header's one link to incidents: the figures for officers, the school's records
    for staff who may see them, nothing for anyone else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"href": None}
    if user.is_officer:
        return {"href": reverse("incidents:figures"), "label": "Incident figures", "request": request}
    organisation = context.get("current_organisation")
    if organisation is not None and permissions.can_use_incidents(user, organisation):
        return {"href": reverse("incidents:list"), "label": "Incidents", "request": request}
    return {"href": None}


@register.filter
def yes_no(value) -> str:
    return {True: "Yes", False: "No"}.get(value, "Not recorded")


ACCESS_LABELS = {
    "incident.view": "Opened the record",
    "incident.print": "Printed the record (PDF)",
    "incident.export": "Exported the record",
    "incidents.export": "Downloaded records (CSV)",
    "incidents.subject_access": "Made a subject access export",
    "incident.pupil_history": "Saw it in a pupil's history",
    "incident.pupil_search": "Saw it in a pupil search",
    "incidents.pupil_history": "Looked at a pupil's history",
    "incidents.pupil_search": "Searched for a pupil's history",
    "incidents.report_view": "Opened the school report",
    "incidents.governors_report": "Downloaded the governors' report",
    "incidents.role_set": "Changed someone's access to incidents",
    "incidents.reporting_link_created": "Made the pupils' reporting link",
    "incidents.reporting_link_rotated": "Replaced the pupils' reporting link",
    "incidents.poster_printed": "Printed the reporting link poster",
    "incidents.retention_applied": "Anonymised old records (retention)",
}


@register.filter
def access_label(event) -> str:
    """What an audit event of the incident pages means, in words."""
    from incidents.models import IncidentEvent

    if event.action in ACCESS_LABELS:
        label = ACCESS_LABELS[event.action]
        page = (event.detail or {}).get("page")
        return f"{label} ({page} page)" if page and page != "record" else label
    if event.action.startswith("incident."):
        action = event.action.split(".", 1)[1]
        return str(dict(IncidentEvent.Action.choices).get(action, action.replace("_", " ").capitalize()))
    return event.action


@register.filter
def status_label(value) -> str:
    from incidents.models import Status

    try:
        return Status(value).label
    except ValueError:
        return value
