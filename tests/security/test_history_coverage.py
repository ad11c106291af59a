"""Every model holding a person's data keeps its change history."""

from __future__ import annotations

from django.apps import apps
from simple_history.models import HistoricalChanges

from cases.models import Person

# Models with a foreign key to Person that are themselves logs (append-only by design) or derived
# rows rebuilt from records that have history, and so need no history of their own. Say why for each.
LOG_MODELS: dict[str, str] = {
    "reports.firstevent": "derived by reports.counting from contacts that keep history; never edited",
    "reports.yearfirstevent": "derived by reports.counting from contacts that keep history; never edited",
}


def has_history(model) -> bool:
    return bool(getattr(model._meta, "simple_history_manager_attribute", None))


def test_person_and_every_model_pointing_to_it_has_history():
    missing = []
    for model in apps.get_models():
        if issubclass(model, HistoricalChanges):
            continue
        points_to_person = any(
            f.is_relation and f.related_model is Person and (f.many_to_one or f.one_to_one)
            for f in model._meta.concrete_fields
        )
        if (model is Person or points_to_person) and not has_history(model):
            if model._meta.label_lower not in LOG_MODELS:
                missing.append(model._meta.label)
    assert has_history(Person)
    assert not missing, f"models with a person's data but no HistoricalRecords(): {missing}"


def test_the_check_sees_the_models_it_should():
    labels = {
        m._meta.label_lower
        for m in apps.get_models()
        if any(f.is_relation and f.related_model is Person for f in m._meta.concrete_fields)
    }
    assert {"cases.identitydocument", "cases.casenote", "services.referral", "sport.attendance"} <= labels
