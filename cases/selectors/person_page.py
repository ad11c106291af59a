"""The person page: its timeline (with the parts other apps register in cases/person_records.py)
and the changes to the person's record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orientation.models import District, Site

from .. import person_records
from ..models import CaseNote, Household, Person
from ..person_records import TIMELINE_LIMIT, TimelineEntry
from .case_status import case_activity_since, case_last_closing, case_status_changes
from .people import household_members

# --- The person page ------------------------------------------------------------------------------

HISTORY_LIMIT = 50

TRACKED_FIELDS = [
    "given_names",
    "family_names",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "nationality",
    "population_type",
    "phone",
    "district",
    "arrived_on",
    "site",
    "registered_on",
    "household",
    "relationship",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "case_status",
    "archived_at",
]


@dataclass
class FieldChange:
    label: str
    old: Any
    new: Any
    name: str = ""


@dataclass
class PersonChange:
    record: Any
    kind: str  # created, changed
    changes: list[FieldChange] = field(default_factory=list)


def _display(person_field, value, lookups):
    if value is None or value == "":
        return ""
    if person_field.name == "nationality":
        from django_countries import countries

        return countries.name(value) or value
    if person_field.is_relation:
        return lookups.get(person_field.name, {}).get(value, value)
    if person_field.choices:
        return dict(person_field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def person_changes(person: Person, *, limit: int = HISTORY_LIMIT) -> list[PersonChange]:
    """The person's own history: who changed which field, from what to what (newest first)."""
    records = list(
        person.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    fields = [Person._meta.get_field(name) for name in TRACKED_FIELDS]
    raw_changes = []
    for index, record in enumerate(records[:limit]):
        older = records[index + 1] if index + 1 < len(records) else None
        if older is None:
            raw_changes.append((record, "created", []))
            continue
        diffs = [
            (f, getattr(older, f.attname), getattr(record, f.attname))
            for f in fields
            if getattr(older, f.attname) != getattr(record, f.attname)
        ]
        if diffs:
            raw_changes.append((record, "changed", diffs))
    wanted: dict[str, set] = {"site": set(), "school": set(), "district": set(), "household": set()}
    for _record, _kind, diffs in raw_changes:
        for f, old, new in diffs:
            if f.is_relation:
                wanted[f.name].update(v for v in (old, new) if v is not None)
    lookups = {
        "site": {pk: str(s) for pk, s in Site.objects.in_bulk(wanted["site"]).items()}
        if wanted["site"]
        else {},
        "district": (
            {pk: str(d) for pk, d in District.objects.in_bulk(wanted["district"]).items()}
            if wanted["district"]
            else {}
        ),
        "household": (
            {pk: h.code for pk, h in Household.objects.in_bulk(wanted["household"]).items()}
            if wanted["household"]
            else {}
        ),
    }
    return [
        PersonChange(
            record=record,
            kind=kind,
            changes=[
                FieldChange(
                    label=f.verbose_name,
                    old=_display(f, old, lookups),
                    new=_display(f, new, lookups),
                    name=f.name,
                )
                for f, old, new in diffs
            ],
        )
        for record, kind, diffs in raw_changes
    ]


def person_page(user, person: Person) -> dict[str, Any]:
    """Everything the person page shows, in a fixed number of queries whatever the number of rows.

    The timeline holds the records of the apps above ``cases`` too (services, referrals, sport
    attendance): each adds its part through cases/person_records.py."""
    documents = list(person.documents.order_by("doc_type", "-created_at"))
    statuses = list(person.regularization_statuses.select_related("recorded_by"))
    consents = list(person.consents.select_related("recorded_by", "withdrawn_by"))
    intakes = list(person.intakes.for_timeline().order_by("-date", "-created_at")[:TIMELINE_LIMIT])
    parts = person_records.timeline_parts(user, person)
    notes = list(
        CaseNote.objects.filter(person=person)
        .visible_to(user)
        .select_related("author", "site")
        .order_by("-created_at")[:TIMELINE_LIMIT]
    )
    changes = person_changes(person)
    case_changes = case_status_changes(person)
    closing = case_last_closing(case_changes) if person.case_is_closed else None
    timezone_day = timezone.localdate
    entries = (
        [TimelineEntry("intake", i.date, i, (i.created_at,)) for i in intakes]
        + [entry for part in parts for entry in part.entries]
        + [TimelineEntry("note", timezone_day(n.created_at), n, (n.created_at,)) for n in notes]
        + [TimelineEntry("consent", c.given_on, c, (c.created_at,)) for c in consents]
        + [TimelineEntry("document", timezone_day(d.created_at), d, (d.created_at,)) for d in documents]
        + [TimelineEntry("status", s.since, s, (s.created_at,)) for s in statuses]
        + [TimelineEntry("case_status", timezone_day(c.changed_at), c, (c.changed_at,)) for c in case_changes]
        + [
            TimelineEntry("change", timezone_day(c.record.history_date), c, (c.record.history_date,))
            for c in changes
            # a change of the case status alone is on the timeline as its own entry (case_status)
            if c.kind == "changed" and any(f.name != "case_status" for f in c.changes)
        ]
    )
    entries.sort(key=lambda e: (e.day, e.order), reverse=True)
    today = timezone.localdate()
    current_status = statuses[0] if statuses else None
    page = dict(person_records.PAGE_DEFAULTS)
    for part in parts:
        page.update(part.context)
    return page | {
        "documents": documents,
        "statuses": statuses,
        "current_status": current_status,
        "consents": consents,
        "active_consents": {c.purpose for c in consents if c.is_active},
        "timeline": entries,
        "changes": changes,
        "members": household_members(person),
        "case_changes": case_changes,
        "case_closing": closing,
        # A closed case with something recorded since (a check-in, a service): the caseworker
        # decides whether to reopen it (queries only for a closed case).
        "activity_since_closing": (
            case_activity_since(user, person, closing.changed_at) if closing is not None else []
        ),
        "age": person.age(today),
        "expiring_soon": [
            x
            for x in [*documents, *([current_status] if current_status else [])]
            if x.expires_on and x.expires_on <= today + timedelta(days=30)
        ],
    }
