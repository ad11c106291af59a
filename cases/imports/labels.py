"""Words for the counts an import reports."""

from django.utils.translation import gettext_lazy as _

# What each kind counts, in words: filled by the kinds (registry.entity_labels_register).
ENTITY_LABELS: dict[str, str] = {}
# What a kind counts only when it happens (a referral's status change): no zero counts shown.
ONLY_WHAT_HAPPENED: set[str] = set()
COUNT_LABELS = {"created": _("created"), "updated": _("updated"), "unchanged": _("unchanged")}
COUNT_ORDER = ("created", "updated", "unchanged")


def counts_display(counts: dict) -> list[tuple[str, list[tuple[str, int]]]]:
    """``{"people": {"created": 3}}`` → ``[("People", [("created", 3), ("updated", 0), ...])]``."""
    rows = []
    for entity, numbers in counts.items():
        keys = [k for k in COUNT_ORDER if k in numbers or entity not in ONLY_WHAT_HAPPENED]
        rows.append(
            (
                str(ENTITY_LABELS.get(entity, entity)),
                [(str(COUNT_LABELS.get(k, k)), int(numbers.get(k, 0))) for k in keys],
            )
        )
    return rows
