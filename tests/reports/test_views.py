"""The coordinator's pages: dashboard, recompute with progress, run status, exports."""

import csv
import io
from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orientation.models import AccessLog, OutboxMessage
from reports.actions import monthly_figures_compute, report_run_create
from reports.models import MonthlyFigure, ReportRun
from reports.selectors import default_month
from tests.factories import DirectServiceFactory, PersonFactory, program, service_type

from . import dataset

MARCH = date(2025, 3, 1)
DASHBOARD = reverse("reports:dashboard")


@pytest.fixture
def march(ref):
    people = dataset.build()
    monthly_figures_compute(month=MARCH)
    return people


def _get(client, **params):
    return client.get(DASHBOARD, params)


# --- Who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["caseworker", "psychosocial", "facilitator"])
def test_other_roles_are_refused_every_reports_page(make_user, client_for, role, march):
    client = client_for(make_user(role, sites=["PAO-LS", "SCH-01"]))
    run = report_run_create(month=MARCH, program=program("PAO"), trigger="manual")
    runs = ReportRun.objects.count()
    assert _get(client).status_code == 403
    assert (
        client.post(reverse("reports:recompute"), {"program": "PAO", "month": "2025-03"}).status_code == 403
    )
    assert client.get(reverse("reports:run_status", args=[run.pk]), HTTP_HX_REQUEST="true").status_code == 403
    assert client.get(reverse("reports:export"), {"month": "2025-03", "format": "xlsx"}).status_code == 403
    assert ReportRun.objects.count() == runs
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_signed_out_visitors_go_to_the_login_page(client, ref):
    response = _get(client)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_coordinator_sees_only_the_programs_assigned(make_user, client_for, march):
    coordinator = make_user("coordinator", programs=["PAO"])
    client = client_for(coordinator)
    page = _get(client, month="2025-03").content.decode()
    assert "PAO-ANY" in page and "BALON-YOUTH" not in page
    assert _get(client, program="BALON", month="2025-03").status_code == 404
    run = report_run_create(month=MARCH, program=program("BALON"), trigger="manual")
    assert client.get(reverse("reports:run_status", args=[run.pk]), HTTP_HX_REQUEST="true").status_code == 404
    runs = ReportRun.objects.count()
    response = client.post(reverse("reports:recompute"), {"program": "BALON", "month": "2025-03"})
    assert response.status_code == 302
    assert ReportRun.objects.count() == runs
    # The export of "all my programs" holds only PAO.
    book = load_workbook(io.BytesIO(client.get(reverse("reports:export"), {"month": "2025-03"}).content))
    assert book.sheetnames[:-1] == ["PAO", "Nationality", "Reception"]


def test_a_coordinator_without_programs_gets_an_explanation(make_user, client_for, ref):
    coordinator = make_user("coordinator")
    coordinator.program_memberships.all().delete()
    response = _get(client_for(coordinator))
    assert response.status_code == 200
    assert "not assigned to any program" in response.content.decode()


# --- The dashboard ------------------------------------------------------------------------------


def test_dashboard_shows_each_indicator_against_its_targets(coordinator, client_for, march):
    response = _get(client_for(coordinator), program="PAO", month="2025-03")
    assert response.status_code == 200
    rows = {row.indicator.code: row for row in response.context["dashboard"].rows}
    assert list(rows) == ["PAO-ANY", "PAO-DOC", "PAO-PHC", "PAO-MHPSS", "PAO-REF"]
    assert (
        rows["PAO-ANY"].reached["total"],
        rows["PAO-ANY"].new["total"],
        rows["PAO-ANY"].cumulative["total"],
    ) == (
        7,
        4,
        7,
    )
    # Seeded targets: 300 a month, 6000 for the program.
    assert (rows["PAO-ANY"].target_month, rows["PAO-ANY"].target_total) == (300, 6000)
    assert rows["PAO-ANY"].percent_month == 2  # 7 of 300
    # In 2025 P1 (18 on her birthday) and P9 come first in March; P10 (a man) came in January.
    ytd = {"women": (2, 2), "men": (0, 1), "girls": (0, 0), "boys": (0, 0), "other": (0, 0)}
    assert [
        {k: v for k, v in row.items() if k not in ("new_in_year", "cumulative_in_year")}
        for row in rows["PAO-DOC"].sex_age_table
    ] == [
        {"key": "women", "label": "Women (18 and over)", "reached": 2, "new": 1, "cumulative": 1},
        {"key": "men", "label": "Men (18 and over)", "reached": 1, "new": 0, "cumulative": 1},
        {"key": "girls", "label": "Girls (under 18)", "reached": 0, "new": 0, "cumulative": 1},
        {"key": "boys", "label": "Boys (under 18)", "reached": 0, "new": 0, "cumulative": 0},
        {"key": "other", "label": "Other (sex X or age unknown)", "reached": 0, "new": 0, "cumulative": 0},
    ]
    assert {
        row["key"]: (row["new_in_year"], row["cumulative_in_year"]) for row in rows["PAO-DOC"].sex_age_table
    } == ytd
    page = response.content.decode()
    assert 'data-measure="cumulative_in_year"' in page
    assert 'data-chart-indicator="PAO-MHPSS"' in page
    assert 'id="dashboard-data"' in page and "<script>" not in page.replace('<script src="', "")
    chart = response.context["chart_data"]
    assert chart["labels"][-1] == "2025-03" and len(chart["labels"]) == 12
    assert chart["indicators"][0]["reached"][-1] == 7 and chart["indicators"][0]["reached"][0] is None


