"""One term per concept (docs/glossary.md): derivación and institución aliada in Spanish, referral
and partner institution in English, on the screens, the slip and the admin."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

SPANISH_NOT = re.compile(r"\b(referencias?|referid[ao]s?|referir|socios?)\b", re.IGNORECASE)
ENGLISH_NOT = re.compile(r"\b(partner|partners)\b(?! institution)", re.IGNORECASE)


def _text(response) -> str:
    body = response.content.decode()
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)  # the words people read, not class names or URLs
    body = re.sub(r"https?://\S+", " ", body)  # the partner institution's link itself
    return re.sub(r"\s+", " ", body)


def _pages(client, referral, person):
    yield client.get(reverse("services:person_services", args=[person.pk]))
    yield client.get(reverse("services:referral_create", args=[person.pk]))
    yield client.get(reverse("services:referral_detail", args=[referral.pk]))
    yield client.post(reverse("services:referral_slip", args=[referral.pk]))
    yield client.get(reverse("admin:services_partner_changelist"))


@pytest.mark.parametrize("language", ["es", "en"])
def test_referral_screens_use_one_term_per_concept(make_referral, person, admin_user, client_for, language):
    referral = make_referral(person=person, reason="Control prenatal")
    client = client_for(admin_user)
    client.post(reverse("set_language"), {"language": language})
    for response in _pages(client, referral, person):
        assert response.status_code == 200, response
        text = _text(response)
        if language == "es":
            assert not SPANISH_NOT.findall(text), (response.request["PATH_INFO"], SPANISH_NOT.findall(text))
        else:
            assert not ENGLISH_NOT.findall(text), (response.request["PATH_INFO"], ENGLISH_NOT.findall(text))
    text = _text(client.get(reverse("services:referral_create", args=[person.pk])))
    if language == "es":
        assert "Derivar a una institución aliada" in text and "Institución aliada" in text
    else:
        assert "Refer to a partner institution" in text and "Partner institution" in text
