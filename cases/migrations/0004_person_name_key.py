"""Person.name_key: the name spelt as it sounds, filled in for existing people, with a GIN
trigram index on PostgreSQL."""

from django.db import migrations, models

INDEX = "cases_person_name_key_trgm"


def fill_name_keys(apps, schema_editor):
    from cases.search import phonetic_key

    Person = apps.get_model("cases", "Person")
    batch = []
    for person in Person.objects.only("pk", "search_name").iterator(chunk_size=2000):
        person.name_key = phonetic_key(person.search_name)
        batch.append(person)
        if len(batch) >= 2000:
            Person.objects.bulk_update(batch, ["name_key"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["name_key"])


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_person USING gin (name_key gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_person_search_name_trigram")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="name_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=250),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