def test_indicators_without_events_are_listed_with_zeros(coordinator, client_for, march):
    response = _get(client_for(coordinator), program="SALUD", month="2025-03")
    rows = {row.indicator.code: row for row in response.context["dashboard"].rows}
    assert rows["SALUD-MHPSS"].reached["total"] == 0
    assert '<tr data-indicator="SALUD-MHPSS">' in response.content.decode()


def test_a_month_not_computed_yet_offers_to_compute_it(coordinator, client_for, march):
    response = _get(client_for(coordinator), program="PAO", month="2025-05")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="no-figures"' in page
    assert 'data-testid="recompute"' in page
    assert 'data-testid="export-menu"' not in page


def test_the_default_month_is_the_one_that_just_ended(coordinator, client_for, ref):
    response = _get(client_for(coordinator))
    assert response.context["month"] == default_month()
    assert response.context["program"].code == "BALON"


@pytest.mark.parametrize("month", ["2025-13", "marzo", "1999-01", "2025-3-1"])
def test_a_bad_month_is_explained_and_the_default_shown(coordinator, client_for, ref, month):
    response = _get(client_for(coordinator), program="PAO", month=month)
    assert response.status_code == 200
    assert response.context["month"] == default_month()
    assert "YYYY-MM" in response.content.decode()


def _add_events(n: int) -> None:
    pao = program("PAO")
    for i in range(n):
        DirectServiceFactory(
            person=PersonFactory(),
            program=pao,
            service_type=service_type("doc-orientation" if i % 2 else "phc-consultation"),
            delivered_on=date(2025, 3, 1 + i % 28),
        )


