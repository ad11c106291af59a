import subprocess
import sys

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from cases.models import Person
from orientation.models import District, Program, Site
from reports.models import Indicator, Target
from seeds.demo import DEMO_USERS
from services.models import ServiceType


def test_every_page_but_login_requires_sign_in(client, ref):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("login")).status_code == 200


@pytest.mark.parametrize("role", ["caseworker", "psychosocial", "facilitator", "coordinator", "admin"])
def test_home_page_per_role(make_user, client, role):
    client.force_login(make_user(role))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert f'data-testid="home-{role}"' in response.content.decode()


def test_login_with_password(make_user, client):
    make_user("caseworker", username="ana")
    response = client.post(reverse("login"), {"username": "ana", "password": "orienta-test-pass"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_spanish_is_the_default_and_english_available(make_user, client):
    client.force_login(make_user("caseworker"))
    assert 'lang="es"' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("home")).content.decode()


def test_load_reference_data_is_idempotent(ref):
    counts = (
        Site.objects.count(),
        Program.objects.count(),
        Indicator.objects.count(),
        ServiceType.objects.count(),
        District.objects.count(),
        Target.objects.count(),
    )
    call_command("load_reference_data", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    assert counts == (
        Site.objects.count(),
        Program.objects.count(),
        Indicator.objects.count(),
        ServiceType.objects.count(),
        District.objects.count(),
        Target.objects.count(),
    )
    assert set(Site.objects.values_list("code", flat=True)) == {"PAO-LS", "SCH-01", "SCH-02"}
    assert {p.code: p.start_date.isoformat() for p in Program.objects.all()} == {
        "PAO": "2024-08-01",
        "BALON": "2019-01-01",
        "SALUD": "2024-03-01",
    }
    assert set(Indicator.objects.values_list("code", flat=True)) == {
        "PAO-ANY",
        "PAO-DOC",
        "PAO-PHC",
        "PAO-MHPSS",
        "PAO-REF",
        "BALON-YOUTH",
        "BALON-LEAD",
        "BALON-COMM",
        "SALUD-PHC",
        "SALUD-MHPSS",
    }
    assert ServiceType.objects.get(code="prot-legal").area == "protection"
    assert District.objects.filter(department="Tacna").exists()


def test_demo_data_is_idempotent_and_creates_the_demo_users(ref):
    call_command("load_demo_data", people=30, verbosity=0)
    people = Person.objects.count()
    call_command("load_demo_data", people=30, verbosity=0)
    assert Person.objects.count() == people == 30
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])
    assert users.count() == len(DEMO_USERS)
    for user in users:
        assert user.check_password("orienta-demo")


def test_demo_data_is_refused_in_production(ref, settings):
    from django.core.exceptions import ImproperlyConfigured

    from seeds.demo import load_demo_data

    settings.ORIENTA_DEMO = False
    with pytest.raises(ImproperlyConfigured):
        load_demo_data(people=5)


def test_role_groups_exist(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "caseworker",
        "psychosocial",
        "facilitator",
        "coordinator",
        "admin",
    }


def _run_production_check(env_extra):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"DJANGO_SETTINGS_MODULE": "orientation.settings.production"}, **env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_production_settings_refuse_to_start_without_secret_key():
    result = _run_production_check({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_check_deploy():
    result = _run_production_check(
        {
            "SECRET_KEY": "k3J9-q8Zr!v2Lw5Xp0Tn7Yb4Hc6Md1Fs_Ga8Ue3Ri9Oz2Kx5Wq7Jv0",
            "ALLOWED_HOSTS": "orienta.example.org",
        }
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_security_headers(make_user, client):
    client.force_login(make_user("caseworker"))
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_health_endpoint_needs_no_login(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["database"] is True


def test_idle_session_ends_after_30_minutes(make_user, client):
    from django.utils import timezone

    client.force_login(make_user("caseworker"))
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["orienta_seen"] = timezone.now().timestamp() - 31 * 60
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_database_error_gives_a_friendly_503(rf, settings):
    from django.db import OperationalError

    from orientation.views import error_500

    try:
        raise OperationalError("server closed the connection")
    except OperationalError:
        response = error_500(rf.get("/"))
    assert response.status_code == 503
    assert b"Orienta" in response.content and b"Traceback" not in response.content
