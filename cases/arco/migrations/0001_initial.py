"""ARCO requests, moved here from cases: the model moves in Django's state only; its table and
history table keep their names (``db_table``), so every row and history row stays. Its content types are renamed to the new
app label (orientation/moves.py)."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from orientation.moves import content_types_move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0011_person_name_key_initial_j'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ArcoRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('access', 'Access'), ('rectification', 'Rectification'), ('cancellation', 'Cancellation'), ('opposition', 'Opposition')], max_length=20, verbose_name='kind')),
                        ('received_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='received on')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('status', models.CharField(choices=[('received', 'Received'), ('in_progress', 'In progress'), ('done', 'Done'), ('rejected', 'Rejected')], default='received', max_length=20, verbose_name='status')),
                        ('resolution', models.TextField(blank=True, max_length=4000, validators=[django.core.validators.MaxLengthValidator(4000)], verbose_name='resolution')),
                        ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                        ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='arco_requests', to='cases.person')),
                    ],
                    options={
                        'verbose_name': 'ARCO request',
                        'verbose_name_plural': 'ARCO requests',
                        'db_table': 'cases_arcorequest',
                        'ordering': ['-received_on'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalArcoRequest',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('access', 'Access'), ('rectification', 'Rectification'), ('cancellation', 'Cancellation'), ('opposition', 'Opposition')], max_length=20, verbose_name='kind')),
                        ('received_on', models.DateField(default=django.utils.timezone.localdate, verbose_name='received on')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('status', models.CharField(choices=[('received', 'Received'), ('in_progress', 'In progress'), ('done', 'Done'), ('rejected', 'Rejected')], default='received', max_length=20, verbose_name='status')),
                        ('resolution', models.TextField(blank=True, max_length=4000, validators=[django.core.validators.MaxLengthValidator(4000)], verbose_name='resolution')),
                        ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('handled_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.person')),
                    ],
                    options={
                        'verbose_name': 'historical ARCO request',
                        'verbose_name_plural': 'historical ARCO requests',
                        'db_table': 'cases_historicalarcorequest',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
            ],
        ),
        content_types_move(old_app='cases', new_app='arco', models=['arcorequest', 'historicalarcorequest']),
    ]
