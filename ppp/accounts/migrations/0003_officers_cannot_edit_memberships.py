from django.db import migrations

TAKEN_AWAY = ["add_membership", "change_membership", "delete_membership"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Council officers").first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="accounts", codename__in=TAKEN_AWAY)
        )


class Migration(migrations.Migration):
    """Memberships change through the organisation pages' services, not the admin."""

    dependencies = [("accounts", "0002_council_officers_group")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
