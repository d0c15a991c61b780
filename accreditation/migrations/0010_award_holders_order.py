"""The award holders' order kept on the award (ADR 0022): each award's copy of its
organisation's name, filled here in one UPDATE, and a partial index of the issued awards in
that order (with their expiry, so the current ones are chosen from the index), built after
the filling."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_holder_names(apps, schema_editor):
    Award = apps.get_model("accreditation", "Award")
    Application = apps.get_model("accreditation", "Application")
    Award.objects.update(
        holder_name=Subquery(Application.objects.filter(pk=OuterRef("application_id")).values("organisation__name")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_user_staff_index"),
        ("accreditation", "0009_application_agreed_price"),
    ]

    operations = [
        migrations.AddField(
            model_name="award",
            name="holder_name",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.RunPython(fill_holder_names, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="award",
            index=models.Index(
                condition=models.Q(("status", "issued")),
                fields=["holder_name", "id", "expires_on"],
                name="award_holders_order",
            ),
        ),
    ]
