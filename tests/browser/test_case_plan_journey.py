"""An intake with three needs becomes a plan of three actions; a referral closes one, a service
another, and the third, gone overdue, appears in the site's overdue queue (docs/case-plan.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import PlanAction
from seeds.demo import ensure_demo_users
from services.models import Partner, Referral
from tests.factories import (
    ConsentFactory,
    IntakeFactory,
    IntakeNeedFactory,
    PersonFactory,
    program,
    service_type,
)


@pytest.fixture
def demo_users(ref):
    return {u.username: u for u in ensure_demo_users()}


def _submit(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


def test_case_plan_journey(page, login, screenshot, demo_users, live_server):
    person = PersonFactory(given_names="Yusmary", family_names="Rojas Pérez", population_type="transit")
    ConsentFactory(person=person)
    intake = IntakeFactory(person=person, date=date(2025, 3, 4))
    IntakeNeedFactory(intake=intake, area="documentation", detail="Tramitar el CPP")
    IntakeNeedFactory(intake=intake, area="primary_care", detail="Control prenatal")
    IntakeNeedFactory(intake=intake, area="protection", detail="Orientación legal")
    today = timezone.localdate()

    login("caseworker")

    # 1. From the intake, a plan of three actions in one form, saved once.
    page.goto(page.base_url + reverse("cases:person_detail", args=[person.pk]))
    assert page.locator("[data-testid=case-plan]").is_visible()
    _submit(page, "[data-testid=make-plan]")
    rows = page.locator("[data-testid=plan-row]")
    assert rows.count() == 3
    page.fill("input[name='plan-0-description']", "Acompañar la cita del CPP en Migraciones")
    screenshot(page, "cases-plan-make")
    _submit(page, "[data-testid=save-plan]")
    actions = {a.area: a for a in PlanAction.objects.filter(person=person)}
    assert sorted(actions) == ["documentation", "primary_care", "protection"]
    assert actions["documentation"].description == "Acompañar la cita del CPP en Migraciones"
    assert {a.responsible.username for a in actions.values()} == {"caseworker"}
    assert page.locator("[data-testid=plan-action]").count() == 3
    screenshot(page, "cases-plan-on-person-page")

    # 2. A referral made for the health action; completed, it closes the action.
    page.goto(
        page.base_url
        + reverse("services:referral_create", args=[person.pk])
        + f"?plan_action={actions['primary_care'].pk}"
    )
    assert page.locator("select[name=plan_action]").input_value() == str(actions["primary_care"].pk)
    page.select_option("select[name=service_type]", str(service_type("phc-prenatal").pk))
    page.select_option("select[name=partner]", str(Partner.objects.get(code="cs-jose-galvez").pk))
    page.select_option("select[name=program]", str(program("PAO").pk))
    _submit(page, "[data-testid=referral-form] button[type=submit]")
    referral = Referral.objects.get(person=person)
    assert referral.plan_action_id == actions["primary_care"].pk
    transition = page.locator("[data-testid=transition-form]")
    transition.locator("input[value=completed] + label").click()
    transition.locator("input[name=completed_on]").fill(f"{today:%d/%m/%Y}")
    _submit(page, "[data-testid=transition-form] button[type=submit]")
    referral.refresh_from_db()
    assert referral.status == "completed"
    actions["primary_care"].refresh_from_db()
    assert actions["primary_care"].status == "done"

    # 3. A service recorded for the documentation action closes it too.
    page.goto(
        page.base_url
        + reverse("services:direct_service_create", args=[person.pk])
        + f"?plan_action={actions['documentation'].pk}"
    )
    page.click(f"label[for=st-{service_type('doc-cpp').pk}]")
    page.select_option("select[name=program]", str(program("PAO").pk))
    _submit(page, "[data-testid=direct-service-form] button[type=submit]")
    actions["documentation"].refresh_from_db()
    assert actions["documentation"].status == "done"

    # 4. The third goes overdue: its due date moves into the past, and the daily job flags it.
    PlanAction.objects.filter(pk=actions["protection"].pk).update(due_on=today - timedelta(days=3))
    from services.tasks import referrals_mark_overdue_task

    assert referrals_mark_overdue_task.delay().get()["plan_marked"] == 1
    page.goto(page.base_url + reverse("cases:person_detail", args=[person.pk]))
    statuses = page.locator("[data-testid=plan-action]").evaluate_all("els => els.map(e => e.dataset.status)")
    assert statuses == ["todo", "done", "done"]  # the open one first
    page.goto(page.base_url + reverse("services:overdue_queue"))
    queue = page.locator("[data-testid=plan-action-rows]")
    assert queue.locator("[data-testid=plan-action-row]").count() == 1
    assert "Orientación legal" in queue.inner_text() and "Yusmary" in queue.inner_text()
    screenshot(page, "services-overdue-queue-plan-actions")
    page.goto(page.base_url + reverse("services:followups"))
    assert "Orientación legal" in page.locator("[data-testid=plan-action-rows]").inner_text()
