"""The database cache's table is UNLOGGED on PostgreSQL (docs/adr/0056): a cache write's
commit then waits for no disk flush (each one took 1-5 ms on the development machine,
more than the rest of a public page), and after a crash the cache starts empty."""

from django.conf import settings
from django.db import migrations


def _cache_tables() -> list[str]:
    return sorted({c["LOCATION"] for c in settings.CACHES.values() if c["BACKEND"].endswith("cache.DatabaseCache")})


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in _cache_tables():
            schema_editor.execute(f"ALTER TABLE IF EXISTS {schema_editor.quote_name(table)} SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in _cache_tables():
            schema_editor.execute(f"ALTER TABLE IF EXISTS {schema_editor.quote_name(table)} SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("ppp", "0002_submissions")]
    operations = [migrations.RunPython(unlogged, logged)]
