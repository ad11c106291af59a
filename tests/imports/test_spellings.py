"""What people actually type in the code columns and the nationality (docs/import.md): Spanish and
English labels and country names, any case, with or without accents, are read as the code; what
could mean two things is refused with its row, column and reason."""

from datetime import date

import pytest
from django.utils import translation

from cases.imports.lookups import choice_spellings, country_spellings, spelling_key
from cases.models import Person
from services.import_kinds import kind_spellings
from services.models import DirectService, Referral
from services.sport.models import Attendance, SportSession
from tests.factories import PersonFactory, site

from .conftest import attendance_row, person_row, referral_row, service_row, write_csv

TODAY = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("VE", "VE"),
        ("ve", "VE"),
        ("Venezuela", "VE"),
        ("VENEZUELA", "VE"),
        ("venezolana", "VE"),
        ("VEN", "VE"),
        ("Perú", "PE"),
        ("peru", "PE"),
        ("Peruano", "PE"),
        ("Colombia", "CO"),
        ("Haití", "HT"),
        ("haiti", "HT"),
        ("Estados Unidos", "US"),
        ("United States of America", "US"),
        ("EE.UU.", "US"),
        ("Bolivia", "BO"),
        ("Bolivia (Plurinational State of)", "BO"),
        ("República Dominicana", "DO"),
        ("Dominican Republic", "DO"),
        ("  brasil ", "BR"),
        ("Brazil", "BR"),
        ("España", "ES"),
        ("Spain", "ES"),
    ],
)
def test_nationality_spellings(written, code):
    assert country_spellings().match(written) == (code, ())


@pytest.mark.parametrize("written", ["Congo", "Corea", "Korea", "Guinea Ecuatorial y Guinea"])
def test_ambiguous_or_unknown_countries_are_not_guessed(written):
    found, _could_be = country_spellings().match(written)
    assert found is None


def test_what_could_be_two_countries_says_which():
    assert country_spellings().match("congo") == (None, ("CD", "CG"))


@pytest.mark.parametrize(
    ("choices", "written", "code"),
    [
        ("Sex", "Femenino", "F"),
        ("Sex", "mujer", "F"),
        ("Sex", "Female", "F"),
        ("Sex", "masculino", "M"),
        ("Sex", "Hombre", "M"),
        ("Sex", "otro", "X"),
        ("PopulationType", "transito", "transit"),
        ("PopulationType", "Tránsito", "transit"),
        ("PopulationType", "En tránsito", "transit"),
        ("PopulationType", "in transit", "transit"),
        ("PopulationType", "Destino", "destination"),
        ("PopulationType", "Destino (asentado)", "destination"),
        ("PopulationType", "comunidad de acogida", "host"),
        ("PopulationType", "Peruano retornado", "returnee"),
        ("PopulationType", "RETORNADA", "returnee"),
        ("DocumentType", "Carné de extranjería", "ce"),
        ("DocumentType", "carnet de extranjeria", "ce"),
        ("DocumentType", "Cédula venezolana", "cedula_ve"),
        ("DocumentType", "cedula", "cedula_ve"),
        ("DocumentType", "Pasaporte", "passport"),
        ("DocumentType", "CPP", "cpp"),
        ("DocumentType", "Partida de nacimiento", "birth_cert"),
        ("Activity", "Clínica de fútbol", "soccer_clinic"),
        ("Activity", "futbol", "soccer_clinic"),
        ("Activity", "Taller de liderazgo", "leadership_workshop"),
        ("Activity", "actividad comunitaria", "community_activity"),
        ("Status", "Completada", "completed"),
        ("Status", "pendiente", "pending"),
        ("Status", "No asistió", "no_show"),
        ("Status", "no show", "no_show"),
        ("Status", "Cancelada", "cancelled"),
        ("Status", "Rechazada", "declined"),
    ],
)
def test_code_spellings(choices, written, code):
    from cases.choices import DocumentType, PopulationType, Sex
    from services.sport.models import Activity

    classes = {
        "Sex": Sex,
        "PopulationType": PopulationType,
        "DocumentType": DocumentType,
        "Activity": Activity,
        "Status": Referral.Status,
    }
    assert choice_spellings(classes[choices]).match(written) == (code, ())


@pytest.mark.parametrize(
    ("written", "code"),
    [("direct", "direct"), ("Directo", "direct"), ("Derivación", "referral"), ("referencia", "referral")],
)
def test_kind_spellings(written, code):
    assert kind_spellings().match(written) == (code, ())


