"""Who may do what with organisations and their members (see ppp/permissions.py), and
the Council officers group with its model permissions, for data migrations.

Each app's data migration calls `grant_officer_permissions` with the permissions its
officers need, so the group always matches the models that exist.
"""

from django.contrib.auth.management import create_permissions

from ppp.permissions import rule

OFFICERS_GROUP = "Council officers"


def grant_officer_permissions(apps, codenames_by_app: dict[str, list[str]]) -> None:
    """Create the group if needed and give it `app_label: [codename, ...]` permissions."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=OFFICERS_GROUP)
    for app_label, codenames in codenames_by_app.items():
        permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
        group.permissions.add(*permissions)


@rule
def can_manage_members(user, organisation):
    """Officers, and the organisation's lead, invite and remove its members."""
    from .selectors import is_lead

    if user.is_officer or is_lead(user, organisation):
        return None
    return "Only a council officer or the organisation's lead can change its members."


@rule
def can_invite_lead(user, organisation=None):
    if user.is_officer:
        return None
    return "Only a council officer can invite a lead. Leads can hand over their role instead."


@rule
def can_hand_over(user, organisation=None):
    if user.is_officer:
        return None
    return "Only a council officer can hand an organisation to a new lead."


ORGANISATION_RULES = {
    "manage_members": can_manage_members,
    "invite_lead": can_invite_lead,
    "hand_over": can_hand_over,
}
