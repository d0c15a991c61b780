""" "When it was reported" (the day the school was told), apart from when the record was
made (`reported_at`, now labelled "when it was recorded"). Existing records had only the
one: their reported date is the day they were recorded (local time). The list is read in
the order of when incidents happened: an index for it."""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import TruncDate


def reported_on_the_day_recorded(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    # TruncDate works in the current (local) time zone: the day as the school saw it.
    Incident.objects.filter(reported_on__isnull=True).update(reported_on=TruncDate("reported_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_user_staff_index"),
        ("incidents", "0002_involvement_once_per_part"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="reported_on",
            field=models.DateField(null=True, verbose_name="when it was reported"),
        ),
        migrations.RunPython(reported_on_the_day_recorded, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="incident",
            name="reported_on",
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name="when it was reported"),
        ),
        migrations.AlterField(
            model_name="incident",
            name="reported_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="when it was recorded"),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["organisation", "-occurred_at"], name="incident_org_occurred"),
        ),
    ]
