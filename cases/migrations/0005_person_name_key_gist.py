"""A GiST trigram index on ``lower(name_key)`` (PostgreSQL) for the ordered name search.

Ordered by word distance (``lower(name_key) <->> key``), it returns the closest names first and
stops after a page, where the GIN index had to hand over every match to be ranked (17,000 for a
common name at 1M people: 300 ms against 20 ms; bench/PLANS.md). It is on an expression that only
the ordered search uses: on the plain column, PostgreSQL's cost estimates made it prefer this
index for every trigram query, including the word lookups of "registered at another site" that the
GIN index answers 2-10 times faster. The key is already lower case. The GIN index stays for those
lookups and for the duplicate check."""

from django.db import migrations

INDEX = "cases_person_name_key_lower_gist"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_person USING gist ((lower(name_key)) gist_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_person_name_key")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
