from django.db import migrations

from ppp.accounts.permissions import grant_officer_permissions


def create_group(apps, schema_editor):
    grant_officer_permissions(
        apps,
        {
            "accounts": [
                "view_user",
                "change_user",
                "view_organisation",
                "add_organisation",
                "change_organisation",
                "view_membership",
                "add_membership",
                "change_membership",
                "delete_membership",
                "view_invitation",
                "change_invitation",
            ],
        },
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Council officers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