@pytest.mark.parametrize("events", [3, 30])
def test_dashboard_queries_do_not_grow_with_events(
    coordinator, client_for, django_assert_num_queries, events
):
    _add_events(events)
    # Every month shown from the program's start is computed (a missing one would be queued).
    for month in [*(date(2024, m, 1) for m in range(8, 13)), *(date(2025, m, 1) for m in range(1, 4))]:
        monthly_figures_compute(month=month, program_code="PAO")
    _add_visits(events)
    client = client_for(coordinator)
    # 10 for the program's figures, 2 for the reception panel: the reader's sites, then one query
    # for the month's visits, appointments and waiting times (reception/figures.py).
    with django_assert_num_queries(12):
        response = _get(client, program="PAO", month="2025-03")
    assert response.context["dashboard"].rows[0].reached["total"] == events
    reception = response.context["reception"]
    assert (reception.checked_in, reception.left, reception.kept, reception.called) == (
        events,
        1,
        0,
        events - 1,
    )
    assert sum(response.context["reception_chart"]["checked_in"]) == events
    called = events - 1  # waits of 1, 2, ... minutes: the nearest ranks are the waits themselves
    assert (reception.wait_median, reception.wait_p90) == ((called + 1) // 2, (9 * called + 9) // 10)


def _add_visits(n: int, *, site_code: str = "PAO-LS") -> None:
    """``n`` visits at a site (PAO-LS) in March 2025; each waits its number of minutes but the last, who left."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from reception.models import Visit
    from tests.factories import site

    pao = site(site_code)
    for i in range(n):
        day = date(2025, 3, 1 + i % 28)
        arrived = datetime(2025, 3, day.day, 9, tzinfo=ZoneInfo("America/Lima"))
        left = i == n - 1
        Visit.objects.create(
            site=pao,
            person=PersonFactory(site=pao),
            day=day,
            number=i + 1,
            ticket=f"D-{i + 1:03}",
            area="documentation",
            status=Visit.Status.LEFT if left else Visit.Status.DONE,
            arrived_at=arrived,
            queued_at=arrived,
            called_at=None if left else arrived + timedelta(minutes=i + 1),
        )


WIDGET = Template("{% load reports_tags %}{% reports_home_widget %}")


@pytest.mark.parametrize("events", [3, 30])
def test_home_widget_shows_last_month_against_targets(coordinator, django_assert_num_queries, events):
    pao = program("PAO")
    last_month = default_month()
    for i in range(events):
        DirectServiceFactory(
            program=pao, person=PersonFactory(), delivered_on=last_month.replace(day=1 + i % 28)
        )
    monthly_figures_compute(month=last_month)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    with django_assert_num_queries(6):
        html = WIDGET.render(Context({"user": coordinator}))
    assert 'data-testid="reports-home-widget"' in html
    assert f'>{events}</span><span class="text-muted">/ 120</span>' in html  # PAO-DOC: 120 a month
    assert "PAO-ANY" in html and "BALON-YOUTH" in html


def test_home_widget_is_only_for_report_readers(caseworker):
    assert WIDGET.render(Context({"user": caseworker})).strip() == ""


# --- Recomputing, and following the run ---------------------------------------------------------


def test_recompute_queues_a_run_through_the_outbox_and_shows_the_figures(
    coordinator, client_for, ref, django_capture_on_commit_callbacks
):
    dataset.build()
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:recompute"), {"program": "PAO", "month": "2025-03"})
    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}?program=PAO&month=2025-03"
    run = ReportRun.objects.get()
    assert (run.program.code, run.month, run.requested_by, run.trigger) == (
        "PAO",
        MARCH,
        coordinator,
        "manual",
    )
    assert MonthlyFigure.objects.filter(run=run).count() == 5
    assert OutboxMessage.objects.get().kwargs == {"run_id": run.pk}
    # Tasks run eagerly in the test set-up: the figures are there.
    assert run.status == ReportRun.Status.DONE
    assert MonthlyFigure.objects.filter(month=MARCH, indicator__program__code="PAO").count() == 5
    page = client.get(response["Location"]).content.decode()
    assert "Recomputing 2025-03 for PAO" in page
    assert 'data-status="done"' in page


def test_recompute_by_htmx_reloads_the_page_once_done(transactional_db, coordinator, client_for, ref):
    """Without a broker the job runs as the request's transaction commits: the page reloads."""
    response = client_for(coordinator).post(
        reverse("reports:recompute"), {"program": "PAO", "month": "2025-03"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == f"{DASHBOARD}?program=PAO&month=2025-03"


def test_recompute_without_a_broker_shows_the_queued_run_and_polls(
    coordinator, client_for, ref, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("orientation.outbox.outbox_send", lambda **kwargs: False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(coordinator).post(
            reverse("reports:recompute"), {"program": "PAO", "month": "2025-03"}, HTTP_HX_REQUEST="true"
        )
    page = response.content.decode()
    run = ReportRun.objects.get()
    assert 'data-status="queued"' in page
    assert f'hx-get="{reverse("reports:run_status", args=[run.pk])}?poll=1"' in page
    # Asking again while it waits in the queue does not queue a second one.
    client_for(coordinator).post(reverse("reports:recompute"), {"program": "PAO", "month": "2025-03"})
    assert ReportRun.objects.count() == 1


def test_recompute_refuses_bad_input_and_a_get(coordinator, client_for, ref):
    client = client_for(coordinator)
    assert client.get(reverse("reports:recompute")).status_code == 405
    response = client.post(reverse("reports:recompute"), {"program": "PAO", "month": "soon"}, follow=True)
    assert "Choose one of your programs" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_run_status_shows_progress_then_reloads_the_page(coordinator, client_for, ref):
    client = client_for(coordinator)
    run = report_run_create(month=MARCH, program=program("PAO"), trigger="manual")
    run.status, run.total, run.progress = ReportRun.Status.RUNNING, 5, 2
    run.save()
    url = reverse("reports:run_status", args=[run.pk])
    page = client.get(url, {"poll": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="running"' in page and "2 of 5" in page and "hx-trigger" in page
    run.status = ReportRun.Status.DONE
    run.save()
    response = client.get(url, {"poll": "1"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == f"{DASHBOARD}?program=PAO&month=2025-03"
    assert client.get(url)["Location"] == f"{DASHBOARD}?program=PAO&month=2025-03"


def test_a_stalled_run_stops_polling(coordinator, client_for, ref):
    run = report_run_create(month=MARCH, program=program("PAO"), trigger="manual")
    ReportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - ReportRun.STALLED_AFTER * 2)
    page = client_for(coordinator).get(reverse("reports:run_status", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert 'data-status="stalled"' in page.content.decode() and "hx-trigger" not in page.content.decode()


# --- Exports ------------------------------------------------------------------------------------


def test_xlsx_export_has_a_sheet_per_program_in_5w_columns_and_is_logged(coordinator, client_for, march):
    response = client_for(coordinator).get(reverse("reports:export"), {"month": "2025-03", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="orienta-5w-2025-03.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["BALON", "PAO", "SALUD", "Nationality", "Reception", "Notes"]
    rows = list(book["PAO"].values)
    header = rows[0]
    assert header[:9] == (
        "Month",
        "Program",
        "Indicator code",
        "Indicator",
        "Total monthly beneficiaries",
        "New beneficiaries of the month",
        "Consolidated (since the program started)",
        "Monthly target",
        "Program target",
    )
    by_code = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {"PAO-ANY", "PAO-DOC", "PAO-PHC", "PAO-MHPSS", "PAO-REF"}
    any_ = by_code["PAO-ANY"]
    assert (any_["Total monthly beneficiaries"], any_["New beneficiaries of the month"]) == (7, 4)
    assert any_["Consolidated (since the program started)"] == 7
    # Reached in March: P1, P9 (women), P10 (man), P2 and P8 (boys), P4 (man, 60+), P3 (no birth date).
    assert (any_["Monthly: women 18 and over"], any_["Monthly: men 18 and over"]) == (2, 2)
    assert (any_["Monthly: boys under 18"], any_["Monthly: age unknown"]) == (2, 1)
    assert any_["Monthly: Pendular"] == 1 and any_["New: Host community"] == 2
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (log.user, log.object_type, log.object_id) == (coordinator, "reports.monthly_figures", "2025-03")
    assert log.reason == "xlsx; BALON, PAO, SALUD; unmasked"


def test_csv_export_masks_small_counts_when_asked(coordinator, client_for, march):
    client = client_for(coordinator)
    params = {"month": "2025-03", "program": "PAO", "format": "csv"}
    plain = list(csv.reader(io.StringIO(client.get(reverse("reports:export"), params).content.decode())))
    masked_response = client.get(reverse("reports:export"), {**params, "mask": "on"})
    assert (
        masked_response["Content-Disposition"] == 'attachment; filename="orienta-5w-2025-03-PAO-masked.csv"'
    )
    masked = list(csv.reader(io.StringIO(masked_response.content.decode())))
    assert plain[0] == masked[0] and len(plain) == 6
    any_plain, any_masked = plain[1], masked[1]
    assert any_plain[2] == "PAO-ANY"
    assert any_plain[4:7] == ["7", "4", "7"]
    assert any_masked[4:7] == ["7", "<5", "7"]
    assert any_masked[7:9] == ["300", "6000"]  # targets are never masked
    assert "0" in any_masked[9:]  # zeros stay zeros
    assert "1" not in any_masked[9:] and "2" not in any_masked[9:]
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 2
    assert AccessLog.objects.filter(reason="csv; PAO; masked").exists()


def test_export_of_a_month_without_figures_says_so(coordinator, client_for, march):
    response = client_for(coordinator).get(reverse("reports:export"), {"month": "2025-07"}, follow=True)
    # Never computed: queued for computation, and said plainly (not exported as zeros).
    assert "The figures of 2025-07 are not computed yet for BALON, PAO, SALUD" in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_export_refuses_bad_input(coordinator, client_for, march):
    client = client_for(coordinator)
    for params in [
        {"month": "2025-03", "format": "pdf"},
        {"month": "x"},
        {"month": "2025-03", "program": "NOPE"},
    ]:
        response = client.get(reverse("reports:export"), params, follow=True)
        assert response.status_code == 200
        assert "The export needs one of your programs" in response.content.decode()


def test_the_dashboard_speaks_spanish_by_default(coordinator, client_for, march, settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "es"
    with translation.override("es"):
        page = _get(client_for(coordinator), program="PAO", month="2025-03").content.decode()
    assert 'lang="es"' in page
    assert "Cifras mensuales" in page and "Meta mensual" in page and "Recalcular este mes" in page


def test_the_month_picker_names_months_in_the_pages_language(coordinator, client_for, march, settings):
    """Not the browser's month input, which follows the device's language ("November 2026")."""
    page = _get(client_for(coordinator), program="PAO", month="2025-03").content.decode()
    assert 'type="month"' not in page
    assert '<option value="2025-03" selected>March 2025</option>' in page
    assert '<option value="2024-08">August 2024</option>' in page  # PAO's first month
    assert 'value="2024-07"' not in page
    settings.LANGUAGE_CODE = "es"  # the centre's language, copied into the session at sign-in
    page = _get(client_for(coordinator), program="PAO", month="2025-03").content.decode()
    assert '<option value="2025-03" selected>Marzo 2025</option>' in page


@pytest.mark.parametrize("rows", [1, 10])
def test_run_status_query_count_does_not_grow(coordinator, client_for, ref, page_queries, rows):
    for _ in range(rows):
        run = report_run_create(month=MARCH, program=program("PAO"), trigger="manual")
    url = reverse("reports:run_status", args=[run.pk])
    response = page_queries(client_for(coordinator), url, 5, HTTP_HX_REQUEST="true")
    assert 'data-status="queued"' in response.content.decode()


# --- Reception's figures on the dashboard and in the exports -------------------------------------


def test_the_reception_panel_shows_the_month_and_links_to_the_figures(coordinator, client_for, ref):
    _add_visits(4)
    page = _get(client_for(coordinator), program="PAO", month="2025-03").content.decode()
    assert 'data-testid="reception-panel"' in page
    assert 'data-reception="checked_in">4<' in page and 'data-reception="left">1<' in page
    # Waits of 1, 2 and 3 minutes: median 2, 90th percentile 3.
    assert 'data-reception="wait_median">2.0<' in page and 'data-reception="wait_p90">3.0<' in page
    assert f"{reverse('reception:figures')}?start=2025-03-01&amp;end=2025-03-31" in page
    assert 'id="reception-data"' in page and "chart.umd.min.js" in page
    # Another month: nobody.
    page = _get(client_for(coordinator), program="PAO", month="2025-02").content.decode()
    assert "Nobody checked in at your sites this month." in page


def test_a_coordinator_without_the_sites_sees_no_reception_figures(make_user, client_for, ref):
    from tests.factories import second_orientation_site

    _add_visits(3, site_code=second_orientation_site().code)  # PAO-NO: PAO and SALUD only
    coordinator = make_user("coordinator", programs=["BALON"])
    response = _get(client_for(coordinator), program="BALON", month="2025-03")
    assert response.context["reception"].checked_in == 0
    both = make_user("coordinator", programs=["BALON", "SALUD"])
    response = _get(client_for(both), program="BALON", month="2025-03")
    assert response.context["reception"].checked_in == 3
    export = client_for(coordinator).get(reverse("reports:reception_export"), {"month": "2025-03"})
    assert export.content.decode().splitlines()[1:] == []


def test_the_reception_csv_export_per_day_site_and_area_is_logged(coordinator, client_for, ref):
    _add_visits(6)
    client = client_for(coordinator)
    response = client.get(reverse("reports:reception_export"), {"month": "2025-03"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="orienta-reception-2025-03.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Day",
        "Site",
        "Service area",
        "Checked in",
        "Waiting, median (minutes)",
        "Waiting, 90th percentile (minutes)",
        "Left without service",
        "Appointments kept",
        "Appointments missed",
    ]
    assert rows[1] == ["2025-03-01", "PAO-LS", "Documentation", "1", "1.0", "1.0", "0", "0", "0"]
    assert rows[6] == ["2025-03-06", "PAO-LS", "Documentation", "1", "", "", "1", "0", "0"]
    assert len(rows) == 7
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (log.object_type, log.object_id, log.reason) == ("reception.figures", "2025-03", "csv; unmasked")
    masked = client.get(reverse("reports:reception_export"), {"month": "2025-03", "mask": "on"})
    assert list(csv.reader(io.StringIO(masked.content.decode())))[1][3] == "<5"


def test_the_workbook_has_a_reception_sheet(coordinator, client_for, march):
    _add_visits(2)
    response = client_for(coordinator).get(reverse("reports:export"), {"month": "2025-03", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content))["Reception"]
    rows = list(sheet.values)
    assert rows[0][:4] == ("Day", "Site", "Service area", "Checked in")
    assert rows[1] == ("2025-03-01", "PAO-LS", "Documentation", 1, 1, 1, 0, 0, 0)
    assert rows[2][:4] == ("2025-03-02", "PAO-LS", "Documentation", 1) and len(rows) == 3
