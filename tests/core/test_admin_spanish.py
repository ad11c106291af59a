"""The admin in Spanish: messages agree with the model's gender, every section and permission is
named in Spanish, and no two sections share a name."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from orientation.models import Site
from reports.models import Indicator, Target


@pytest.fixture
def admin_client(admin_user, client_for):
    return client_for(admin_user)  # Spanish: the centre's language, no saved choice


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_new_site_is_feminine(admin_client):
    response = admin_client.post(
        reverse("admin:orientation_site_add"),
        {"code": "PAO-SJL", "name": "Punto SJL", "kind": Site.Kind.ORIENTATION_POINT, "active": "on"},
        follow=True,
    )
    assert Site.objects.filter(code="PAO-SJL").exists()
    [message] = messages_of(response)
    assert message.startswith("La sede “") and "fue agregada correctamente" in message, message


def test_a_new_target_is_feminine_and_an_indicator_masculine(admin_client):
    indicator = Indicator.objects.get(code="SALUD-PHC")
    Target.objects.filter(indicator=indicator).delete()
    response = admin_client.post(
        reverse("admin:reports_target_add"),
        {"indicator": indicator.pk, "month": "2025-03-01", "value": 42, "_addanother": "1"},
        follow=True,
    )
    [message] = messages_of(response)
    assert message.startswith("La meta “") and "Puede agregar otra meta" in message, message

    response = admin_client.post(
        reverse("admin:reports_target_delete", args=[Target.objects.get(indicator=indicator).pk]),
        {"post": "yes"},
        follow=True,
    )
    [message] = messages_of(response)
    assert message.startswith("La meta “") and "fue eliminada" in message, message


def test_every_section_of_the_admin_index_is_in_spanish_and_named_once(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    for english in ["Axes", "AXES", "Otp_Totp", "OTP_TOTP", "Access attempts", "TOTP devices", "Access logs"]:
        assert english not in html
    captions = re.findall(r'<th scope="row" id="[^"]+">\s*<a [^>]*>([^<]+)</a>', html)
    assert captions and len(captions) == len(set(captions)), captions


def test_permissions_are_listed_in_spanish(admin_client, admin_user):
    html = admin_client.get(reverse("admin:auth_user_change", args=[admin_user.pk])).content.decode()
    assert Permission.objects.filter(codename="add_site").exists()
    assert "Can add" not in html
    assert "Núcleo de Orienta | sede | Puede agregar" in html


@pytest.mark.parametrize(
    ("sex", "registered", "present"),
    [
        ("F", "Ana quedó registrada.", "Ana fue registrada y quedó presente."),
        ("M", "Ana quedó registrado.", "Ana fue registrado y quedó presente."),
        ("X", "Se registró a Ana.", "Se registró a Ana y quedó presente."),
    ],
)
def test_the_registration_message_agrees_with_the_persons_sex(sex, registered, present):
    from types import SimpleNamespace

    from django.utils import translation

    from cases.views import _registered_message
    from services.sport.views import _registered_present_message

    class Someone(SimpleNamespace):
        def __str__(self):
            return "Ana"

    with translation.override("es"):
        assert _registered_message(Someone(sex=sex)) == registered
        assert _registered_present_message(Someone(sex=sex)) == present
