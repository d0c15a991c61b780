from django.db import migrations

from ppp.accounts.permissions import grant_officer_permissions


def grant(apps, schema_editor):
    # Officers see which emails went, which wait and which failed (Admin → Emails), and send failures again.
    grant_officer_permissions(apps, {"notifications": ["view_email"]})


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_email"),
        ("accounts", "0002_council_officers_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
