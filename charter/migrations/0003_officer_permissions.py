from django.db import migrations

from ppp.accounts.permissions import grant_officer_permissions

CODENAMES = [
    "add_charter",
    "change_charter",
    "view_charter",
    "add_principle",
    "change_principle",
    "delete_principle",
    "view_principle",
    "add_commitment",
    "change_commitment",
    "delete_commitment",
    "view_commitment",
    "add_examplepledge",
    "change_examplepledge",
    "delete_examplepledge",
    "view_examplepledge",
    "view_pledge",
    "change_pledge",
    "approve_pledge",
    "view_pledgecommitment",
    "view_pledgeevent",
    "view_review",
    "change_review",
    "view_reviewanswer",
    "view_commissionedprovider",
]


def grant(apps, schema_editor):
    grant_officer_permissions(apps, {"charter": CODENAMES})


class Migration(migrations.Migration):
    dependencies = [
        ("charter", "0002_first_charter"),
        ("accounts", "0002_council_officers_group"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
