"""Import batches; the table keeps its first name (it was part of ``cases``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """An uploaded file waiting for confirmation, then imported whole or not at all."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        INVALID = "invalid", _("Rejected: errors found")
        READY = "ready", _("Ready to import")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        ABANDONED = "abandoned", _("Abandoned")

    # A kind some app registered (cases/imports/registry.py): people, services, attendance...
    kind = models.CharField(_("kind"), max_length=20)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="import_batches"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written every few seconds by the worker running the import (PostgreSQL): a run whose
    # heartbeat stops died with its worker (cases.imports.actions.import_batches_fail_dead).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "cases_importbatch"
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    def get_kind_display(self) -> str:
        from .registry import kind_label

        return kind_label(self.kind)
