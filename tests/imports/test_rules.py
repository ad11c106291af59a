"""Every rejection rule of docs/import.md, with the message a person reads (row, column, reason)."""

from datetime import date

import pytest
from django.utils import translation

from cases.models import Person
from orientation.models import Program
from tests.factories import IdentityDocumentFactory, PersonFactory, ReferralFactory, SportGroupFactory, site

from .conftest import attendance_row, person_row, referral_row, service_row, write_csv, write_xlsx

TODAY = date(2025, 6, 30)


@pytest.fixture
def check(run_import, tmp_path):
    """``check(kind, rows)`` → the (row, column, message) of every error, in English."""

    def _check(kind, rows, *, user=None, columns=None):
        path = write_csv(tmp_path / f"{kind}.csv", rows, columns=columns)
        with translation.override("en"):
            outcome = run_import(kind, path, user=user, today=TODAY)
            messages = outcome.messages()
        assert not outcome.ok
        return messages

    return _check


@pytest.fixture
def people(ref):
    """P-0001 at PAO-LS and P-0002 at SCH-01, already in the database."""
    return [PersonFactory(ref="P-0001"), PersonFactory(ref="P-0002", site=site("SCH-01"))]


PEOPLE_RULES = [
    ({"sex": "Q"}, "sex", "Unknown code “Q”. Use one of: F, M, X."),
    (
        {"population_type": "tourist"},
        "population_type",
        "Unknown code “tourist”. Use one of: destination, transit",
    ),
    ({"document_type": "licence"}, "document_type", "Unknown code “licence”. Use one of: dni, ce, cpp"),
    ({"nationality": "ZZ"}, "nationality", "Unknown nationality “ZZ”: use the 2-letter ISO country code"),
    ({"site": "LIMA-99"}, "site", "Unknown site “LIMA-99”."),
    ({"site": ""}, "site", "A value is required."),
    ({"district": "999999"}, "district", "Unknown district “999999”: use the 6-digit UBIGEO code."),
    ({"birth_date": "2025-07-01"}, "birth_date", "The date is in the future."),
    ({"registered_on": "2025-07-01"}, "registered_on", "The date 2025-07-01 is in the future."),
    (
        {"birth_date": "2020-02-01", "registered_on": "2020-01-31"},
        "birth_date",
        "The birth date is after the registration date.",
    ),
    ({"registered_on": "31/01/2025"}, "registered_on", "“31/01/2025” is not a date: write it as YYYY-MM-DD."),
    ({"registered_on": "2025-02-30"}, "registered_on", "“2025-02-30” is not a date: write it as YYYY-MM-DD."),
    ({"birth_date": "17/05/1990"}, "birth_date", "This is not a date: write it as YYYY-MM-DD."),
    ({"birth_date": "1850-01-01"}, "birth_date", "is too far in the past."),
    (
        {"document_type": "dni", "document_number": "1234567"},
        "document_number",
        "A DNI has exactly 8 digits.",
    ),
    (
        {"document_number": "A B!"},
        "document_number",
        "A document number has 3 to 30 letters, digits or hyphens.",
    ),
    (
        {"document_type": ""},
        "document_type",
        "Give both document_type and document_number, or leave both empty.",
    ),
    (
        {"document_number": ""},
        "document_number",
        "Give both document_type and document_number, or leave both",
    ),
    ({"phone": "call me"}, "phone", "A phone has 6 to 15 digits"),
    ({"given_names": ""}, "given_names", "A value is required."),
    ({"ref": "R" * 41}, "ref", "At most 40 characters."),
]


@pytest.mark.parametrize(("values", "column", "message"), PEOPLE_RULES)
def test_people_rule(check, ref, values, column, message):
    errors = check("people", [person_row(1), person_row(2, **values)])
    assert len(errors) == 1, errors
    row, got_column, got_message = errors[0]
    assert (row, got_column) == (3, column)
    assert message in got_message


