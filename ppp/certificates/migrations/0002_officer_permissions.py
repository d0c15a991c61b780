from django.db import migrations

from ppp.accounts.permissions import grant_officer_permissions


def grant(apps, schema_editor):
    grant_officer_permissions(apps, {"certificates": ["view_issuedcertificate", "change_issuedcertificate"]})


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("accounts", "0002_council_officers_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
