"""People import: created with history, idempotent, corrected by key, all or nothing, any file shape."""

from datetime import date

import pytest

from cases.models import IdentityDocument, Person
from orientation.models import District
from tests.factories import PersonFactory

from .conftest import PEOPLE_COLUMNS, person_row, write_csv, write_xlsx


def snapshot():
    """Everything an import may touch, history included."""
    return {
        "people": sorted(
            Person.objects.values_list(
                "ref",
                "given_names",
                "family_names",
                "sex",
                "birth_date",
                "nationality",
                "population_type",
                "phone",
                "district_id",
                "site__code",
                "registered_on",
                "search_name",
            )
        ),  # fmt: skip
        "documents": sorted(IdentityDocument.objects.values_list("person__ref", "doc_type", "number")),
        "person_history": Person.history.count(),
        "document_history": IdentityDocument.history.count(),
    }


def test_people_are_created_with_their_documents_and_history(run_import, tmp_path, admin_user):
    rows = [person_row(1), person_row(2, document_type="dni", document_number="01234567", district="")]
    outcome = run_import("people", write_csv(tmp_path / "p.csv", rows), user=admin_user)
    assert outcome.ok and outcome.rows == 2
    assert outcome.stats == {"people": {"created": 2}, "documents": {"created": 2}}

    ana = Person.objects.get(ref="P-0002")
    assert (ana.given_names, ana.sex, ana.birth_date, ana.nationality.code) == (
        "María José",
        "F",
        date(1990, 5, 17),
        "VE",
    )
    assert ana.site.code == "PAO-LS" and ana.district_id is None and ana.created_by == admin_user
    assert ana.search_name == "maria jose perez gonzalez 2"
    document = ana.documents.get()
    assert (document.doc_type, document.number, document.issuing_country.code) == ("dni", "01234567", "PE")
    record = ana.history.get()
    assert record.history_type == "+" and record.history_user == admin_user
    assert document.history.get().history_user == admin_user


def test_an_empty_registration_date_means_today(run_import, tmp_path, ref):
    outcome = run_import(
        "people", write_csv(tmp_path / "p.csv", [person_row(1, registered_on="")]), today=date(2025, 6, 1)
    )
    assert outcome.ok
    assert Person.objects.get().registered_on == date(2025, 6, 1)
    # ...and a later import of the same file does not move it.
    outcome = run_import("people", tmp_path / "p.csv", today=date(2025, 6, 2))
    assert outcome.stats["people"] == {"unchanged": 1}
    assert Person.objects.get().registered_on == date(2025, 6, 1)


def test_importing_the_same_file_twice_changes_nothing(run_import, tmp_path, ref):
    path = write_csv(tmp_path / "p.csv", [person_row(n) for n in range(1, 6)])
    assert run_import("people", path).ok
    before = snapshot()
    outcome = run_import("people", path)
    assert outcome.ok
    assert outcome.stats == {"people": {"unchanged": 5}, "documents": {"unchanged": 5}}
    assert snapshot() == before


def test_a_corrected_file_updates_people_by_their_ref(run_import, tmp_path, ref):
    assert run_import("people", write_csv(tmp_path / "p.csv", [person_row(1), person_row(2)])).ok
    corrected = [
        person_row(1),
        person_row(2, family_names="Pérez Gómez", population_type="transit", document_number="V-555"),
        person_row(3),
    ]
    outcome = run_import("people", write_csv(tmp_path / "p2.csv", corrected))
    assert outcome.ok
    assert outcome.stats == {
        "people": {"created": 1, "updated": 1, "unchanged": 1},
        "documents": {"created": 1, "updated": 1, "unchanged": 1},
    }
    person = Person.objects.get(ref="P-0002")
    assert (person.family_names, person.population_type, person.search_name) == (
        "Pérez Gómez",
        "transit",
        "maria jose perez gomez",
    )
    assert person.documents.get().number == "V-555"
    assert [h.history_type for h in person.history.order_by("history_id")] == ["+", "~"]
    assert Person.objects.get(ref="P-0001").history.count() == 1


def test_a_new_document_type_adds_a_document(run_import, tmp_path, ref):
    assert run_import("people", write_csv(tmp_path / "p.csv", [person_row(1)])).ok
    outcome = run_import(
        "people",
        write_csv(tmp_path / "p2.csv", [person_row(1, document_type="cpp", document_number="cpp 123 456")]),
    )
    assert outcome.ok
    assert sorted(Person.objects.get().documents.values_list("doc_type", "number")) == [
        ("cedula_ve", "20000001"),
        ("cpp", "CPP123456"),
    ]


