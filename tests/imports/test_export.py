"""The people export: a reason in the access log, the coordinator's sites only, and a round trip."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from cases.models import IdentityDocument, Person
from orientation.models import AccessLog
from tests.factories import (
    DirectServiceFactory,
    IdentityDocumentFactory,
    PersonFactory,
    program,
    service_type,
    site,
)

from .conftest import PEOPLE_COLUMNS
from .test_people_import import snapshot


@pytest.fixture
def english(client, settings):
    # The pages follow the user's saved language, not the browser's: English by default here.
    settings.LANGUAGE_CODE = "en"
    return client


def export(client, **data):
    data = {"reason": "Informe mensual al donante", "format": "csv", **data}
    return client.post(reverse("imports:people_export"), data)


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def people(ref):
    ana = PersonFactory(
        ref="A-1",
        given_names="Ana",
        family_names="Rojas",
        phone="+51 987 654 321",
        district_id="150133",
        sex="F",
    )
    IdentityDocumentFactory(person=ana, doc_type="cedula_ve", number="V123")
    IdentityDocumentFactory(person=ana, doc_type="dni", number="12345678")  # the latest goes in the file
    tablet = PersonFactory(ref=None, given_names="=cmd|' /C calc'!A0", family_names="Salas", birth_date=None)
    school = PersonFactory(ref="S-1", given_names="Luis", site=site("SCH-01"))
    # A record of a program of each site: how coordinators reach people (README, "Who reads what").
    for person in (ana, tablet):
        DirectServiceFactory(
            person=person, program=program("SALUD"), service_type=service_type("phc-consultation")
        )
    DirectServiceFactory(person=school, program=program("BALON"))
    return ana, tablet, school


def test_an_export_needs_a_reason_and_logs_it_without_names(client_for, english, coordinator, people):
    client = client_for(coordinator)
    response = export(client, reason=" ")
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not AccessLog.objects.exists()

    response = export(client)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="orienta-people-')
    rows = csv_rows(response)
    log = AccessLog.objects.get()
    assert (log.action, log.user, log.object_type, log.reason) == (
        AccessLog.Action.EXPORT,
        coordinator,
        "cases.person",
        "Informe mensual al donante",
    )
    assert not any(p.given_names in str(log.__dict__) or p.family_names in str(log.__dict__) for p in people)
    assert len(rows) == 3


def test_the_export_has_the_import_columns(client_for, coordinator, people):
    ana, tablet, _school = people
    rows = csv_rows(export(client_for(coordinator), site=site("PAO-LS").pk))
    assert list(rows[0].keys()) == PEOPLE_COLUMNS
    assert rows[0] == {
        "ref": "A-1",
        "given_names": "Ana",
        "family_names": "Rojas",
        "sex": "F",
        "birth_date": "1990-05-17",
        "nationality": "VE",
        "population_type": "destination",
        "document_type": "dni",
        "document_number": "12345678",
        "phone": "'+51 987 654 321",  # a spreadsheet must not read it as a formula
        "district": "150133",
        "site": "PAO-LS",
        "registered_on": "2025-01-15",
    }
    tablet.refresh_from_db()
    assert tablet.ref == f"OR-{tablet.pk}"  # a stable reference so the file can come back
    assert rows[1]["ref"] == tablet.ref and rows[1]["given_names"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["birth_date"] == "" and rows[1]["document_type"] == ""


def test_a_coordinator_exports_only_the_sites_of_their_programs(client_for, english, make_user, people):
    coordinator = make_user("coordinator", programs=["SALUD"])  # PAO-LS only
    rows = csv_rows(export(client_for(coordinator)))
    assert sorted(r["site"] for r in rows) == ["PAO-LS", "PAO-LS"]
    response = export(client_for(coordinator), site=site("SCH-01").pk)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_xlsx_export(client_for, coordinator, people):
    response = export(client_for(coordinator), format="xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    values = list(workbook.active.iter_rows(values_only=True))
    assert list(values[0]) == PEOPLE_COLUMNS
    assert len(values) == 4
    assert values[2][1] == "'=cmd|' /C calc'!A0"  # text, not a formula
    assert values[1][9] == "+51 987 654 321"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_round_trip_changes_nothing(client_for, coordinator, people, run_import, tmp_path, fmt):
    response = export(client_for(coordinator), format=fmt)
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(b"".join(response.streaming_content))
    before = snapshot()
    outcome = run_import("people", path, user=coordinator)
    assert outcome.ok, outcome.messages()
    assert outcome.stats == {"people": {"unchanged": 3}, "documents": {"unchanged": 1}}
    assert snapshot() == before
    assert IdentityDocument.objects.count() == 2  # the older document is left alone


@pytest.mark.parametrize("rows", [3, 30])
def test_the_export_streams_with_a_fixed_number_of_queries(
    client_for, coordinator, ref, django_assert_num_queries, rows
):
    client = client_for(coordinator)
    for _ in range(rows):
        person = PersonFactory(registered_on=date(2025, 1, 15))
        IdentityDocumentFactory(person=person)
        DirectServiceFactory(person=person)  # a PAO record: in the coordinator's scope
    with django_assert_num_queries(14):
        assert len(csv_rows(export(client))) == rows
    assert Person.objects.filter(ref__isnull=True).count() == 0
