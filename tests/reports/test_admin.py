"""Indicators and targets are managed in the Django admin."""

import pytest
from django.urls import reverse

from reports.models import Indicator, MonthlyFigure, Target


@pytest.fixture
def admin_client(admin_user, client_for):
    return client_for(admin_user)


@pytest.mark.parametrize("model", ["indicator", "target", "monthlyfigure", "reportrun"])
def test_admin_lists_open(admin_client, model):
    assert admin_client.get(reverse(f"admin:reports_{model}_changelist")).status_code == 200


def test_an_indicator_is_edited_with_ticks_and_its_targets_inline(admin_client):
    indicator = Indicator.objects.get(code="PAO-DOC")
    page = admin_client.get(reverse("admin:reports_indicator_change", args=[indicator.pk]))
    assert page.status_code == 200
    assert 'type="checkbox" name="areas" value="documentation"' in page.content.decode()


def test_a_target_month_is_kept_as_its_first_day(admin_client):
    indicator = Indicator.objects.get(code="SALUD-PHC")
    Target.objects.filter(indicator=indicator).delete()
    response = admin_client.post(
        reverse("admin:reports_target_add"), {"indicator": indicator.pk, "month": "2025-03-17", "value": 42}
    )
    assert response.status_code == 302
    assert Target.objects.get(indicator=indicator).month.isoformat() == "2025-03-01"
    again = admin_client.post(
        reverse("admin:reports_target_add"), {"indicator": indicator.pk, "month": "2025-03-05", "value": 50}
    )
    assert "already has a target for that month" in again.content.decode()
    assert Target.objects.get(indicator=indicator).value == 42


def test_attendance_indicators_take_activities_not_areas(admin_client):
    indicator = Indicator.objects.get(code="BALON-LEAD")
    data = {
        "program": indicator.program_id,
        "code": indicator.code,
        "name": indicator.name,
        "event_kind": "attendance",
        "areas": ["documentation"],
        "activities": ["leadership_workshop"],
        "sort_order": 1,
        "active": "on",
        "targets-TOTAL_FORMS": 0,
        "targets-INITIAL_FORMS": 0,
    }
    response = admin_client.post(reverse("admin:reports_indicator_change", args=[indicator.pk]), data)
    assert "Attendance is counted by activity" in response.content.decode()
    assert Indicator.objects.get(pk=indicator.pk).areas == []


def test_snapshots_cannot_be_edited_in_the_admin(admin_client, admin_user):
    from django.contrib.admin.sites import site

    model_admin = site._registry[MonthlyFigure]
    request = type("R", (), {"user": admin_user})()
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_add_permission(request)
