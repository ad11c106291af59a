"""Words for the counts an import reports."""

from django.utils.translation import gettext_lazy as _

ENTITY_LABELS = {
    "people": _("People"),
    "documents": _("Identity documents"),
    "direct_services": _("Direct services"),
    "referrals": _("Referrals"),
    "referral_transitions": _("Referral status changes"),
    "sport_groups": _("Sport groups"),
    "sport_sessions": _("Sport sessions"),
    "attendance": _("Attendance"),
}
COUNT_LABELS = {"created": _("created"), "updated": _("updated"), "unchanged": _("unchanged")}
COUNT_ORDER = ("created", "updated", "unchanged")


def counts_display(counts: dict) -> list[tuple[str, list[tuple[str, int]]]]:
    """``{"people": {"created": 3}}`` → ``[("People", [("created", 3), ("updated", 0), ...])]``."""
    rows = []
    for entity, numbers in counts.items():
        keys = [k for k in COUNT_ORDER if k in numbers or entity != "referral_transitions"]
        rows.append(
            (
                str(ENTITY_LABELS.get(entity, entity)),
                [(str(COUNT_LABELS.get(k, k)), int(numbers.get(k, 0))) for k in keys],
            )
        )
    return rows
