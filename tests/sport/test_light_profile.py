"""A new participant's light profile, registered at the pitch with the guardian's consent."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Consent, Person
from services.sport.models import Attendance, GroupParticipant

from .factories import ChildFactory, years_ago


def url(session):
    return reverse("sport:sport_light_profile_create", args=[session.pk])


def payload(**overrides):
    data = {
        "given_names": "  Valentina ",
        "family_names": "Rojas  Pérez",
        "sex": "F",
        "birth_date": years_ago(9).isoformat(),
        "nationality": "VE",
        "population_type": "destination",
        "school": "",
        "guardian_name": "Yusmary Pérez",
        "guardian_relationship": "Madre",
        "guardian_phone": "987 654 321",
        "consent_method": "written",
        "data_consent": "on",
        "image_consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_new_light_profile_joins_the_group_and_is_present(client_for, facilitator, session, hx):
    response = client_for(facilitator).post(url(session), payload(), **hx)
    assert response.status_code == 200
    person = Person.objects.get(given_names="Valentina")
    assert person.family_names == "Rojas Pérez"
    assert person.is_light_profile
    assert person.site == session.site
    assert person.created_by == facilitator
    assert person.guardian_phone == "987654321"
    consents = {c.purpose: c for c in person.consents.all()}
    assert set(consents) == {"data_processing", "image_use"}
    for consent in consents.values():
        assert consent.given_by == Consent.GivenBy.GUARDIAN
        assert consent.guardian_name == "Yusmary Pérez"
        assert consent.recorded_by == facilitator
    assert GroupParticipant.objects.get(group=session.group, person=person).joined_on == session.date
    attendance = Attendance.objects.get(session=session, person=person)
    assert attendance.present and attendance.population_type == "destination"
    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#attendance-list"' in html and f'id="p{person.pk}"' in html
    assert 'id="light-profile-form"' in html  # a fresh form for the next one


def test_without_htmx_it_redirects_to_the_list(client_for, facilitator, session):
    response = client_for(facilitator).post(url(session), payload())
    person = Person.objects.get(given_names="Valentina")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#p{person.pk}")


def test_a_minor_without_guardian_consent_is_refused(client_for, facilitator, session, hx):
    response = client_for(facilitator).post(url(session), payload(data_consent=None), **hx)
    assert response.status_code == 200
    assert "guardian" in response.content.decode() or "apoderado" in response.content.decode()
    assert not Person.objects.exists()
    assert not Consent.objects.exists()
    assert not Attendance.objects.exists()


def test_a_minor_needs_a_named_guardian(client_for, facilitator, session, hx):
    client_for(facilitator).post(url(session), payload(guardian_name="", guardian_relationship=""), **hx)
    assert not Person.objects.exists()


def test_an_adult_gives_consent_themself(client_for, facilitator, session):
    client_for(facilitator).post(
        url(session), payload(birth_date=years_ago(19).isoformat(), guardian_name="")
    )
    person = Person.objects.get(given_names="Valentina")
    assert set(person.consents.values_list("given_by", flat=True)) == {"self"}


def test_image_consent_is_optional(client_for, facilitator, session):
    client_for(facilitator).post(url(session), payload(image_consent=None))
    person = Person.objects.get(given_names="Valentina")
    assert list(person.consents.values_list("purpose", flat=True)) == ["data_processing"]


def test_outside_the_age_range_is_a_warning_not_a_block(client_for, facilitator, session, hx):
    response = client_for(facilitator).post(url(session), payload(birth_date=years_ago(15).isoformat()), **hx)
    html = response.content.decode()
    assert Person.objects.filter(given_names="Valentina").exists()
    assert "alert-warning" in html and "6–12" in html


@pytest.mark.parametrize(
    "field,value",
    [
        ("birth_date", (timezone.localdate() + timedelta(days=1)).isoformat()),
        ("birth_date", "31/02/2015"),
        ("birth_date", "1890-01-01"),
        ("guardian_phone", "call me"),
        ("sex", "Q"),
        ("nationality", ""),
        ("population_type", "tourist"),
        ("given_names", ""),
    ],
)
def test_bad_input_saves_nothing(client_for, facilitator, session, hx, field, value):
    response = client_for(facilitator).post(url(session), payload(**{field: value}), **hx)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Person.objects.exists()
    assert not Attendance.objects.exists()


def test_possible_duplicate_is_offered_first(client_for, facilitator, group, session, hx):
    existing = ChildFactory(given_names="Valentina", family_names="Rojas Pérez", birth_date=years_ago(9))
    client = client_for(facilitator)
    response = client.post(url(session), payload(), **hx)
    html = response.content.decode()
    assert 'data-testid="possible-duplicates"' in html
    assert f'name="person" value="{existing.pk}"' in html
    assert Person.objects.count() == 1
    client.post(url(session), payload(confirm_new="on"), **hx)
    assert Person.objects.filter(given_names="Valentina").count() == 2


def test_the_form_page_works_without_javascript(client_for, facilitator, session):
    response = client_for(facilitator).get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'id="light-profile-form"' in html
        and "hx-post" not in html.split('id="light-profile-form"')[1].split(">")[0]
    )


def test_a_session_in_the_future_takes_no_new_profiles(client_for, facilitator, group):
    from ..factories import SportSessionFactory

    tomorrow = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=timezone.localdate() + timedelta(days=1)
    )
    client_for(facilitator).post(url(tomorrow), payload())
    assert not Person.objects.exists()
