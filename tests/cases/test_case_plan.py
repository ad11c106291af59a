"""Case plans (docs/case-plan.md): a plan made from an intake in one step, actions added, changed
and closed, the links that close them, overdue actions in the follow-ups and the site's queue,
handing actions over, a merge, and who may do what."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.merging import person_merge, person_unmerge
from cases.models import PlanAction
from cases.plan import (
    plan_action_close,
    plan_actions_mark_overdue,
    plan_actions_reassign,
    plan_caseload_reassign,
)
from orientation.models import Notification, Program
from services.actions import direct_service_record, referral_create, referral_transition
from services.models import Referral
from services.tasks import referrals_mark_overdue_task
from tests.factories import (
    ConsentFactory,
    IntakeFactory,
    IntakeNeedFactory,
    PartnerFactory,
    PersonFactory,
    PlanActionFactory,
    program,
    second_orientation_site,
    service_type,
    site,
)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def person(ref):
    p = PersonFactory(given_names="Yusmary Andreína", family_names="Rojas Pérez")
    ConsentFactory(person=p)
    return p


@pytest.fixture
def intake(person):
    """An intake with three needs."""
    intake = IntakeFactory(person=person, date=date(2025, 3, 4))
    IntakeNeedFactory(intake=intake, area="documentation", detail="Tramitar el CPP")
    IntakeNeedFactory(intake=intake, area="primary_care", detail="Afiliación al SIS")
    IntakeNeedFactory(intake=intake, area="protection", detail="")
    return intake


@pytest.fixture
def colleague(make_user):
    return make_user("psychosocial", sites=["PAO-LS"], username="colleague", first_name="Rosa")


def key_in(response) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', response.content.decode())
    assert match, "the form carries a submission key"
    return match.group(1)


def plan_post(intake, *, responsible, due, key="", **overrides) -> dict:
    needs = list(intake.needs.order_by("area"))
    data = {
        "plan-TOTAL_FORMS": str(len(needs)),
        "plan-INITIAL_FORMS": str(len(needs)),
        "plan-MIN_NUM_FORMS": "0",
        "plan-MAX_NUM_FORMS": "5",
    }
    if key:
        data["submission_key"] = key
    for index, need in enumerate(needs):
        data[f"plan-{index}-need"] = str(need.pk)
        data[f"plan-{index}-description"] = need.detail or f"Atender {need.area}"
        data[f"plan-{index}-responsible"] = str(responsible.pk)
        data[f"plan-{index}-due_on"] = due.isoformat()
    data.update(overrides)
    return data


# --- Making a plan from an intake ---------------------------------------------------------------------


def test_the_plan_form_has_one_prefilled_row_per_need(intake, caseworker, client_for, today):
    url = reverse("cases:plan_make", args=[intake.person_id, intake.pk])
    response = client_for(caseworker).get(url)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 3
    descriptions = [f.initial["description"] for f in formset.forms]
    # a need without a detail is named by its area, in the page's language
    assert descriptions[:2] == ["Tramitar el CPP", "Afiliación al SIS"]
    assert descriptions[2] in ("Protection", "Protección")
    assert {f.initial["responsible"] for f in formset.forms} == {caseworker.pk}
    assert {f.initial["due_on"] for f in formset.forms} == {today + timedelta(days=14)}


def test_a_plan_is_made_in_one_post_and_a_double_submit_saves_it_once(
    intake, caseworker, colleague, client_for, today
):
    client = client_for(caseworker)
    url = reverse("cases:plan_make", args=[intake.person_id, intake.pk])
    key = key_in(client.get(url))
    due = today + timedelta(days=7)
    data = plan_post(
        intake, responsible=colleague, due=due, key=key, **{"plan-2-responsible": str(caseworker.pk)}
    )
    first = client.post(url, data)
    assert first.status_code == 302 and first["Location"].endswith(f"/people/{intake.person_id}/#plan")
    again = client.post(url, data)
    assert again.status_code == 302
    actions = list(PlanAction.objects.filter(person=intake.person).order_by("area"))
    assert [(a.area, a.description, a.responsible, a.due_on, a.status) for a in actions] == [
        ("documentation", "Tramitar el CPP", colleague, due, "todo"),
        ("primary_care", "Afiliación al SIS", colleague, due, "todo"),
        ("protection", "Atender protection", caseworker, due, "todo"),
    ]
    assert {a.need.intake_id for a in actions} == {intake.pk}
    assert all(a.history.get().history_user == caseworker for a in actions)
    # Every need has its action now: the page says so instead of offering the form again.
    assert client.get(url).status_code == 302


def test_a_bad_row_saves_nothing_and_keeps_what_was_typed(intake, caseworker, make_user, client_for, today):
    stranger = make_user("caseworker", sites=["SCH-01"], username="stranger")
    client = client_for(caseworker)
    url = reverse("cases:plan_make", args=[intake.person_id, intake.pk])
    data = plan_post(
        intake,
        responsible=caseworker,
        due=today + timedelta(days=3),
        **{"plan-1-due_on": (today - timedelta(days=1)).isoformat(), "plan-0-description": "Escrito a mano"},
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert PlanAction.objects.count() == 0
    assert response.context["formset"].forms[1].errors["due_on"]
    assert "Escrito a mano" in response.content.decode()
    # A responsible who does not work at the person's site is not among the choices.
    data = plan_post(intake, responsible=stranger, due=today + timedelta(days=3))
    response = client.post(url, data)
    assert response.status_code == 200 and PlanAction.objects.count() == 0
    assert response.context["formset"].forms[0].errors["responsible"]


def test_only_the_needs_without_an_action_are_offered(intake, caseworker, client_for, today):
    need = intake.needs.get(area="documentation")
    PlanActionFactory(person=intake.person, need=need, area=need.area)
    response = client_for(caseworker).get(reverse("cases:plan_make", args=[intake.person_id, intake.pk]))
    assert [f.need_obj.area for f in response.context["formset"].forms] == ["primary_care", "protection"]


def test_another_persons_intake_is_not_found(intake, caseworker, client_for):
    other = PersonFactory()
    response = client_for(caseworker).get(reverse("cases:plan_make", args=[other.pk, intake.pk]))
    assert response.status_code == 404


# --- Adding, changing and closing actions ---------------------------------------------------------------


def test_add_change_and_close_actions(person, intake, caseworker, colleague, client_for, today):
    client = client_for(caseworker)
    need = intake.needs.get(area="primary_care")
    due = today + timedelta(days=5)
    response = client.post(
        reverse("cases:plan_action_add", args=[person.pk]),
        {
            "need": need.pk,
            "description": "Cita en el centro de salud",
            "responsible": caseworker.pk,
            "due_on": due,
        },
    )
    assert response.status_code == 302
    action = PlanAction.objects.get(person=person)
    assert (action.area, action.need, action.site, action.created_by) == (
        "primary_care",
        need,
        person.site,
        caseworker,
    )

    later = today + timedelta(days=9)
    response = client.post(
        reverse("cases:plan_action_edit", args=[action.pk]),
        {
            "description": "Cita confirmada",
            "responsible": colleague.pk,
            "due_on": later,
            "status": "in_progress",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.description, action.responsible, action.due_on, action.status) == (
        "Cita confirmada",
        colleague,
        later,
        "in_progress",
    )

    close_url = reverse("cases:plan_action_close", args=[action.pk])
    client.post(close_url, {"status": "not_possible", "note": ""})
    action.refresh_from_db()
    assert action.status == "in_progress"  # not possible needs a reason
    client.post(close_url, {"status": "not_possible", "note": "Se mudó a Arequipa"})
    action.refresh_from_db()
    assert (action.status, action.closed_by, action.close_note) == (
        "not_possible",
        caseworker,
        "Se mudó a Arequipa",
    )
    assert action.closed_at is not None
    assert [h.history_user for h in action.history.all()] == [caseworker, caseworker, caseworker]
    # A closed action is not changed any more.
    response = client.post(
        reverse("cases:plan_action_edit", args=[action.pk]),
        {"description": "Otra", "responsible": caseworker.pk, "due_on": later, "status": "todo"},
    )
    action.refresh_from_db()
    assert response.status_code == 302 and action.description == "Cita confirmada"


def test_an_action_needs_a_need_or_an_area(person, caseworker, client_for, today):
    response = client_for(caseworker).post(
        reverse("cases:plan_action_add", args=[person.pk]),
        {"description": "Algo", "responsible": caseworker.pk, "due_on": today + timedelta(days=1)},
    )
    assert response.status_code == 200 and not PlanAction.objects.exists()
    assert response.context["form"].errors["area"]


def test_the_person_page_shows_the_plan_open_actions_first(person, caseworker, client_for, today):
    done = PlanActionFactory(person=person, description="Hecha", due_on=today - timedelta(days=30))
    plan_action_close(user=caseworker, action=done, status="done")
    late = PlanActionFactory(person=person, description="Atrasada", due_on=today - timedelta(days=2))
    soon = PlanActionFactory(person=person, description="Pronto", due_on=today + timedelta(days=2))
    response = client_for(caseworker).get(reverse("cases:person_detail", args=[person.pk]))
    assert [a.pk for a in response.context["plan_actions"]] == [late.pk, soon.pk, done.pk]
    html = response.content.decode()
    assert html.index("Atrasada") < html.index("Pronto") < html.index("Hecha")


@pytest.mark.parametrize("rows", [1, 6])
def test_person_page_queries_do_not_grow_with_the_plan(
    rows, person, caseworker, client_for, page_queries, today
):
    for index in range(rows):
        PlanActionFactory(person=person, responsible=caseworker, due_on=today + timedelta(days=index))
    response = page_queries(
        client_for(caseworker), reverse("cases:person_detail", args=[person.pk]), PERSON_PAGE_QUERIES
    )
    assert len(response.context["plan_actions"]) == rows


# The person page with its plan: the plan's actions in one query (responsible, closer and need
# joined), the intakes still without a plan in another, whatever the number of actions; and the
# case status changes in one.
PERSON_PAGE_QUERIES = 22


# --- Roles ----------------------------------------------------------------------------------------------------


def test_a_coordinator_reads_the_plan_but_does_not_change_it(person, caseworker, coordinator, client_for):
    from tests.factories import DirectServiceFactory

    DirectServiceFactory(person=person, program=program("PAO"))  # how a coordinator reaches the person
    action = PlanActionFactory(person=person, description="Leída por la coordinación")
    client = client_for(coordinator)
    response = client.get(reverse("cases:person_detail", args=[person.pk]))
    assert response.status_code == 200 and "Leída por la coordinación" in response.content.decode()
    assert reverse("cases:plan_action_edit", args=[action.pk]) not in response.content.decode()
    assert client.get(reverse("cases:plan_action_edit", args=[action.pk])).status_code == 403
    assert (
        client.post(reverse("cases:plan_action_close", args=[action.pk]), {"status": "done"}).status_code
        == 403
    )
    action.refresh_from_db()
    assert action.status == "todo"


@pytest.mark.parametrize("role", ["receptionist", "facilitator"])
def test_receptionists_and_facilitators_never_reach_a_plan(role, person, make_user, client_for):
    user = make_user(role, sites=["PAO-LS", "SCH-01"])
    action = PlanActionFactory(person=person)
    client = client_for(user)
    for url in (
        reverse("cases:plan_action_add", args=[person.pk]),
        reverse("cases:plan_action_edit", args=[action.pk]),
        reverse("cases:plan_reassign", args=[person.pk]),
        reverse("cases:caseload_reassign"),
    ):
        assert client.get(url).status_code == 403, url
    with pytest.raises(PermissionDenied):
        plan_action_close(user=user, action=action, status="done")


# --- Links that close an action -------------------------------------------------------------------------------


def test_a_completed_referral_closes_its_action(person, caseworker, today):
    action = PlanActionFactory(person=person, area="primary_care")
    referral = referral_create(
        user=caseworker,
        person=person,
        partner=PartnerFactory(areas=["primary_care"]),
        service_type=service_type("phc-consultation"),
        program=program("PAO"),
        referred_on=today,
        allowed_programs=Program.objects.all(),
        plan_action=action,
    )
    referral_transition(referral=referral, user=caseworker, to_status=Referral.Status.ACCEPTED)
    action.refresh_from_db()
    assert action.status == "todo"  # accepted is not done yet
    referral_transition(
        referral=referral, user=caseworker, to_status=Referral.Status.COMPLETED, completed_on=today
    )
    action.refresh_from_db()
    assert (action.status, action.closed_by) == ("done", caseworker)
    assert referral.code in action.close_note
    assert action.history.first().history_change_reason == "done by a linked record"


def test_a_service_recorded_from_the_form_closes_its_action(person, caseworker, client_for, today):
    action = PlanActionFactory(person=person)
    client = client_for(caseworker)
    url = reverse("services:direct_service_create", args=[person.pk])
    form = client.get(f"{url}?plan_action={action.pk}").context["form"]
    assert form.initial["plan_action"] == action.pk
    assert list(form.fields["plan_action"].queryset) == [action]
    response = client.post(
        url,
        {
            "service_type": service_type("doc-cpp").pk,
            "delivered_on": today.isoformat(),
            "program": program("PAO").pk,
            "plan_action": action.pk,
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done" and action.direct_services.get().person == person


def test_a_record_serves_only_an_open_action_of_its_own_person(person, caseworker, today):
    other = PlanActionFactory(person=PersonFactory())
    with pytest.raises(ValidationError):
        direct_service_record(
            user=caseworker,
            person=person,
            service_type=service_type("doc-cpp"),
            program=program("PAO"),
            delivered_on=today,
            allowed_programs=Program.objects.all(),
            plan_action=other,
        )
    other.refresh_from_db()
    assert other.status == "todo"


def test_a_kept_appointment_closes_its_action(person, caseworker, make_user, today):
    from reception.actions import appointment_book, visit_check_in

    receptionist = make_user("receptionist", sites=["PAO-LS"])
    action = PlanActionFactory(person=person)
    with pytest.raises(PermissionDenied):
        # a receptionist never sees plans, so cannot link one
        appointment_book(
            user=receptionist,
            person=person,
            site=person.site,
            area="documentation",
            staff=caseworker,
            day=today + timedelta(days=1),
            time=time(10, 0),
            plan_action=action,
        )
    appointment = appointment_book(
        user=caseworker,
        person=person,
        site=person.site,
        area="documentation",
        staff=caseworker,
        day=today + timedelta(days=1),
        time=time(10, 0),
        plan_action=action,
    )
    appointment.date = today  # the day comes
    appointment.save()
    now = timezone.make_aware(datetime.combine(today, time(9, 50)))
    visit_check_in(
        user=receptionist, site=person.site, person=person, area="", appointment=appointment, now=now
    )
    action.refresh_from_db()
    assert (action.status, action.closed_by) == ("done", receptionist)


# --- Overdue actions: the daily job, my follow-ups, the site's queue -------------------------------------


def test_the_daily_overdue_job_flags_actions_and_tells_the_responsible_once(person, caseworker, today):
    late = PlanActionFactory(person=person, responsible=caseworker, due_on=today - timedelta(days=1))
    PlanActionFactory(person=person, responsible=caseworker, due_on=today)  # due today: not late
    nobody = PlanActionFactory(person=person, due_on=today - timedelta(days=3))
    result = referrals_mark_overdue_task.delay().get()
    assert (result["plan_marked"], result["plan_cleared"], result["plan_notified"]) == (2, 0, 1)
    assert set(PlanAction.objects.filter(is_overdue=True).values_list("pk", flat=True)) == {
        late.pk,
        nobody.pk,
    }
    note = Notification.objects.get(user=caseworker)
    assert note.key == f"plan-action-overdue:{late.pk}:{late.due_on.isoformat()}"
    assert person.family_names not in note.message and late.description not in note.message
    assert plan_actions_mark_overdue() == {"marked": 0, "cleared": 0, "notified": 0}
    plan_action_close(user=caseworker, action=late, status="done")
    assert plan_actions_mark_overdue()["cleared"] == 0  # closing clears the flag itself
    assert Notification.objects.count() == 1


def test_my_follow_ups_list_my_open_actions(person, caseworker, colleague, client_for, today):
    mine_late = PlanActionFactory(person=person, responsible=caseworker, due_on=today - timedelta(days=1))
    mine = PlanActionFactory(person=person, responsible=caseworker, due_on=today + timedelta(days=3))
    PlanActionFactory(person=person, responsible=colleague)
    closed = PlanActionFactory(person=person, responsible=caseworker)
    plan_action_close(user=caseworker, action=closed, status="done")
    client = client_for(caseworker)
    response = client.get(reverse("services:followups"))
    assert [a.pk for a in response.context["plan_page"]] == [mine_late.pk, mine.pk]
    assert response.context["plan_summary"] == {"open": 2, "overdue": 1}
    response = client.get(reverse("services:followups") + "?overdue=1")
    assert [a.pk for a in response.context["plan_page"]] == [mine_late.pk]


def test_the_sites_overdue_queue_lists_overdue_actions_beside_referrals(
    person, caseworker, make_user, client_for, today
):
    late = PlanActionFactory(person=person, responsible=caseworker, due_on=today - timedelta(days=4))
    PlanActionFactory(person=person, due_on=today + timedelta(days=1))
    elsewhere = PlanActionFactory(person=PersonFactory(site=site("SCH-01")), due_on=today - timedelta(days=9))
    response = client_for(caseworker).get(reverse("services:overdue_queue"))
    assert [a.pk for a in response.context["plan_page"]] == [late.pk]
    html = response.content.decode()
    assert late.description in html and f"/people/{person.pk}/#plan" in html
    admin = make_user("admin")
    response = client_for(admin).get(reverse("services:overdue_queue"))
    assert {a.pk for a in response.context["plan_page"]} == {late.pk, elsewhere.pk}


@pytest.mark.parametrize("rows", [1, 6])
def test_followups_queries_do_not_grow(rows, person, caseworker, client_for, page_queries, today):
    for index in range(rows):
        PlanActionFactory(person=person, responsible=caseworker, due_on=today - timedelta(days=index + 1))
    response = page_queries(client_for(caseworker), reverse("services:followups"), FOLLOWUPS_QUERIES)
    assert len(response.context["plan_page"]) == rows


@pytest.mark.parametrize("rows", [1, 6])
def test_overdue_queue_queries_do_not_grow(rows, person, caseworker, client_for, page_queries, today):
    for index in range(rows):
        PlanActionFactory(
            person=PersonFactory(), responsible=caseworker, due_on=today - timedelta(days=index + 1)
        )
    response = page_queries(client_for(caseworker), reverse("services:overdue_queue"), OVERDUE_QUERIES)
    assert len(response.context["plan_page"]) == rows


# The follow-ups and the overdue queue with the plan's actions beside the referrals: one query for
# the page of actions (person, site and responsible joined) and one to count them (the summary on
# the follow-ups page: open and overdue in one aggregate), whatever the number of rows.
FOLLOWUPS_QUERIES = 10
OVERDUE_QUERIES = 9


# --- Handing actions over -----------------------------------------------------------------------------------


def test_a_caseworker_hands_a_persons_open_actions_to_a_colleague(
    person, caseworker, colleague, make_user, client_for
):
    open_one = PlanActionFactory(person=person, responsible=caseworker)
    closed = PlanActionFactory(person=person, responsible=caseworker)
    plan_action_close(user=caseworker, action=closed, status="done")
    response = client_for(caseworker).post(
        reverse("cases:plan_reassign", args=[person.pk]), {"to_user": colleague.pk}
    )
    assert response.status_code == 302
    open_one.refresh_from_db()
    closed.refresh_from_db()
    assert (open_one.responsible, closed.responsible) == (colleague, caseworker)
    assert open_one.history.first().history_user == caseworker
    stranger = make_user("caseworker", sites=["SCH-01"])
    with pytest.raises(ValidationError):
        plan_actions_reassign(user=caseworker, person=person, to_user=stranger)


def test_a_coordinator_hands_a_whole_caseload_over(
    caseworker, colleague, coordinator, make_user, client_for, today
):
    leaving = caseworker
    people = [PersonFactory() for _ in range(3)]
    for p in people:
        PlanActionFactory(person=p, responsible=leaving)
    elsewhere = PlanActionFactory(person=PersonFactory(site=site("SCH-01")), responsible=leaving)
    client = client_for(coordinator)
    url = reverse("cases:caseload_reassign") + f"?site={site('PAO-LS').pk}"
    response = client.get(url)
    assert response.status_code == 200
    assert [(r["user"], r["open"]) for r in response.context["caseloads"]] == [(leaving, 3)]
    response = client.post(url, {"site": site("PAO-LS").pk, "from_user": leaving.pk, "to_user": colleague.pk})
    assert response.status_code == 302
    assert PlanAction.objects.filter(responsible=colleague).count() == 3
    elsewhere.refresh_from_db()
    assert elsewhere.responsible == leaving  # another site's caseload is not touched
    assert client_for(caseworker).get(reverse("cases:caseload_reassign")).status_code == 403
    balon = make_user("coordinator", programs=["BALON"], username="coord-balon")
    with pytest.raises(PermissionDenied):
        plan_caseload_reassign(
            user=balon, site=second_orientation_site(), from_user=colleague, to_user=leaving
        )


# --- A merge ----------------------------------------------------------------------------------------------


def test_a_merge_moves_plan_actions_and_an_unmerge_puts_them_back(caseworker, make_user):
    first = PersonFactory(given_names="Ana", family_names="Mora Díaz", birth_date=date(1990, 1, 1))
    second = PersonFactory(given_names="Ana", family_names="Mora Díaz", birth_date=date(1990, 1, 1))
    kept = PlanActionFactory(person=first)
    moved = PlanActionFactory(person=second)
    merge = person_merge(user=caseworker, survivor_id=first.pk, merged_id=second.pk)
    moved.refresh_from_db()
    assert moved.person_id == first.pk and kept.person_id == first.pk
    person_unmerge(user=make_user("admin"), merge_id=merge.pk)
    moved.refresh_from_db()
    assert moved.person_id == second.pk