def test_people_errors_never_repeat_personal_values(check, ref):
    errors = check(
        "people",
        [person_row(1, birth_date="2099-01-01", phone="secret!", document_type="dni", document_number="99")],
    )
    assert {column for _r, column, _m in errors} == {"birth_date", "phone", "document_number"}
    assert not [m for _r, _c, m in errors if "2099" in m or "secret" in m or "99" in m.replace("1990", "")]


def test_the_same_ref_twice_in_a_file(check, ref):
    errors = check("people", [person_row(1), person_row(2), person_row(1, document_number="30000001")])
    assert errors == [(4, "ref", "The reference “P-0001” is already in row 2.")]


def test_the_same_document_twice_in_a_file(check, ref):
    errors = check("people", [person_row(1, document_number="X-1"), person_row(2, document_number="x-1")])
    assert errors == [(3, "document_number", "The same document is already in row 2.")]


def test_a_document_of_another_person(check, ref):
    IdentityDocumentFactory(person=PersonFactory(ref="OTHER"), doc_type="dni", number="12345678")
    errors = check("people", [person_row(1, document_type="dni", document_number="12345678")])
    assert errors == [(2, "document_number", "This document is already registered for another person.")]


def test_a_coordinator_imports_only_into_the_sites_of_their_programs(check, make_user):
    coordinator = make_user("coordinator", programs=["SALUD"])  # SALUD runs at PAO-LS only
    errors = check("people", [person_row(1), person_row(2, site="SCH-01")], user=coordinator)
    assert errors == [(3, "site", "You may not import records for site SCH-01.")]


def test_a_coordinator_cannot_overwrite_a_person_of_a_site_they_do_not_see(check, make_user):
    PersonFactory(ref="P-0001", site=site("SCH-02"))
    coordinator = make_user("coordinator", programs=["SALUD"])
    errors = check("people", [person_row(1)], user=coordinator)
    assert errors == [(2, "ref", "The reference “P-0001” belongs to a record of a site you may not change.")]


SERVICE_RULES = [
    (service_row(program="NOPE"), "program", "Unknown program “NOPE”."),
    (service_row(service_type="massage"), "service_type", "Unknown service type “massage”."),
    (service_row(kind="visit"), "kind", "Unknown code “visit”. Use one of: direct, referral."),
    (service_row(population_type="alien"), "population_type", "Unknown code “alien”."),
    (service_row(site="XX"), "site", "Unknown site “XX”."),
    (service_row(site="SCH-01"), "site", "Site SCH-01 is not a site of program PAO."),
    (service_row(date="2025-07-01"), "date", "The date 2025-07-01 is in the future."),
    (service_row(date="2025-3-10"), "date", "“2025-3-10” is not a date: write it as YYYY-MM-DD."),
    (
        service_row(date="2024-07-31"),
        "date",
        "The date 2024-07-31 is before program PAO started (2024-08-01).",
    ),
    (service_row(date=""), "date", "A value is required."),
    (service_row(status="pending"), "status", "Leave this empty for a direct service."),
    (service_row(partner="cepr"), "partner", "Leave this empty for a direct service."),
    (service_row(completed_on="2025-03-11"), "completed_on", "Leave this empty for a direct service."),
    (
        service_row(person_ref="NOBODY"),
        "person_ref",
        "No person with reference “NOBODY”: import the people first.",
    ),
    (referral_row(partner="acme"), "partner", "Unknown partner “acme”."),
    (referral_row(status="lost"), "status", "Unknown code “lost”. Use one of: pending, accepted, completed"),
    (referral_row(status=""), "status", "A value is required."),
    (
        referral_row(status="completed"),
        "completed_on",
        "A completed referral needs its completion date (completed_on).",
    ),
    (
        referral_row(status="completed", completed_on="2025-03-09"),
        "completed_on",
        "The completion date 2025-03-09 is before the referral date 2025-03-10.",
    ),
    (
        referral_row(status="declined", completed_on="2025-03-12"),
        "completed_on",
        "Only a completed referral has a completion date.",
    ),
    (
        referral_row(status="completed", completed_on="2025-07-02"),
        "completed_on",
        "The date 2025-07-02 is in the future.",
    ),
]


