"""Catalog entries (vulnerabilities, service types, indicators) speak the language of the pages:
their English name when the pages are in English, else the Spanish one."""

import pytest
from django.urls import reverse
from django.utils import translation

from cases.models import Vulnerability
from reports.models import Indicator
from services.models import ServiceType
from tests.factories import DirectServiceFactory, PersonFactory


def in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


@pytest.mark.parametrize(
    ("model", "code", "spanish", "english"),
    [
        (Vulnerability, "pregnant", "Gestante", "Pregnant"),
        (ServiceType, "phc-consultation", "Consulta de atención primaria", "Primary care consultation"),
        (Indicator, "PAO-REF", "Personas referidas a un socio", "People referred to a partner"),
    ],
)
def test_the_catalog_is_named_in_the_language_of_the_pages(ref, model, code, spanish, english):
    entry = model.objects.get(code=code)
    with translation.override("es"):
        assert spanish in str(entry)
    with translation.override("en"):
        assert english in str(entry)
    entry.name_en = ""
    with translation.override("en"):
        assert spanish in str(entry), "without an English name, the Spanish one"


def test_the_person_page_in_english_names_vulnerabilities_and_services_in_english(client, make_user):
    user = make_user("caseworker")
    person = PersonFactory()
    person.vulnerabilities.add(Vulnerability.objects.get(code="pregnant"))
    DirectServiceFactory(person=person, service_type=ServiceType.objects.get(code="phc-consultation"))
    client.force_login(user)
    html = client.get(reverse("cases:person_detail", args=[person.pk])).content.decode()
    assert "Gestante" in html and "Consulta de atención primaria" in html
    html = in_english(client).get(reverse("cases:person_detail", args=[person.pk])).content.decode()
    assert "Pregnant" in html and "Primary care consultation" in html
    assert "Gestante" not in html and "Consulta de atención primaria" not in html
