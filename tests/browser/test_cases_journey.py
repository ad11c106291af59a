"""A caseworker at the desk: registers someone, is warned of a duplicate on a second attempt,
records an intake, and finds the person again with a misspelled name."""

from datetime import date

import pytest

from seeds.demo import ensure_demo_users
from tests.factories import PersonFactory


@pytest.fixture
def desk(ref):
    ensure_demo_users()
    PersonFactory(given_names="Luis Alberto", family_names="Castillo Paredes", birth_date=date(1985, 2, 1))
    PersonFactory(given_names="Rosa", family_names="Mamani Quispe", nationality="PE", population_type="host")
    PersonFactory(given_names="Jesús", family_names="Zambrano Acosta", birth_date=None)


def _fill_registration(page, *, given, family, birth, phone):
    page.fill("input[name='person-given_names']", given)
    page.fill("input[name='person-family_names']", family)
    page.check("input[name='person-sex'][value='F']")
    page.fill("input[name='person-birth_date']", birth)
    page.select_option("select[name='person-nationality']", "VE")
    page.select_option("select[name='person-population_type']", "transit")
    page.fill("input[name='person-phone']", phone)
    page.check("input[name='household-mode'][value='new']")


def _submit_registration(page):
    """Send the form once the as-you-type duplicate check (300 ms after a change) has answered, as
    when a person fills it: on the tests' in-memory SQLite, a check still reading while the save
    writes is refused (503), which the browser logs as an error."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # its last change
    page.wait_for_timeout(350)
    page.wait_for_function("() => !document.querySelector('#duplicate-live.htmx-request')")
    page.click('[data-testid="register-submit"]')


def test_register_duplicate_intake_and_find_again(page, login, screenshot, desk):
    login("caseworker")
    page.goto(f"{page.base_url}/people/")
    page.wait_for_selector('[data-testid="people-table"]')
    screenshot(page, "cases-person-list")

    # 1. Register a person.
    page.click('[data-testid="register-person"]')
    page.wait_for_selector("#registration-form")
    _fill_registration(
        page, given="Yusmary Andreína", family="González Pérez", birth="21/07/1993", phone="987 654 321"
    )
    page.select_option("select[name='document-doc_type']", "cedula_ve")
    page.fill("input[name='document-number']", "V 18.765.432".replace(".", ""))
    page.select_option("select[name='status-status']", "cpp_in_process")
    screenshot(page, "cases-register-form")
    _submit_registration(page)
    page.wait_for_selector('[data-testid="person-name"]')
    assert page.inner_text('[data-testid="person-name"]') == "Yusmary Andreína González Pérez"
    person_url = page.url

    # 2. A second attempt, family names swapped and without accents: a warning, not a new file.
    page.goto(f"{page.base_url}/people/register/")
    _fill_registration(page, given="yusmary andreina", family="Perez Gonzalez", birth="21/07/1993", phone="")
    _submit_registration(page)
    warning = page.locator('[data-testid="duplicate-warning"]')
    warning.wait_for()
    assert "Yusmary Andreína González Pérez" in warning.inner_text()
    screenshot(page, "cases-duplicate-warning")
    warning.locator('[data-testid="open-existing"]').first.click()
    page.wait_for_selector('[data-testid="person-name"]')
    assert page.url == person_url

    # 3. Record an intake.
    page.click('[data-testid="record-intake"]')
    page.wait_for_selector("#intake-form")
    page.check("input[name='need_documentation']")
    page.fill("input[name='need_documentation_detail']", "Renovar CPP")
    page.fill("input[name='need_psychosocial_detail']", "Ansiedad")  # ticks its box by itself
    assert page.is_checked("input[name='need_psychosocial']")
    page.check("input[name='priority'][value='high']")
    page.select_option("select[name='population_type']", "destination")
    page.click('[data-testid="intake-submit"]')
    page.wait_for_selector('[data-testid="timeline"]')
    timeline = page.inner_text('[data-testid="timeline"]')
    assert "Renovar CPP" in timeline and "Ansiedad" in timeline
    screenshot(page, "cases-person-page")

    # 4. Find the person again, misspelled, from the search box (the term stays out of the URL).
    page.goto(f"{page.base_url}/people/")
    page.fill("#id_q", "yusmari gonsales")
    page.press("#id_q", "Enter")
    page.wait_for_selector('[data-testid="result-count"]')
    page.wait_for_function(
        "() => !document.querySelector('#person-results').classList.contains('htmx-request')"
    )
    table = page.locator('[data-testid="people-table"]')
    table.wait_for()
    assert "González Pérez, Yusmary Andreína" in table.inner_text()
    assert "yusmari" not in page.url
    screenshot(page, "cases-person-search")
    table.get_by_text("González Pérez, Yusmary Andreína").click()
    page.wait_for_selector('[data-testid="person-name"]')
    assert page.url == person_url

    # The home page shows today's intake.
    page.goto(f"{page.base_url}/people/today/")
    assert "Yusmary Andreína González Pérez" in page.inner_text('[data-testid="intake-today-table"]')
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
