"""The DHIS2 mapping in the admin: in Spanish, UIDs checked there, and the secret never shown."""

from django.urls import reverse

from reports.dhis2.models import DHIS2Server, OrgUnitMapping

from .conftest import TOKEN


def test_the_server_form_keeps_only_the_variables_name(admin_user, client_for, monkeypatch):
    monkeypatch.setenv("DHIS2_TOKEN", TOKEN)
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:dhis2_dhis2server_add"),
        {
            "name": "DHIS2 MINSA",
            "base_url": "https://dhis2.example.org",
            "auth": "token",
            "username": "",
            "secret_env": "DHIS2_TOKEN",
            "period_type": "Monthly",
            "timeout": "30",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    server = DHIS2Server.objects.get()
    assert server.secret_env == "DHIS2_TOKEN"
    page = client.get(reverse("admin:dhis2_dhis2server_change", args=[server.pk])).content.decode()
    assert "DHIS2_TOKEN" in page and TOKEN not in page
    assert 'alt="True"' in page  # the variable is set on this web server
    listing = client.get(reverse("admin:dhis2_dhis2server_changelist")).content.decode()
    assert TOKEN not in listing


def test_the_admin_refuses_a_bad_uid_with_the_explanation(ref, admin_user, client_for, settings):
    from orientation.models import Site

    settings.LANGUAGE_CODE = "es"
    OrgUnitMapping.objects.filter(site__code="SCH-02").delete()
    response = client_for(admin_user).post(
        reverse("admin:dhis2_orgunitmapping_add"),
        {"site": Site.objects.get(code="SCH-02").pk, "org_unit": "12345678901"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "no es un identificador DHIS2 (UID)" in html  # the admin speaks Spanish by default
    assert "empieza con una letra" in html
    assert not OrgUnitMapping.objects.filter(site__code="SCH-02").exists()


def test_the_section_and_its_models_are_named_in_spanish(admin_user, client_for, settings):
    settings.LANGUAGE_CODE = "es"
    html = client_for(admin_user).get(reverse("admin:index")).content.decode()
    for name in [
        "Servidores DHIS2",
        "Correspondencias DHIS2 de programas",
        "Elementos de datos DHIS2 de medidas",
        "Combinaciones de opciones de categoría DHIS2",
        "Unidades organizativas DHIS2 de sedes",
        "Envíos a DHIS2",
    ]:
        assert name in html, name
