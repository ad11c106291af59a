"""The kinds of file the import engine reads: it knows none of them itself.

Each app declares the kinds that write its records in its own ``import_kinds.py`` (``cases``:
people; ``services``: services and referrals; ``services.sport``: attendance), with ``register``
for the kind and ``lookup_register`` for the code tables its rows are checked against. The engine
imports every app's ``import_kinds.py`` at start-up (``ImportsConfig.ready``), as Django's admin
finds ``admin.py`` (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import MESSAGES, VALUE_LABELS
from .labels import ENTITY_LABELS, ONLY_WHAT_HAPPENED
from .lookups import CODE_SYNONYMS

if TYPE_CHECKING:
    from .kinds.base import Importer

# Kind code → importer class, in the order the apps are installed (the upload page's order).
IMPORTERS: dict[str, type[Importer]] = {}
# Name → loader of a code table (``{code: (id, code)}``...), loaded once per file.
LOOKUP_LOADERS: dict[str, Callable[[], Any]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    """Class decorator: make a kind of file known to the engine (its ``kind`` is the code)."""
    IMPORTERS[importer.kind] = importer
    return importer


def lookup_register(name: str, loader: Callable[[], Any]) -> None:
    """A code table the rows of a kind are checked against, found as ``lookups.tables[name]``."""
    LOOKUP_LOADERS[name] = loader


def messages_register(messages: dict[str, str], *, value_labels: dict[str, dict] | None = None) -> None:
    """A kind's reasons to reject a row, by code (``value_labels``: words for parameter values)."""
    MESSAGES.update(messages)
    for name, labels in (value_labels or {}).items():
        VALUE_LABELS.setdefault(name, {}).update(labels)


def entity_labels_register(labels: dict[str, str], *, only_what_happened: tuple[str, ...] = ()) -> None:
    """Words for what a kind counts in its summary (``{"people": _("People")}``);
    ``only_what_happened``: those shown without zero counts (a referral's status changes)."""
    ENTITY_LABELS.update(labels)
    ONLY_WHAT_HAPPENED.update(only_what_happened)


def synonyms_register(name: str, words: dict[str, tuple[str, ...]]) -> None:
    """What people write for the codes of a kind's own choices (``name``: the choices class's name,
    or the column's), besides the labels: ``{"referral": ("derivación", ...)}``."""
    CODE_SYNONYMS.setdefault(name, {}).update(words)


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, importer.label) for kind, importer in IMPORTERS.items()]


def kind_label(kind: str) -> str:
    importer = IMPORTERS.get(kind)
    return str(importer.label) if importer is not None else kind
