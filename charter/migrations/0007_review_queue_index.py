"""The officers' queue of charter reviews waiting for feedback, at national scale
(bench/FINDINGS.md): a partial index in the order the page reads it."""

from django.db import migrations, models

from ppp.postgres import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL: the table keeps taking writes while it builds.
    atomic = False

    dependencies = [
        ("charter", "0006_scale_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="review",
            index=models.Index(
                condition=models.Q(("feedback_at__isnull", True)),
                fields=["submitted_at", "id"],
                name="review_awaiting_feedback",
            ),
        ),
    ]
