import pytest

from seeds.demo import DEMO_USERS, ensure_demo_users


@pytest.fixture
def demo_users(ref):
    return ensure_demo_users()


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_each_demo_role_signs_in_and_sees_its_home(page, login, screenshot, demo_users, username):
    login(username)
    role = next(u[3] for u in DEMO_USERS if u[0] == username)
    assert page.locator(f'[data-testid="home-{role}"]').is_visible()
    screenshot(page, f"home-{username}")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_language_switch_to_english(page, login, demo_users):
    login("caseworker")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Home").first.is_visible()
