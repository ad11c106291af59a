"""Import batches, moved here from cases: the model moves in Django's state only; its table keeps
its name (``db_table``), so every row and history row stays. Its content types are renamed to the new
app label (orientation/moves.py)."""

import django.db.models.deletion
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
                    name='ImportBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=20, verbose_name='kind')),
                        ('file', models.FileField(blank=True, upload_to='imports/%Y/%m/', verbose_name='file')),
                        ('original_name', models.CharField(max_length=200, verbose_name='file name')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('status', models.CharField(choices=[('uploaded', 'Uploaded'), ('invalid', 'Rejected: errors found'), ('ready', 'Ready to import'), ('queued', 'Queued'), ('running', 'Importing'), ('done', 'Imported'), ('failed', 'Failed'), ('abandoned', 'Abandoned')], default='uploaded', max_length=20, verbose_name='status')),
                        ('total_rows', models.PositiveIntegerField(default=0)),
                        ('processed_rows', models.PositiveIntegerField(default=0)),
                        ('errors', models.JSONField(blank=True, default=list)),
                        ('summary', models.JSONField(blank=True, default=dict)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('heartbeat_at', models.DateTimeField(blank=True, null=True)),
                        ('uploaded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='import_batches', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'import',
                        'verbose_name_plural': 'imports',
                        'db_table': 'cases_importbatch',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
        ),
        content_types_move(old_app='cases', new_app='imports', models=['importbatch']),
    ]