def test_a_file_whose_last_row_is_bad_leaves_the_database_unchanged(run_import, tmp_path, ref):
    PersonFactory(ref="P-0001", given_names="Antes")
    before = snapshot()
    rows = [person_row(n) for n in range(1, 1200)] + [person_row(1200, nationality="XX")]
    outcome = run_import("people", write_csv(tmp_path / "p.csv", rows))
    assert not outcome.ok
    assert [(e.row, e.column, e.code) for e in outcome.errors] == [
        (1201, "nationality", "unknown_nationality")
    ]
    assert snapshot() == before


def test_a_write_that_fails_midway_rolls_everything_back(run_import, tmp_path, ref, monkeypatch):
    """Even a failure after the first chunk was written leaves nothing behind (one transaction)."""
    from cases.import_kinds import PeopleImporter

    calls = []
    original = PeopleImporter.write_chunk

    def failing(self, chunk, stats):
        calls.append(len(chunk))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, chunk, stats)

    monkeypatch.setattr(PeopleImporter, "write_chunk", failing)
    before = snapshot()
    with pytest.raises(RuntimeError):
        run_import("people", write_csv(tmp_path / "p.csv", [person_row(n) for n in range(1, 1500)]))
    assert calls == [1000, 499]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("delimiter", "bom"),
    [(",", False), (",", True), (";", False), (";", True)],
    ids=["comma", "comma-bom", "semicolon", "semicolon-bom"],
)
def test_csv_with_a_byte_order_mark_or_semicolons(run_import, tmp_path, ref, delimiter, bom):
    rows = [person_row(1, given_names="Ñusta; Inés", family_names="Quispe, Mamani")]
    path = write_csv(tmp_path / "p.csv", rows, delimiter=delimiter, bom=bom)
    if bom:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    outcome = run_import("people", path)
    assert outcome.ok, outcome.messages()
    person = Person.objects.get()
    assert (person.ref, person.given_names, person.family_names) == (
        "P-0001",
        "Ñusta; Inés",
        "Quispe, Mamani",
    )


def test_columns_in_any_order_and_case_and_optional_ones_left_out(run_import, tmp_path, ref):
    columns = ["SITE", "Ref", "sex", "given_names", "family_names", "nationality", "population_type"]
    outcome = run_import(
        "people",
        write_csv(
            tmp_path / "p.csv",
            [
                {
                    "SITE": "pao-ls",
                    "Ref": "A1",
                    "sex": "f",
                    "given_names": "Ana",
                    "family_names": "Rojas",
                    "nationality": "ve",
                    "population_type": "Host",
                }
            ],
            columns=columns,
        ),
    )
    assert outcome.ok, outcome.messages()
    person = Person.objects.get()
    assert (person.site.code, person.sex, person.nationality.code, person.population_type) == (
        "PAO-LS",
        "F",
        "VE",
        "host",
    )
    # A later file without the phone column leaves the phone alone.
    Person.objects.update(phone="987654321")
    assert run_import("people", tmp_path / "p.csv").stats["people"] == {"unchanged": 1}
    assert Person.objects.get().phone == "987654321"


def test_xlsx_with_typed_cells(run_import, tmp_path, ref):
    District.objects.create(
        ubigeo="010101", name="Chachapoyas", province="Chachapoyas", department="Amazonas"
    )
    typed = {
        "birth_date": date.fromisoformat,
        "registered_on": date.fromisoformat,
        "phone": int,
        "district": int,
    }
    rows = [person_row(1, district="010101"), person_row(2, birth_date="", phone="")]
    path = write_xlsx(
        tmp_path / "p.xlsx",
        rows,
        columns=PEOPLE_COLUMNS,
        cells={
            **typed,
            "birth_date": lambda v: date.fromisoformat(v) if v else None,
            "phone": lambda v: int(v) if v else None,
        },
    )
    outcome = run_import("people", path)
    assert outcome.ok, outcome.messages()
    first, second = Person.objects.order_by("ref")
    assert (first.birth_date, first.phone, first.district_id) == (date(1990, 5, 17), "900000001", "010101")
    assert (second.birth_date, second.phone) == (None, "")
    # The same rows as CSV change nothing.
    assert run_import("people", write_csv(tmp_path / "p.csv", rows)).stats["people"] == {"unchanged": 2}


def test_imported_people_are_found_by_a_misspelled_name(run_import, tmp_path, caseworker):
    """Bulk writes skip Person.save(): the import must fill the search fields itself."""
    from cases.selectors import SearchTerm, people_matching

    path = write_csv(
        tmp_path / "people.csv",
        [person_row(1, given_names="Yusmary Andreína", family_names="González Pérez")],
    )
    run_import("people", path)
    person = Person.objects.get(ref="P-0001")
    assert person.name_key
    found = people_matching(Person.objects.all(), SearchTerm.parse("yusmari gonsales"))
    assert person in found
