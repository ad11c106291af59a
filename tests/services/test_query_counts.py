"""Exact query counts of the services pages not pinned elsewhere (the follow-ups, the overdue queue,
a referral, a person's services and the rates have theirs in test_followups.py): the same count
whatever the number of rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orientation.selectors import programs_visible_to
from services.actions import psychosocial_session_record, referral_follow_up_log, referral_slip_print
from tests.factories import IdentityDocumentFactory, PersonFactory, program, service_type

ROWS = [1, 10]


@pytest.fixture(autouse=True)
def _clear_cache():
    """The partner page counts wrong links per address in the cache: each test starts clean."""
    cache.clear()
    yield
    cache.clear()


def _referral_with_rows(make_referral, person, user, rows):
    referral = make_referral(person=person, responsible=user)
    for i in range(rows):
        referral_follow_up_log(referral=referral, user=user, note=f"Llamada {i}", next_due=None)
        IdentityDocumentFactory(person=person)
    return referral


@pytest.mark.parametrize("rows", ROWS)
def test_the_printed_slip(make_referral, person, caseworker, client_for, django_assert_num_queries, rows):
    referral = _referral_with_rows(make_referral, person, caseworker, rows)
    client = client_for(caseworker)
    url = reverse("services:referral_slip", args=[referral.pk])
    assert client.post(url).status_code == 200  # warm the session
    # Printing writes: the access-log row and the partner's new link (the previous one retired).
    with django_assert_num_queries(15):
        response = client.post(url)
    assert response.status_code == 200
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200  # the page that offers to print again


@pytest.mark.parametrize("rows", ROWS)
def test_the_partners_page(make_referral, person, caseworker, page_queries, rows):
    referral = _referral_with_rows(make_referral, person, caseworker, rows)
    token = referral_slip_print(referral=referral, user=caseworker)
    # No session, no user: the link with its referral and person, and the site.
    page_queries(Client(), reverse("services:partner_feedback", args=[token]), 2)


def _session(psychosocial, rows):
    people = PersonFactory.create_batch(rows)
    return psychosocial_session_record(
        user=psychosocial,
        participants=people,
        kind="group" if rows > 1 else "individual",
        service_type=service_type("mhpss-group" if rows > 1 else "mhpss-individual"),
        program=program("SALUD"),
        date=timezone.localdate() - timedelta(days=1),
        allowed_programs=programs_visible_to(psychosocial),
        confidential_note="Refiere insomnio desde la llegada.",
    )


@pytest.mark.parametrize("rows", ROWS)
def test_a_psychosocial_session(psychosocial, client_for, page_queries, rows):
    session = _session(psychosocial, rows)
    url = reverse("services:psychosocial_session_detail", args=[session.pk])
    response = page_queries(client_for(psychosocial), url, 8)
    assert len(response.context["participants"]) == rows


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize("rows", ROWS)
def test_a_psychosocial_note(psychosocial, client_for, django_assert_num_queries, rows, htmx):
    session = _session(psychosocial, rows)
    client = client_for(psychosocial)
    url = reverse("services:psychosocial_session_detail", args=[session.pk])
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    assert client.get(url).status_code == 200
    url = reverse("services:psychosocial_note", args=[session.pk])
    # Every opening writes its access-log row.
    with django_assert_num_queries(7 if htmx else 8):  # the full page: the unread notifications too
        response = client.get(url, **headers)
    assert "insomnio" in response.content.decode()


@pytest.mark.parametrize("rows", ROWS)
def test_the_participant_search(person, psychosocial, client_for, page_queries, rows):
    PersonFactory.create_batch(rows, given_names="Génesis")
    url = reverse("services:psychosocial_participant_search", args=[person.pk])
    response = page_queries(client_for(psychosocial), url, 7, data={"q": "genesis"}, HTTP_HX_REQUEST="true")
    assert len(response.context["people"]) == rows
