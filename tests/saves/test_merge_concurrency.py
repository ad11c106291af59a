"""Two caseworkers merging the same pair at once, each keeping another record; a merge while an
import adds services to one of the pair: one consistent result (PostgreSQL row locks, real
threads)."""

from __future__ import annotations

import csv
import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from cases import merging
from cases.imports.engine import figures_refresh, file_import
from cases.imports.errors import ErrorSink
from cases.merging import person_merge
from cases.models import Person, PersonMerge
from reports.actions import monthly_figures_compute
from services.import_kinds import ServicesImporter
from services.models import DirectService
from services.sport.import_kinds import AttendanceImporter
from services.sport.models import Attendance
from tests.factories import AttendanceFactory, DirectServiceFactory, PersonFactory, site
from tests.reports.test_oracle import _expected, _stored

from .conftest import postgres_only, run_together


@postgres_only
def test_two_merges_of_one_pair_at_once_end_with_one(make_user):
    first = PersonFactory(given_names="Yuleisy", family_names="Rojas", birth_date=date(1991, 2, 3))
    second = PersonFactory(given_names="Yulesy", family_names="Rojas", birth_date=date(1991, 2, 3))
    services = [DirectServiceFactory(person=first).pk, DirectServiceFactory(person=second).pk]
    one, other = make_user("caseworker", sites=["PAO-LS"]), make_user("caseworker", sites=["PAO-LS"])

    def merging(user, survivor, merged):
        def call():
            try:
                return person_merge(user=user, survivor_id=survivor.pk, merged_id=merged.pk).survivor_id
            except ValidationError:
                return "refused"

        return call

    results = run_together(merging(one, first, second), merging(other, second, first))

    assert sorted(results, key=str).count("refused") == 1
    assert PersonMerge.objects.count() == 1
    survivor_id = next(r for r in results if r != "refused")
    tombstone = Person.objects.exclude(pk=survivor_id).get(pk__in=[first.pk, second.pk])
    assert tombstone.merged_into_id == survivor_id
    assert Person.objects.get(pk=survivor_id).merged_into_id is None
    assert set(DirectService.objects.filter(pk__in=services).values_list("person_id", flat=True)) == {
        survivor_id
    }


# --- A merge while an import adds services to one of the pair ---------------------------------

MARCH = date(2025, 3, 1)
# How long one side, paused at its worst moment, waits for the other before going on: the other
# either finished meanwhile (no lock kept it) or waits for this one (the lock works).
PAUSE_SECONDS = 3


def _services_file(path, person_ref: str):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=ServicesImporter.columns)
        writer.writeheader()
        for n, day in enumerate([date(2025, 3, 12), date(2025, 3, 20), date(2025, 4, 2)]):
            writer.writerow(
                {
                    "ref": f"SRV-RACE-{n}",
                    "person_ref": person_ref,
                    "program": "PAO",
                    "service_type": "doc-orientation",
                    "kind": "direct",
                    "date": day.isoformat(),
                    "site": "PAO-LS",
                }
            )
    return path


def _attendance_file(path, person_ref: str):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=AttendanceImporter.columns)
        writer.writeheader()
        for day in [date(2025, 3, 13), date(2025, 3, 20), date(2025, 4, 3)]:
            writer.writerow(
                {
                    "person_ref": person_ref,
                    "program": "BALON",
                    "site": "SCH-01",
                    "session_date": day.isoformat(),
                    "activity": "soccer_clinic",
                    "present": "1",
                }
            )
    return path


def _pair(site_code: str):
    survivor = PersonFactory(
        given_names="Yuleisy",
        family_names="Rojas",
        birth_date=date(1991, 2, 3),
        ref="OR-81",
        site=site(site_code),
    )
    merged = PersonFactory(
        given_names="Yulesy",
        family_names="Rojas",
        birth_date=date(1991, 2, 3),
        ref="OR-82",
        site=site(site_code),
    )
    return survivor, merged


