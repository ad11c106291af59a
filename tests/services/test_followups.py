"""Follow-up work: my follow-ups, the overdue queue per site, the home widget, the rates page,
and the number of queries each one makes (it must not grow with the rows)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from services.actions import referral_follow_up_log, referral_transition
from tests.factories import PartnerFactory, PersonFactory, PlanActionFactory, service_type, site

from .conftest import referral_state


def _referrals(make_referral, n, *, responsible, due, **kwargs):
    return [
        make_referral(person=PersonFactory(), responsible=responsible, follow_up_due=due, **kwargs)
        for _ in range(n)
    ]


def test_my_followups_are_mine_open_and_due_first(make_referral, caseworker, make_user, client_for, today):
    colleague = make_user("caseworker", sites=["PAO-LS"])
    late = make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=3))
    soon = make_referral(responsible=caseworker, follow_up_due=today + timedelta(days=2))
    no_date = make_referral(responsible=caseworker, follow_up_due=None)
    make_referral(responsible=caseworker, status="completed")
    make_referral(responsible=colleague, follow_up_due=today - timedelta(days=9))
    response = client_for(caseworker).get(reverse("services:followups"))
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [late, soon, no_date]
    assert response.context["summary"] == {"open": 3, "overdue": 1}
    only_overdue = client_for(caseworker).get(reverse("services:followups") + "?overdue=1")
    assert list(only_overdue.context["page_obj"]) == [late]


def test_followups_search_by_code_or_name(make_referral, caseworker, client_for, today):
    a = make_referral(
        person=PersonFactory(given_names="Génesis", family_names="Zambrano"), responsible=caseworker
    )
    b = make_referral(
        person=PersonFactory(given_names="Carlos", family_names="Paredes"), responsible=caseworker
    )
    client = client_for(caseworker)
    assert list(client.get(reverse("services:followups"), {"q": "genesis"}).context["page_obj"]) == [a]
    assert list(client.get(reverse("services:followups"), {"q": b.code.lower()}).context["page_obj"]) == [b]
    empty = client.get(reverse("services:followups"), {"q": "nadie"})
    assert list(empty.context["page_obj"]) == []
    assert "empty-state" in empty.content.decode()


def test_followups_empty_state(caseworker, client_for):
    response = client_for(caseworker).get(reverse("services:followups"))
    assert "empty-state" in response.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_followups_queries_do_not_grow(
    make_referral, caseworker, client_for, django_assert_num_queries, rows
):
    _referrals(make_referral, rows, responsible=caseworker, due=date(2025, 3, 1))
    for _ in range(rows):
        PlanActionFactory(person=PersonFactory(), responsible=caseworker, due_on=date(2025, 3, 1))
    client = client_for(caseworker)
    # 8 for the referrals; 3 for the actions of case plans beside them (their summary, their count
    # and their page).
    with django_assert_num_queries(11):
        response = client.get(reverse("services:followups"))
    assert len(response.context["page_obj"]) == min(rows, 25)
    assert len(response.context["plan_page"]) == min(rows, 25)


def test_overdue_queue_per_site(make_referral, caseworker, make_user, client_for, today, other_site_person):
    late = make_referral(follow_up_due=today - timedelta(days=5))
    later = make_referral(follow_up_due=today - timedelta(days=1))
    make_referral(follow_up_due=today)  # due today: not overdue yet
    make_referral(status="accepted", follow_up_due=today + timedelta(days=1))
    make_referral(status="completed", follow_up_due=today - timedelta(days=30))
    make_referral(person=other_site_person, follow_up_due=today - timedelta(days=30))
    response = client_for(caseworker).get(reverse("services:overdue_queue"))
    assert response.status_code == 200
    assert response.context["site"].code == "PAO-LS"
    assert list(response.context["page_obj"]) == [late, later]


def test_overdue_queue_site_filter_for_a_coordinator(
    make_referral, coordinator, client_for, today, other_site_person
):
    pao = make_referral(follow_up_due=today - timedelta(days=5))
    school = make_referral(person=other_site_person, follow_up_due=today - timedelta(days=2))
    client = client_for(coordinator)
    assert list(client.get(reverse("services:overdue_queue")).context["page_obj"]) == [pao, school]
    only_school = client.get(reverse("services:overdue_queue"), {"site": site("SCH-01").pk})
    assert list(only_school.context["page_obj"]) == [school]


def test_overdue_queue_refuses_a_site_not_mine(caseworker, client_for):
    response = client_for(caseworker).get(reverse("services:overdue_queue"), {"site": site("SCH-01").pk})
    assert response.status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_overdue_queue_queries_do_not_grow(
    make_referral, caseworker, client_for, django_assert_num_queries, rows, today
):
    _referrals(make_referral, rows, responsible=caseworker, due=today - timedelta(days=2))
    for _ in range(rows):
        PlanActionFactory(person=PersonFactory(), responsible=caseworker, due_on=today - timedelta(days=2))
    client = client_for(caseworker)
    # 8 for the referrals; 2 for the overdue actions of case plans beside them (count and page).
    with django_assert_num_queries(10):
        response = client.get(reverse("services:overdue_queue"))
    assert len(response.context["page_obj"]) == min(rows, 25)
    assert len(response.context["plan_page"]) == min(rows, 25)


def test_follow_up_contact_moves_the_due_date(make_referral, caseworker, client_for, today):
    referral = make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=2), is_overdue=True)
    next_due = today + timedelta(days=7)
    response = client_for(caseworker).post(
        reverse("services:referral_follow_up", args=[referral.pk]),
        {"note": "Llamé: tiene cita el viernes.", "next_due": next_due.isoformat()},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.follow_up_due, referral.is_overdue) == (next_due, False)
    follow_up = referral.follow_ups.get()
    assert (follow_up.by, follow_up.note) == (caseworker, "Llamé: tiene cita el viernes.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": ""}, "required"),
        ({"note": "ok", "next_due": "2020-01-01"}, "cannot be in the past"),
    ],
)
def test_follow_up_bad_input(make_referral, caseworker, client_for, data, message):
    referral = make_referral()
    client = client_for(caseworker)
    client.post(reverse("set_language"), {"language": "en"})
    before = referral_state(referral)
    response = client.post(reverse("services:referral_follow_up", args=[referral.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert referral_state(referral) == before


def test_no_follow_up_on_a_closed_referral(make_referral, caseworker, client_for):
    referral = make_referral(status="declined")
    before = referral_state(referral)
    response = client_for(caseworker).post(
        reverse("services:referral_follow_up", args=[referral.pk]), {"note": "Nada"}
    )
    assert response.status_code == 400
    assert referral_state(referral) == before


def test_hand_over_the_follow_up(make_referral, caseworker, make_user, client_for):
    colleague = make_user("psychosocial", sites=["PAO-LS"])
    outsider = make_user("caseworker", sites=["SCH-01"])
    referral = make_referral(responsible=caseworker)
    client = client_for(caseworker)
    url = reverse("services:referral_responsible", args=[referral.pk])
    assert client.post(url, {"responsible": outsider.pk}).status_code == 400
    referral.refresh_from_db()
    assert referral.responsible == caseworker
    assert client.post(url, {"responsible": colleague.pk}).status_code == 302
    referral.refresh_from_db()
    assert referral.responsible == colleague


@pytest.mark.parametrize("rows", [3, 30])
def test_referral_detail_queries_do_not_grow(
    make_referral, caseworker, client_for, django_assert_num_queries, rows, today
):
    referral = make_referral(responsible=caseworker)
    for i in range(rows):
        referral_follow_up_log(referral=referral, user=caseworker, note=f"Llamada {i}", next_due=None)
    referral_transition(referral=referral, user=caseworker, to_status="accepted")
    client = client_for(caseworker)
    with django_assert_num_queries(10):
        response = client.get(reverse("services:referral_detail", args=[referral.pk]))
    assert len(response.context["timeline"]) == rows + 2


@pytest.mark.parametrize("rows", [3, 30])
def test_person_services_queries_do_not_grow(
    make_referral, person, psychosocial, client_for, django_assert_num_queries, rows
):
    from tests.factories import DirectServiceFactory

    for _ in range(rows):
        make_referral(person=person)
        DirectServiceFactory(person=person)
    client = client_for(psychosocial)
    with django_assert_num_queries(12):
        response = client.get(reverse("services:person_services", args=[person.pk]))
    assert len(response.context["referrals"]) == min(rows, 25)
    assert len(response.context["services"]) == min(rows, 25)


# --- The home widget -------------------------------------------------------------------------------


def _render_widget(user):
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load services_tags %}{% followups_widget %}").render(Context({"request": request}))


def test_widget_shows_my_followups_and_overdue_count(make_referral, caseworker, today):
    make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=1))
    make_referral(responsible=caseworker, follow_up_due=today - timedelta(days=8))
    make_referral(responsible=caseworker, follow_up_due=today + timedelta(days=5))
    html = _render_widget(caseworker)
    assert 'data-testid="followups-widget"' in html
    assert 'data-testid="overdue-count"' in html and ">2 " in html
    assert html.count("/services/referrals/") == 3


@pytest.mark.parametrize("role", ["facilitator", "coordinator"])
def test_widget_is_empty_for_roles_without_followups(make_user, role):
    assert _render_widget(make_user(role)).strip() == ""


@pytest.mark.parametrize("rows", [3, 30])
def test_widget_queries_do_not_grow(make_referral, caseworker, django_assert_num_queries, rows, today):
    _referrals(make_referral, rows, responsible=caseworker, due=today - timedelta(days=1))
    # The referrals and their counts, then the plan actions due this week and their counts.
    with django_assert_num_queries(6):
        _render_widget(caseworker)


WEDNESDAY = date(2026, 11, 25)  # its week runs to Sunday the 29th


@pytest.fixture
def on_a_wednesday(monkeypatch):
    """The widget's "today" on a fixed Wednesday, so that "later this week" has days in it."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: WEDNESDAY)
    return WEDNESDAY


