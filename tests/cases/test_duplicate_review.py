"""The duplicates review: likely pairs at the user's sites, ranked, dismissable for good, opened
side by side and merged there."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from cases.models import DuplicateDismissal, Person, PersonMerge
from cases.selectors import duplicate_pairs_for_user
from tests.factories import IdentityDocumentFactory, PersonFactory, site

pytestmark = pytest.mark.django_db

REVIEW = reverse("cases:duplicate_review")


def _pair(given="Yuleisy", family="Rojas Pérez", *, at="PAO-LS", birth=date(1991, 2, 3)):
    first = PersonFactory(site=site(at), given_names=given, family_names=family, birth_date=birth)
    second = PersonFactory(
        site=site(at),
        given_names=given.replace("ei", "e"),
        family_names=family.replace("é", "e"),
        birth_date=birth,
    )
    return first, second


def test_pairs_at_the_users_sites_most_likely_first(caseworker, admin_user):
    weak = _pair("Marisol", "Quispe Mamani", birth=date(1985, 6, 1))
    strong = _pair()
    IdentityDocumentFactory(person=strong[0], doc_type="cedula_ve", number="12345678")
    IdentityDocumentFactory(person=strong[1], doc_type="passport", number="12345678")
    elsewhere = _pair("Carlos", "Mendoza Ruiz", at="SCH-02", birth=date(1979, 1, 1))
    # the same surnames and birth date, another given name and sex: two people
    PersonFactory(given_names="Pedro", family_names="Quispe Mamani", birth_date=date(1985, 6, 1), sex="M")

    pairs = duplicate_pairs_for_user(caseworker)
    assert [p.key for p in pairs] == [(strong[0].pk, strong[1].pk), (weak[0].pk, weak[1].pk)]
    assert "same document number" in [str(r) for r in pairs[0].reasons]
    assert (elsewhere[0].pk, elsewhere[1].pk) in [p.key for p in duplicate_pairs_for_user(admin_user)]


def test_a_dismissed_pair_never_comes_back(caseworker, client_for, settings):
    settings.LANGUAGE_CODE = "en"
    first, second = _pair()
    client = client_for(caseworker)
    assert client.get(REVIEW).context["pairs"]
    url = reverse("cases:duplicate_dismiss", args=[second.pk, first.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # twice is once
    assert DuplicateDismissal.objects.get().first_id == first.pk
    response = client.get(REVIEW)
    assert not response.context["pairs"]
    assert b"No likely duplicates" in response.content


def test_merged_and_archived_records_leave_the_review(caseworker):
    first, second = _pair()
    Person.objects.filter(pk=second.pk).update(archived_at="2025-03-01T00:00Z")
    assert duplicate_pairs_for_user(caseworker) == []


def test_facilitators_and_coordinators_never_see_it(facilitator, coordinator, client_for, client):
    _pair()
    for user in (facilitator, coordinator):
        assert client_for(user).get(REVIEW).status_code == 403


def test_merge_from_the_side_by_side_page(caseworker, client_for):
    first, second = _pair()
    second.phone = "911222333"
    second.save()
    client = client_for(caseworker)
    url = reverse("cases:duplicate_pair", args=[first.pk, second.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "keep_phone" in page.context["form"].fields and "keep_sex" not in page.context["form"].fields
    data = {
        "survivor": "second",
        "keep_given_names": "first",
        "keep_family_names": "first",
        "keep_phone": "second",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:person_detail", args=[second.pk]
    )
    second.refresh_from_db()
    assert second.given_names == "Yuleisy" and second.phone == "911222333"
    # the form sent again leads to the record kept, and merges nothing more
    again = client.post(url, data)
    assert again["Location"] == reverse("cases:person_detail", args=[second.pk])
    assert PersonMerge.objects.count() == 1


def test_a_bad_choice_is_a_form_error(caseworker, client_for):
    first, second = _pair()
    response = client_for(caseworker).post(
        reverse("cases:duplicate_pair", args=[first.pk, second.pk]), {"survivor": "third"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not PersonMerge.objects.exists()


@pytest.mark.parametrize("pairs", [1, 4])
def test_review_queries_do_not_grow_with_the_pairs(caseworker, client_for, page_queries, pairs):
    names = [
        ("Yuleisy", "Rojas Pérez"),
        ("Carmen", "Mendoza Ruiz"),
        ("Luisa", "Quispe Mamani"),
        ("Andrea", "Torres"),
    ]
    for n in range(pairs):
        _pair(*names[n], birth=date(1990 + n, 1, 1))
    response = page_queries(client_for(caseworker), REVIEW, 11)
    assert len(response.context["pairs"]) == pairs


def test_the_demo_has_pairs_to_review(settings, ref):
    from django.contrib.auth import get_user_model

    from seeds.demo import load_demo_data

    settings.ORIENTA_DEMO = True
    load_demo_data(people=30)
    caseworker = get_user_model().objects.get(username="caseworker")
    pairs = {(p.first.ref, p.second.ref) for p in duplicate_pairs_for_user(caseworker)}
    demo = sorted(
        Person.objects.filter(
            ref__startswith="DEMO-", site__code="PAO-LS", birth_date__isnull=False
        ).values_list("ref", flat=True)
    )
    assert {(demo[0], demo[-1]), (demo[1], demo[-2]), (demo[2], demo[-3])} <= pairs
