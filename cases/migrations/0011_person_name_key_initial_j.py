"""The sound-alike key now spells a J that opens a name as i, like a Y (Juleisy/Yuleisy,
Jhonny/Yonny, Jesica/Yesica): recompute ``Person.name_key`` for everyone, in batches."""

from django.db import migrations


def recompute_name_keys(apps, schema_editor):
    from cases.search import phonetic_key

    Person = apps.get_model("cases", "Person")
    table = schema_editor.quote_name(Person._meta.db_table)
    sql = f"UPDATE {table} SET name_key = %s WHERE id = %s"  # noqa: S608  # nosec B608 (table name from the model)
    changed = []
    with schema_editor.connection.cursor() as cursor:
        for pk, search_name, name_key in Person.objects.values_list("pk", "search_name", "name_key").iterator(
            chunk_size=10000
        ):
            key = phonetic_key(search_name)
            if key != name_key:
                changed.append((key, pk))
            if len(changed) >= 10000:
                cursor.executemany(sql, changed)
                changed = []
        if changed:
            cursor.executemany(sql, changed)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_identity_document_expiry_index_and_partner_institution")]

    operations = [migrations.RunPython(recompute_name_keys, migrations.RunPython.noop, elidable=True)]
