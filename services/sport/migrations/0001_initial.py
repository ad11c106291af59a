"""The youth sport models, moved here from services: the model moves in Django's state only; its
table and history table keep their names (``db_table``), so every row and history row stays. Its content types are renamed to the new
app label (orientation/moves.py)."""

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
        ('services', '0007_partner_institution_names'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('orientation', '0007_submission_key'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='GroupParticipant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('joined_on', models.DateField(default=django.utils.timezone.localdate)),
                        ('left_on', models.DateField(blank=True, null=True)),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='group_memberships', to='cases.person')),
                    ],
                    options={
                        'verbose_name': 'group participant',
                        'verbose_name_plural': 'group participants',
                        'db_table': 'services_groupparticipant',
                    },
                ),
                migrations.CreateModel(
                    name='SportGroup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('age_min', models.PositiveSmallIntegerField(default=6, verbose_name='minimum age')),
                        ('age_max', models.PositiveSmallIntegerField(default=16, verbose_name='maximum age')),
                        ('active', models.BooleanField(default=True, verbose_name='active')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('facilitators', models.ManyToManyField(blank=True, related_name='sport_groups', to=settings.AUTH_USER_MODEL, verbose_name='facilitators')),
                        ('participants', models.ManyToManyField(blank=True, related_name='sport_groups', through='sport.GroupParticipant', to='cases.person')),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orientation.program', verbose_name='program')),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sport_groups', to='orientation.site', verbose_name='school or venue')),
                    ],
                    options={
                        'verbose_name': 'sport group',
                        'verbose_name_plural': 'sport groups',
                        'db_table': 'services_sportgroup',
                        'ordering': ['site__code', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalGroupParticipant',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('joined_on', models.DateField(default=django.utils.timezone.localdate)),
                        ('left_on', models.DateField(blank=True, null=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.person')),
                        ('group', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sport.sportgroup')),
                    ],
                    options={
                        'verbose_name': 'historical group participant',
                        'verbose_name_plural': 'historical group participants',
                        'db_table': 'services_historicalgroupparticipant',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddField(
                    model_name='groupparticipant',
                    name='group',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='sport.sportgroup'),
                ),
                migrations.CreateModel(
                    name='SportSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(default=django.utils.timezone.localdate, verbose_name='date')),
                        ('activity', models.CharField(choices=[('soccer_clinic', 'Soccer clinic'), ('leadership_workshop', 'Leadership workshop'), ('community_activity', 'Community activity')], max_length=30, verbose_name='activity')),
                        ('topic', models.CharField(blank=True, max_length=200, verbose_name='topic')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('facilitators', models.ManyToManyField(blank=True, related_name='sport_sessions', to=settings.AUTH_USER_MODEL, verbose_name='facilitators')),
                        ('group', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='sport.sportgroup', verbose_name='group')),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orientation.program', verbose_name='program')),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sport_sessions', to='orientation.site', verbose_name='venue')),
                    ],
                    options={
                        'verbose_name': 'sport session',
                        'verbose_name_plural': 'sport sessions',
                        'db_table': 'services_sportsession',
                        'ordering': ['-date', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalAttendance',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('present', models.BooleanField(default=True, verbose_name='present')),
                        ('population_type', models.CharField(choices=[('destination', 'Destination (settled)'), ('transit', 'In transit'), ('pendular', 'Pendular'), ('host', 'Host community'), ('returnee', 'Peruvian returnee')], max_length=20, verbose_name='population type')),
                        ('recorded_at', models.DateTimeField(blank=True, editable=False)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('person', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.person')),
                        ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='sport.sportsession')),
                    ],
                    options={
                        'verbose_name': 'historical attendance',
                        'verbose_name_plural': 'historical attendance',
                        'db_table': 'services_historicalattendance',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HeadCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sex', models.CharField(choices=[('F', 'Female'), ('M', 'Male'), ('X', 'Other / not stated')], max_length=1, verbose_name='sex')),
                        ('age_band', models.CharField(choices=[('0-4', '0-4'), ('5-11', '5-11'), ('12-17', '12-17'), ('18-59', '18-59'), ('60+', '60+'), ('unknown', 'unknown')], max_length=10, verbose_name='age band')),
                        ('count', models.PositiveIntegerField(verbose_name='count')),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='head_counts', to='sport.sportsession')),
                    ],
                    options={
                        'verbose_name': 'head count',
                        'verbose_name_plural': 'head counts',
                        'db_table': 'services_headcount',
                    },
                ),
                migrations.CreateModel(
                    name='Attendance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('present', models.BooleanField(default=True, verbose_name='present')),
                        ('population_type', models.CharField(choices=[('destination', 'Destination (settled)'), ('transit', 'In transit'), ('pendular', 'Pendular'), ('host', 'Host community'), ('returnee', 'Peruvian returnee')], max_length=20, verbose_name='population type')),
                        ('recorded_at', models.DateTimeField(auto_now=True)),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attendances', to='cases.person')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='sport.sportsession')),
                    ],
                    options={
                        'verbose_name': 'attendance',
                        'verbose_name_plural': 'attendance',
                        'db_table': 'services_attendance',
                    },
                ),
                migrations.AddConstraint(
                    model_name='sportgroup',
                    constraint=models.UniqueConstraint(fields=('program', 'site', 'name'), name='unique_group_name'),
                ),
                migrations.AddConstraint(
                    model_name='sportgroup',
                    constraint=models.CheckConstraint(condition=models.Q(('age_max__gte', models.F('age_min'))), name='group_age_range'),
                ),
                migrations.AddConstraint(
                    model_name='groupparticipant',
                    constraint=models.UniqueConstraint(fields=('group', 'person'), name='unique_group_participant'),
                ),
                migrations.AddIndex(
                    model_name='sportsession',
                    index=models.Index(fields=['program', 'date'], name='services_sp_program_fdd110_idx'),
                ),
                migrations.AddConstraint(
                    model_name='sportsession',
                    constraint=models.UniqueConstraint(fields=('program', 'site', 'date', 'activity', 'group'), name='unique_sport_session'),
                ),
                migrations.AddConstraint(
                    model_name='headcount',
                    constraint=models.UniqueConstraint(fields=('session', 'sex', 'age_band'), name='unique_head_count'),
                ),
                migrations.AddIndex(
                    model_name='attendance',
                    index=models.Index(fields=['person', 'session'], name='services_at_person__d976bf_idx'),
                ),
                migrations.AddIndex(
                    model_name='attendance',
                    index=models.Index(fields=['recorded_at'], name='attendance_recorded_idx'),
                ),
                migrations.AddConstraint(
                    model_name='attendance',
                    constraint=models.UniqueConstraint(fields=('session', 'person'), name='unique_attendance'),
                ),
            ],
        ),
        content_types_move(old_app='services', new_app='sport', models=['sportgroup', 'groupparticipant', 'historicalgroupparticipant', 'sportsession', 'attendance', 'historicalattendance', 'headcount']),
    ]
