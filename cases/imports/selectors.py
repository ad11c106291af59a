"""Reads for imports and exports, scoped to the user asking."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from orientation import roles

from ..models import IdentityDocument, ImportBatch, Person
from ..selectors import people_visible_to
from .kinds import IMPORTERS
from .reading import FileReadError, table_open

PREVIEW_ROWS = 10


def import_batches_for_user(user) -> QuerySet[ImportBatch]:
    """The uploads a user may see: their own; an admin sees everyone's."""
    if roles.has_role(user, roles.ADMIN):
        qs = ImportBatch.objects.all()
    elif roles.has_role(user, roles.IMPORTERS):
        qs = ImportBatch.objects.filter(uploaded_by=user)
    else:
        qs = ImportBatch.objects.none()
    return qs.select_related("uploaded_by").defer("errors")


def import_batch_get_for_user(user, pk) -> ImportBatch:
    try:
        return import_batches_for_user(user).defer(None).get(pk=pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def import_batch_preview(batch: ImportBatch, *, limit: int = PREVIEW_ROWS) -> dict | None:
    """The first rows of the stored file as the import reads them: ``{"columns", "rows"}`` where
    each row is ``(row number, [cell per column])``. None when the file is gone or unreadable."""
    if not batch.file or not default_storage.exists(batch.file.name):
        return None
    known = IMPORTERS[batch.kind].columns
    try:
        with (
            default_storage.open(batch.file.name, "rb") as fileobj,
            table_open(fileobj, batch.file.name) as table,
        ):
            positions = [(name, i) for i, name in enumerate(table.header) if name]
            columns = [name for name, _i in positions]
            rows = []
            for number, cells in table.rows:
                rows.append((number, [cells[i] if i < len(cells) else "" for _name, i in positions]))
                if len(rows) >= limit:
                    break
    except FileReadError:
        return None
    return {"columns": columns, "known": set(known), "rows": rows}


def people_for_export(user, *, site_ids: Iterable[int] | None = None) -> QuerySet[Person]:
    """People a user may export: those of the sites they see (never anonymized records), oldest
    first, with their documents (the latest of each person goes in the file)."""
    qs = people_visible_to(user).filter(anonymized_at__isnull=True)
    if site_ids is not None:
        qs = qs.filter(site_id__in=list(site_ids))
    return (
        qs.select_related("site")
        .prefetch_related(Prefetch("documents", queryset=IdentityDocument.objects.order_by("-id")))
        .order_by("pk")
    )
