"""Finding someone already registered: facilitators find light profiles of their sites and their
own participants, never anyone else's case file."""

from django.urls import reverse

from services.sport.models import Attendance, GroupParticipant

from ..factories import PersonFactory, site
from .factories import ChildFactory, GroupParticipantFactory, years_ago


def search(client, session, q, hx):
    return client.get(reverse("sport:sport_attendance_search", args=[session.pk]), {"q": q}, **hx)


def add_url(session):
    return reverse("sport:sport_attendance_add", args=[session.pk])


def test_facilitator_finds_light_profiles_at_their_sites(client_for, facilitator, session, hx):
    kid = ChildFactory(given_names="Génesis", family_names="Colmenares Díaz")
    html = search(client_for(facilitator), session, "genesis colm", hx).content.decode()
    assert f'value="{kid.pk}"' in html


def test_facilitator_never_finds_case_files(client_for, facilitator, session, hx):
    adult = PersonFactory(given_names="Génesis", family_names="Colmenares Díaz", site=site("PAO-LS"))
    full_at_school = PersonFactory(given_names="Génesis", family_names="Colmenares Ruiz", site=site("SCH-01"))
    other_school = ChildFactory(given_names="Génesis", family_names="Colmenares Soto", site=site("SCH-02"))
    html = search(client_for(facilitator), session, "genesis", hx).content.decode()
    for person in (adult, full_at_school, other_school):
        assert f'value="{person.pk}"' not in html
    assert "No one found" in html or "No se encontró" in html


def test_facilitator_finds_their_own_participants_even_if_completed(
    client_for, facilitator, group, session, hx
):
    other = type(group).objects.create(program=group.program, site=group.site, name="Otro")
    other.facilitators.add(facilitator)
    completed = GroupParticipantFactory(
        group=other, person=PersonFactory(given_names="Yorman", birth_date=years_ago(11), site=site("PAO-LS"))
    ).person
    html = search(client_for(facilitator), session, "yorman", hx).content.decode()
    assert f'value="{completed.pk}"' in html


def test_people_already_on_the_list_are_not_offered(client_for, facilitator, group, session, kids, hx):
    html = search(client_for(facilitator), session, kids[0].given_names, hx).content.decode()
    assert f'value="{kids[0].pk}"' not in html


def test_search_by_guardian_phone(client_for, facilitator, session, hx):
    kid = ChildFactory(guardian_phone="987 111 222")
    html = search(client_for(facilitator), session, "987111", hx).content.decode()
    assert f'value="{kid.pk}"' in html


def test_caseworker_finds_people_of_their_site(client_for, sch01_caseworker, session, hx):
    full = PersonFactory(given_names="Anderson", site=site("SCH-01"), birth_date=years_ago(12))
    elsewhere = PersonFactory(given_names="Anderson", site=site("PAO-LS"))
    html = search(client_for(sch01_caseworker), session, "anderson", hx).content.decode()
    assert f'value="{full.pk}"' in html and f'value="{elsewhere.pk}"' not in html


def test_search_without_htmx_shows_results_on_the_page(client_for, facilitator, session):
    kid = ChildFactory(given_names="Mariángel")
    client = client_for(facilitator)
    response = client.get(reverse("sport:sport_attendance_search", args=[session.pk]), {"q": "mariangel"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f'value="{kid.pk}"' in page


def test_adding_someone_found_makes_them_a_participant_and_present(client_for, facilitator, session, hx):
    kid = ChildFactory()
    response = client_for(facilitator).post(add_url(session), {"person": kid.pk}, **hx)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="p{kid.pk}"' in html and 'hx-swap-oob="beforeend:#attendance-list"' in html
    assert 'id="sport-search"' in html  # the search box comes back empty
    assert GroupParticipant.objects.get(group=session.group, person=kid).joined_on == session.date
    assert Attendance.objects.get(session=session, person=kid).present


def test_adding_twice_keeps_one_membership_and_one_row(client_for, facilitator, session, hx):
    kid = ChildFactory()
    client = client_for(facilitator)
    client.post(add_url(session), {"person": kid.pk}, **hx)
    client.post(add_url(session), {"person": kid.pk}, **hx)
    assert GroupParticipant.objects.filter(person=kid).count() == 1
    assert Attendance.objects.filter(person=kid).count() == 1


def test_someone_who_had_left_comes_back(client_for, facilitator, group, session, hx):
    kid = GroupParticipantFactory(group=group, left_on=years_ago(0, days=30)).person
    client_for(facilitator).post(add_url(session), {"person": kid.pk}, **hx)
    membership = GroupParticipant.objects.get(group=group, person=kid)
    assert membership.left_on is None and membership.joined_on == session.date


def test_adding_someone_out_of_reach_is_refused(client_for, facilitator, session, hx):
    adult = PersonFactory(site=site("PAO-LS"))
    other_school = ChildFactory(site=site("SCH-02"))
    client = client_for(facilitator)
    for person in (adult, other_school):
        assert client.post(add_url(session), {"person": person.pk}, **hx).status_code == 404
    assert client.post(add_url(session), {"person": "abc"}, **hx).status_code == 404
    assert not GroupParticipant.objects.exists()
    assert not Attendance.objects.exists()


def test_adding_outside_the_age_range_warns(client_for, facilitator, session, hx):
    kid = ChildFactory(birth_date=years_ago(14))
    html = client_for(facilitator).post(add_url(session), {"person": kid.pk}, **hx).content.decode()
    assert "alert-warning" in html
    assert Attendance.objects.filter(person=kid).exists()
