"""The list of documents about to expire at the user's sites, linked from the caseworker's home."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import IdentityDocumentFactory, PersonFactory, site

URL = reverse("cases:documents_expiring")
# The session, the user, their roles, their site ids, the sites for the filter, the unread
# notifications badge, the count and the page of rows (with each person and site joined).
QUERIES = 9  # with the people shared with the user's sites


def _doc(days: int, **person):
    return IdentityDocumentFactory(
        person=PersonFactory(**person), doc_type="ptp", expires_on=timezone.localdate() + timedelta(days=days)
    )


def test_lists_the_documents_of_the_users_sites_within_the_window(client_for, caseworker):
    soon, later, far = _doc(3), _doc(45), _doc(80)
    _doc(-1)  # already expired
    _doc(120)  # not yet
    _doc(5, site=site("SCH-01"))  # another site
    archived = _doc(6)
    archived.person.archived_at = timezone.now()
    archived.person.save()
    client = client_for(caseworker)
    assert [d.pk for d in client.get(URL).context["documents"]] == [soon.pk]
    assert [d.pk for d in client.get(URL, {"within": 60}).context["documents"]] == [soon.pk, later.pk]
    assert [d.pk for d in client.get(URL, {"within": 90}).context["documents"]] == [soon.pk, later.pk, far.pk]
    # A window that is not offered falls back to 30 days; a site that is not the user's to all theirs.
    response = client.get(URL, {"within": "7", "site": site("SCH-01").pk, "page": "x"})
    assert response.status_code == 200
    assert [d.pk for d in response.context["documents"]] == [soon.pk]
    assert soon.number in response.content.decode()


def test_linked_from_the_caseworkers_home(client_for, caseworker):
    home = client_for(caseworker).get("/").content.decode()
    assert f'href="{URL}"' in home


@pytest.mark.parametrize("role", ["facilitator", None])
def test_refused_to_roles_without_case_files(make_user, client_for, role):
    _doc(3)
    response = client_for(make_user(role, sites=["PAO-LS"])).get(URL)
    assert response.status_code == 403


def test_paginated(client_for, caseworker):
    for i in range(27):
        _doc(1 + i % 20)
    client = client_for(caseworker)
    assert len(client.get(URL).context["documents"]) == 25
    assert len(client.get(URL, {"page": 2}).context["documents"]) == 2


@pytest.mark.parametrize("rows", [1, 10, 30])
def test_query_count_does_not_grow_with_rows(client_for, caseworker, django_assert_num_queries, rows):
    for i in range(rows):
        _doc(1 + i % 25)
    client = client_for(caseworker)
    client.get(URL)  # warm the session
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert len(response.context["documents"]) == min(rows, 25)


def test_a_coordinator_sees_only_their_programs_people_and_odd_windows_are_ignored(make_user, client_for):
    from tests.factories import DirectServiceFactory, program

    balon_only = make_user("coordinator", programs=["BALON"])
    pao_person = _doc(4)  # at PAO-LS, a site BALON shares, with a PAO service only
    DirectServiceFactory(person=pao_person.person, program=program("PAO"))
    client = client_for(balon_only)
    response = client.get(URL, {"within": "²"})
    assert response.status_code == 200
    assert pao_person.number not in response.content.decode()
    assert list(response.context["documents"]) == []
