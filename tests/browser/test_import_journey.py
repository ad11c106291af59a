"""A coordinator imports a spreadsheet: two bad rows are shown, the corrected file goes in."""

import pytest

from cases.models import Person
from seeds.demo import ensure_demo_users
from tests.imports.conftest import person_row, write_csv


@pytest.fixture
def demo_users(ref, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return ensure_demo_users()


def upload(page, path):
    page.goto(f"{page.base_url}/people/import/")
    page.check("input[name=kind][value=people]")
    page.set_input_files("input[type=file][name=file]", str(path))
    page.locator('[data-testid="import-upload-form"] button[type=submit]').click()
    page.wait_for_load_state("networkidle")


def test_a_coordinator_fixes_a_rejected_file_and_imports_it(page, login, screenshot, demo_users, tmp_path):
    login("coordinator")
    page.locator('nav a.nav-link[href="/people/import/"]').click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "import-upload")

    rows = [person_row(n) for n in range(1, 6)]
    rows[1]["sex"] = "Q"  # spreadsheet row 3
    rows[3]["registered_on"] = "15/01/2025"  # spreadsheet row 5
    upload(page, write_csv(tmp_path / "padron.csv", rows, delimiter=";", bom=True))

    assert page.locator('[data-testid="import-rejected"]').is_visible()
    errors = page.locator('[data-testid="import-errors"] tbody tr')
    assert errors.count() == 2
    assert errors.nth(0).inner_text().split("\t")[:2] == ["3", "sex"]
    assert "Q" in errors.nth(0).inner_text()
    assert errors.nth(1).inner_text().split("\t")[:2] == ["5", "registered_on"]
    assert "15/01/2025" in errors.nth(1).inner_text()
    # A rejected file is deleted at once: only its error list is kept, no preview of its rows.
    assert page.locator('[data-testid="import-preview"]').count() == 0
    assert page.locator('[data-testid="import-confirm"]').count() == 0
    screenshot(page, "import-rejected")
    assert not Person.objects.exists()

    rows[1]["sex"] = "F"
    rows[3]["registered_on"] = "2025-01-15"
    fixed = write_csv(tmp_path / "padron-corregido.csv", rows, delimiter=";", bom=True)
    page.set_input_files('[data-testid="import-reupload-form"] input[type=file]', str(fixed))
    page.locator('[data-testid="import-reupload-form"] button[type=submit]').click()
    page.wait_for_load_state("networkidle")

    assert page.locator('[data-testid="import-ready"]').is_visible()
    assert page.locator('[data-testid="import-preview"] tbody tr').count() == 5
    screenshot(page, "import-ready")
    page.locator('[data-testid="import-confirm"]').click()
    page.wait_for_load_state("networkidle")

    done = page.locator('[data-testid="import-done"]')
    assert done.is_visible()
    assert "5" in done.inner_text()
    people_counts = page.locator('[data-testid="import-counts"] tbody tr').first.inner_text().split("\t")
    assert people_counts[1:] == ["5", "0", "0"]  # created, updated, unchanged
    screenshot(page, "import-done")
    assert Person.objects.filter(ref__startswith="P-").count() == 5
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_a_coordinator_exports_people_with_a_reason(page, login, screenshot, demo_users, tmp_path):
    from orientation.models import AccessLog
    from tests.factories import DirectServiceFactory, PersonFactory

    # A coordinator reads the people with a record of their programs.
    DirectServiceFactory(person=PersonFactory(ref="E-1"))
    login("coordinator")
    page.goto(f"{page.base_url}/people/export/")
    page.fill("textarea[name=reason]", "Informe trimestral al donante")
    screenshot(page, "people-export")
    with page.expect_download() as download:
        page.locator('[data-testid="people-export-form"] button[type=submit]').click()
    content = open(download.value.path(), encoding="utf-8-sig").read().splitlines()
    assert content[0].startswith("ref,given_names,family_names,sex,")
    assert content[1].startswith("E-1,")
    assert AccessLog.objects.get(action="export").reason == "Informe trimestral al donante"
