"""The main pages as a caseworker sees them on a 1024x768 tablet and a facilitator on a 390x844
phone, in Spanish: screenshots in test-artifacts/screenshots (tablet-*, phone-*) and the layout
defects found on them checked."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Vulnerability
from orientation.dates import first_of_month
from reports.actions import monthly_figures_compute
from seeds.demo import ensure_demo_users, load_demo_data
from services.sport.models import SportSession
from tests.factories import ConsentFactory, PersonFactory, ReferralFactory, site


def demo_figures_compute():
    """Last month's figures, as the nightly job leaves them: the dashboard's widest state."""
    last_month = first_of_month(timezone.localdate()) - timedelta(days=1)
    monthly_figures_compute(month=last_month)


TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}

# Each profile label on one line, and its value beside it with a gap or below it.
PROFILE_LAYOUT = """() => [...document.querySelector('.bi-person-lines-fill').closest('.card').querySelectorAll('dt')].map(dt => {
  const dd = dt.nextElementSibling.getBoundingClientRect(), box = dt.getBoundingClientRect();
  const oneLine = box.height < 1.6 * parseFloat(getComputedStyle(dt).lineHeight);
  const apart = dd.left >= box.right + 4 || dd.top >= box.bottom - 1;
  return {label: dt.innerText, oneLine, apart};
})"""


@pytest.fixture
def tablet_data(ref):
    load_demo_data(people=30)
    ensure_demo_users()
    demo_figures_compute()
    person = PersonFactory(
        given_names="Valentina Sofía",
        family_names="Gutiérrez Ramírez",
        birth_date=date(2015, 6, 1),
        site=site("PAO-LS"),
    )
    person.vulnerabilities.add(*Vulnerability.objects.filter(code__in=["unaccompanied_child", "gbv_risk"]))
    ConsentFactory(
        person=person,
        purpose="data_processing",
        given_by="guardian",
        guardian_name="Rosa Gutiérrez",
        guardian_relationship="Madre",
    )
    referral = ReferralFactory(person=person)
    return person, referral


def new_page(browser, live_server, viewport, username):
    context = browser.new_context(viewport=viewport, locale="es-PE")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "orienta-demo")
    page.click("button[type=submit]:not([name=language])")
    page.wait_for_load_state("networkidle")
    return context, page


def shot(page, screenshot, live_server, url, name):
    page.goto(f"{live_server.url}{url}")
    page.wait_for_load_state("networkidle")
    screenshot(page, name)


def test_the_person_page_on_a_tablet(browser, live_server, screenshot, tablet_data):
    person, referral = tablet_data
    context, page = new_page(browser, live_server, TABLET, "caseworker")
    try:
        shot(
            page,
            screenshot,
            live_server,
            reverse("cases:person_detail", args=[person.pk]),
            "tablet-person-detail",
        )
        layout = page.evaluate(PROFILE_LAYOUT)
        assert layout and all(row["oneLine"] and row["apart"] for row in layout), layout
        consents = page.locator("text=Rosa Gutiérrez").first.inner_text()
        assert "Rosa Gutiérrez (madre)" in consents, consents

        # The status form: until "completed" is chosen, the comment takes the whole row.
        shot(
            page,
            screenshot,
            live_server,
            reverse("services:referral_detail", args=[referral.pk]),
            "tablet-referral-detail",
        )
        form = page.locator("[data-testid=transition-form]").bounding_box()
        comment = page.locator("[data-testid=transition-form] [name=comment]").bounding_box()
        assert comment["width"] > 0.9 * form["width"], (comment, form)
        page.click("[data-testid=transition-form] input[name=to_status][value=completed] + label")
        assert page.locator("[data-testid=transition-form] input[name=completed_on]").is_visible()
    finally:
        context.close()


def test_main_pages_on_a_tablet(browser, live_server, screenshot, tablet_data):
    context, page = new_page(browser, live_server, TABLET, "caseworker")
    try:
        for url, name in [
            ("/", "tablet-home-caseworker"),
            (reverse("cases:person_list"), "tablet-people"),
            (reverse("cases:person_register"), "tablet-register"),
            (reverse("cases:intake_today"), "tablet-today"),
            (reverse("services:followups"), "tablet-follow-ups"),
        ]:
            shot(page, screenshot, live_server, url, name)
        # The menu folds into its button on a tablet; opened, every entry and the EN button show.
        page.click(".navbar-toggler")
        page.locator("#mainnav.show").wait_for()
        page.locator("button[name=language][value=en]").wait_for(state="visible")
        screenshot(page, "tablet-menu-open")
    finally:
        context.close()
    context, page = new_page(browser, live_server, TABLET, "coordinator")
    try:
        shot(page, screenshot, live_server, reverse("reports:dashboard"), "tablet-dashboard")
        shot(page, screenshot, live_server, reverse("services:referral_stats"), "tablet-referral-rates")
    finally:
        context.close()


def test_main_pages_on_the_facilitators_phone(browser, live_server, screenshot, tablet_data):
    session = (
        SportSession.objects.filter(group__facilitators__username="facilitator").order_by("-date").first()
    )
    context, page = new_page(browser, live_server, PHONE, "facilitator")
    try:
        shot(page, screenshot, live_server, "/", "phone-home-facilitator")
        shot(page, screenshot, live_server, reverse("sport:sport_group_list"), "phone-sport-groups")
        shot(
            page,
            screenshot,
            live_server,
            reverse("sport:sport_group_detail", args=[session.group_id]),
            "phone-sport-group",
        )
        shot(
            page,
            screenshot,
            live_server,
            reverse("sport:sport_attendance", args=[session.pk]),
            "phone-attendance",
        )
    finally:
        context.close()


def test_the_duplicates_review_and_a_pair_on_a_tablet(browser, live_server, screenshot, tablet_data):
    from django.contrib.auth import get_user_model

    from cases.selectors import duplicate_pairs_for_user

    pair = duplicate_pairs_for_user(get_user_model().objects.get(username="caseworker"))[0]
    context, page = new_page(browser, live_server, TABLET, "caseworker")
    try:
        for url, name in [
            (reverse("cases:duplicate_review"), "tablet-duplicates-review"),
            (reverse("cases:duplicate_pair", args=[pair.first.pk, pair.second.pk]), "tablet-duplicate-pair"),
        ]:
            shot(page, screenshot, live_server, url, name)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    finally:
        context.close()
