"""A coordinator opens the dashboard, recomputes a month, follows its progress, sees the figures
and downloads the 5W workbook."""

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reports.models import ReportRun
from reports.tasks import monthly_figures_compute_task
from seeds.demo import ensure_demo_users
from tests.reports import dataset


@pytest.fixture
def demo(ref):
    ensure_demo_users()
    return dataset.build()


def test_coordinator_recomputes_a_month_and_downloads_the_workbook(
    page, login, screenshot, demo, monkeypatch
):
    # No worker here: the job waits in the outbox (as when the broker is busy), so the page shows
    # it queued; then the test runs it as a worker would.
    monkeypatch.setattr("orientation.outbox.outbox_send", lambda **kwargs: False)
    login("coordinator")
    page.goto(f"{page.base_url}/reports/?program=PAO&month=2025-03")
    assert page.locator('[data-testid="no-figures"]').is_visible()
    screenshot(page, "dashboard-empty")

    page.click('[data-testid="recompute"]')
    status = page.locator('[data-testid="run-status"][data-status="queued"]')
    status.wait_for()
    screenshot(page, "dashboard-queued")
    run = ReportRun.objects.get()
    assert (run.program.code, f"{run.month:%Y-%m}", run.requested_by.username) == (
        "PAO",
        "2025-03",
        "coordinator",
    )

    # Between two polls (the live server shares the test's database connection).
    with page.expect_response(lambda r: f"/reports/runs/{run.pk}/" in r.url):
        pass
    monthly_figures_compute_task.apply(kwargs={"run_id": run.pk})
    page.locator('[data-testid="indicator-table"]').wait_for(timeout=15000)
    assert page.locator('[data-testid="run-status"]').get_attribute("data-status") == "done"
    reached = page.locator('tr[data-indicator="PAO-ANY"] td[data-measure="reached"]')
    assert reached.inner_text() == "7"
    assert page.locator('tr[data-indicator="PAO-ANY"] td[data-measure="new"]').inner_text() == "4"
    assert page.locator("canvas[data-chart-indicator]").count() == 5
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length === 5")
    screenshot(page, "dashboard-figures")

    # Every program's month is computed (an uncomputed one is never exported as zeros).
    from reports.actions import monthly_figures_compute

    monthly_figures_compute(month=date(2025, 3, 1))
    page.click('[data-testid="export-menu"]')
    with page.expect_download() as download:
        page.click('[data-testid="export-xlsx"]')
    assert download.value.suggested_filename == "orienta-5w-2025-03.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.sheetnames == [
        "BALON",
        "PAO",
        "SALUD",
        "Nacionalidad",
        "Recepción",
        "Notas",
    ]  # in Spanish, as the page
    codes = [row[2] for row in book["PAO"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["PAO-ANY", "PAO-DOC", "PAO-PHC", "PAO-MHPSS", "PAO-REF"]
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_other_roles_do_not_see_the_reports(page, login, demo, browser):
    browser.expect_errors("status of 403 (Forbidden)")
    login("caseworker")
    assert page.locator('nav a[href="/reports/"]').count() == 0
    response = page.goto(f"{page.base_url}/reports/")
    assert response.status == 403
