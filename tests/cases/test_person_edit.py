"""Editing a person's household: the action decides and creates it, in the update's transaction, so
a refused update leaves no household behind."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import actions
from cases.models import Household, Person
from orientation.versioning import EditConflict, record_version
from tests.factories import HouseholdFactory, PersonFactory


def _edit_data(client, person) -> dict:
    form = client.get(reverse("cases:person_edit", args=[person.pk])).context["form"]
    data = {f"person-{k}": v for k, v in form.initial.items() if v is not None and k != "vulnerabilities"}
    data["person-record_version"] = record_version(person)
    return data


def _changed_meanwhile(person, user) -> None:
    """Someone else saves a change to the person after the form was opened."""
    other = Person.objects.get(pk=person.pk)
    other.phone = "912345678"
    actions.person_update(user=user, person=other, change_reason="otro número")


def test_a_refused_edit_creates_no_household(client_for, caseworker, make_user, settings):
    settings.LANGUAGE_CODE = "en"
    person = PersonFactory()
    client = client_for(caseworker)
    data = _edit_data(client, person)
    _changed_meanwhile(person, make_user("caseworker"))
    households = Household.objects.count()
    response = client.post(reverse("cases:person_edit", args=[person.pk]), {**data, "household-mode": "new"})
    assert response.status_code == 200  # the conflict is shown, nothing saved
    assert "Someone else saved changes" in response.content.decode()
    assert Household.objects.count() == households
    assert Person.objects.get(pk=person.pk).household_id is None


def test_the_action_refused_for_a_conflict_leaves_no_household(caseworker):
    person = PersonFactory()
    stale = record_version(person)
    _changed_meanwhile(person, caseworker)
    with pytest.raises(EditConflict):
        actions.person_update(user=caseworker, person=person, household_mode="new", version=stale)
    assert not Household.objects.exists()


def test_a_new_household_has_the_person_as_its_head(client_for, caseworker):
    person = PersonFactory()
    client = client_for(caseworker)
    response = client.post(
        reverse("cases:person_edit", args=[person.pk]),
        {**_edit_data(client, person), "household-mode": "new"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.household is not None and person.relationship == Person.Relationship.HEAD
    assert person.household.site_id == person.site_id
    assert person.household.history.latest().history_user == caseworker


@pytest.mark.parametrize(
    "mode, relationship, expected",
    [("keep", "", "child"), ("keep", "spouse", "spouse"), ("none", "spouse", "")],
)
def test_keeping_or_leaving_the_household(caseworker, mode, relationship, expected):
    household = HouseholdFactory()
    person = PersonFactory(household=household, relationship="child")
    actions.person_update(user=caseworker, person=person, household_mode=mode, relationship=relationship)
    person.refresh_from_db()
    assert person.household_id == (household.pk if mode == "keep" else None)
    assert person.relationship == expected


def test_joining_a_household(caseworker):
    household = HouseholdFactory()
    person = PersonFactory()
    actions.person_update(
        user=caseworker, person=person, household_mode="join", household=household, relationship="sibling"
    )
    person.refresh_from_db()
    assert (person.household_id, person.relationship) == (household.pk, "sibling")
    assert Household.objects.count() == 1


def test_the_language_for_messages_is_edited_on_the_person_form_and_kept_in_the_history(
    client_for, caseworker
):
    person = PersonFactory()
    assert person.message_language == "es"
    client = client_for(caseworker)
    data = _edit_data(client, person)
    assert data["person-message_language"] == "es"
    response = client.post(
        reverse("cases:person_edit", args=[person.pk]),
        {**data, "person-message_language": "en", "household-mode": "none"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.message_language == "en"
    latest = person.history.latest()
    assert (latest.message_language, latest.history_user) == ("en", caseworker)
    page = client.get(reverse("cases:person_detail", args=[person.pk])).content.decode()
    assert (
        'data-testid="message-language">English<' in page or 'data-testid="message-language">Inglés<' in page
    )