def _plan_action(user, due, **kwargs):
    return PlanActionFactory(responsible=user, due_on=due, **kwargs)


def test_widget_shows_my_plan_actions_overdue_today_and_this_week(caseworker, make_user, on_a_wednesday):
    today = on_a_wednesday
    late = _plan_action(caseworker, today - timedelta(days=3), description="Llamar al consulado")
    due_today = _plan_action(caseworker, today, description="Cita en Migraciones")
    sunday = _plan_action(caseworker, today + timedelta(days=4), description="Visita domiciliaria")
    _plan_action(caseworker, today + timedelta(days=5), description="El lunes siguiente")
    _plan_action(
        caseworker,
        today - timedelta(days=9),
        description="Ya cerrada",
        status="done",
        closed_at=timezone.now(),
    )
    _plan_action(
        make_user("caseworker", sites=["PAO-LS"]), today - timedelta(days=2), description="De otra persona"
    )
    html = _render_widget(caseworker)
    assert 'data-testid="plan-due"' in html
    assert html.count('data-testid="plan-due-action"') == 3
    # Due first, each linking to the person's plan.
    assert (
        html.index("Llamar al consulado")
        < html.index("Cita en Migraciones")
        < html.index("Visita domiciliaria")
    )
    for action in (late, due_today, sunday):
        assert f'href="/people/{action.person_id}/#plan"' in html
    assert "El lunes siguiente" not in html and "Ya cerrada" not in html and "De otra persona" not in html
    assert re.search(r'data-testid="plan-overdue-count">1 ', html)
    assert re.search(r'data-testid="plan-today-count">1 ', html)
    assert re.search(r'data-testid="plan-week-count">1 ', html)


