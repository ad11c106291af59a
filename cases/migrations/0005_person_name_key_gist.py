"""A GiST trigram index on Person.name_key (PostgreSQL): ordered by word distance
(``name_key <->> key``), it returns the closest names first and stops after a page, where the GIN
index had to hand over every match to be ranked (17,000 for a common name at 1M people: 300 ms
against 20 ms; bench/PLANS.md). The GIN index stays for the duplicate check and counts."""

from django.db import migrations

INDEX = "cases_person_name_key_gist"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_person USING gist (name_key gist_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_person_name_key")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
