"""The API's docs page (Swagger UI from drf-spectacular-sidecar) works under the site's CSP."""

import pytest

from seeds.demo import ensure_demo_users


@pytest.fixture
def demo_users(ref):
    return ensure_demo_users()


def test_the_api_docs_page_loads_its_own_files_and_lists_the_operations(page, login, demo_users):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    login("coordinator")
    page.goto(page.base_url + "/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/monthly-report/" in p for p in paths)
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors
    assert all(u.startswith(page.base_url) for u in requests if u.startswith("http")), requests
