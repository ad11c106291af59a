"""``manage.py import_data``: exit code, every error printed, nothing saved on rejection."""

from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.utils import translation

from cases.models import Person

from .conftest import person_row, write_csv, write_xlsx


def test_import_data_imports_a_file_and_reports_the_counts(ref, tmp_path, admin_user):
    path = write_csv(tmp_path / "people.csv", [person_row(1), person_row(2)])
    out = StringIO()
    with translation.override("en"):
        call_command("import_data", "--kind", "people", str(path), "--user", admin_user.username, stdout=out)
    assert "2 rows imported" in out.getvalue()
    assert "People: created 2, updated 0, unchanged 0" in out.getvalue()
    assert Person.objects.count() == 2
    assert Person.history.filter(history_user=admin_user).count() == 2


def test_import_data_lists_every_error_and_fails(ref, tmp_path):
    path = write_xlsx(
        tmp_path / "people.xlsx", [person_row(1, sex="W"), person_row(2), person_row(3, site="NOPE")]
    )
    err = StringIO()
    with translation.override("en"), pytest.raises(CommandError) as raised:
        call_command("import_data", "--kind", "people", str(path), stderr=err)
    assert raised.value.returncode == 2
    assert "File rejected with 2 errors; nothing was imported." in str(raised.value)
    assert err.getvalue().splitlines() == [
        "row 2, sex: Unknown code “W”. Use one of: F, M, X.",
        "row 4, site: Unknown site “NOPE”.",
    ]
    assert not Person.objects.exists()


def test_check_only_writes_nothing(ref, tmp_path):
    out = StringIO()
    with translation.override("en"):
        call_command(
            "import_data",
            "--kind",
            "people",
            "--check",
            str(write_csv(tmp_path / "p.csv", [person_row(1)])),
            stdout=out,
        )
    assert "1 rows checked: no errors." in out.getvalue()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "people", "/nonexistent.csv"], "No such file"),
        (["--kind", "people", __file__], "Give a .csv or .xlsx file."),
        (["--kind", "people", "--user", "ghost", "FILE"], "No user named ghost."),
    ],
)
def test_import_data_refuses_bad_arguments(ref, tmp_path, args, message):
    path = write_csv(tmp_path / "p.csv", [person_row(1)])
    args = [str(path) if a == "FILE" else a for a in args]
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("import_data", *args)


def test_the_exit_code_is_not_zero_when_a_file_is_rejected(ref, tmp_path, capsys):
    """As a shell sees it: manage.py exits with the command's code and the errors on stderr."""
    path = tmp_path / "people.csv"
    path.write_text("ref;colour\nP-1;red\n", encoding="utf-8")
    with translation.override("en"), pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_data", "--kind", "people", str(path)]).execute()
    assert exited.value.code == 2
    stderr = capsys.readouterr().err
    assert "row 1, colour: Unknown column “colour”." in stderr
    assert "row 1, given_names: The required column “given_names” is missing." in stderr
