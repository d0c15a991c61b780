from django.db import migrations

from ppp.accounts.permissions import grant_officer_permissions

CODENAMES = [
    "add_questionset",
    "change_questionset",
    "view_questionset",
    "add_question",
    "change_question",
    "view_question",
    "delete_question",
]


def load(apps, schema_editor):
    from surveys.services import load_first_versions

    load_first_versions(apps.get_model("surveys", "QuestionSet"), apps.get_model("surveys", "Question"))
    grant_officer_permissions(apps, {"surveys": CODENAMES})


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("accounts", "0002_council_officers_group"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
