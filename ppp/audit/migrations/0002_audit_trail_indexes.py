"""National scale (1,000,000 events and more): the trail read newest first, by action, by
exact IP address and by the typed address of a failed sign-in, through indexes; its
target text searched through a trigram index (PostgreSQL only). The new indexes are
built first (CONCURRENTLY on PostgreSQL, so sign-ins keep being recorded), then the two
single-column ones they replace are dropped."""

import django.db.models.fields.json
from django.conf import settings
from django.db import migrations, models

import ppp.postgres
from ppp.postgres import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0006_organisation_search_indexes"),  # enables pg_trgm
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="auditevent",
            index=models.Index(fields=["at", "id"], name="audit_at_id"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="auditevent",
            index=models.Index(fields=["action", "at", "id"], name="audit_action_at_id"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="auditevent",
            index=models.Index(fields=["ip"], name="audit_ip"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="auditevent",
            index=ppp.postgres.TrigramIndex("target_repr", name="audit_target_repr_trgm"),
        ),
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="auditevent",
            index=models.Index(
                django.db.models.fields.json.KeyTextTransform("username", "detail"), name="audit_detail_username"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(max_length=60),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(auto_now_add=True),
        ),
    ]