def _merge_during_import(monkeypatch, *, first, kind, path, user, survivor, merged, importer_module):
    """Import ``path`` and merge ``merged`` into ``survivor`` in two threads, ``first`` paused at
    its worst moment (the import with the people read, before writing their rows; the merge with
    the pair locked, before moving anything) for the other to slip in. Returns the import's
    counts."""
    started, done = threading.Event(), threading.Event()

    def paused(original):
        def wrapper(*args, **kwargs):
            result = original(*args, **kwargs)
            started.set()
            done.wait(PAUSE_SECONDS)
            return result

        return wrapper

    if first == "import":
        monkeypatch.setattr(
            f"{importer_module}.people_lock_for_events", paused(merging.people_lock_for_events)
        )
    else:
        monkeypatch.setattr("cases.merging._lock_pair", paused(merging._lock_pair))

    def importing():
        if first == "merge":
            started.wait(30)
        errors = ErrorSink(keep=None)
        result = file_import(open_file=lambda: open(path, "rb"), name=path.name, kind=kind, errors=errors)
        assert result.ok, [str(e) for e in errors.errors]
        figures_refresh(result)  # as the import's page does once the file is in
        done.set()
        return result.stats

    def merging_pair():
        if first == "import":
            started.wait(30)
        merge = person_merge(user=user, survivor_id=survivor.pk, merged_id=merged.pk)
        done.set()
        return merge.survivor_id

    stats, survivor_id = run_together(importing, merging_pair)
    assert survivor_id == survivor.pk
    assert Person.objects.get(pk=merged.pk).merged_into_id == survivor.pk
    return stats


def _figures_are_a_fresh_computation():
    """The figures the jobs stored equal the contract read from the events, and a fresh
    computation."""
    stored = _stored(MARCH)
    assert stored == _expected(MARCH)
    monthly_figures_compute(month=MARCH)
    assert _stored(MARCH) == stored
    return stored


@postgres_only
@pytest.mark.parametrize("first", ["import", "merge"])
def test_a_merge_while_an_import_adds_services_to_one_of_the_pair_ends_consistent(
    make_user, tmp_path, monkeypatch, first
):
    """The import writes services for the record being merged away. Whichever goes first, the
    other waits for it (the import holds the people it writes for, the merge locks both records):
    every imported service ends on the survivor and the figures equal a fresh computation."""
    survivor, merged = _pair("PAO-LS")
    DirectServiceFactory(person=survivor, delivered_on=date(2025, 3, 10))
    DirectServiceFactory(person=merged, delivered_on=date(2025, 3, 11))
    monthly_figures_compute(month=MARCH)
    assert _stored(MARCH)["PAO-ANY"]["reached"]["total"] == 2

    stats = _merge_during_import(
        monkeypatch,
        first=first,
        kind="services",
        path=_services_file(tmp_path / "services.csv", merged.ref),
        user=make_user("caseworker", sites=["PAO-LS"]),
        survivor=survivor,
        merged=merged,
        importer_module="services.import_kinds",
    )

    assert stats["direct_services"]["created"] == 3
    imported = DirectService.objects.filter(ref__startswith="SRV-RACE-")
    assert sorted(imported.values_list("person_id", flat=True)) == [survivor.pk] * 3
    assert not DirectService.objects.filter(person=merged).exists()
    assert _figures_are_a_fresh_computation()["PAO-ANY"]["reached"]["total"] == 1


@postgres_only
@pytest.mark.parametrize("first", ["import", "merge"])
def test_a_merge_while_an_import_adds_attendance_to_one_of_the_pair_ends_consistent(
    make_user, tmp_path, monkeypatch, first
):
    """The same with a sport program's attendance: every imported attendance on the survivor."""
    survivor, merged = _pair("SCH-01")
    AttendanceFactory(person=survivor, session__date=date(2025, 3, 6))
    AttendanceFactory(person=merged, session__date=date(2025, 3, 7))
    monthly_figures_compute(month=MARCH)
    assert _stored(MARCH)["BALON-YOUTH"]["reached"]["total"] == 2

    stats = _merge_during_import(
        monkeypatch,
        first=first,
        kind="attendance",
        path=_attendance_file(tmp_path / "attendance.csv", merged.ref),
        user=make_user("caseworker", sites=["SCH-01"]),
        survivor=survivor,
        merged=merged,
        importer_module="services.sport.import_kinds",
    )

    assert stats["attendance"]["created"] == 3
    imported = Attendance.objects.filter(
        session__date__in=[date(2025, 3, 13), date(2025, 3, 20), date(2025, 4, 3)]
    )
    assert sorted(imported.values_list("person_id", flat=True)) == [survivor.pk] * 3
    assert not Attendance.objects.filter(person=merged).exists()
    assert _figures_are_a_fresh_computation()["BALON-YOUTH"]["reached"]["total"] == 1
