"""Misspelling-tolerant search on PostgreSQL: pg_trgm and a GIN trigram index on Person.search_name.

Both steps are PostgreSQL-only; on SQLite they do nothing (cases.search gives SQLite the same
similarity functions in Python).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "cases_person_search_name_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_person USING gin (search_name gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_person_search_and_validation")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
