"""The upload page: who may reach it, the check, the preview, the confirmation, the progress."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.imports.actions import import_batch_create
from cases.imports.models import ImportBatch
from cases.models import Person

from .conftest import person_row, write_csv, write_xlsx

Status = ImportBatch.Status


@pytest.fixture
def english(client, settings):
    # The pages follow the user's saved language, not the browser's: English by default here.
    settings.LANGUAGE_CODE = "en"
    return client


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.fixture
def post_upload(client_for, english, django_capture_on_commit_callbacks):
    """Upload a file as a user; the check task runs (eagerly) after the commit, as in the demo."""

    def _post(user, path, kind="people", name=None):
        client = client_for(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("imports:import_upload"), {"kind": kind, "file": upload(path, name)}
            )
        return response

    return _post


@pytest.fixture
def batch(coordinator, tmp_path, django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "padron-enero.csv", [person_row(1), person_row(2)])
    with django_capture_on_commit_callbacks(execute=True):
        created = import_batch_create(user=coordinator, kind="people", upload=upload(path))
    created.refresh_from_db()
    assert created.status == Status.READY
    return created


def batch_urls(pk):
    return [
        ("get", reverse("imports:import_detail", args=[pk])),
        ("get", reverse("imports:import_progress", args=[pk])),
        ("post", reverse("imports:import_confirm", args=[pk])),
        ("post", reverse("imports:import_abandon", args=[pk])),
    ]


@pytest.mark.parametrize("role", ["caseworker", "psychosocial", "facilitator"])
def test_only_coordinators_and_admins_reach_the_import_and_export_pages(client_for, make_user, batch, role):
    client = client_for(make_user(role, sites=["PAO-LS", "SCH-01"]))
    urls = [
        ("get", reverse("imports:import_upload")),
        ("post", reverse("imports:import_upload")),
        ("get", reverse("imports:import_template", args=["people"])),
        ("get", reverse("imports:people_export")),
        ("post", reverse("imports:people_export")),
        *batch_urls(batch.pk),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, url
    batch.refresh_from_db()
    assert batch.status == Status.READY


def test_signed_out_visitors_are_sent_to_the_login(client, batch):
    for _method, url in [
        ("get", reverse("imports:import_upload")),
        ("get", reverse("imports:people_export")),
        *batch_urls(batch.pk),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_coordinator_never_sees_another_coordinators_upload(client_for, make_user, batch):
    other = client_for(make_user("coordinator"))
    for method, url in batch_urls(batch.pk):
        assert getattr(other, method)(url).status_code == 404, url
    batch.refresh_from_db()
    assert batch.status == Status.READY and batch.file
    assert batch.original_name not in other.get(reverse("imports:import_upload")).content.decode()


def test_an_admin_sees_every_upload(client_for, admin_user, batch):
    response = client_for(admin_user).get(reverse("imports:import_detail", args=[batch.pk]))
    assert response.status_code == 200


def test_upload_check_preview_confirm(
    post_upload, coordinator, tmp_path, client, django_capture_on_commit_callbacks
):
    path = write_csv(
        tmp_path / "people.csv", [person_row(1), person_row(2, given_names="Yusmary")], delimiter=";"
    )
    response = post_upload(coordinator, path)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "imports:import_detail", args=[batch.pk]
    )
    assert (batch.status, batch.total_rows, batch.uploaded_by, batch.original_name) == (
        Status.READY,
        2,
        coordinator,
        "people.csv",
    )
    assert batch.file.name.startswith("imports/") and "people" not in batch.file.name
    assert not Person.objects.exists()

    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-ready"' in page and 'data-testid="import-confirm"' in page
    assert "Columns separated by semicolons." in page
    assert "Yusmary" in page and "P-0002" in page  # the preview

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.processed_rows, batch.file.name) == (Status.DONE, 2, "")
    assert batch.summary["counts"] == {"people": {"created": 2}, "documents": {"created": 2}}
    assert Person.objects.count() == 2
    assert set(Person.history.values_list("history_user", flat=True)) == {coordinator.pk}
    assert not list(default_storage.listdir("imports")[1])  # the file is gone once imported
    page = client.get(reverse("imports:import_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="import-done"' in page and "Imported: 2 rows." in page

    # Confirming twice does nothing more.
    response = client.post(reverse("imports:import_confirm", args=[batch.pk]), follow=True)
    assert "This file cannot be imported now." in response.content.decode()
    assert Person.objects.count() == 2


def test_a_rejected_upload_lists_every_error_and_saves_nothing(post_upload, coordinator, tmp_path, client):
    rows = [
        person_row(1),
        person_row(2, sex="Q"),
        person_row(3),
        person_row(4, site="NOPE", birth_date="1990-13-01"),
    ]
    post_upload(coordinator, write_xlsx(tmp_path / "people.xlsx", rows))
    batch = ImportBatch.objects.get()
    assert batch.status == Status.INVALID
    assert [(e["row"], e["column"], e["code"]) for e in batch.errors] == [
        (3, "sex", "unknown_code"),
        (5, "birth_date", "bad_date_private"),
        (5, "site", "unknown_site"),
    ]
    page = client.get(reverse("imports:import_detail", args=[batch.pk])).content.decode()
    assert "The file was rejected: 3 errors. Nothing was saved." in page
    assert "Unknown code “Q”. Use one of: F, M, X." in page and "Unknown site “NOPE”." in page
    # The rejected file was deleted at once: only the error list is kept, no preview of its rows.
    assert batch.file.name == "" and 'class="table-danger"' not in page
    assert 'data-testid="import-confirm"' not in page
    assert 'data-testid="import-reupload-form"' in page
    assert client.post(reverse("imports:import_confirm", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == Status.INVALID and not Person.objects.exists()


def test_abandon_deletes_the_file(client_for, coordinator, batch):
    name = batch.file.name
    assert default_storage.exists(name)
    response = client_for(coordinator).post(reverse("imports:import_abandon", args=[batch.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("imports:import_upload")
    batch.refresh_from_db()
    assert (batch.status, batch.file.name) == (Status.ABANDONED, "")
    assert not default_storage.exists(name)
    response = client_for(coordinator).post(reverse("imports:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == Status.ABANDONED and not Person.objects.exists()


def test_the_progress_box_polls_until_the_work_is_over(client_for, coordinator, batch):
    client = client_for(coordinator)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=Status.RUNNING, processed_rows=1000, total_rows=4000
    )
    response = client.get(reverse("imports:import_progress", args=[batch.pk]), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and 'hx-trigger="every 2s"' in html
    assert 'style="width: 25%"' in html
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.DONE)
    response = client.get(reverse("imports:import_progress", args=[batch.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    response = client.get(reverse("imports:import_progress", args=[batch.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.txt", b"ref\n", "Upload a .csv or .xlsx file."),
        ("people.xlsx", b"ref,given_names\n", "This is not an Excel (.xlsx) file."),
        ("people.csv", b"\x00\x01\x02\x03", "This is not a CSV text file."),
    ],
)
def test_the_upload_form_refuses_other_files(client_for, english, coordinator, name, content, message):
    response = client_for(coordinator).post(
        reverse("imports:import_upload"), {"kind": "people", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_empty_template_has_the_columns(client_for, coordinator):
    response = client_for(coordinator).get(reverse("imports:import_template", args=["services"]))
    assert response.content.decode("utf-8-sig").strip() == (
        "ref,person_ref,program,service_type,kind,date,status,completed_on,partner,population_type,site"
    )
    assert client_for(coordinator).get(reverse("imports:import_template", args=["other"])).status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_of_uploads_is_paginated_with_a_fixed_number_of_queries(
    client_for, coordinator, django_assert_num_queries, rows
):
    client = client_for(coordinator)
    response = client.get(reverse("imports:import_upload"))
    assert 'class="empty-state' in response.content.decode()
    ImportBatch.objects.bulk_create(
        [ImportBatch(kind="people", original_name=f"f{i}.csv", uploaded_by=coordinator) for i in range(rows)]
    )
    # Session and user, the user's roles, the count and the page of uploads, their uploaders.
    with django_assert_num_queries(6):
        response = client.get(reverse("imports:import_upload"))
    html = response.content.decode()
    assert len(re.findall(r'href="/people/import/\d+/"', html)) == min(rows, 20)
    assert ("?page=2" in html) == (rows > 20)


@pytest.mark.parametrize("rows", [1, 10])
def test_an_upload_query_count_does_not_grow_with_its_rows(
    client_for, coordinator, tmp_path, django_capture_on_commit_callbacks, page_queries, rows
):
    path = write_csv(tmp_path / "padron.csv", [person_row(n) for n in range(1, rows + 1)])
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(user=coordinator, kind="people", upload=upload(path))
    batch.refresh_from_db()
    assert batch.status == Status.READY
    # The rows are read from what the check kept, not from the database.
    response = page_queries(client_for(coordinator), reverse("imports:import_detail", args=[batch.pk]), 5)
    assert len(response.context["preview"]["table"]) == rows
