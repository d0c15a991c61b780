"""The register's order kept on the pledge (ADR 0022): each pledge's copy of its
organisation's name, filled here in one UPDATE, and a partial index of the register's rows
in that order, built after the filling."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_sort_names(apps, schema_editor):
    Pledge = apps.get_model("charter", "Pledge")
    Organisation = apps.get_model("accounts", "Organisation")
    Pledge.objects.update(
        sort_name=Subquery(Organisation.objects.filter(pk=OuterRef("organisation_id")).values("name")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_user_staff_index"),
        ("charter", "0007_review_queue_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="pledge",
            name="sort_name",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="pledge",
            index=models.Index(
                condition=models.Q(
                    ("consent_to_list", True), ("removed_from_register_at__isnull", True), ("status", "approved")
                ),
                fields=["sort_name", "id"],
                name="pledge_register_order",
            ),
        ),
    ]
