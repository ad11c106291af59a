"""Group list, detail and set-up: who sees which groups and who may set them up."""

import pytest
from django.urls import reverse

from services.sport.models import SportGroup

from ..factories import SportGroupFactory, program, site


def names(response) -> str:
    return response.content.decode()


def test_facilitator_lists_only_their_groups(client_for, facilitator, group, other_group, far_group):
    html = names(client_for(facilitator).get(reverse("sport:sport_group_list")))
    assert group.name in html
    assert other_group.name not in html and far_group.name not in html


def test_caseworker_lists_the_groups_of_their_sites(
    client_for, sch01_caseworker, group, other_group, far_group
):
    html = names(client_for(sch01_caseworker).get(reverse("sport:sport_group_list")))
    assert group.name in html and other_group.name in html
    assert far_group.name not in html


def test_coordinator_lists_the_groups_of_their_programs(client_for, coordinator, group, far_group):
    html = names(client_for(coordinator).get(reverse("sport:sport_group_list")))
    assert group.name in html and far_group.name in html


def test_coordinator_of_another_program_sees_no_groups(make_user, client_for, group):
    pao_only = make_user("coordinator", programs=["PAO"])
    html = names(client_for(pao_only).get(reverse("sport:sport_group_list")))
    assert group.name not in html


def test_list_filters_and_empty_state(client_for, admin_user, group, far_group):
    client = client_for(admin_user)
    url = reverse("sport:sport_group_list")
    html = names(client.get(url, {"site": far_group.site_id}))
    assert far_group.name in html and group.name not in html
    html = names(client.get(url, {"q": "nothing like this"}))
    assert "empty-state" in html
    group.active = False
    group.save()
    assert group.name not in names(client.get(url))
    assert group.name in names(client.get(url, {"show": "inactive"}))


def test_list_shows_participant_counts(client_for, facilitator, group, kids):
    html = names(client_for(facilitator).get(reverse("sport:sport_group_list")))
    assert '<span class="fw-semibold">5</span>' in html


def test_list_paginates(client_for, admin_user):
    for i in range(30):
        SportGroupFactory(name=f"Grupo {i:02d}")
    client = client_for(admin_user)
    assert "Grupo 29" not in names(client.get(reverse("sport:sport_group_list")))
    assert "Grupo 29" in names(client.get(reverse("sport:sport_group_list"), {"page": 2}))


def group_data(**overrides):
    data = {
        "program": program("BALON").pk,
        "site": site("SCH-01").pk,
        "name": "Sub-14 mixto",
        "age_min": 11,
        "age_max": 14,
        "facilitators": [],
    }
    data.update(overrides)
    return data


def test_facilitator_creates_a_group_at_their_site_and_facilitates_it(client_for, facilitator):
    response = client_for(facilitator).post(reverse("sport:sport_group_create"), group_data())
    group = SportGroup.objects.get(name="Sub-14 mixto")
    assert response.status_code == 302
    assert response["Location"] == reverse("sport:sport_group_detail", args=[group.pk])
    assert list(group.facilitators.all()) == [facilitator]


def test_facilitator_cannot_create_a_group_at_another_site(client_for, facilitator):
    response = client_for(facilitator).post(
        reverse("sport:sport_group_create"), group_data(site=site("SCH-02").pk)
    )
    assert response.status_code == 200
    assert not SportGroup.objects.filter(name="Sub-14 mixto").exists()


def test_coordinators_read_groups_but_do_not_set_them_up(client_for, coordinator, facilitator, group):
    """Their role is read-only: a group is set up by its facilitator or an admin."""
    client = client_for(coordinator)
    response = client.post(reverse("sport:sport_group_create"), group_data(facilitators=[facilitator.pk]))
    assert response.status_code == 403
    assert client.post(reverse("sport:sport_group_edit", args=[group.pk]), group_data()).status_code == 403
    assert not SportGroup.objects.filter(name="Sub-14 mixto").exists()


def test_an_admin_sets_up_a_group_with_facilitators(client_for, admin_user, facilitator):
    response = client_for(admin_user).post(
        reverse("sport:sport_group_create"), group_data(facilitators=[facilitator.pk])
    )
    assert response.status_code == 302
    group = SportGroup.objects.get(name="Sub-14 mixto")
    assert list(group.facilitators.all()) == [facilitator]


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"age_min": 14, "age_max": 11}, "age_max"),
        ({"age_min": 1}, "age_min"),
        ({"name": ""}, "name"),
        ({"site": "PAO-LS-not-a-pk"}, "site"),
    ],
)
def test_group_form_refuses_bad_input(client_for, admin_user, overrides, field):
    response = client_for(admin_user).post(reverse("sport:sport_group_create"), group_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert not SportGroup.objects.exists()


def test_group_must_meet_at_a_site_of_its_program(client_for, admin_user):
    response = client_for(admin_user).post(
        reverse("sport:sport_group_create"), group_data(program=program("PAO").pk)
    )
    assert response.context["form"].errors.get("site")
    assert not SportGroup.objects.exists()


def test_facilitators_must_work_at_the_site(client_for, admin_user, make_user):
    elsewhere = make_user("facilitator", sites=["SCH-02"])
    response = client_for(admin_user).post(
        reverse("sport:sport_group_create"), group_data(facilitators=[elsewhere.pk])
    )
    assert response.status_code == 200
    assert not SportGroup.objects.exists()


def test_duplicate_group_name_is_refused(client_for, admin_user, group):
    response = client_for(admin_user).post(reverse("sport:sport_group_create"), group_data(name=group.name))
    assert response.status_code == 200
    assert SportGroup.objects.filter(name=group.name).count() == 1


def test_facilitator_edits_their_group_and_stays_on_it(client_for, facilitator, group):
    data = group_data(name="Sub-12 renamed", age_min=7, age_max=12, active="on")
    response = client_for(facilitator).post(reverse("sport:sport_group_edit", args=[group.pk]), data)
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Sub-12 renamed" and group.age_min == 7
    assert facilitator in group.facilitators.all()


def test_deactivating_a_group(client_for, admin_user, group):
    data = group_data(
        name=group.name,
        age_min=6,
        age_max=12,
        facilitators=list(group.facilitators.values_list("pk", flat=True)),
    )
    client_for(admin_user).post(reverse("sport:sport_group_edit", args=[group.pk]), data)
    group.refresh_from_db()
    assert group.active is False


def test_caseworker_may_not_set_groups_up(client_for, sch01_caseworker, group):
    client = client_for(sch01_caseworker)
    assert client.get(reverse("sport:sport_group_create")).status_code == 403
    assert client.post(reverse("sport:sport_group_edit", args=[group.pk]), group_data()).status_code == 403


def test_detail_shows_buttons_by_role(client_for, facilitator, coordinator, group):
    html = names(client_for(facilitator).get(reverse("sport:sport_group_detail", args=[group.pk])))
    assert 'data-testid="new-session"' in html
    html = names(client_for(coordinator).get(reverse("sport:sport_group_detail", args=[group.pk])))
    assert 'data-testid="new-session"' not in html
    assert reverse("sport:sport_group_edit", args=[group.pk]) not in html


def test_new_group_form_suggests_the_facilitator_and_their_only_site(client_for, facilitator):
    form = client_for(facilitator).get(reverse("sport:sport_group_create")).context["form"]
    assert form.initial["facilitators"] == [facilitator.pk]
    assert form.initial["site"] == site("SCH-01").pk
    assert form.initial["program"] == program("BALON").pk
