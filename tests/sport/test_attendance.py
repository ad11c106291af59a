"""The attendance screen's writes: one tap, one row; idempotent; stamps the population type."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Person
from services.sport.models import Attendance

from ..factories import PersonFactory, SportSessionFactory
from .factories import ChildFactory, GroupParticipantFactory


def mark_url(session, person):
    return reverse("sport:sport_attendance_mark", args=[session.pk, person.pk])


def test_attendance_screen_lists_the_group(client_for, facilitator, session, kids):
    response = client_for(facilitator).get(reverse("sport:sport_attendance", args=[session.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for kid in kids:
        assert kid.given_names in html and f'id="p{kid.pk}"' in html
    assert html.count('data-testid="mark-present"') == 5


def test_tap_present_stores_one_row_and_returns_the_row(client_for, facilitator, session, kids, hx):
    client = client_for(facilitator)
    kid = kids[0]
    response = client.post(mark_url(session, kid), {"present": "1"}, **hx)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="p{kid.pk}"' in html
    assert "list-group-item-success" in html
    assert 'hx-swap-oob="true"' in html and 'id="attendance-tally"' in html
    assert "1 present" in html or "1 presente" in html
    row = Attendance.objects.get(session=session, person=kid)
    assert row.present is True
    assert row.recorded_by == facilitator
    assert row.population_type == kid.population_type


def test_ticking_twice_stores_one_row(client_for, facilitator, session, kids, hx):
    client = client_for(facilitator)
    kid = kids[0]
    client.post(mark_url(session, kid), {"present": "1"}, **hx)
    client.post(mark_url(session, kid), {"present": "1"}, **hx)
    assert Attendance.objects.filter(session=session, person=kid).count() == 1
    client.post(mark_url(session, kid), {"present": "0"}, **hx)
    rows = Attendance.objects.filter(session=session, person=kid)
    assert rows.count() == 1
    assert rows.get().present is False
    # Every change is kept in the history.
    assert rows.get().history.count() == 3


def test_population_type_is_stamped_when_first_recorded(client_for, facilitator, session, kids, hx):
    client = client_for(facilitator)
    kid = kids[0]
    client.post(mark_url(session, kid), {"present": "1"}, **hx)
    Person.objects.filter(pk=kid.pk).update(population_type="transit")
    client.post(mark_url(session, kid), {"present": "0"}, **hx)
    assert Attendance.objects.get(session=session, person=kid).population_type == "destination"
    later = SportSessionFactory(
        group=session.group,
        site=session.site,
        program=session.program,
        date=session.date,
        activity="leadership_workshop",
    )
    client.post(mark_url(later, kid), {"present": "1"}, **hx)
    assert Attendance.objects.get(session=later, person=kid).population_type == "transit"


def test_without_htmx_a_tap_redirects_back_to_the_list(client_for, facilitator, session, kids):
    kid = kids[1]
    response = client_for(facilitator).post(mark_url(session, kid), {"present": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("sport:sport_attendance", args=[session.pk]) + f"#p{kid.pk}"
    assert Attendance.objects.get(session=session, person=kid).present


def test_a_tap_needs_a_present_or_absent_value(client_for, facilitator, session, kids, hx):
    response = client_for(facilitator).post(mark_url(session, kids[0]), {"present": "maybe"}, **hx)
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_a_session_in_the_future_is_refused(client_for, facilitator, group, kids, hx):
    tomorrow = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=timezone.localdate() + timedelta(days=1)
    )
    client = client_for(facilitator)
    response = client.post(mark_url(tomorrow, kids[0]), {"present": "1"}, **hx)
    assert response.status_code == 200
    assert "in the future" in response.content.decode() or "futuro" in response.content.decode()
    assert not Attendance.objects.exists()
    page = client.get(reverse("sport:sport_attendance", args=[tomorrow.pk])).content.decode()
    assert 'data-testid="mark-present"' not in page


def test_someone_not_on_the_list_cannot_be_marked(client_for, facilitator, session, kids, hx):
    stranger = ChildFactory()
    response = client_for(facilitator).post(mark_url(session, stranger), {"present": "1"}, **hx)
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_someone_who_left_stays_on_earlier_sessions_only(client_for, facilitator, group, session, hx):
    kid = ChildFactory()
    GroupParticipantFactory(group=group, person=kid, left_on=session.date - timedelta(days=10))
    client = client_for(facilitator)
    assert client.post(mark_url(session, kid), {"present": "1"}, **hx).status_code == 404
    earlier = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=session.date - timedelta(days=14)
    )
    assert client.post(mark_url(earlier, kid), {"present": "1"}, **hx).status_code == 200


def test_rows_show_age_range_and_image_consent_warnings(client_for, facilitator, group, session):
    from .factories import GuardianConsentFactory, years_ago

    older = GroupParticipantFactory(group=group, person=ChildFactory(birth_date=years_ago(15))).person
    with_photos = GroupParticipantFactory(group=group, person=ChildFactory()).person
    GuardianConsentFactory(person=with_photos)
    html = client_for(facilitator).get(reverse("sport:sport_attendance", args=[session.pk])).content.decode()
    older_row = html.split(f'id="p{older.pk}"')[1].split("</li>")[0]
    photos_row = html.split(f'id="p{with_photos.pk}"')[1].split("</li>")[0]
    assert "bi-exclamation-triangle" in older_row and "bi-camera-video-off" in older_row
    assert "bi-exclamation-triangle" not in photos_row and "bi-camera-video-off" not in photos_row


@pytest.mark.parametrize("role", ["coordinator"])
def test_read_only_roles_see_the_list_without_buttons(make_user, client_for, session, kids, role):
    user = make_user(role)
    page = client_for(user).get(reverse("sport:sport_attendance", args=[session.pk]))
    assert page.status_code == 200
    assert 'data-testid="mark-present"' not in page.content.decode()
    response = client_for(user).post(mark_url(session, kids[0]), {"present": "1"})
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_a_caseworker_of_the_site_may_take_attendance(client_for, sch01_caseworker, session, kids, hx):
    response = client_for(sch01_caseworker).post(mark_url(session, kids[0]), {"present": "1"}, **hx)
    assert response.status_code == 200
    assert Attendance.objects.filter(session=session, person=kids[0], present=True).exists()


def test_adults_of_the_same_site_are_not_on_the_list(client_for, facilitator, session, kids):
    adult = PersonFactory(site=session.site)
    html = client_for(facilitator).get(reverse("sport:sport_attendance", args=[session.pk])).content.decode()
    assert adult.family_names not in html


def test_the_database_refuses_a_second_row_for_the_same_person_and_session(session, kids):
    from django.db import IntegrityError, transaction

    Attendance.objects.create(session=session, person=kids[0], present=True, population_type="host")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, person=kids[0], present=False, population_type="host")
    assert Attendance.objects.count() == 1


def test_the_action_is_idempotent_without_the_view(facilitator, session, kids):
    from services.sport.actions import attendance_record

    first = attendance_record(user=facilitator, session=session, person=kids[0], present=True)
    second = attendance_record(user=facilitator, session=session, person=kids[0], present=True)
    assert first.pk == second.pk
    assert Attendance.objects.count() == 1


def all_present_url(session):
    return reverse("sport:sport_attendance_all_present", args=[session.pk])


def test_all_present_then_correct_one_child(client_for, facilitator, session, kids, hx):
    """One request marks everyone not recorded yet; a correction is one tap; a second "all present"
    keeps the correction (the same idempotence as the single taps)."""
    client = client_for(facilitator)
    page = client.get(reverse("sport:sport_attendance", args=[session.pk])).content.decode()
    assert 'data-testid="all-present"' in page
    client.post(mark_url(session, kids[0]), {"present": "0"}, **hx)  # already marked absent
    response = client.post(all_present_url(session), **hx)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="attendance-row"') == 5
    assert 'hx-swap-oob="true"' in html and ("4 present" in html or "4 presentes" in html)
    rows = Attendance.objects.filter(session=session)
    assert {(a.person_id, a.present) for a in rows} == {(kids[0].pk, False)} | {
        (k.pk, True) for k in kids[1:]
    }
    assert all(a.recorded_by == facilitator and a.population_type for a in rows)
    assert all(a.history.count() == 1 for a in rows.exclude(person=kids[0]))  # in the history
    client.post(mark_url(session, kids[1]), {"present": "0"}, **hx)  # per-child correction
    assert client.post(all_present_url(session), **hx).status_code == 200  # pressed again
    assert Attendance.objects.filter(session=session).count() == 5
    assert set(Attendance.objects.filter(present=False).values_list("person_id", flat=True)) == {
        kids[0].pk,
        kids[1].pk,
    }


def test_all_present_without_htmx_redirects_and_refuses_a_future_session(
    client_for, facilitator, group, kids
):
    client = client_for(facilitator)
    today = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=timezone.localdate()
    )
    response = client.post(all_present_url(today))
    assert response.status_code == 302
    assert Attendance.objects.filter(session=today, present=True).count() == 5
    future = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=timezone.localdate() + timedelta(days=1)
    )
    client.post(all_present_url(future))
    assert not Attendance.objects.filter(session=future).exists()


def test_all_present_is_refused_to_readers_and_other_groups(
    client_for, make_user, other_facilitator, session, kids
):
    assert client_for(make_user("coordinator")).post(all_present_url(session)).status_code == 403
    assert client_for(other_facilitator).post(all_present_url(session)).status_code == 404
    assert not Attendance.objects.exists()
