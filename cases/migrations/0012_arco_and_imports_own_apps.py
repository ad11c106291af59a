"""ARCO requests and import batches move to their own apps (arco, imports), in Django's state only:
their tables and history tables keep their names (``db_table``), so every row and history row
stays. Their content types are renamed in arco 0001 and imports 0001 (orientation/moves.py)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('arco', '0001_initial'),
        ('imports', '0001_initial'),
        ('cases', '0011_person_name_key_initial_j'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='historicalarcorequest',
                    name='handled_by',
                ),
                migrations.RemoveField(
                    model_name='historicalarcorequest',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalarcorequest',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='importbatch',
                    name='uploaded_by',
                ),
                migrations.DeleteModel(
                    name='ArcoRequest',
                ),
                migrations.DeleteModel(
                    name='HistoricalArcoRequest',
                ),
                migrations.DeleteModel(
                    name='ImportBatch',
                ),
            ],
        ),
    ]
