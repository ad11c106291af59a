"""Recording a direct service from the person's page or from an intake."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from cases.models import IntakeNeed
from orientation.models import Program
from reports.models import Indicator
from services.models import DirectService
from services.views._common import person_page_url
from tests.factories import IntakeFactory, program, service_type


def _url(person, **query):
    url = reverse("services:direct_service_create", args=[person.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_record_in_one_post(person, caseworker, client_for, today):
    response = client_for(caseworker).post(
        _url(person),
        {
            "service_type": service_type("doc-cpp").pk,
            "delivered_on": today.isoformat(),
            "program": program("PAO").pk,
            "notes": "Cita en Migraciones el lunes.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == person_page_url(person.pk)
    service = DirectService.objects.get(person=person)
    assert (service.service_type.code, service.delivered_on, service.program.code) == (
        "doc-cpp",
        today,
        "PAO",
    )
    assert service.population_type == "transit"  # the person's current one
    assert service.staff == caseworker and service.site == person.site
    assert service.history.first().history_user == caseworker


def test_population_type_is_the_current_one(person, caseworker, client_for, today):
    person.population_type = "destination"
    person.save()
    client_for(caseworker).post(
        _url(person),
        {"service_type": service_type().pk, "delivered_on": today.isoformat(), "program": program("PAO").pk},
    )
    assert DirectService.objects.get(person=person).population_type == "destination"


def test_next_url_is_honoured_but_only_on_this_site(person, caseworker, client_for, today):
    data = {
        "service_type": service_type().pk,
        "delivered_on": today.isoformat(),
        "program": program("PAO").pk,
    }
    client = client_for(caseworker)
    response = client.post(_url(person), {**data, "next": "/people/"})
    assert response["Location"] == "/people/"
    response = client.post(_url(person), {**data, "next": "https://evil.example.org/"})
    assert response["Location"] == person_page_url(person.pk)


def test_intake_prefills_the_date_and_puts_its_needs_first(person, caseworker, client_for):
    intake = IntakeFactory(person=person, date=date(2025, 2, 3))
    IntakeNeed.objects.create(intake=intake, area="primary_care")
    response = client_for(caseworker).get(_url(person, intake=intake.pk))
    form = response.context["form"]
    assert form.initial["delivered_on"] == date(2025, 2, 3)
    assert form.service_groups[0][0] == "primary_care"
    assert "need at this visit" in response.content.decode() or "necesidad" in response.content.decode()
    # Only programs active on that date are offered (all three were by February 2025), and only
    # those that count services: not the youth sport program.
    assert {p.code for p in form.programs_offered} == {"PAO", "SALUD"}


def test_intake_of_another_person_is_not_found(person, caseworker, client_for):
    other = IntakeFactory()
    assert client_for(caseworker).get(_url(person, intake=other.pk)).status_code == 404
    assert client_for(caseworker).get(_url(person, intake="abc")).status_code == 404


def test_programs_offered_are_those_active_on_the_date(person, caseworker, client_for):
    # 2024-05-01: SALUD (from 2024-03-01) and BALON run; PAO starts 2024-08-01. BALON counts only
    # sport attendance, so SALUD is the one offered, and preselected.
    intake = IntakeFactory(person=person, date=date(2024, 5, 1))
    form = client_for(caseworker).get(_url(person, intake=intake.pk)).context["form"]
    assert {p.code for p in form.programs_offered} == {"SALUD"}
    assert form.initial["program"] == program("SALUD").pk


def test_a_single_program_is_preselected(person, caseworker, client_for):
    Program.objects.filter(code__in=["BALON", "SALUD"]).update(end_date=date(2024, 12, 31))
    form = client_for(caseworker).get(_url(person)).context["form"]
    assert [p.code for p in form.programs_offered] == ["PAO"]
    assert form.initial["program"] == program("PAO").pk


@pytest.mark.parametrize(
    ("day", "code", "message"),
    [
        ("2024-07-31", "PAO", "starts on 2024-08-01"),
        ("2999-01-01", "PAO", "cannot be in the future"),
        ("2025-02-01", "ENDED", "is outside it"),
    ],
)
def test_event_outside_its_program_is_refused(person, caseworker, client_for, day, code, message):
    if code == "ENDED":
        ended = Program.objects.create(
            code="ENDED", name="Terminado", start_date=date(2024, 1, 1), end_date=date(2024, 12, 31)
        )
        ended.sites.add(person.site)
        Indicator.objects.create(program=ended, code="ENDED-ANY", name="Todo", event_kind="service_received")
    client = client_for(caseworker)
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(
        _url(person),
        {"service_type": service_type().pk, "delivered_on": day, "program": program(code).pk},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DirectService.objects.exists()


def test_missing_service_type_and_inactive_service(person, caseworker, client_for, today):
    client = client_for(caseworker)
    response = client.post(_url(person), {"delivered_on": today.isoformat(), "program": program("PAO").pk})
    assert "service_type" in response.context["form"].errors
    inactive = service_type("phc-sis")
    inactive.active = False
    inactive.save()
    response = client.post(
        _url(person),
        {"service_type": inactive.pk, "delivered_on": today.isoformat(), "program": program("PAO").pk},
    )
    assert "service_type" in response.context["form"].errors
    assert not DirectService.objects.exists()


def test_yesterday_is_fine(person, caseworker, client_for, today):
    response = client_for(caseworker).post(
        _url(person),
        {
            "service_type": service_type("phc-consultation").pk,
            "delivered_on": (today - timedelta(days=1)).isoformat(),
            "program": program("SALUD").pk,
        },
    )
    assert response.status_code == 302


def test_programs_offered_count_the_service_area_and_the_last_choice_is_remembered(
    person, caseworker, client_for, today
):
    """The youth sport program (attendance only) is never offered for a service; each program says
    which areas it counts; a program that does not count the service's area is refused."""
    client = client_for(caseworker)
    form = client.get(_url(person)).context["form"]
    assert {p.code for p in form.programs_offered} == {"PAO", "SALUD"}
    assert "program" not in form.initial  # two to choose from and nothing chosen before
    body = client.get(_url(person)).content.decode()
    program_select = body.split('name="program"', 1)[1].split("</select>", 1)[0]
    assert f'value="{program("BALON").pk}"' not in program_select and "BALON" not in program_select
    assert 'data-areas="documentation primary_care psychosocial"' in body  # PAO (PAO-ANY, PAO-DOC...)
    assert 'data-areas="primary_care psychosocial"' in body  # SALUD
    # SALUD does not count documentation: refused with a clear message, nothing saved.
    client.post(reverse("set_language"), {"language": "en"})
    response = client.post(
        _url(person),
        {
            "service_type": service_type("doc-cpp").pk,
            "delivered_on": today.isoformat(),
            "program": program("SALUD").pk,
        },
    )
    assert response.status_code == 200
    assert "does not count services of the area" in response.content.decode()
    assert not DirectService.objects.exists()
    # BALON is refused too (not a valid choice for a service).
    response = client.post(
        _url(person),
        {
            "service_type": service_type("doc-cpp").pk,
            "delivered_on": today.isoformat(),
            "program": program("BALON").pk,
        },
    )
    assert "program" in response.context["form"].errors
    # After a service under SALUD, the form preselects SALUD for this user (not for a colleague).
    response = client.post(
        _url(person),
        {
            "service_type": service_type("phc-sis").pk,
            "delivered_on": today.isoformat(),
            "program": program("SALUD").pk,
        },
    )
    assert response.status_code == 302
    form = client.get(_url(person)).context["form"]
    assert form.initial["program"] == program("SALUD").pk
    assert f'data-last="{program("SALUD").pk}"' in client.get(_url(person)).content.decode()
