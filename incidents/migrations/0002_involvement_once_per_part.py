"""A pupil is on a record once in each part. Rows that already repeat a pupil in the same
part (the bug this closes) are merged first: the earliest is kept. Afterwards run
`manage.py rebuild_incident_figures` so the council's counts lose the doubles."""

from django.conf import settings
from django.db import migrations, models


def keep_the_first_of_each_pupil_and_part(apps, schema_editor):
    Involvement = apps.get_model("incidents", "Involvement")
    seen = set()
    doubles = []
    rows = Involvement.objects.exclude(pupil_index="").order_by("incident_id", "created_at", "id")
    for pk, incident_id, index, role in rows.values_list("pk", "incident_id", "pupil_index", "role").iterator():
        key = (incident_id, index, role)
        if key in seen:
            doubles.append(pk)
        else:
            seen.add(key)
    Involvement.objects.filter(pk__in=doubles).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_the_first_of_each_pupil_and_part, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="incidentevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("recorded", "Recorded"),
                    ("reported", "Reported by a pupil through the school's link"),
                    ("triaged", "Triaged and opened"),
                    ("updated", "Changed"),
                    ("review_set", "Review set"),
                    ("resolved", "Resolved"),
                    ("closed", "Closed"),
                    ("dismissed", "Closed without recording an incident"),
                    ("reopened", "Reopened"),
                    ("involvement_added", "Person involved added"),
                    ("involvement_changed", "Person involved changed"),
                    ("involvement_removed", "Person involved removed"),
                    ("replied", "Replied to the pupil"),
                    ("pupil_added", "The pupil added more"),
                    ("note_added", "Note added"),
                    ("repeat_flagged", "Marked as a repeat"),
                    ("repeat_cleared", "No longer a repeat"),
                    ("anonymised", "Anonymised under the retention policy"),
                    ("data_fix", "Corrected by a system administrator"),
                ],
                max_length=40,
            ),
        ),
        migrations.AddConstraint(
            model_name="involvement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("pupil_index", ""), _negated=True),
                fields=("incident", "pupil_index", "role"),
                name="involvement_unique_pupil_role",
            ),
        ),
    ]