def test_widget_plan_actions_keep_the_plan_pages_scope(caseworker, on_a_wednesday, other_site_person):
    """An action the user is still responsible for at a site they no longer work at is not theirs
    to open: the plan pages leave it out, and so does the widget."""
    _plan_action(
        caseworker, on_a_wednesday - timedelta(days=1), person=other_site_person, description="En el colegio"
    )
    html = _render_widget(caseworker)
    assert "En el colegio" not in html
    assert 'data-testid="plan-overdue-count"' not in html
    assert "Ninguna acción de plan de caso a su cargo está vencida ni vence esta semana." in html


def test_home_page_links_a_due_plan_action_to_the_persons_plan(caseworker, client_for, on_a_wednesday):
    action = _plan_action(caseworker, on_a_wednesday, description="Cita en Migraciones")
    response = client_for(caseworker).get(reverse("home"))
    content = response.content.decode()
    assert f'href="/people/{action.person_id}/#plan"' in content
    assert "vence hoy" in content  # Spanish by default


@pytest.mark.parametrize("rows", [3, 30])
def test_widget_queries_do_not_grow_with_plan_actions(
    make_referral, caseworker, django_assert_num_queries, rows, on_a_wednesday
):
    _referrals(make_referral, rows, responsible=caseworker, due=on_a_wednesday - timedelta(days=1))
    for i in range(rows):
        _plan_action(caseworker, on_a_wednesday + timedelta(days=i % 7 - 2))
    with django_assert_num_queries(6):
        html = _render_widget(caseworker)
    assert html.count('data-testid="plan-due-action"') == min(rows, 5)


