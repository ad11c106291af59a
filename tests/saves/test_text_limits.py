"""Nothing absurd stored: every free-text field has a limit, shown in the form and checked by the
model; a longer text (3 million characters pasted into an intake's notes) gets a clear message and
nothing is saved."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client

from cases.models import Intake
from orientation import limits
from tests.factories import PersonFactory, site

from .test_submit_once import World, create_forms

# (create form, field as posted, limit)
TEXT_FIELDS = [
    ("intake", "notes", limits.NOTE),
    ("case note", "note-text", limits.NOTE),
    ("direct service", "notes", limits.RECORD_NOTE),
    ("referral", "reason", limits.RECORD_NOTE),
    ("referral follow-up", "note", limits.RECORD_NOTE),
    ("psychosocial session", "confidential_note", limits.CONFIDENTIAL_NOTE),
]
# Written by the code, never typed into a form as such (reasons come from forms with their limit).
UNBOUNDED_ON_PURPOSE = {"orientation.AccessLog.reason"}


@pytest.fixture
def world(make_user):
    return World(make_user)


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "field", "limit"), TEXT_FIELDS)
def test_a_text_over_the_limit_is_refused_with_a_clear_message(world, name, field, limit):
    role, url, data, model = create_forms(world)[name]
    before = model.objects.count()
    client = _client(getattr(world, role))
    response = client.post(url, {**data, field: "x" * (limit + 1)})
    assert response.status_code in (200, 400)  # the form again (a follow-up answers 400)
    assert (
        f"Ensure this value has at most {limit} characters (it has {limit + 1})." in response.content.decode()
    )
    assert model.objects.count() == before
    assert client.post(url, {**data, field: "x" * limit}).status_code == 302
    assert model.objects.count() == before + 1


def test_three_million_characters_in_an_intake_are_refused(world):
    role, url, data, model = create_forms(world)["intake"]
    response = _client(world.caseworker).post(url, {**data, "notes": "a" * 3_000_000})
    assert response.status_code == 200, response.content.decode()[:3000]
    assert f"at most {limits.NOTE} characters (it has 3000000)" in response.content.decode()
    assert Intake.objects.count() == 0


def test_the_form_shows_the_limit(world):
    role, url, data, model = create_forms(world)["intake"]
    assert f'maxlength="{limits.NOTE}"' in _client(world.caseworker).get(url).content.decode()


def test_the_model_refuses_a_long_text_too(ref):
    intake = Intake(
        person=PersonFactory(),
        site=site(),
        date="2025-03-10",
        priority="medium",
        notes="x" * (limits.NOTE + 1),
    )
    with pytest.raises(ValidationError) as caught:
        intake.full_clean(exclude=["caseworker", "population_type"])
    assert "notes" in caught.value.message_dict


def test_every_free_text_field_has_a_limit():
    unbounded = [
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model.__module__.split(".")[0] in {"cases", "services", "reports", "orientation"}
        and not model.__name__.startswith("Historical")
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and not field.max_length
    ]
    assert sorted(set(unbounded) - UNBOUNDED_ON_PURPOSE) == []
