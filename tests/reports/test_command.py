"""``manage.py monthly_report``: computes through the job's code, stores, prints (docs/report-json.md)."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from reports.models import MonthlyFigure, ReportRun

from . import dataset
from .test_counting import EXPECTED_MARCH


def _call(*args) -> str:
    out = io.StringIO()
    call_command("monthly_report", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data(ref):
    return dataset.build()


def test_json_is_the_contract_and_the_snapshots_are_stored(data):
    report = json.loads(_call("--month", "2025-03"))
    assert report["month"] == "2025-03"
    assert [i["code"] for i in report["indicators"]] == [
        "BALON-YOUTH",
        "BALON-LEAD",
        "BALON-COMM",
        "PAO-ANY",
        "PAO-DOC",
        "PAO-PHC",
        "PAO-MHPSS",
        "PAO-REF",
        "SALUD-PHC",
        "SALUD-MHPSS",
    ]
    for item in report["indicators"]:
        assert set(item) == {
            "program",
            "code",
            "name",
            "target_month",
            "target_total",
            "reached",
            "new",
            "cumulative",
            "new_in_year",
            "cumulative_in_year",
        }
        assert {m: item[m] for m in ("reached", "new", "cumulative")} == EXPECTED_MARCH[item["code"]]
    assert MonthlyFigure.objects.filter(month=date(2025, 3, 1)).count() == 10
    run = ReportRun.objects.get()
    assert (run.trigger, run.status, run.program) == ("command", "done", None)


def test_one_program_as_a_table(data):
    out = _call("--month", "2025-03", "--program", "PAO", "--format", "table")
    lines = out.splitlines()
    assert lines[0] == "Monthly figures 2025-03"
    assert len(lines) == 3 + 5
    any_ = MonthlyFigure.objects.get(indicator__code="PAO-ANY")
    assert lines[3].split() == [
        "PAO",
        "PAO-ANY",
        "7",
        "300",
        "4",
        "7",
        "6000",
        str(any_.new_in_year["total"]),
        str(any_.cumulative_in_year["total"]),
    ]
    assert MonthlyFigure.objects.count() == 5


def test_csv(data):
    rows = list(csv.reader(io.StringIO(_call("--month", "2025-03", "--program", "SALUD", "--format", "csv"))))
    assert rows[0][:3] == ["Month", "Program", "Indicator code"]
    assert [r[2] for r in rows[1:]] == ["SALUD-PHC", "SALUD-MHPSS"]
    assert rows[1][4:7] == ["1", "0", "1"]


def test_targets_are_null_where_none_is_set(data):
    from reports.models import Target

    Target.objects.filter(indicator__code="SALUD-PHC").delete()
    report = json.loads(_call("--month", "2025-03", "--program", "SALUD"))
    assert (report["indicators"][0]["target_month"], report["indicators"][0]["target_total"]) == (None, None)
    assert report["indicators"][1]["target_total"] == 500


@pytest.mark.parametrize("month", ["2025-3", "2025-13", "March", ""])
def test_a_bad_month_is_refused_clearly(ref, month):
    with pytest.raises(CommandError, match="YYYY-MM"):
        _call("--month", month)
    assert not ReportRun.objects.exists()


def test_an_unknown_program_is_refused_clearly(ref):
    with pytest.raises(CommandError, match="Unknown program 'NOPE'. Programs: BALON, PAO, SALUD."):
        _call("--month", "2025-03", "--program", "NOPE")
    assert not ReportRun.objects.exists()
