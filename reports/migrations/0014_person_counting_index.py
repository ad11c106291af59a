"""A covering index for the person of each reference event (``reports.counting``, ``reached``).

A month's computation looks up, for each person it reached, their sex, nationality and birth
date, one index probe each. From the primary key these probes read the person table itself
(216 MB for a million people, more than PostgreSQL's default shared buffers); from this index
alone (39 MB) they stay in memory, so their cost follows the month's people rather than the size
of the population (bench/PLANS.md, section 5). PostgreSQL only: SQLite has no included columns.
"""

from django.db import migrations

NAME = "reports_person_counting_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON cases_person (id)"
            " INCLUDE (sex, nationality, birth_date)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("reports", "0013_year_first_events"),
        ("cases", "0018_site_request"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
