"""Uploaded files are bounded before they are parsed, parsed once (by the worker), and a rejected
file does not stay on disk; stored uploads are readable by the service user only."""

import stat
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.imports import reading
from cases.imports.actions import import_batch_create
from cases.imports.models import ImportBatch

from .conftest import person_row, write_csv, write_xlsx

Status = ImportBatch.Status
UNPACKED_MB = 200


def _zip_bomb(path: Path) -> Path:
    """A valid-looking .xlsx of a few hundred KB whose sheet unpacks to about 200 MB."""
    row = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>'
    chunk = row * 8192
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument'
            '.spreadsheetml.sheet.main+xml"/></Types>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            for _ in range(UNPACKED_MB * 1024 * 1024 // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return _zip_bomb(tmp_path_factory.mktemp("bomb") / "padron.xlsx")


def _upload(client, path, kind="people"):
    return client.post(
        reverse("imports:import_upload"),
        {"kind": kind, "file": SimpleUploadedFile(path.name, path.read_bytes())},
    )


def test_a_zip_bomb_is_refused_at_once_in_little_memory(english, client_for, coordinator, bomb):
    assert bomb.stat().st_size < 2 * 1024 * 1024
    client = client_for(coordinator)
    started = time.monotonic()
    response = _upload(client, bomb)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert "Unpacked, this Excel file holds more than 64 MB" in response.content.decode()
    assert elapsed < 5, elapsed
    tracemalloc.start()
    try:
        _upload(client, bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024, peak
    assert not ImportBatch.objects.exists()


def test_the_worker_refuses_a_zip_bomb_without_unpacking_it(bomb):
    started = time.monotonic()
    with bomb.open("rb") as fileobj, pytest.raises(reading.FileReadError) as refused:
        with reading.table_open(fileobj, bomb.name):
            pass
    assert refused.value.code == "file_too_large_unpacked"
    assert time.monotonic() - started < 2


def test_too_many_columns_or_rows_are_refused_while_reading(run_import, tmp_path, monkeypatch):
    wide = person_row(1) | {f"extra{i}": "x" for i in range(reading.MAX_COLUMNS + 5)}
    outcome = run_import("people", write_csv(tmp_path / "wide.csv", [wide]))
    assert ("too_many_columns",) in {(code,) for _row, _col, code in outcome.codes()}

    monkeypatch.setattr(reading, "MAX_ROW_NUMBER", 5)
    outcome = run_import("people", write_xlsx(tmp_path / "long.xlsx", [person_row(n) for n in range(1, 10)]))
    assert (None, "", "too_many_rows") in outcome.codes()


def test_the_preview_is_kept_by_the_check_and_never_parsed_on_a_page_view(
    english, client_for, coordinator, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    client = client_for(coordinator)
    path = write_xlsx(tmp_path / "people.xlsx", [person_row(1), person_row(2)])
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, path)
    batch = ImportBatch.objects.get()
    assert batch.status == Status.READY

    import openpyxl

    def parse(*args, **kwargs):
        raise AssertionError("the file was parsed again by a page view")

    monkeypatch.setattr(openpyxl, "load_workbook", parse)
    for _ in range(2):
        page = client.get(reverse("imports:import_detail", args=[batch.pk]))
        assert page.status_code == 200
        assert "P-0001" in page.content.decode() and "P-0002" in page.content.decode()


def test_a_rejected_file_is_deleted_at_once_and_its_errors_kept(
    english, client_for, coordinator, tmp_path, django_capture_on_commit_callbacks
):
    path = write_csv(tmp_path / "people.csv", [person_row(1), person_row(2, sex="Q")])
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client_for(coordinator), path)
    batch = ImportBatch.objects.get()
    assert batch.status == Status.INVALID
    assert [(e["row"], e["column"], e["code"]) for e in batch.errors] == [(3, "sex", "unknown_code")]
    assert batch.file.name == "" and "preview" not in batch.summary
    assert not list(Path(default_storage.location).rglob("*.csv"))


def test_stored_uploads_are_readable_by_the_service_user_only(coordinator, tmp_path):
    path = write_csv(tmp_path / "people.csv", [person_row(1)])
    batch = import_batch_create(
        user=coordinator, kind="people", upload=SimpleUploadedFile(path.name, path.read_bytes())
    )
    stored = Path(default_storage.path(batch.file.name))
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.parent.parent.stat().st_mode) == 0o700
