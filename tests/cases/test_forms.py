"""Validation of the registration, intake, consent and document forms: clear messages, nothing saved."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.forms import ConsentForm, DocumentForm, IntakeForm, RegistrationForms
from cases.models import Consent, IdentityDocument, Person
from cases.validators import phone_normalize
from tests.factories import IdentityDocumentFactory, PersonFactory, site

TODAY = timezone.localdate()


def registration(**overrides):
    data = {
        "person-given_names": "  Génesis   Andreína ",
        "person-family_names": "Colmenares Ortega",
        "person-sex": "F",
        "person-birth_date": "1994-03-02",
        "person-nationality": "VE",
        "person-population_type": "destination",
        "person-phone": "+51 912 345 678",
        "person-site": "",
        "person-registered_on": TODAY.isoformat(),
        "household-mode": "none",
        "consent-purposes": ["data_processing"],
        "consent-method": "verbal",
        "consent-given_by": "self",
    }
    data.update(overrides)
    return data


@pytest.fixture
def forms_for(caseworker):
    def _forms(**overrides):
        data = registration(**overrides)
        if not data["person-site"]:
            data["person-site"] = str(site().pk)
        forms = RegistrationForms(data, user=caseworker)
        forms.is_valid()
        return forms

    return _forms


def test_valid_registration_cleans_names_and_phone(forms_for):
    forms = forms_for()
    assert forms.is_valid(), [f.errors for f in forms.all]
    assert forms.person.cleaned_data["given_names"] == "Génesis Andreína"
    assert forms.person.cleaned_data["phone"] == "912345678"
    assert forms.document.is_blank and forms.status.is_blank


def test_birth_date_in_the_future(forms_for):
    forms = forms_for(**{"person-birth_date": (TODAY + timedelta(days=1)).isoformat()})
    assert forms.person.errors["birth_date"] == ["The birth date cannot be in the future."]


def test_birth_date_after_registration(forms_for):
    forms = forms_for(
        **{
            "person-birth_date": "2024-06-01",
            "person-registered_on": "2024-05-01",
            "consent-given_by": "guardian",
        }
    )
    assert forms.person.errors["birth_date"] == ["The birth date cannot be after the registration date."]


def test_estimated_age_gives_an_estimated_birth_date(forms_for):
    forms = forms_for(**{"person-birth_date": "", "person-age_estimate": "34"})
    assert forms.is_valid()
    person = forms.person.instance
    assert person.birth_date_estimated is True
    assert person.age(TODAY) == 34


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("987654321", "987654321"),
        ("987 654 321", "987654321"),
        ("+51 987-654-321", "987654321"),
        ("0051987654321", "987654321"),
        ("+58 412 1234567", "+584121234567"),
        ("+57 (310) 123 4567", "+573101234567"),
    ],
)
def test_valid_phones_are_normalized(raw, stored):
    assert phone_normalize(raw) == stored


@pytest.mark.parametrize(
    "raw", ["12345", "887654321", "98765432", "9876543210", "+51 887654321", "+5", "tel 987"]
)
def test_malformed_phones_are_refused(forms_for, raw):
    with pytest.raises(ValidationError):
        phone_normalize(raw)
    forms = forms_for(**{"person-phone": raw})
    assert "Peruvian mobile number" in forms.person.errors["phone"][0]


@pytest.mark.parametrize("number", ["1234567", "123456789", "1234567A"])
def test_dni_must_have_8_digits(forms_for, number):
    forms = forms_for(**{"document-doc_type": "dni", "document-number": number})
    assert forms.document.errors["number"] == ["A DNI has exactly 8 digits."]


def test_dni_with_8_digits_and_spaces_is_accepted(forms_for):
    forms = forms_for(**{"document-doc_type": "dni", "document-number": "4512 3456"})
    assert forms.is_valid(), forms.document.errors
    assert forms.document.cleaned_data["number"] == "45123456"


def test_document_type_and_number_go_together(forms_for):
    assert "number" in forms_for(**{"document-doc_type": "passport"}).document.errors
    assert "doc_type" in forms_for(**{"document-number": "X123456"}).document.errors


def test_duplicate_document_number_of_the_same_type(forms_for, ref):
    IdentityDocumentFactory(doc_type="cedula_ve", number="V20111222")
    forms = forms_for(**{"document-doc_type": "cedula_ve", "document-number": "v20111222"})
    assert forms.document.errors["number"] == [
        "A document of this type with this number is already registered for someone else."
    ]
    # The same number for another type of document is a different document.
    assert forms_for(**{"document-doc_type": "passport", "document-number": "V20111222"}).is_valid()


def test_duplicate_document_refused_by_the_model_too(ref):
    IdentityDocumentFactory(doc_type="dni", number="45123456")
    other = PersonFactory()
    with pytest.raises(ValidationError) as error:
        IdentityDocument(person=other, doc_type="dni", number=" 4512 3456").full_clean()
    assert "already registered" in str(error.value)


def test_guardian_required_under_14_at_registration(forms_for):
    eleven = date(TODAY.year - 11, 1, 1).isoformat()
    forms = forms_for(**{"person-birth_date": eleven})
    assert forms.consent.errors["given_by"] == ["Under 14, consent must be given by a parent or guardian."]
    forms = forms_for(**{"person-birth_date": eleven, "consent-given_by": "guardian"})
    assert forms.consent.errors["guardian_name"] == [
        "Write the name of the parent or guardian who gave consent."
    ]
    forms = forms_for(
        **{
            "person-birth_date": eleven,
            "consent-given_by": "guardian",
            "consent-guardian_name": "Rosa Ortega",
        }
    )
    assert forms.is_valid()


def test_fourteen_year_olds_consent_themselves(forms_for):
    fourteen = date(TODAY.year - 14, 1, 1).isoformat()
    assert forms_for(**{"person-birth_date": fourteen}).is_valid()


def test_data_processing_consent_is_required(forms_for):
    forms = forms_for(**{"consent-purposes": ["image_use"]})
    assert "purposes" in forms.consent.errors


def test_consent_form_checks_the_age_of_the_person(ref):
    child = PersonFactory(birth_date=TODAY - timedelta(days=365 * 8))
    form = ConsentForm(
        {"purpose": "image_use", "method": "written", "given_on": TODAY.isoformat(), "given_by": "self"},
        person=child,
    )
    assert form.errors["given_by"] == ["Under 14, consent must be given by a parent or guardian."]


def test_joining_a_household_needs_a_known_code_and_a_relationship(forms_for):
    forms = forms_for(**{"household-mode": "join", "household-code": "H-NOPE"})
    assert forms.household.errors["code"] == ["There is no household with this code at your sites."]
    assert "relationship" in forms.household.errors


def test_a_household_member_starts_with_what_the_household_shares(client_for, caseworker):
    from orientation.models import District
    from tests.factories import HouseholdFactory

    lima = District.objects.order_by("ubigeo").first()
    household = HouseholdFactory(district=lima, address="Mz. B Lt. 4, AA.HH. Las Flores")
    PersonFactory(household=household, relationship="child", nationality="CO", population_type="transit")
    head = PersonFactory(
        household=household,
        relationship="head",
        nationality="VE",
        population_type="pendular",
        arrived_on=date(2023, 8, 14),
    )
    client = client_for(caseworker)
    response = client.get(reverse("cases:person_register") + f"?household={household.pk}")
    forms = response.context["forms"]
    assert forms.household["mode"].value() == "join"
    assert forms.household["code"].value() == household.code
    assert forms.household["address"].value() == household.address
    person = forms.person
    assert person["nationality"].value() == "VE"
    assert person["population_type"].value() == "pendular"
    assert person["district"].value() == lima.pk
    assert person["arrived_on"].value() == head.arrived_on
    assert person["site"].value() == household.site_id
    html = response.content.decode()
    assert "Mz. B Lt. 4" in html and 'value="14/08/2023"' in html

    # Editable: what is posted is what is saved, and a new address is the household's.
    data = registration(
        **{
            "person-site": str(household.site_id),
            "person-nationality": "PE",
            "person-population_type": "pendular",
            "person-district": str(lima.pk),
            "person-arrived_on": "2024-01-02",
            "household-mode": "join",
            "household-code": household.code,
            "household-relationship": "child",
            "household-address": "Jr. Los Pinos 120",
        }
    )
    response = client.post(reverse("cases:person_register"), data)
    assert response.status_code == 302, response.context["forms"].errors_count
    member = Person.objects.get(given_names="Génesis Andreína")
    assert (member.household, member.nationality, member.arrived_on) == (household, "PE", date(2024, 1, 2))
    household.refresh_from_db()
    assert household.address == "Jr. Los Pinos 120"


def test_no_household_to_carry_from_another_site(client_for, caseworker):
    from tests.factories import HouseholdFactory

    elsewhere = HouseholdFactory(site=site("SCH-02"), address="Calle Secreta 1")
    PersonFactory(household=elsewhere, relationship="head", site=site("SCH-02"), nationality="CO")
    response = client_for(caseworker).get(reverse("cases:person_register") + f"?household={elsewhere.pk}")
    assert response.context["forms"].household["mode"].value() == "none"
    assert "Calle Secreta" not in response.content.decode()


def test_bad_registration_saves_nothing(client_for, caseworker):
    data = registration(
        **{"person-site": str(site().pk), "document-doc_type": "dni", "document-number": "123"}
    )
    response = client_for(caseworker).post(reverse("cases:person_register"), data)
    assert response.status_code == 200
    assert Person.objects.count() == 0 and Consent.objects.count() == 0


def test_intake_needs_an_area_and_no_future_date(caseworker):
    person = PersonFactory()
    form = IntakeForm(
        {
            "date": (TODAY + timedelta(days=2)).isoformat(),
            "site": site().pk,
            "priority": "medium",
            "population_type": "transit",
        },
        user=caseworker,
        person=person,
    )
    assert form.errors["__all__"] == ["Tick at least one area of need."]
    assert form.errors["date"] == ["The date cannot be in the future."]


def test_document_form_standalone_requires_type_and_number(ref):
    form = DocumentForm({})
    assert set(form.errors) >= {"doc_type", "number"}


def _with_documents(*rows, first=("cedula_ve", "V12345678")):
    data = registration(**{"person-site": str(site().pk)})
    data.update(
        {"document-doc_type": first[0], "document-number": first[1], "document-issuing_country": "VE"}
    )
    data.update(
        {
            "documents-TOTAL_FORMS": str(len(rows)),
            "documents-INITIAL_FORMS": "0",
            "documents-MIN_NUM_FORMS": "0",
            "documents-MAX_NUM_FORMS": "5",
        }
    )
    for i, (doc_type, number) in enumerate(rows):
        data[f"documents-{i}-doc_type"] = doc_type
        data[f"documents-{i}-number"] = number
        data[f"documents-{i}-issuing_country"] = "VE" if doc_type != "cpp" else "PE"
    return data


def test_several_documents_at_registration(client_for, caseworker):
    client = client_for(caseworker)
    page = client.get(reverse("cases:person_register")).content.decode()
    assert 'data-testid="add-document"' in page and 'name="documents-TOTAL_FORMS"' in page
    assert "documents-__prefix__-number" in page  # the row "add another" copies

    data = _with_documents(("passport", "P0987654"), ("", ""), ("cpp", "CPP-778899"))
    response = client.post(reverse("cases:person_register"), data)
    assert response.status_code == 302
    person = Person.objects.get()
    assert sorted(person.documents.values_list("doc_type", "number")) == [
        ("cedula_ve", "V12345678"),
        ("cpp", "CPP-778899"),
        ("passport", "P0987654"),
    ]


def test_the_same_document_twice_in_the_list_is_refused(client_for, caseworker):
    response = client_for(caseworker).post(
        reverse("cases:person_register"), _with_documents(("passport", "P1"), ("cedula_ve", "v 1234 5678"))
    )
    assert response.status_code == 200
    rows = response.context["forms"].more_documents.forms
    # The page speaks Spanish unless the browser asks for English.
    assert rows[1].errors["number"] == ["Este documento ya está en la lista."]
    assert Person.objects.count() == 0 and IdentityDocument.objects.count() == 0


def test_an_added_document_row_is_validated(client_for, caseworker):
    response = client_for(caseworker).post(
        reverse("cases:person_register"), _with_documents(("dni", "123"), first=("", ""))
    )
    assert response.status_code == 200
    assert "number" in response.context["forms"].more_documents.forms[0].errors
    assert Person.objects.count() == 0


def test_a_post_claiming_a_thousand_documents_is_refused_without_building_them(
    client_for, caseworker, settings
):
    """A hostile management form (found by the form fuzzer: 950 forms took 40 s to show again)."""
    settings.LANGUAGE_CODE = "en"
    data = _with_documents(("pasaporte", "P1234567"))
    data["documents-TOTAL_FORMS"] = "950"
    response = client_for(caseworker).post(reverse("cases:person_register"), data)
    assert response.status_code == 200
    formset = response.context["forms"].more_documents
    assert len(formset.forms) <= 5 and formset.non_form_errors()
    assert "documents-949-issuing_country" not in response.content.decode()
    assert Person.objects.count() == 0
