"""Check-in: tickets short and unique per site and day, priority from the person's record, one
place in the line per person, and only at the user's sites."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Person, Vulnerability
from reception.actions import ticket_number_next, visit_check_in
from reception.models import Visit
from tests.factories import PersonFactory, site

from .conftest import check_in, key_in


def test_tickets_count_up_per_site_and_start_again_each_day(ref, receptionist, north_site, make_user):
    people = PersonFactory.create_batch(3)
    visits = [
        check_in(receptionist, p, area=a)
        for p, a in zip(people, ["documentation", "primary_care", "documentation"], strict=True)
    ]
    assert [v.ticket for v in visits] == ["D-001", "S-002", "D-003"]
    assert [v.number for v in visits] == [1, 2, 3]
    # Another site has its own numbers; tomorrow starts again at 1.
    assert ticket_number_next(site=north_site, day=timezone.localdate()) == 1
    assert ticket_number_next(site=site("PAO-LS"), day=timezone.localdate() + timedelta(days=1)) == 1
    assert ticket_number_next(site=site("PAO-LS"), day=timezone.localdate()) == 4


def test_the_database_refuses_a_second_ticket_with_the_same_number(ref, receptionist):
    from django.db import IntegrityError, transaction

    visit = check_in(receptionist, PersonFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(
            site=visit.site,
            person=PersonFactory(),
            day=visit.day,
            number=visit.number,
            ticket="X-1",
            area="other",
        )


def test_priority_comes_from_the_vulnerabilities_the_person_already_has(ref, receptionist):
    pregnant = PersonFactory()
    pregnant.vulnerabilities.add(Vulnerability.objects.get(code="pregnant"))
    chronic = PersonFactory()
    chronic.vulnerabilities.add(Vulnerability.objects.get(code="chronic_illness"))
    marked = PersonFactory()
    first = check_in(receptionist, pregnant)
    second = check_in(receptionist, chronic)
    third = check_in(receptionist, marked, manual_priority=True)
    assert (first.priority, first.priority_codes, first.rank) == (True, ["pregnant"], Visit.Rank.PRIORITY)
    assert (second.priority, second.priority_codes, second.rank) == (False, [], Visit.Rank.WALK_IN)
    assert (third.priority, third.priority_codes) == (True, ["manual"])


def test_a_returning_appointment_ranks_ahead_of_walk_ins(ref, receptionist):
    visit = check_in(receptionist, PersonFactory(), returning=True)
    assert visit.rank == Visit.Rank.APPOINTMENT


def test_one_place_in_the_line_per_person_and_day(ref, receptionist):
    person = PersonFactory()
    check_in(receptionist, person)
    with pytest.raises(ValidationError, match="already in the line"):
        check_in(receptionist, person, area="primary_care")
    assert Visit.objects.filter(person=person).count() == 1


def test_check_in_is_refused_outside_the_users_sites_and_roles(ref, receptionist, north_site, make_user):
    other_person = PersonFactory(site=north_site)
    with pytest.raises(PermissionDenied):
        check_in(receptionist, other_person)
    with pytest.raises(PermissionDenied):
        check_in(receptionist, PersonFactory(), site=north_site)
    facilitator = make_user("facilitator", sites=["PAO-LS"])
    with pytest.raises(PermissionDenied):
        check_in(facilitator, PersonFactory())
    assert not Visit.objects.exists()


def test_check_in_keeps_its_history_with_the_receptionist(ref, receptionist):
    visit = check_in(receptionist, PersonFactory())
    row = visit.history.get()
    assert row.history_user == receptionist and row.history_change_reason == "check-in"


def test_the_check_in_page_gives_the_ticket_once_even_when_sent_twice(ref, client, receptionist):
    person = PersonFactory()
    client.force_login(receptionist)
    url = reverse("reception:check_in", args=[person.pk])
    body = {"site": person.site_id, "area": "documentation", "submission_key": key_in(client.get(url))}
    first = client.post(url, body)
    second = client.post(url, body, follow=True)
    visit = Visit.objects.get(person=person)
    assert first.status_code == 302
    assert first["Location"] == reverse("reception:visit_detail", args=[visit.pk])
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "This form had already been sent" in second.content.decode()


def test_the_check_in_page_says_what_is_missing(ref, client, receptionist):
    person = PersonFactory()
    client.force_login(receptionist)
    response = client.post(reverse("reception:check_in", args=[person.pk]), {"site": person.site_id})
    assert response.status_code == 200
    assert "Choose the reason for the visit." in response.content.decode()
    assert not Visit.objects.exists()


def test_a_receptionist_finds_people_by_name_document_or_phone_but_not_their_case_file(
    ref, client, receptionist
):
    from tests.factories import IdentityDocumentFactory

    person = PersonFactory(given_names="Yusmary", family_names="Rojas Pérez", phone="987654321")
    IdentityDocumentFactory(person=person, doc_type="cedula_ve", number="V12345678")
    client.force_login(receptionist)
    for q in ["yusmari rojas", "V12345678", "987 654 321"]:
        html = client.post(reverse("reception:desk"), {"q": q}).content.decode()
        assert "Yusmary Rojas Pérez" in html, q
        assert reverse("reception:check_in", args=[person.pk]) in html
    assert client.get(reverse("cases:person_detail", args=[person.pk])).status_code == 403
    assert client.get(reverse("cases:person_list")).status_code == 403


def test_quick_registration_shows_duplicates_then_registers_and_leads_to_the_check_in(
    ref, client, receptionist
):
    existing = PersonFactory(
        given_names="Yusmary", family_names="Rojas Pérez", birth_date=timezone.localdate().replace(year=1990)
    )
    client.force_login(receptionist)
    url = reverse("reception:register")
    body = {
        "submission_key": key_in(client.get(url)),
        "given_names": "Yusmari",
        "family_names": "Rojas Peres",
        "sex": "F",
        "birth_date": existing.birth_date.isoformat(),
        "nationality": "VE",
        "population_type": "destination",
        "phone": "",
        "priority_vulnerabilities": [Vulnerability.objects.get(code="older_person").pk],
    }
    shown = client.post(url, body)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "Possible duplicates" in html and reverse("reception:check_in", args=[existing.pk]) in html
    assert Person.objects.count() == 1
    body["seen"] = [existing.pk]
    registered = client.post(url, body)
    person = Person.objects.exclude(pk=existing.pk).get()
    assert registered.status_code == 302
    assert registered["Location"].startswith(reverse("reception:check_in", args=[person.pk]))
    assert person.site == receptionist.site_memberships.get().site
    assert list(person.vulnerabilities.values_list("code", flat=True)) == ["older_person"]
    assert set(person.history.values_list("history_user", flat=True)) == {receptionist.pk}
    # The same form sent again registers nobody else.
    again = client.post(url, body)
    assert again.status_code == 302 and Person.objects.count() == 2


def test_quick_registration_refuses_a_bad_document(ref, client, receptionist):
    client.force_login(receptionist)
    response = client.post(
        reverse("reception:register"),
        {
            "given_names": "Ana",
            "family_names": "Pérez",
            "sex": "F",
            "nationality": "VE",
            "population_type": "transit",
            "doc_number": "123",
        },
    )
    assert response.status_code == 200
    assert "Choose the type of the document." in response.content.decode()
    assert Person.objects.count() == 0


def test_visit_check_in_needs_a_known_area(ref, receptionist):
    with pytest.raises(ValidationError):
        visit_check_in(user=receptionist, site=site("PAO-LS"), person=PersonFactory(), area="sport")


def test_quick_registration_says_only_that_someone_elsewhere_may_match_and_logs_it(
    ref, client, receptionist, north_site
):
    from orientation.models import AccessLog

    other = PersonFactory(
        given_names="Génesis", family_names="Alvarado Díaz", phone="912000111", site=north_site
    )
    client.force_login(receptionist)
    html = client.post(
        reverse("reception:register"),
        {
            "given_names": "Probe",
            "family_names": "Nobody",
            "sex": "F",
            "nationality": "VE",
            "population_type": "transit",
            "phone": "912000111",
        },
    ).content.decode()
    assert 'data-elsewhere="1"' in html
    for told in ["Génesis", "Alvarado", north_site.name, "same phone"]:
        assert told not in html
    assert AccessLog.objects.filter(
        object_type="cases.person", object_id=str(other.pk), user=receptionist
    ).exists()
    assert Person.objects.count() == 1
