"""Moving models between apps without touching their tables (docs/architecture.md, "Moving a
model to another app").

A model moves in its state only (``SeparateDatabaseAndState``): it keeps its table (``db_table``)
and its history table, so every row and every history row stays where it was. Its content type is
renamed to the new app label in the same migration, so that what points to it by content type
(permissions given to users and groups, submission keys) keeps pointing to it. The access log
stores labels as text and is read through ``orientation.selectors.access_log_object_type``.
"""

from __future__ import annotations

from django.db import migrations

# Models that moved to another app: their label before → their label now. The access log keeps the
# label a row was written with (it is append-only), so a row written before the move still says
# ``cases.arcorequest``; ``object_type_current`` reads both as the same record type.
MOVED_LABELS: dict[str, str] = {
    "cases.arcorequest": "arco.arcorequest",
    "cases.historicalarcorequest": "arco.historicalarcorequest",
    "cases.importbatch": "imports.importbatch",
    "services.sportgroup": "sport.sportgroup",
    "services.groupparticipant": "sport.groupparticipant",
    "services.historicalgroupparticipant": "sport.historicalgroupparticipant",
    "services.sportsession": "sport.sportsession",
    "services.attendance": "sport.attendance",
    "services.historicalattendance": "sport.historicalattendance",
    "services.headcount": "sport.headcount",
}


def object_type_current(object_type: str) -> str:
    """The label a stored record type has today (``cases.arcorequest`` → ``arco.arcorequest``)."""
    return MOVED_LABELS.get(object_type, object_type)


def object_type_spellings(object_type: str) -> list[str]:
    """Every label rows of this record type may have been written with, the current one first."""
    current = object_type_current(object_type)
    return [current, *sorted(old for old, new in MOVED_LABELS.items() if new == current)]


def content_types_move(*, old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """A migration operation renaming the content types of ``models`` (lower-case model names,
    history models included) from ``old_app`` to ``new_app``, and back when unapplied."""

    def rename(source: str, target: str):
        def run(apps, schema_editor):
            content_type = apps.get_model("contenttypes", "ContentType")
            db = schema_editor.connection.alias
            for model in models:
                if content_type.objects.using(db).filter(app_label=target, model=model).exists():
                    continue  # created already (by a post_migrate of an earlier run): keep it
                content_type.objects.using(db).filter(app_label=source, model=model).update(app_label=target)

        return run

    return migrations.RunPython(rename(old_app, new_app), rename(new_app, old_app), elidable=False)