@pytest.mark.parametrize("rows", [3, 30])
def test_home_page_queries_do_not_grow_with_followups_and_plan_actions(
    make_referral, caseworker, client_for, django_assert_num_queries, rows, on_a_wednesday
):
    _referrals(make_referral, rows, responsible=caseworker, due=on_a_wednesday - timedelta(days=1))
    for i in range(rows):
        _plan_action(caseworker, on_a_wednesday + timedelta(days=i % 7 - 2))
    client = client_for(caseworker)
    # The session, the user, the roles, the sites, the unread notifications, today's intakes and
    # their count, then the card: the referrals and their counts, the plan actions due this week
    # and their counts.
    with django_assert_num_queries(11):
        response = client.get(reverse("home"))
    assert response.content.decode().count('data-testid="plan-due-action"') == min(rows, 5)


# --- Completion rates -------------------------------------------------------------------------------


def test_rates_per_partner_and_service(make_referral, coordinator, client_for, today):
    health = PartnerFactory(code="salud", name="Centro de Salud")
    cepr = PartnerFactory(code="cepr-t", name="CEPR")
    for status in ["completed", "completed", "declined", "pending", "cancelled"]:
        make_referral(partner=health, status=status, referred_on=today - timedelta(days=20))
    make_referral(partner=cepr, status="no_show", service_type=service_type("doc-refugee"), referred_on=today)
    response = client_for(coordinator).get(reverse("services:referral_stats"))
    assert response.status_code == 200
    stats = response.context["stats"]
    by_partner = {row["partner_name"]: row for row in stats["by_partner"]}
    assert by_partner["Centro de Salud"]["total"] == 4  # cancelled left out
    assert by_partner["Centro de Salud"]["completed"] == 2
    assert by_partner["Centro de Salud"]["rate"] == 50
    assert by_partner["Centro de Salud"]["rate_closed"] == 67  # 2 of 3 with a final answer
    assert by_partner["CEPR"]["no_show"] == 1 and by_partner["CEPR"]["rate"] == 0
    by_service = {row["service_name"]: row["total"] for row in stats["by_service"]}
    assert by_service == {"Consulta de atención primaria": 4, "Orientación para solicitud de refugio": 1}
    assert stats["totals"]["total"] == 5 and stats["totals"]["completed"] == 2


def test_rates_filters(make_referral, coordinator, client_for):
    make_referral(status="completed", referred_on=date(2025, 1, 10))
    make_referral(status="completed", referred_on=date(2025, 3, 10))
    client = client_for(coordinator)
    url = reverse("services:referral_stats")
    stats = client.get(url, {"date_from": "2025-03-01", "date_to": "2025-03-31"}).context["stats"]
    assert stats["totals"]["total"] == 1
    stats = client.get(url, {"date_from": "2024-01-01", "program": 999999}).context["stats"]
    assert stats["totals"]["total"] == 2  # an unknown program is a form error: the filter is ignored
    bad = client.get(url, {"date_from": "2025-03-31", "date_to": "2025-03-01"})
    assert "date_to" in bad.context["form"].errors


def test_rates_are_scoped_to_the_coordinators_programs(
    make_referral, make_user, client_for, other_site_person
):
    from tests.factories import program

    make_referral(referred_on=date(2025, 3, 10))  # PAO's, at PAO-LS: not SALUD's data
    make_referral(referred_on=date(2025, 3, 11), program=program("SALUD"))
    make_referral(person=other_site_person, referred_on=date(2025, 3, 10), program=program("SALUD"))
    salud_only = make_user("coordinator", programs=["SALUD"])  # SALUD runs at PAO-LS only
    stats = (
        client_for(salud_only)
        .get(reverse("services:referral_stats"), {"date_from": "2024-01-01"})
        .context["stats"]
    )
    assert stats["totals"]["total"] == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_rates_queries_do_not_grow(
    make_referral, coordinator, client_for, django_assert_num_queries, rows, today
):
    for i in range(rows):
        make_referral(partner=PartnerFactory(), referred_on=today, status="completed" if i % 2 else "pending")
    client = client_for(coordinator)
    with django_assert_num_queries(11):
        response = client.get(reverse("services:referral_stats"))
    assert len(response.context["stats"]["by_partner"]) == rows


def test_overdue_queue_beyond_the_cap_says_more_than(
    make_referral, caseworker, client_for, today, monkeypatch
):
    monkeypatch.setattr("orientation.paginator.LIST_CAP", 3)
    for _ in range(4):
        make_referral(follow_up_due=today - timedelta(days=2))
    response = client_for(caseworker).get(reverse("services:overdue_queue"))
    assert response.context["page_obj"].paginator.capped
    assert "Más de 3 derivaciones vencidas".encode() in response.content
