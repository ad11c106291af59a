"""What belongs to a person, and what anonymization does to each of its fields.

Each app declares what it holds about a person in its own ``personal_data.py`` (``policy_register``,
``contact_register``): this module, the engine, names no app's models.

``person_linked_models()`` finds, by walking the model graph (not a hand-kept list), every model
whose rows belong to one person: models with a foreign key to ``Person`` or to a model that does
(``IntakeNeed`` through ``Intake``, ``ReferralTransition`` through ``Referral``...), many-to-many
rows, and personal-data models a person's record points to (its ``Household``). The subject access
export and anonymization both use it, and ``POLICY`` must classify every field of every such model
(tests/security/test_arco.py fails for a new model or field that is not classified).

Decisions (Law 29733 and its 2024 regulation):

- Cancellation and opposition are honoured by anonymization, not deletion: names become
  "Anonimizado"; phone, district of residence, arrival date, vulnerabilities (health data),
  guardian data, identity documents (deleted), every free-text note and the household's address
  (once no other member still needs it) are erased, here and in the history tables.
- Kept, so that past monthly figures never change: sex, birth date, nationality, population type,
  the registering site, and every contact (intakes, services, referrals, attendance) with its dates,
  program and the population type stamped on it. Consent records and ARCO requests are kept
  (without their free text) as proof of lawful processing. ``ref`` is kept: it is an opaque import
  key, and keeping it stops a re-import of an old file from re-creating the person.
- Psychosocial sessions are kept (they are counted through their direct services) but their
  confidential note is erased; a group session's note goes with any participant's anonymization.
- Psychosocial notes (case notes of that kind and whole psychosocial sessions) are the person's
  data and are part of the access export, but only when a psychosocial specialist generates it, so
  that a clinician hands them over; when anyone else (a coordinator, an admin) generates it, they are
  withheld and the export says how many and why.
- A group session's note is about every participant, not only the requester: it never goes into one
  participant's export (the session's date, kind and service do; the note is counted under
  ``redacted``). A specialist who must answer for a group note does it by hand, leaving the others out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet

from cases.models import Person

ANON_TEXT = "Anonimizado"


@dataclass(frozen=True)
class ModelPolicy:
    """``erase``: fields blanked on anonymization (live rows and history); ``keep``: fields left as
    they are; ``delete_rows``: the rows themselves are removed (their history is scrubbed);
    ``confidential``: rows only psychosocial readers may receive in an export;
    ``not_exported``: internal fields left out of the export;
    ``shared``: rows that hold other people's data too (a group session): their ``shared_fields``
    are blanked in one person's export."""

    erase: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()
    delete_rows: bool = False
    confidential: Q | None = None
    not_exported: frozenset[str] = frozenset()
    shared: Q | None = None
    shared_fields: frozenset[str] = frozenset()
    replacements: dict = field(default_factory=dict)


def model_policy(erase=(), keep=(), **kwargs) -> ModelPolicy:
    return ModelPolicy(erase=frozenset(erase), keep=frozenset(keep), **kwargs)


# Model label → its policy. Empty here: each app declares the policies of its own models in its
# ``personal_data.py`` with ``policy_register`` (found by ``ArcoConfig.ready``, as Django's admin
# finds ``admin.py``); tests/security/test_arco.py fails for a model or field left unclassified.
POLICY: dict[str, ModelPolicy] = {}
# Rows that are a contact with their person (an intake, a service, an attendance...): given the
# retention cutoff, a queryset of the contacts on or after it, each row with a ``person`` key.
CONTACTS: dict[str, Callable[[date], QuerySet]] = {}


def policy_register(label: str, policy: ModelPolicy) -> None:
    """What anonymization and the access export do with each field of the model ``label``."""
    POLICY[label] = policy


def contact_register(name: str, recent: Callable[[date], QuerySet]) -> None:
    """A kind of contact that keeps a person from being due for retention anonymization."""
    CONTACTS[name] = recent


@dataclass(frozen=True)
class LinkedModel:
    model: type[models.Model]
    path: str  # ORM lookup from this model to the person ("" for Person itself)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def rows_of(self, person):
        if not self.path:
            return self.model._default_manager.filter(pk=person.pk)
        return self.model._default_manager.filter(**{self.path: person}).distinct().order_by("pk")


def _is_history(model) -> bool:
    from simple_history.models import HistoricalChanges

    return issubclass(model, HistoricalChanges)


def _has_history(model) -> bool:
    return bool(getattr(model._meta, "simple_history_manager_attribute", None))


def person_linked_models() -> list[LinkedModel]:
    """Every model whose rows belong to a person, with the lookup that finds a person's rows."""
    candidates = [
        m for m in apps.get_models(include_auto_created=True) if not _is_history(m) and not m._meta.proxy
    ]
    paths: dict[type, str] = {Person: ""}
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in paths:
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and (f.many_to_one or f.one_to_one) and f.related_model in paths:
                    parent = paths[f.related_model]
                    paths[model] = f"{f.name}__{parent}" if parent else f.name
                    changed = True
                    break
        # Personal-data records a person's rows point to (with history of their own): the household.
        for model, path in list(paths.items()):
            for f in model._meta.concrete_fields:
                target = f.related_model if f.is_relation else None
                if target is None or target in paths or not _has_history(target) or _is_history(target):
                    continue
                if f.remote_field.related_name == "+" or target._meta.label_lower == "auth.user":
                    continue
                reverse = f.related_query_name()
                paths[target] = f"{reverse}__{path}" if path else reverse
                changed = True
    return sorted((LinkedModel(model=m, path=p) for m, p in paths.items()), key=lambda linked: linked.label)


def policy_for(model) -> ModelPolicy:
    return POLICY[model._meta.label_lower]


def classifiable_fields(model) -> list[str]:
    """Every field a policy must classify: concrete columns and many-to-many fields."""
    return [f.name for f in model._meta.concrete_fields] + [f.name for f in model._meta.many_to_many]