@pytest.mark.parametrize(("row", "column", "message"), SERVICE_RULES)
def test_services_rule(check, people, row, column, message):
    errors = check("services", [service_row(9), row])
    assert len(errors) == 1, errors
    assert errors[0][:2] == (3, column)
    assert message in errors[0][2]


def test_an_event_after_its_program_ended(check, people):
    Program.objects.filter(code="SALUD").update(end_date=date(2025, 2, 28))
    errors = check(
        "services",
        [service_row(1, program="SALUD", service_type="phc-consultation", date="2025-03-01")],
    )
    assert errors == [(2, "date", "The date 2025-03-01 is after program SALUD ended (2025-02-28).")]


def test_a_completion_after_its_program_ended(check, people):
    Program.objects.filter(code="SALUD").update(end_date=date(2025, 2, 28))
    row = referral_row(1, program="SALUD", date="2025-02-20", status="completed", completed_on="2025-03-05")
    errors = check("services", [row])
    assert errors == [(2, "completed_on", "The date 2025-03-05 is after program SALUD ended (2025-02-28).")]


def test_a_service_ref_cannot_change_kind(check, people):
    ReferralFactory(ref="S-0001", person=people[0])
    errors = check("services", [service_row(1)])
    assert errors == [(2, "kind", "The reference “S-0001” is already a referral: its kind cannot change.")]


def test_a_person_of_a_site_the_coordinator_does_not_see_is_unknown_to_them(check, people, make_user):
    coordinator = make_user("coordinator", programs=["PAO"])  # PAO-LS only; P-0002 is at SCH-01
    errors = check("services", [service_row(1), service_row(2, person_ref="P-0002")], user=coordinator)
    assert errors == [(3, "person_ref", "No person with reference “P-0002”: import the people first.")]


def test_a_coordinator_imports_only_their_programs(check, people, make_user):
    coordinator = make_user("coordinator", programs=["BALON"], sites=["PAO-LS"])
    errors = check("services", [service_row(1)], user=coordinator)
    assert errors == [(2, "program", "You may not import records for program PAO.")]


ATTENDANCE_RULES = [
    (attendance_row(activity="swimming"), "activity", "Unknown code “swimming”. Use one of: soccer_clinic"),
    (attendance_row(group="G" * 101), "group", "At most 100 characters."),
    (attendance_row(present="yes"), "present", "Write 1 (present) or 0 (absent)."),
    (attendance_row(present=""), "present", "A value is required."),
    (attendance_row(session_date="2025-07-01"), "session_date", "The date 2025-07-01 is in the future."),
    (
        attendance_row(session_date="2018-12-31"),
        "session_date",
        "The date 2018-12-31 is before program BALON started (2019-01-01).",
    ),
    (attendance_row(program="PAO"), "site", "Site SCH-01 is not a site of program PAO."),
    (attendance_row(person_ref="NOBODY"), "person_ref", "No person with reference “NOBODY”"),
    (attendance_row(population_type="x"), "population_type", "Unknown code “x”."),
    (attendance_row(site="SCH-99"), "site", "Unknown site “SCH-99”."),
]


@pytest.mark.parametrize(("row", "column", "message"), ATTENDANCE_RULES)
def test_attendance_rule(check, people, row, column, message):
    errors = check("attendance", [attendance_row(person_ref="P-0002"), row])
    assert len(errors) == 1, errors
    assert errors[0][:2] == (3, column)
    assert message in errors[0][2]


def test_the_same_person_twice_in_a_session(check, people):
    SportGroupFactory(name="Sub-12 mixto")
    rows = [
        attendance_row(group="Sub-12 mixto"),
        attendance_row(),
        attendance_row(group="sub-12 MIXTO", present="0"),
    ]
    errors = check("attendance", rows)
    assert errors == [(4, "person_ref", "This person is already listed for the same session in row 2.")]


# --- The header and the file as a whole ---------------------------------------------------------


