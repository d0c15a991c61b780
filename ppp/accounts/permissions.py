"""The Council officers group and its model permissions, for data migrations.

Each app's data migration calls `grant_officer_permissions` with the permissions its
officers need, so the group always matches the models that exist.
"""

from django.contrib.auth.management import create_permissions

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
