"""National scale: organisations listed in name order through an index, and searched by
any part of the name or the start of the postcode through trigram indexes (PostgreSQL's
pg_trgm extension, enabled here; on SQLite plain indexes, and the searches scan)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

import ppp.postgres
from ppp.postgres import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False  # indexes are built CONCURRENTLY on PostgreSQL: the table keeps taking writes

    dependencies = [
        ("accounts", "0005_provisional_organisations"),
    ]

    operations = [
        TrigramExtension(),  # does nothing on SQLite
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="organisation",
            index=models.Index(fields=["name", "id"], name="organisation_name_id"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="organisation",
            index=ppp.postgres.TrigramIndex("name", name="organisation_name_trgm"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="organisation",
            index=ppp.postgres.TrigramIndex("postcode", name="organisation_postcode_trgm"),
        ),
    ]