def test_unknown_missing_and_repeated_columns(check, ref):
    columns = ["ref", "given_names", "family_names", "sex", "nationality", "site", "site", "colour"]
    errors = check("people", [person_row(1)], columns=columns)
    assert (1, "site", "The column “site” appears more than once.") in errors
    assert any(
        e[:2] == (1, "colour") and e[2].startswith("Unknown column “colour”. Expected columns: ref,")
        for e in errors
    )
    assert (1, "population_type", "The required column “population_type” is missing.") in errors
    assert len(errors) == 3


def test_a_row_longer_than_the_header(run_import, tmp_path, ref):
    path = tmp_path / "people.csv"
    path.write_text(
        "ref,given_names,family_names,sex,nationality,population_type,site\nP-1,Ana,Rojas,F,VE,host,PAO-LS,extra\n"
    )
    with translation.override("en"):
        errors = run_import("people", path).messages()
    assert errors == [(2, "", "This row has more values than the header has columns.")]


@pytest.mark.parametrize(
    ("content", "row", "message"),
    [
        (b"", 1, "The file is empty: the first row must name the columns."),
        (b"ref,given_names,family_names,sex,nationality,population_type,site\n", None, "no data rows"),
        (
            "ref,given_names,family_names,sex,nationality,population_type,site\nP-1,José,Núñez,M,VE,host,PAO-LS\n".encode(
                "latin-1"
            ),
            2,
            "The file is not UTF-8 text.",
        ),
    ],
)
def test_files_that_cannot_be_read(run_import, tmp_path, ref, content, row, message):
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    with translation.override("en"):
        outcome = run_import("people", path)
        errors = outcome.messages()
    assert not outcome.ok
    assert len(errors) == 1 and errors[0][0] == row and message in errors[0][2]


def test_a_damaged_xlsx(run_import, tmp_path, ref):
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with translation.override("en"):
        errors = run_import("people", path).messages()
    assert errors == [
        (None, "", "The file could not be read. Save it as CSV (UTF-8) or Excel (.xlsx) and try again.")
    ]


def test_every_error_of_a_file_is_listed(check, ref):
    rows = [person_row(n, sex="Q") for n in range(1, 6)] + [person_row(6, site="??", nationality="??")]
    errors = check("people", rows)
    assert [(r, c) for r, c, _m in errors] == [
        (2, "sex"),
        (3, "sex"),
        (4, "sex"),
        (5, "sex"),
        (6, "sex"),
        (7, "nationality"),
        (7, "site"),
    ]


def test_xlsx_errors_name_the_spreadsheet_row(run_import, tmp_path, ref):
    path = write_xlsx(tmp_path / "people.xlsx", [person_row(1), person_row(2), person_row(3, sex="?")])
    with translation.override("en"):
        errors = run_import("people", path).messages()
    assert errors == [(4, "sex", "Unknown code “?”. Use one of: F, M, X.")]
    assert not Person.objects.exists()


def test_a_file_with_too_many_rows(run_import, tmp_path, ref, monkeypatch):
    monkeypatch.setattr("cases.imports.engine.MAX_ROWS", 3)
    path = write_csv(tmp_path / "people.csv", [person_row(n) for n in range(1, 6)])
    with translation.override("en"):
        outcome = run_import("people", path)
        errors = outcome.messages()
    assert errors == [(None, "", "The file has more than 3 rows: split it into smaller files.")]
    assert not Person.objects.exists()


def test_a_clash_with_a_concurrent_write_saves_nothing_and_says_so(run_import, tmp_path, ref, monkeypatch):
    from django.db import IntegrityError

    from cases.import_kinds import PeopleImporter

    def clash(self, chunk, stats):
        PersonFactory(ref="written-before-the-clash")
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(PeopleImporter, "write_chunk", clash)
    with translation.override("en"):
        outcome = run_import("people", write_csv(tmp_path / "people.csv", [person_row(1)]))
        errors = outcome.messages()
    assert not outcome.ok
    assert errors == [
        (
            None,
            "",
            "The data changed while the file was being imported (another import or user). Nothing was saved: try again.",
        )
    ]
    assert not Person.objects.exists()
