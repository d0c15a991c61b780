"""The register's search by name reads each pledge's own copy of its organisation's name
(ADR 0022) through a trigram index of the entries on the register, with no join."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
import ppp.postgres
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_organisation_area_upper"),
        ("charter", "0008_register_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="pledge",
            index=ppp.postgres.TrigramIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("sort_name"), name="gin_trgm_ops"
                ),
                condition=models.Q(
                    ("consent_to_list", True), ("removed_from_register_at__isnull", True), ("status", "approved")
                ),
                name="pledge_register_name_trgm",
            ),
        ),
    ]
