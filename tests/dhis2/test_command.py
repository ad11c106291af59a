"""``export_dhis2``: the files, the exit codes, and the demo data out of the box."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from reports.dhis2.models import DataElementMapping, DHIS2Server, OrgUnitMapping

from .conftest import payload_problems
from .test_datavalues import expected_values


def _export(tmp_path, *args, name="out"):
    out = tmp_path / name
    stdout = io.StringIO()
    call_command("export_dhis2", "--month", "2025-03", *args, "--output", str(out), stdout=stdout)
    return out, stdout.getvalue()


def test_json_and_csv_files(march, tmp_path):
    out, said = _export(tmp_path, "--program", "SALUD", "--format", "json", name="march.json")
    assert json.loads(out.read_text(encoding="utf-8"))["dataValues"] == expected_values()
    assert said.strip() == f"13 data values (period 202503) written to {out}"
    out, _said = _export(tmp_path, "--program", "SALUD", "--format", "csv", name="march.csv")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,followup"
    )
    assert len(lines) == 14


def test_json_is_the_default_and_every_mapped_program_without_program(march, tmp_path):
    out, _said = _export(tmp_path)
    assert json.loads(out.read_text(encoding="utf-8"))["dataValues"] == expected_values()


def test_a_refusal_exits_2_with_the_list_and_writes_nothing(march, tmp_path):
    OrgUnitMapping.objects.filter(site__code="SCH-01").delete()
    DataElementMapping.objects.filter(indicator__code="SALUD-MHPSS").delete()
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "export_dhis2",
            "--month",
            "2025-03",
            "--program",
            "SALUD",
            "--output",
            str(tmp_path / "x.json"),
            stderr=err,
        )
    assert refused.value.returncode == 2
    assert "SALUD-MHPSS" in err.getvalue()
    assert not (tmp_path / "x.json").exists()
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "export_dhis2",
            "--month",
            "2025-03",
            "--program",
            "PAO",
            "--output",
            str(tmp_path / "p.json"),
            stderr=err,
        )
    assert refused.value.returncode == 2 and "Program PAO has no DHIS2 mapping" in err.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2025-13"], "--month must be a month as YYYY-MM"),
        (["--month", "2025-03", "--program", "NOPE"], "Unknown program 'NOPE'"),
    ],
)
def test_bad_arguments_exit_1(ref, tmp_path, args, message):
    with pytest.raises(CommandError) as refused:
        call_command("export_dhis2", *args, "--output", str(tmp_path / "x"))
    assert refused.value.returncode == 1
    assert message in str(refused.value)


def test_the_demo_month_exports_out_of_the_box(ref, tmp_path):
    """The seeded example mapping (the health program) covers the demo data; no server is set."""
    from reports.selectors import default_month

    call_command("load_demo_data", people=40, verbosity=0)
    assert not DHIS2Server.objects.exists()
    month = default_month()
    out = tmp_path / "demo.json"
    call_command(
        "export_dhis2",
        "--month",
        f"{month:%Y-%m}",
        "--output",
        str(out),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    body = json.loads(out.read_text(encoding="utf-8"))
    assert body["dataSet"] == "OrDsSalud01" and body["period"] == f"{month:%Y%m}"
    assert payload_problems(body) == []
    assert {v["dataElement"] for v in body["dataValues"]} == {
        "OrDeSalPhcR",
        "OrDeSalPhcN",
        "OrDeSalPsyR",
        "OrDeSalPsyN",
    }
    assert len(body["dataValues"]) == 4 * 18  # PAO-LS: every sex and age band, zeros included
