"""Reads for imports and exports, scoped to the user asking."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from orientation import roles

from ..models import IdentityDocument, Person
from ..selectors import people_visible_to
from .engine import PREVIEW_ROWS
from .kinds import IMPORTERS
from .models import ImportBatch


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
    """The first rows of the file as the check read them: ``{"columns", "known", "rows"}`` where
    each row is ``(row number, [cell per column])``. Kept by the check in the worker, so a page
    view never parses the file again; None when there is none (file rejected, imported or gone)."""
    kept = (batch.summary or {}).get("preview")
    if not batch.file or not kept:
        return None
    header = kept.get("header") or []
    positions = [(name, i) for i, name in enumerate(header) if name]
    rows = [
        (number, [cells[i] if i < len(cells) else "" for _name, i in positions])
        for number, cells in (kept.get("rows") or [])[:limit]
    ]
    return {
        "columns": [name for name, _i in positions],
        "known": set(IMPORTERS[batch.kind].columns),
        "rows": rows,
    }


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
