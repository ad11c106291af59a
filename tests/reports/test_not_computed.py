"""A month never computed is never shown or exported as zeros: the dashboard queues the months a
program is missing, the export computes them first or says plainly that they are not computed, and
an import queues the recomputation of the months it touched."""

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.imports.engine import figures_refresh, file_import
from cases.imports.errors import ErrorSink
from orientation.dates import add_months
from orientation.models import AccessLog, OutboxMessage
from reports.actions import (
    FILL_TASK,
    monthly_figures_compute,
    monthly_figures_fill,
    monthly_figures_fill_request,
    months_not_computed,
)
from reports.models import Indicator, MonthlyFigure
from tests.factories import PersonFactory, program, site
from tests.imports.conftest import attendance_row, write_csv

from . import dataset

MARCH = date(2025, 3, 1)
DASHBOARD = reverse("reports:dashboard")
PAO_MONTHS = [date(2024, m, 1) for m in range(8, 13)] + [date(2025, m, 1) for m in (1, 2, 3)]


@pytest.fixture
def no_broker(monkeypatch):
    """Nothing queued is run: what a page says while the workers have not got to it."""
    monkeypatch.setattr("orientation.outbox.outbox_send", lambda **kwargs: False)


def _fill_messages():
    return list(OutboxMessage.objects.filter(task_name=FILL_TASK).order_by("pk"))


# --- Export ----------------------------------------------------------------------------------------


def test_a_program_never_computed_is_not_exported_as_an_empty_sheet(coordinator, client_for, ref, no_broker):
    dataset.build()
    monthly_figures_compute(month=MARCH, program_code="PAO")
    response = client_for(coordinator).get(
        reverse("reports:export"), {"month": "2025-03", "format": "xlsx"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"{DASHBOARD}?program=BALON&month=2025-03"
    assert "The figures of 2025-03 are not computed yet for BALON, SALUD" in page
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()
    queued = {(m.kwargs["program_id"], tuple(m.kwargs["months"])) for m in _fill_messages()}
    assert queued == {(program("BALON").pk, ("2025-03-01",)), (program("SALUD").pk, ("2025-03-01",))}


def test_without_a_broker_the_export_computes_the_month_first(transactional_db, coordinator, client_for, ref):
    from django.core.management import call_command

    call_command("load_reference_data", verbosity=0)
    dataset.build()
    monthly_figures_compute(month=MARCH, program_code="PAO")
    response = client_for(coordinator).get(reverse("reports:export"), {"month": "2025-03", "format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    balon = {row[2]: row for row in list(book["BALON"].values)[1:]}
    assert set(balon) == {"BALON-YOUTH", "BALON-LEAD", "BALON-COMM"}
    assert balon["BALON-YOUTH"][4] == 2  # P7 and P8 in March
    assert MonthlyFigure.objects.filter(month=MARCH).count() == Indicator.objects.filter(active=True).count()


# --- Dashboard -------------------------------------------------------------------------------------


def test_the_dashboard_queues_the_months_never_computed_once(coordinator, client_for, ref, no_broker):
    dataset.build()
    monthly_figures_compute(month=MARCH, program_code="PAO")
    client = client_for(coordinator)

    page = client.get(DASHBOARD, {"program": "PAO", "month": "2025-03"}).content.decode()

    assert 'data-testid="months-missing"' in page
    assert "7 months shown here have not been computed yet (2024-08, 2024-09" in page
    (message,) = _fill_messages()
    assert message.kwargs == {
        "program_id": program("PAO").pk,
        "months": [m.isoformat() for m in PAO_MONTHS[:-1]],
        "recompute": False,
    }
    client.get(DASHBOARD, {"program": "PAO", "month": "2025-03"})
    assert len(_fill_messages()) == 1  # viewed again: not queued twice


def test_the_missing_months_are_computed_in_the_background(coordinator, client_for, ref, no_broker):
    dataset.build()
    monthly_figures_compute(month=MARCH, program_code="PAO")
    client = client_for(coordinator)
    client.get(DASHBOARD, {"program": "PAO", "month": "2025-03"})
    (message,) = _fill_messages()

    from reports.tasks import monthly_figures_fill_task

    assert monthly_figures_fill_task.apply(kwargs=message.kwargs).get() == 7
    assert months_not_computed(program=program("PAO"), months=PAO_MONTHS) == []
    page = client.get(DASHBOARD, {"program": "PAO", "month": "2025-03"}).content.decode()
    assert 'data-testid="months-missing"' not in page
    history = {
        h["month"]: h["reached"]
        for h in client.get(DASHBOARD, {"program": "PAO", "month": "2025-03"})
        .context["dashboard"]
        .rows[0]
        .history
    }
    # Before the program started nothing is computed (nor shown as zero); January: P10 only.
    assert history[date(2024, 7, 1)] is None
    assert history[date(2025, 1, 1)] == 1
    # Run again: nothing left to compute.
    assert monthly_figures_fill(program_id=program("PAO").pk, months=PAO_MONTHS) == 0


def test_months_not_computed_leaves_out_the_future_and_before_the_start(ref):
    this_month = timezone.localdate().replace(day=1)
    pao = program("PAO")
    months = [date(2024, 7, 1), date(2024, 8, 1), this_month, add_months(this_month, 1)]
    assert months_not_computed(program=pao, months=months) == [date(2024, 8, 1), this_month]
    monthly_figures_compute(month=date(2024, 8, 1), program_code="PAO")
    assert months_not_computed(program=pao, months=months) == [this_month]
    assert monthly_figures_fill_request(program=pao, months=[]) is False


# --- Import ----------------------------------------------------------------------------------------


def test_an_import_recomputes_the_months_it_touched(tmp_path, ref):
    PersonFactory(ref="P-0001", site=site("SCH-01"))
    monthly_figures_compute(month=date(2025, 2, 1), program_code="BALON")
    assert (
        MonthlyFigure.objects.get(month=date(2025, 2, 1), indicator__code="BALON-YOUTH").reached["total"] == 0
    )
    rows = [
        attendance_row(session_date="2025-02-10", group="Sub-12"),
        attendance_row(session_date="2025-03-10", group="Sub-12"),
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    result = file_import(
        open_file=lambda: path.open("rb"), name=path.name, kind="attendance", errors=ErrorSink()
    )
    assert result.ok

    assert figures_refresh(result, today=date(2025, 4, 15)) == 1
    (message,) = _fill_messages()
    assert message.kwargs == {
        "program_id": program("BALON").pk,
        "months": ["2025-02-01", "2025-03-01", "2025-04-01"],
        "recompute": True,
    }
    monthly_figures_fill(
        program_id=program("BALON").pk,
        months=[date.fromisoformat(m) for m in message.kwargs["months"]],
        recompute=True,
    )
    february = MonthlyFigure.objects.get(month=date(2025, 2, 1), indicator__code="BALON-YOUTH")
    assert february.reached["total"] == 1
    # The same file again changes nothing: nothing to recompute.
    again = file_import(
        open_file=lambda: path.open("rb"), name=path.name, kind="attendance", errors=ErrorSink()
    )
    assert again.ok and figures_refresh(again) == 0
