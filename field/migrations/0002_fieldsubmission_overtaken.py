# A correction of a light profile made on the device, and what a device sent for a record changed on
# the server since it kept it (the newer version stayed).

from django.db import migrations, models


KINDS = [
    ("attendance", "attendance mark"),
    ("light_profile", "light profile"),
    ("head_count", "head count"),
    ("outreach", "outreach registration"),
    ("profile", "light profile corrected"),
]
OVERTAKEN_HELP = (
    "What the device sent for a record changed on the server since the device kept it: the newer "
    "version stayed (an anonymous head count; a person's correction is in their history)."
)


class Migration(migrations.Migration):
    dependencies = [
        ("field", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="fieldsubmission",
            name="overtaken",
            field=models.JSONField(blank=True, help_text=OVERTAKEN_HELP, null=True, verbose_name="kept, not applied"),
        ),
        migrations.AddField(
            model_name="historicalfieldsubmission",
            name="overtaken",
            field=models.JSONField(blank=True, help_text=OVERTAKEN_HELP, null=True, verbose_name="kept, not applied"),
        ),
        migrations.AlterField(
            model_name="fieldsubmission",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=20, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="historicalfieldsubmission",
            name="kind",
            field=models.CharField(choices=KINDS, max_length=20, verbose_name="kind"),
        ),
    ]
