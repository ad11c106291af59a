"""What the apps above ``cases`` keep about a person, as ``cases`` needs to know it, without
``cases`` importing them (imports between apps run downward: docs/architecture.md).

``services`` (direct services, referrals) and ``services.sport`` (groups, attendance) each declare
theirs in their own ``person_records.py`` with ``register``; ``CasesConfig.ready`` imports every
app's ``person_records.py``, as Django's admin finds ``admin.py``. ``cases`` uses them for:

- the person page's timeline: the one place where a page of ``cases`` shows the records of the
  apps above it (``person_page`` in cases/selectors.py composes it);
- a coordinator's people: those with a record of one of their programs (``program_condition``);
- the people list's "open referrals" filter and flag (``open_work_condition``, ``open_work_ids``);
- merging two records of one person (cases/merging.py): each app names its rows that belong to a
  person (``Movable``), which the merge moves to the surviving record and an unmerge moves back;
- closing a case (cases/case_status.py): what is still open for the person (``open_items``: open
  referrals, booked appointments), shown before the closing is confirmed, and what was recorded
  after a case was closed (``activity_since``: a check-in at reception, a new service), shown as a
  notice on the person page so that a caseworker reopens it (nothing reopens a case by itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

# At most this many entries of each kind on a person's timeline.
TIMELINE_LIMIT = 100


@dataclass
class TimelineEntry:
    kind: str
    day: date
    obj: Any
    order: tuple = ()
    # The partial that shows the entry (``obj`` in its context); by default cases' own.
    template: str = ""

    @property
    def template_name(self) -> str:
        return self.template or f"cases/includes/_timeline_{self.kind}.html"


@dataclass
class TimelinePart:
    """An app's share of a person's page: its timeline entries, and values the page shows."""

    entries: list[TimelineEntry] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Movable:
    """Rows of a model that belong to a person through its ``person`` foreign key, and how a merge
    moves them: ``unique_with``: the fields that, with the person, may appear only once (a sport
    group's member, a session's attendance); a merged record's row that the survivor already has
    is removed, kept serialized in the merge to be restored by an unmerge. ``program``: the path
    to the row's program (for the figures to recompute), or "" for rows of no program."""

    label: str
    unique_with: tuple[str, ...] = ()
    program: str = ""


@dataclass(frozen=True)
class CaseItem:
    """One thing an app holds about a person, as the case status shows it: work still open (an
    open referral, a booked appointment) or something recorded after the case was closed.
    ``key`` names it for the closing's confirmation ("referral:12"); ``text`` says what it is,
    already translated; ``url`` opens it, where the app has a page for it."""

    key: str
    kind: str
    text: str
    day: date | None = None
    url: str = ""


@dataclass(frozen=True)
class PersonRecords:
    """One app's records about people.

    ``of_programs(program_ids)``: querysets of its rows of these programs, each row with a
    ``person`` foreign key (a coordinator reads the people who have one).
    ``timeline(user, person)``: its ``TimelinePart`` of the person's page.
    ``open_work()``: rows still open for their person (open referrals), for the people list.
    ``movable``: its rows that a merge moves to the surviving record (``Movable``).
    ``open_items(user, person)``: its work still open for the person (``CaseItem``), shown before
    a case is closed.
    ``activity_since(user, person, since)``: what it recorded for the person after ``since`` (a
    datetime: when the case was closed), as ``CaseItem``.
    """

    name: str
    of_programs: Callable[[Iterable[int]], list[QuerySet]] | None = None
    timeline: Callable[[Any, Any], TimelinePart] | None = None
    open_work: Callable[[], QuerySet] | None = None
    movable: tuple[Movable, ...] = ()
    open_items: Callable[[Any, Any], list[CaseItem]] | None = None
    activity_since: Callable[[Any, Any, datetime], list[CaseItem]] | None = None


SOURCES: dict[str, PersonRecords] = {}
# What the person page shows when no app registered a value (an app's ``TimelinePart.context``).
PAGE_DEFAULTS: dict[str, Any] = {"open_referrals": 0, "specialist_follows": False}


def register(source: PersonRecords) -> PersonRecords:
    SOURCES[source.name] = source
    return source


def program_condition(program_ids: Iterable[int], person=None) -> Q:
    """People (``person``: the outer reference, by default the queried Person's pk) with a record
    of one of the programs in any registered app."""
    person = OuterRef("pk") if person is None else person
    condition = Q(pk__in=[])
    for source in SOURCES.values():
        if source.of_programs is not None:
            for rows in source.of_programs(program_ids):
                condition |= Q(Exists(rows.filter(person=person)))
    return condition


def open_work_condition() -> Q:
    """People with something still open (an open referral) in a registered app."""
    condition = Q(pk__in=[])
    for source in SOURCES.values():
        if source.open_work is not None:
            condition |= Q(Exists(source.open_work().filter(person=OuterRef("pk"))))
    return condition


def open_work_ids(person_ids: list[int]) -> set[int]:
    """Of these people, those with something still open: one query per app that has open work."""
    found: set[int] = set()
    if not person_ids:
        return found
    for source in SOURCES.values():
        if source.open_work is not None:
            rows = source.open_work().filter(person_id__in=person_ids).order_by()
            found |= set(rows.values_list("person_id", flat=True))
    return found


def timeline_parts(user, person) -> list[TimelinePart]:
    return [source.timeline(user, person) for source in SOURCES.values() if source.timeline is not None]


def open_items(user, person) -> list[CaseItem]:
    """Every registered app's work still open for the person (one query or so per app)."""
    return [
        item
        for source in SOURCES.values()
        if source.open_items is not None
        for item in source.open_items(user, person)
    ]


def activity_since(user, person, since: datetime) -> list[CaseItem]:
    """What the registered apps recorded for the person after ``since``."""
    return [
        item
        for source in SOURCES.values()
        if source.activity_since is not None
        for item in source.activity_since(user, person, since)
    ]


def movables() -> list[Movable]:
    """Every registered app's rows that belong to a person, for a merge."""
    return [movable for source in SOURCES.values() for movable in source.movable]
