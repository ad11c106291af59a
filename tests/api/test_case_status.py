"""A person's case status in the API (docs/case-status.md): open, closed or reopened, with the
reason and day of the last closing, the same in the list and the detail, and in the schema."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cases.case_status import case_close, case_reopen
from cases.models import CaseStatusChange, Person
from tests.factories import PersonFactory, site

pytestmark = pytest.mark.django_db

# 02:00 UTC on 11 March is still 10 March in Lima (UTC-5): the day is the centre's.
LATE_EVENING_IN_LIMA = datetime(2025, 3, 11, 2, 0, tzinfo=UTC)


def _case_fields(row: dict) -> dict:
    return {k: row[k] for k in ("case_status", "case_closed_reason", "case_closed_on")}


def _close(person, user, reason, *, at=None):
    change = case_close(
        user=user, person=person, reason=reason, reason_other="Se fue" if reason == "other" else ""
    )
    if at is not None:
        CaseStatusChange.objects.filter(pk=change.pk).update(changed_at=at)
    return Person.objects.get(pk=person.pk)


@pytest.fixture
def cases(caseworker):
    """Three people of PAO-LS: a case never closed, one closed, one closed twice and reopened."""
    never = PersonFactory(site=site("PAO-LS"), family_names="Abierto")
    closed = _close(
        PersonFactory(site=site("PAO-LS"), family_names="Cerrado"),
        caseworker,
        "moved",
        at=LATE_EVENING_IN_LIMA,
    )
    reopened = _close(
        PersonFactory(site=site("PAO-LS"), family_names="Reabierto"), caseworker, "lost_contact"
    )
    CaseStatusChange.objects.filter(person=reopened).update(changed_at=datetime(2025, 1, 5, 15, tzinfo=UTC))
    case_reopen(user=caseworker, person=reopened)
    reopened = _close(
        Person.objects.get(pk=reopened.pk), caseworker, "other", at=datetime(2025, 4, 2, 15, tzinfo=UTC)
    )
    case_reopen(user=caseworker, person=reopened)
    return {"never": never, "closed": closed, "reopened": reopened}


EXPECTED = {
    "never": {"case_status": "open", "case_closed_reason": None, "case_closed_on": None},
    "closed": {"case_status": "closed", "case_closed_reason": "moved", "case_closed_on": "2025-03-10"},
    # The last closing of the two, before it was reopened.
    "reopened": {"case_status": "reopened", "case_closed_reason": "other", "case_closed_on": "2025-04-02"},
}


def test_the_people_list_gives_each_case_status(api_get, caseworker, cases):
    rows = {row["id"]: row for row in api_get(caseworker, "/api/v1/people/").json()["results"]}
    assert {name: _case_fields(rows[p.pk]) for name, p in cases.items()} == EXPECTED


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_person_detail_gives_the_same_case_status(api_get, caseworker, cases, name):
    response = api_get(caseworker, f"/api/v1/people/{cases[name].pk}/")
    assert response.status_code == 200
    assert _case_fields(response.json()) == EXPECTED[name]


def test_the_words_of_another_reason_stay_out_of_the_api(api_get, caseworker, cases):
    """Only the listed reason: the words typed for "other" are the caseworker's, not data to
    hand out."""
    content = api_get(caseworker, f"/api/v1/people/{cases['reopened'].pk}/").content.decode()
    assert "Se fue" not in content


def test_the_schema_documents_the_case_fields_as_read_only(api_get, caseworker):
    schema = api_get(caseworker, "/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    person = components["Person"]["properties"]
    for field in ("case_status", "case_closed_reason", "case_closed_on"):
        assert person[field]["readOnly"] is True, field
        assert person[field]["description"], field
    assert components["CaseStatusEnum"]["enum"] == ["open", "closed", "reopened"]
    assert components["CaseClosedReasonEnum"]["enum"] == [c.value for c in CaseStatusChange.Reason]
    assert person["case_closed_on"] == person["case_closed_on"] | {"format": "date", "nullable": True}
