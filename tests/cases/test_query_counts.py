"""Exact query counts of the case-file pages not pinned elsewhere (the people list, the person page,
today's intakes and the expiring documents have theirs beside their other tests): the same count
whatever the number of rows. The first request of each test warms the session."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.arco.actions import arco_request_create, arco_request_update
from tests.factories import (
    CaseNoteFactory,
    ConsentFactory,
    DirectServiceFactory,
    IdentityDocumentFactory,
    IntakeFactory,
    IntakeNeedFactory,
    PersonFactory,
    ReferralFactory,
    RegularizationStatusFactory,
)

ROWS = [1, 10]


@pytest.mark.parametrize("rows", ROWS)
def test_possible_duplicates_of_a_person(client_for, caseworker, page_queries, rows):
    person = PersonFactory(given_names="Yusmary", family_names="Rojas Pérez", birth_date=date(1990, 5, 17))
    for i in range(rows):
        PersonFactory(given_names="Yusmari", family_names="Rojas Peres", birth_date=date(1990, 5, 17 + i % 3))
    url = reverse("cases:person_duplicates", args=[person.pk])
    # Candidates at the user's own site: no access-log row (one is written for each candidate at
    # another site, by design).
    response = page_queries(client_for(caseworker), url, 13)
    assert len(response.context["candidates"]) == min(rows, 8)


@pytest.mark.parametrize("kind, queries", [("general", 7), ("psychosocial", 8)])
@pytest.mark.parametrize("rows", ROWS)
def test_a_case_note(client_for, psychosocial, page_queries, rows, kind, queries):
    person = PersonFactory()
    notes = [CaseNoteFactory(person=person, author=psychosocial, kind=kind) for _ in range(rows)]
    url = reverse("cases:case_note_detail", args=[notes[-1].pk])
    # A psychosocial note: one more, the access-log row of the opening.
    page_queries(client_for(psychosocial), url, queries)


@pytest.mark.parametrize("rows", ROWS)
def test_an_arco_request(client_for, coordinator, page_queries, rows):
    person = PersonFactory()
    DirectServiceFactory(person=person)  # a PAO record: the coordinator's scope
    request_obj = arco_request_create(
        person=person, user=coordinator, kind="access", received_on=timezone.localdate()
    )
    for i in range(rows):
        request_obj = arco_request_update(
            request_obj=request_obj, user=coordinator, status="in_progress", resolution=f"Paso {i}"
        )
    url = reverse("arco:arco_request_detail", args=[request_obj.pk])
    page_queries(client_for(coordinator), url, 8)


@pytest.mark.parametrize("rows", ROWS)
def test_the_printed_arco_export(client_for, coordinator, page_queries, rows):
    person = PersonFactory()
    for i in range(rows):
        intake = IntakeFactory(person=person, date=date(2025, 1, 1) + timedelta(days=i))
        IntakeNeedFactory(intake=intake)
        DirectServiceFactory(person=person)
        ReferralFactory(person=person)
        CaseNoteFactory(person=person)
        IdentityDocumentFactory(person=person)
        RegularizationStatusFactory(person=person)
        ConsentFactory(person=person)
    request_obj = arco_request_create(
        person=person, user=coordinator, kind="access", received_on=timezone.localdate()
    )
    url = reverse("arco:arco_request_export_print", args=[request_obj.pk])
    # One query per kind of record linked to the person (cases.arco.policy), whatever their number
    # (52: the merges and the dismissed duplicate pairs, reception's visits, appointments and
    # reminders, the field app's submissions, the case status changes, the case plan's actions, the
    # transfer and share requests and the first events of each reporting year are kinds of their own).
    page_queries(client_for(coordinator), url, 52)
