"""Indexes for the caseload's panels at national scale (bench/FINDINGS.md): visit dates to
confirm (oldest request first) and awards expiring (soonest first)."""

from django.db import migrations, models

from ppp.postgres import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL: the tables keep taking writes while they build.
    atomic = False

    dependencies = [
        ("accreditation", "0007_scale_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="award",
            index=models.Index(fields=["status", "expires_on"], name="award_status_expires"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="visit",
            index=models.Index(
                condition=models.Q(("status", "requested")), fields=["created_at", "id"], name="visit_requested_queue"
            ),
        ),
    ]
