"""The catalog and partners in the Django admin (for administrators)."""

from __future__ import annotations

from django.urls import reverse

from services.models import Partner, ServiceType


def test_partner_areas_are_ticked_in_the_admin(admin_user, client_for):
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:services_partner_add"),
        {
            "code": "demuna-vmt",
            "name": "DEMUNA Villa María del Triunfo",
            "kind": "municipality",
            "areas": ["protection", "other"],
            "district": "",
            "address": "",
            "phone": "",
            "email": "",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Partner.objects.get(code="demuna-vmt").areas == ["protection", "other"]
    listing = client.get(reverse("admin:services_partner_changelist"))
    assert "Protección" in listing.content.decode() or "Protection" in listing.content.decode()


def test_unknown_area_is_refused(admin_user, client_for):
    response = client_for(admin_user).post(
        reverse("admin:services_partner_add"),
        {"code": "x", "name": "X", "kind": "ngo", "areas": ["sport"], "active": "on"},
    )
    assert response.status_code == 200
    assert not Partner.objects.filter(code="x").exists()


def test_service_type_code_is_fixed_once_created(admin_user, client_for, ref):
    stype = ServiceType.objects.get(code="doc-cpp")
    page = client_for(admin_user).get(reverse("admin:services_servicetype_change", args=[stype.pk]))
    assert page.status_code == 200
    assert 'name="code"' not in page.content.decode()
    add = client_for(admin_user).get(reverse("admin:services_servicetype_add"))
    assert 'name="code"' in add.content.decode()


def test_caseworkers_cannot_edit_the_catalog(caseworker, client_for):
    response = client_for(caseworker).get(reverse("admin:services_partner_changelist"))
    assert response.status_code == 302  # to the admin sign-in: not staff
