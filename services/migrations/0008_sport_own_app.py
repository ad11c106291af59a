"""The youth sport models move to their own app (sport), in Django's state only: their tables and
history tables keep their names (``db_table``), so every row and history row stays. Their content
types are renamed in sport 0001 (orientation/moves.py)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('sport', '0001_initial'),
        ('services', '0007_partner_institution_names'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='groupparticipant',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='groupparticipant',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='sportgroup',
                    name='participants',
                ),
                migrations.RemoveField(
                    model_name='headcount',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='historicalattendance',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalattendance',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='historicalattendance',
                    name='recorded_by',
                ),
                migrations.RemoveField(
                    model_name='historicalattendance',
                    name='session',
                ),
                migrations.RemoveField(
                    model_name='historicalgroupparticipant',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='historicalgroupparticipant',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalgroupparticipant',
                    name='person',
                ),
                migrations.RemoveField(
                    model_name='sportgroup',
                    name='facilitators',
                ),
                migrations.RemoveField(
                    model_name='sportgroup',
                    name='program',
                ),
                migrations.RemoveField(
                    model_name='sportgroup',
                    name='site',
                ),
                migrations.RemoveField(
                    model_name='sportsession',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='sportsession',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='sportsession',
                    name='facilitators',
                ),
                migrations.RemoveField(
                    model_name='sportsession',
                    name='program',
                ),
                migrations.RemoveField(
                    model_name='sportsession',
                    name='site',
                ),
                migrations.DeleteModel(
                    name='Attendance',
                ),
                migrations.DeleteModel(
                    name='GroupParticipant',
                ),
                migrations.DeleteModel(
                    name='HeadCount',
                ),
                migrations.DeleteModel(
                    name='HistoricalAttendance',
                ),
                migrations.DeleteModel(
                    name='HistoricalGroupParticipant',
                ),
                migrations.DeleteModel(
                    name='SportGroup',
                ),
                migrations.DeleteModel(
                    name='SportSession',
                ),
            ],
        ),
    ]
