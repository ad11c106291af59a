"""The people list's filters on django-filter (``cases.filters.PersonFilter``): the same query
parameters and results as before, all or nothing, and the same filters for the API."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from api.actions import api_token_create
from cases.filters import PersonFilter
from tests.factories import PersonFactory, ReferralFactory, site

LIST = reverse("cases:person_list")


def _pks(client, query: str) -> set[int]:
    return {p.pk for p in client.get(f"{LIST}?{query}").context["people"]}


def test_filters_combine(client_for, caseworker):
    host_pe = PersonFactory(nationality="PE", population_type="host")
    PersonFactory(nationality="PE", population_type="transit")
    PersonFactory(nationality="VE", population_type="host")
    client = client_for(caseworker)
    assert _pks(client, "nationality=PE&population_type=host") == {host_pe.pk}
    response = client.get(f"{LIST}?nationality=PE&population_type=host&sort=-registered")
    assert response.context["filter_form"].active_count == 2
    assert response.context["sort"] == "-registered"


def test_a_value_out_of_place_lists_as_if_there_were_no_filter(client_for, caseworker):
    """A bookmark with a site that is no longer the user's, or a code that does not exist."""
    peruvian = PersonFactory(nationality="PE")
    venezuelan = PersonFactory(nationality="VE")
    client = client_for(caseworker)
    everyone = {peruvian.pk, venezuelan.pk}
    assert _pks(client, f"nationality=PE&site={site('SCH-01').pk}") == everyone
    assert _pks(client, "nationality=PE&vulnerability=nope") == everyone
    assert _pks(client, "nationality=PE&sort=shoe-size") == everyone
    response = client.get(f"{LIST}?nationality=PE&site=abc")
    assert response.context["filter_form"].active_count == 0
    assert response.context["sort"] == ""


def test_archived_people_only_when_asked(caseworker):
    from django.utils import timezone

    active = PersonFactory()
    archived = PersonFactory(archived_at=timezone.now())
    assert {p.pk for p in PersonFilter(None, user=caseworker).qs} == {active.pk}
    assert {p.pk for p in PersonFilter({"archived": "on"}, user=caseworker).qs} == {archived.pk}
    # Out of place: as if nothing were asked, archived people left out.
    assert {p.pk for p in PersonFilter({"archived": "on", "site": "x"}, user=caseworker).qs} == {active.pk}


def test_open_referrals_and_sort(caseworker):
    older = PersonFactory(family_names="Alvarado")
    newer = PersonFactory(family_names="Zambrano")
    ReferralFactory(person=newer, status="pending")
    assert [p.pk for p in PersonFilter({"open_referrals": "on"}, user=caseworker).qs] == [newer.pk]
    assert [p.pk for p in PersonFilter({"sort": "-name"}, user=caseworker).qs] == [newer.pk, older.pk]
    assert [p.pk for p in PersonFilter({}, user=caseworker).qs] == [older.pk, newer.pk]


def test_the_api_people_list_filters_the_same_way(caseworker):
    host = PersonFactory(population_type="host")
    PersonFactory(population_type="transit")
    _token, raw = api_token_create(user=caseworker, name="filters", days=30)
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.get("/api/v1/people/", {"population_type": "host", "site": "PAO-LS"}, **auth)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [host.pk]
