"""`{% status_tag obj %}`: a status as a GOV.UK tag, in the one colour that status has
everywhere in PPP. Templates never choose a status colour themselves."""

from django import template
from django.utils.html import format_html

register = template.Library()

# What a colour means: green done or valid, blue (GOV.UK's plain tag) in progress,
# purple handed in and being decided, teal booked, yellow waiting for a decision,
# orange needs the school's action, red a problem, grey finished or no longer in force.
COLOURS = {
    "accepted": "green",
    "accredited": "green",
    "approved": "green",
    "attended": "green",
    "completed": "green",
    "confirmed": "green",
    "done": "green",
    "issued": "green",
    "paid": "green",
    "pledged": "green",
    "on_the_register": "green",
    "resolved": "green",
    "valid": "green",
    "applied": "blue",
    "evidencing": "blue",
    "in_progress": "blue",
    "new": "blue",
    "open": "blue",
    "planning": "blue",
    "submitted": "purple",
    "assessment": "purple",
    "under_review": "purple",
    "awaiting_ratification": "purple",
    "scheduled": "teal",
    "requested": "yellow",
    "waitlisted": "yellow",
    "invoiced": "yellow",
    "due_for_review": "yellow",
    "awaiting_approval": "blue",
    "changes_requested": "orange",
    "lapsed": "orange",
    "returned": "orange",
    "unverified": "orange",
    "lead": "blue",
    "member": "grey",
    "absent": "red",
    "not_signed": "red",
    "not_on_the_register": "grey",
    "revoked": "red",
    "cancelled": "grey",
    "closed": "grey",
    "expired": "grey",
    "not_invoiced": "grey",
    "not_started": "grey",
    "superseded": "grey",
    "withdrawn": "grey",
}
# Where a model's status means something else than the same word elsewhere.
MODEL_COLOURS = {
    "accounts.organisation.open": "green",
}


def colour_for(status: str, model_label: str = "") -> str:
    return MODEL_COLOURS.get(f"{model_label}.{status}") or COLOURS.get(status, "grey")


@register.simple_tag
def status_tag(obj_or_status, label: str | None = None):
    """`{% status_tag pledge %}` (its status and label) or `{% status_tag "lapsed" "Lapsed" %}`."""
    if hasattr(obj_or_status, "_meta"):
        obj = obj_or_status
        status = obj.status
        label = label or obj.get_status_display()
        model_label = obj._meta.label_lower
    else:
        status, model_label = str(obj_or_status), ""
        label = label or status.replace("_", " ").capitalize()
    colour = colour_for(status.replace(" ", "_"), model_label)
    return format_html('<strong class="{}">{}</strong>', tag_class(colour), label)


def tag_class(colour: str) -> str:
    """The GOV.UK Frontend 6 classes of a tag: blue is the plain tag (v6 has no blue or
    light blue modifier, and an unknown modifier leaves the tag grey)."""
    return "govuk-tag" if colour == "blue" else f"govuk-tag govuk-tag--{colour}"


@register.filter
def lookup(mapping, key):
    """`{{ offers|lookup:criterion.code }}`: a dict's value for a key, or nothing."""
    return mapping.get(key, ()) if mapping else ()
