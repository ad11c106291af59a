"""Attendance files that name groups not set up yet (docs/import.md): the import creates them,
lists them before anything is written, and a second import of the same file changes nothing."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.imports.engine import file_check
from cases.imports.errors import ErrorSink
from cases.imports.models import ImportBatch
from services.sport.models import Attendance, SportGroup, SportSession
from services.sport.selectors import sport_groups_visible_to
from tests.factories import PersonFactory, SportGroupFactory, site

from .conftest import attendance_row, write_csv

TODAY = date(2025, 6, 30)


@pytest.fixture
def children(ref):
    """Two children at SCH-01: one aged 9 in 2025, one whose birth date is unknown."""
    return [
        PersonFactory(ref="P-0001", site=site("SCH-01"), birth_date=date(2015, 9, 1)),
        PersonFactory(ref="P-0002", site=site("SCH-01"), birth_date=None),
    ]


def history_rows():
    return [
        attendance_row(person_ref="P-0001", group="A", session_date="2019-03-04"),
        attendance_row(person_ref="P-0002", group="A", session_date="2019-03-04"),
        attendance_row(person_ref="P-0001", group=" a ", session_date="2019-03-11", present="0"),
        attendance_row(person_ref="P-0001", group="Sub-12  Mixto", session_date="2025-06-02"),
        attendance_row(person_ref="P-0002", group="", session_date="2025-06-02"),
    ]


def test_the_import_creates_the_groups_a_file_names(run_import, tmp_path, children, make_user):
    coordinator = make_user("coordinator", programs=["BALON"], sites=["SCH-01"])
    path = write_csv(tmp_path / "historia.csv", history_rows())

    outcome = run_import("attendance", path, user=coordinator, today=TODAY)

    assert outcome.ok, outcome.messages()
    assert outcome.stats == {
        "sport_groups": {"created": 2},
        "sport_sessions": {"created": 4},
        "attendance": {"created": 5},
    }
    groups = {
        g.name: g
        for g in SportGroup.objects.filter(program__code="BALON", site__code="SCH-01").prefetch_related(
            "facilitators"
        )
    }
    assert set(groups) == {"A", "Sub-12 Mixto"}
    # The usual age range, widened to the ages of the children listed (9 in 2025, 3 in 2019).
    assert (groups["A"].age_min, groups["A"].age_max) == (3, 16)
    assert (groups["Sub-12 Mixto"].age_min, groups["Sub-12 Mixto"].age_max) == (6, 16)
    # A group of 2019 is history; one with a session this month runs today.
    assert (groups["A"].active, groups["Sub-12 Mixto"].active) == (False, True)
    assert all(not g.facilitators.all() for g in groups.values())
    assert SportSession.objects.filter(group=groups["A"]).count() == 2
    assert SportSession.objects.filter(group=None).count() == 1
    assert Attendance.objects.filter(session__group=groups["A"]).count() == 3

    before = (SportGroup.objects.count(), SportSession.objects.count(), Attendance.history.count())
    again = run_import("attendance", path, user=coordinator, today=TODAY)
    assert again.ok
    assert again.stats == {"attendance": {"unchanged": 5}}
    assert (SportGroup.objects.count(), SportSession.objects.count(), Attendance.history.count()) == before


def test_created_groups_follow_who_sees_which_group(run_import, tmp_path, children, make_user):
    coordinator = make_user("coordinator", programs=["BALON"], sites=["SCH-01"])
    facilitator = make_user("facilitator", sites=["SCH-01"])
    own = SportGroupFactory(name="Sub-10")
    own.facilitators.add(facilitator)
    rows = [
        attendance_row(person_ref="P-0001", group="Sub-10"),
        attendance_row(person_ref="P-0001", group="B"),
    ]

    assert run_import("attendance", write_csv(tmp_path / "a.csv", rows), user=coordinator, today=TODAY).ok

    created = SportGroup.objects.get(name="B")
    assert list(sport_groups_visible_to(facilitator)) == [own]
    assert created in sport_groups_visible_to(coordinator)
    other_coordinator = make_user("coordinator", programs=["PAO"], sites=["PAO-LS"])
    assert created not in sport_groups_visible_to(other_coordinator)


def test_a_rejected_file_creates_no_group(run_import, tmp_path, children):
    rows = [
        attendance_row(person_ref="P-0001", group="Nuevo"),
        attendance_row(person_ref="NOBODY", group="Otro"),
    ]
    outcome = run_import("attendance", write_csv(tmp_path / "a.csv", rows), today=TODAY)
    assert not outcome.ok
    assert outcome.codes() == [(3, "person_ref", "unknown_person")]
    assert not SportGroup.objects.exists()
    assert not SportSession.objects.exists()


def test_the_check_lists_the_groups_to_create(tmp_path, children):
    SportGroupFactory(name="Sub-12 mixto")
    rows = [
        *history_rows(),
        attendance_row(person_ref="P-0001", program="BALON", site="SCH-02", group="A"),
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    errors = ErrorSink(keep=None)

    result = file_check(
        open_file=lambda: path.open("rb"), name=path.name, kind="attendance", errors=errors, today=TODAY
    )

    assert not errors.errors
    assert result.plan == {
        "groups_to_create": [
            {"program": "BALON", "site": "SCH-01", "name": "A"},
            {"program": "BALON", "site": "SCH-02", "name": "A"},
        ]
    }
    assert not SportGroup.objects.exclude(name="Sub-12 mixto").exists()


def test_the_command_names_the_groups_it_creates(tmp_path, children):
    path = write_csv(tmp_path / "a.csv", [attendance_row(person_ref="P-0001", group="Sub-14")])
    out = StringIO()
    call_command("import_data", "--kind", "attendance", str(path), "--check", stdout=out)
    assert "BALON · SCH-01 · Sub-14" in out.getvalue()
    assert not SportGroup.objects.exists()

    out = StringIO()
    call_command("import_data", "--kind", "attendance", str(path), stdout=out)
    assert "BALON · SCH-01 · Sub-14" in out.getvalue()
    assert SportGroup.objects.get().name == "Sub-14"


def test_the_upload_page_lists_the_groups_to_create(
    english, client_for, coordinator, tmp_path, children, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    path = write_csv(tmp_path / "a.csv", [attendance_row(person_ref="P-0001", group="Sub-14")])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:import_upload"), {"kind": "attendance", "file": path.open("rb")})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.READY, batch.errors
    page = client.get(reverse("imports:import_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="import-groups-to-create"' in page
    assert "Sub-14" in page
    assert "The file names 1 group that does not exist yet" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert SportGroup.objects.get().name == "Sub-14"
    page = client.get(reverse("imports:import_detail", args=[batch.pk])).content.decode()
    assert "Sport groups" in page
    assert 'data-testid="import-groups-to-create"' not in page
