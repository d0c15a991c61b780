"""The award holders' search by name reads each issued award's own copy of its holder's
name (ADR 0022) through a trigram index, instead of joining every application to its
organisation to count the matches."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
import ppp.postgres
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0010_award_holders_order"),
        ("certificates", "0002_officer_permissions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="award",
            index=ppp.postgres.TrigramIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("holder_name"), name="gin_trgm_ops"
                ),
                condition=models.Q(("status", "issued")),
                name="award_holder_name_trgm",
            ),
        ),
    ]
