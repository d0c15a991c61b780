import datetime

from django.db import migrations

from accreditation import scheme_content
from ppp.accounts.permissions import grant_officer_permissions


def forwards(apps, schema_editor):
    scheme_content.load(
        apps.get_model("accreditation", "Scheme"),
        apps.get_model("accreditation", "Standard"),
        apps.get_model("accreditation", "Criterion"),
        published_on=datetime.date(2026, 9, 1),
    )
    models = [
        "scheme",
        "standard",
        "criterion",
        "application",
        "visit",
        "actionitem",
        "evidence",
        "award",
        "legacyaward",
    ]
    codenames = [f"view_{m}" for m in models]
    codenames += ["add_scheme", "change_scheme", "add_standard", "change_standard", "add_criterion", "change_criterion"]
    codenames += ["change_application", "change_visit", "add_legacyaward", "change_legacyaward"]
    grant_officer_permissions(apps, {"accreditation": codenames})


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0001_initial"),
        ("accounts", "0002_council_officers_group"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
