"""National scale: council officers are found through the few staff and superusers (a
partial index), not by reading every one of 50,000 users; built without blocking sign-ups."""

from django.db import migrations, models

from ppp.postgres import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0006_organisation_search_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="user",
            index=models.Index(
                condition=models.Q(("is_staff", True), ("is_superuser", True), _connector="OR"),
                fields=["id"],
                name="user_staff_or_superuser",
            ),
        ),
    ]