def test_every_spelling_means_one_code():
    """No key is both known and ambiguous, and codes always mean themselves."""
    from cases.choices import DocumentType, PopulationType, Sex
    from services.sport.models import Activity

    for choices in (Sex, PopulationType, DocumentType, Activity, Referral.Status):
        spellings = choice_spellings(choices)
        assert not spellings.known.keys() & spellings.ambiguous.keys()
        for code in choices.values:
            assert spellings.match(code) == (code, ())
    countries = country_spellings()
    assert not countries.known.keys() & countries.ambiguous.keys()
    assert all(countries.match(code) == (code, ()) for code in countries.codes)


def test_the_key_ignores_case_accents_and_punctuation():
    assert spelling_key(" En  TRÁNSITO_") == spelling_key("en transito") == "en transito"


# --- Through the import --------------------------------------------------------------------------


def _run(run_import, tmp_path, kind, rows, **kwargs):
    with translation.override("en"):
        return run_import(kind, write_csv(tmp_path / f"{kind}.csv", rows), today=TODAY, **kwargs)


def test_people_typed_as_people_write_them(run_import, tmp_path, ref):
    rows = [
        person_row(1, nationality="Venezuela", sex="Femenino", population_type="transito"),
        person_row(
            2,
            nationality="perú",
            sex="masculino",
            population_type="Comunidad de acogida",
            document_type="DNI",
            document_number="45678912",
        ),
        person_row(
            3, nationality="Colombian", sex="otro", population_type="En tránsito", document_type="Pasaporte"
        ),
    ]
    outcome = _run(run_import, tmp_path, "people", rows)
    assert outcome.ok, outcome.messages()
    got = {p.ref: (str(p.nationality), p.sex, p.population_type) for p in Person.objects.all()}
    assert got == {
        "P-0001": ("VE", "F", "transit"),
        "P-0002": ("PE", "M", "host"),
        "P-0003": ("CO", "X", "transit"),
    }
    assert Person.objects.get(ref="P-0003").documents.get().doc_type == "passport"
    # The same people written with codes change nothing.
    coded = [
        person_row(1, nationality="VE", sex="F", population_type="transit"),
        person_row(
            2,
            nationality="PE",
            sex="M",
            population_type="host",
            document_type="dni",
            document_number="45678912",
        ),
        person_row(3, nationality="CO", sex="X", population_type="transit", document_type="passport"),
    ]
    again = _run(run_import, tmp_path, "people", coded)
    assert again.stats["people"] == {"unchanged": 3}


def test_ambiguous_and_unknown_spellings_are_refused_with_their_row(run_import, tmp_path, ref):
    rows = [
        person_row(1, nationality="Congo"),
        person_row(2, nationality="Narnia"),
        person_row(3, population_type="turista"),
        person_row(4, sex="mujer u hombre"),
    ]
    outcome = _run(run_import, tmp_path, "people", rows)
    assert not outcome.ok
    with translation.override("en"):
        messages = outcome.messages()
    assert messages == [
        (
            2,
            "nationality",
            "“Congo” could be more than one country (CD, CG): use the 2-letter ISO country code.",
        ),
        (3, "nationality", "Unknown nationality “Narnia”: use the 2-letter ISO country code (VE, PE, CO…)."),
        (
            4,
            "population_type",
            "Unknown code “turista”. Use one of: destination, transit, pendular, host, returnee.",
        ),
        (5, "sex", "Unknown code “mujer u hombre”. Use one of: F, M, X."),
    ]
    assert not Person.objects.exists()


def test_services_and_attendance_typed_in_spanish(run_import, tmp_path, ref):
    PersonFactory(ref="P-0001")
    PersonFactory(ref="P-0002", site=site("SCH-01"))
    services = [
        service_row(1, kind="Directo", population_type="Tránsito"),
        referral_row(2, kind="Derivación", status="Completada", completed_on="2025-03-20"),
    ]
    assert _run(run_import, tmp_path, "services", services).ok
    assert DirectService.objects.get().population_type == "transit"
    assert Referral.objects.get().status == "completed"

    attendance = [
        attendance_row(person_ref="P-0002", activity="Taller de liderazgo", population_type="acogida")
    ]
    assert _run(run_import, tmp_path, "attendance", attendance).ok
    assert SportSession.objects.get().activity == "leadership_workshop"
    assert Attendance.objects.get().population_type == "host"
