"""A person's case status (cases/case_status.py): closing with a reason after seeing what is still
open, reopening, who may do it, the people list's status filter, the queues, the notice of
activity after closing, and the figures (which count contacts, not cases)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.case_status import OpenItemsChanged, case_close, case_reopen
from cases.models import CaseStatusChange, Person
from cases.selectors import case_open_items
from reception.models import Appointment
from tests.factories import (
    DirectServiceFactory,
    PersonFactory,
    ReferralFactory,
    site,
)

pytestmark = pytest.mark.django_db

LIST = reverse("cases:person_list")


@pytest.fixture(autouse=True)
def _pages_in_english(settings):
    """The pages speak Spanish by default; these tests read the English source strings."""
    settings.LANGUAGE_CODE = "en"


def _close_url(person):
    return reverse("cases:case_close", args=[person.pk])


def _reopen_url(person):
    return reverse("cases:case_reopen", args=[person.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The actions --------------------------------------------------------------------------------


def test_closing_keeps_a_row_and_the_change_history(caseworker):
    person = PersonFactory()
    assert person.case_status == "open"  # everyone starts open

    change = case_close(user=caseworker, person=person, reason="needs_met", note="  Recibió su CPP.  ")

    person.refresh_from_db()
    assert person.case_status == "closed"
    row = CaseStatusChange.objects.get(person=person)
    assert row == change
    assert (row.from_status, row.to_status, row.reason, row.reason_other, row.note, row.changed_by) == (
        "open",
        "closed",
        "needs_met",
        "",
        "Recibió su CPP.",
        caseworker,
    )
    # in the change history of the person and of the row, stamped with the user
    latest = person.history.first()
    assert (latest.case_status, latest.history_user, latest.history_change_reason) == (
        "closed",
        caseworker,
        "case closed",
    )
    assert row.history.get().history_user == caseworker


@pytest.mark.parametrize(
    ("reason", "other", "field"),
    [("", "", "reason"), ("other", "   ", "reason_other"), ("nonsense", "", "reason")],
)
def test_a_closing_needs_a_valid_reason_and_words_for_other(caseworker, reason, other, field):
    person = PersonFactory()
    with pytest.raises(ValidationError) as error:
        case_close(user=caseworker, person=person, reason=reason, reason_other=other)
    assert field in error.value.message_dict
    person.refresh_from_db()
    assert person.case_status == "open" and not CaseStatusChange.objects.exists()


def test_other_reason_keeps_its_words_and_a_listed_reason_drops_them(caseworker):
    first, second = PersonFactory(), PersonFactory()
    case_close(user=caseworker, person=first, reason="other", reason_other="  Viajó   a Chile ")
    case_close(user=caseworker, person=second, reason="moved", reason_other="ignored")
    assert CaseStatusChange.objects.get(person=first).reason_display == "Other: Viajó a Chile"
    assert CaseStatusChange.objects.get(person=second).reason_other == ""


def test_reopening_with_an_optional_note_and_each_change_once(caseworker, psychosocial):
    person = PersonFactory()
    case_close(user=caseworker, person=person, reason="lost_contact")
    with pytest.raises(ValidationError):
        case_close(user=psychosocial, person=person, reason="needs_met")
    case_reopen(user=psychosocial, person=person, note="Volvió por una nueva necesidad")
    with pytest.raises(ValidationError):
        case_reopen(user=caseworker, person=person)
    person.refresh_from_db()
    assert person.case_status == "open"
    story = list(CaseStatusChange.objects.filter(person=person).order_by("changed_at", "pk"))
    assert [(r.from_status, r.to_status, r.reason, r.note, r.changed_by) for r in story] == [
        ("open", "closed", "lost_contact", "", caseworker),
        ("closed", "open", "", "Volvió por una nueva necesidad", psychosocial),
    ]
    assert [h.case_status for h in person.history.order_by("history_id")][-2:] == ["closed", "open"]


@pytest.mark.parametrize("role", ["coordinator", "facilitator", "receptionist", None])
def test_roles_that_may_not_close_or_reopen(make_user, role):
    user = make_user(role, sites=["PAO-LS"])
    person = PersonFactory()
    with pytest.raises(PermissionDenied):
        case_close(user=user, person=person, reason="needs_met")
    Person.objects.filter(pk=person.pk).update(case_status="closed")
    with pytest.raises(PermissionDenied):
        case_reopen(user=user, person=person)
    assert not CaseStatusChange.objects.exists()


def test_another_sites_person_is_not_closed_even_after_breaking_the_glass(caseworker, admin_user):
    from cases.actions import person_break_glass

    other = PersonFactory(site=site("SCH-02"))
    person_break_glass(user=caseworker, person=other, reason="Llamó su hermana desde la escuela")
    with pytest.raises(PermissionDenied):
        case_close(user=caseworker, person=other, reason="needs_met")
    # an admin, as everywhere in Orienta, may
    case_close(user=admin_user, person=other, reason="deceased")
    assert Person.objects.get(pk=other.pk).case_status == "closed"


# --- What is still open -----------------------------------------------------------------------------


def _open_work(person, staff):
    today = timezone.localdate()
    pending = ReferralFactory(person=person, status="pending")
    ReferralFactory(person=person, status="declined")
    booked = Appointment.objects.create(
        person=person,
        site=person.site,
        area="documentation",
        staff=staff,
        date=today + timedelta(days=3),
        time=time(9),
    )
    Appointment.objects.create(
        person=person,
        site=person.site,
        area="documentation",
        staff=staff,
        date=today + timedelta(days=4),
        time=time(10),
        status="cancelled",
    )
    return pending, booked


def test_open_items_are_open_referrals_and_booked_appointments(caseworker):
    person = PersonFactory()
    pending, booked = _open_work(person, caseworker)
    items = case_open_items(caseworker, person)
    assert [i.key for i in items] == [f"referral:{pending.pk}", f"appointment:{booked.pk}"]
    assert items[0].url == reverse("services:referral_detail", args=[pending.pk])


def test_something_opened_meanwhile_stops_the_closing(caseworker):
    person = PersonFactory()
    first = ReferralFactory(person=person)
    ReferralFactory(person=person)  # made while the caseworker was reading the list
    with pytest.raises(OpenItemsChanged):
        case_close(user=caseworker, person=person, reason="needs_met", items_seen={f"referral:{first.pk}"})
    assert Person.objects.get(pk=person.pk).case_status == "open"


# --- The pages ------------------------------------------------------------------------------------


def test_the_close_page_shows_what_is_open_and_asks_to_confirm(client_for, caseworker):
    person = PersonFactory()
    pending, booked = _open_work(person, caseworker)
    client = client_for(caseworker)
    response = client.get(_close_url(person))
    assert response.status_code == 200
    assert [i.key for i in response.context["open_items"]] == [
        f"referral:{pending.pk}",
        f"appointment:{booked.pk}",
    ]
    assert response.content.decode().count('data-testid="open-item"') == 2
    seen = f"referral:{pending.pk},appointment:{booked.pk}"

    # not confirmed: the form again, nothing closed
    response = client.post(_close_url(person), {"reason": "needs_met", "items_seen": seen})
    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert Person.objects.get(pk=person.pk).case_status == "open"

    # "other" without words
    response = client.post(_close_url(person), {"reason": "other", "items_seen": seen, "confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["reason_other"] == ["Write the reason in a few words."]

    response = client.post(
        _close_url(person),
        {"reason": "moved", "note": "Se fue a Arequipa", "items_seen": seen, "confirm": "on"},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:person_detail", args=[person.pk]
    )
    assert _messages(response) == ["The case is closed. It stays searchable and can be reopened."]
    row = CaseStatusChange.objects.get(person=person)
    assert (row.reason, row.note, row.changed_by) == ("moved", "Se fue a Arequipa", caseworker)
    # the open items stay as they were (closing cancels nothing)
    pending.refresh_from_db()
    booked.refresh_from_db()
    assert (pending.status, booked.status) == ("pending", "booked")


def test_a_referral_made_while_closing_shows_the_list_again(client_for, caseworker):
    person = PersonFactory()
    first = ReferralFactory(person=person)
    client = client_for(caseworker)
    late = ReferralFactory(person=person)
    response = client.post(
        _close_url(person), {"reason": "needs_met", "items_seen": f"referral:{first.pk}", "confirm": "on"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [
        "Something was opened for this person while you were closing the case: check the list again."
    ]
    assert "confirm" in form.errors  # confirmed again, having seen the new list
    assert form["items_seen"].value() == f"referral:{first.pk},referral:{late.pk}"
    assert Person.objects.get(pk=person.pk).case_status == "open"


def test_nothing_open_needs_no_confirmation(client_for, psychosocial):
    person = PersonFactory()
    client = client_for(psychosocial)
    response = client.get(_close_url(person))
    assert 'data-testid="nothing-open"' in response.content.decode()
    assert "confirm" not in response.context["form"].fields
    response = client.post(_close_url(person), {"reason": "deceased"})
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).case_status == "closed"
    # asking again: already closed, back to the page
    response = client.get(_close_url(person))
    assert response.status_code == 302 and _messages(response)[-1] == "The case is already closed."


def test_reopen_page_and_post(client_for, caseworker):
    person = PersonFactory()
    case_close(user=caseworker, person=person, reason="lost_contact")
    client = client_for(caseworker)
    response = client.get(_reopen_url(person))
    assert response.status_code == 200
    assert response.context["closing"].reason == "lost_contact"
    response = client.post(_reopen_url(person), {"note": "Volvió"})
    assert response.status_code == 302 and _messages(response) == ["The case is open again."]
    assert Person.objects.get(pk=person.pk).case_status == "open"
    assert CaseStatusChange.objects.filter(person=person, to_status="open", note="Volvió").count() == 1
    response = client.post(_reopen_url(person), {"note": "Otra vez"})
    assert response.status_code == 302 and _messages(response)[-1] == "The case is already open."
    assert CaseStatusChange.objects.filter(person=person).count() == 2


def test_the_person_page_shows_the_status_in_both_languages(client_for, caseworker, make_user, settings):
    person = PersonFactory()
    DirectServiceFactory(person=person)  # a PAO record: the coordinator's scope
    client = client_for(caseworker)
    page = reverse("cases:person_detail", args=[person.pk])
    html = client.get(page).content.decode()
    assert "Open case" in html and 'data-testid="close-case"' in html
    case_close(user=caseworker, person=person, reason="other", reason_other="Viajó a Chile")
    response = client.get(page)
    html = response.content.decode()
    assert "Closed case" in html and "Other: Viajó a Chile" in html and 'data-testid="reopen-case"' in html
    assert 'data-testid="close-case"' not in html
    assert [e.kind for e in response.context["timeline"]].count("case_status") == 1
    # the change history lists the status change too
    assert any(
        f.name == "case_status" and (str(f.old), str(f.new)) == ("Open", "Closed")
        for change in response.context["changes"]
        for f in change.changes
    )
    # a coordinator reads the status, without the buttons
    coordinator = make_user("coordinator", programs=["PAO"])
    html = client_for(coordinator).get(page).content.decode()
    assert "Closed case" in html and 'data-testid="reopen-case"' not in html
    # in Spanish, the default
    settings.LANGUAGE_CODE = "es"
    html = client_for(caseworker).get(page).content.decode()
    assert "Caso cerrado" in html and "Otro: Viajó a Chile" in html and "Reabrir el caso" in html


def test_activity_after_closing_shows_a_notice_and_reopens_nothing(client_for, caseworker, make_user):
    from reception.actions import visit_check_in

    person = PersonFactory()
    case_close(user=caseworker, person=person, reason="needs_met")
    client = client_for(caseworker)
    response = client.get(reverse("cases:person_detail", args=[person.pk]))
    assert response.context["activity_since_closing"] == []
    receptionist = make_user("receptionist", sites=["PAO-LS"])
    visit = visit_check_in(user=receptionist, site=person.site, person=person, area="documentation")
    service = DirectServiceFactory(person=person, delivered_on=timezone.localdate())
    response = client.get(reverse("cases:person_detail", args=[person.pk]))
    assert [i.key for i in response.context["activity_since_closing"]] == [
        f"service:{service.pk}",
        f"visit:{visit.pk}",
    ]
    assert 'data-testid="activity-since-closing"' in response.content.decode()
    assert Person.objects.get(pk=person.pk).case_status == "closed"


def test_only_case_staff_reach_the_pages(client_for, make_user):
    person = PersonFactory()
    DirectServiceFactory(person=person)
    for role in ("coordinator", "facilitator", "receptionist"):
        client = client_for(
            make_user(role, sites=["PAO-LS"], programs=["PAO"] if role == "coordinator" else None)
        )
        assert client.get(_close_url(person)).status_code == 403
        assert client.post(_close_url(person), {"reason": "needs_met"}).status_code == 403
        assert client.post(_reopen_url(person), {}).status_code == 403
    assert Person.objects.get(pk=person.pk).case_status == "open"


# --- The people list, search and the queues --------------------------------------------------------


def test_closed_cases_leave_the_list_but_stay_searchable(client_for, caseworker):
    kept = PersonFactory(given_names="Yuleisy", family_names="Rojas Pérez")
    gone = PersonFactory(given_names="Yuleidy", family_names="Rojas Pinto")
    case_close(user=caseworker, person=gone, reason="moved")
    client = client_for(caseworker)

    def listed(query=""):
        return [p.pk for p in client.get(LIST + query).context["people"]]

    assert listed() == [kept.pk]
    assert listed("?status=closed") == [gone.pk]
    assert sorted(listed("?status=all")) == sorted([kept.pk, gone.pk])
    assert listed("?status=open") == [kept.pk]
    # a search finds closed cases too (with their badge); asked for open ones, only those
    location = client.post(LIST, {"q": "rojas"})["Location"]
    response = client.get(location)
    assert sorted(p.pk for p in response.context["people"]) == sorted([kept.pk, gone.pk])
    assert response.content.decode().count('data-testid="case-closed-badge"') == 1
    assert [p.pk for p in client.get(location + "&status=open").context["people"]] == [kept.pk]


def test_the_reception_desk_finds_closed_cases(make_user, caseworker):
    from reception.selectors import reception_people_search

    person = PersonFactory(given_names="Yuleisy", family_names="Rojas Pérez")
    case_close(user=caseworker, person=person, reason="needs_met")
    receptionist = make_user("receptionist", sites=["PAO-LS"])
    assert [p.pk for p in reception_people_search(receptionist, "Yuleisy Rojas")] == [person.pk]


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("status", ["", "?status=closed", "?status=all"])
def test_list_query_count_with_the_status_filter(
    client_for, caseworker, django_assert_num_queries, rows, status
):
    people = PersonFactory.create_batch(rows, family_names="Rojas Mendoza")
    for person in people[::2]:
        ReferralFactory(person=person)
        case_close(user=caseworker, person=person, reason="needs_met", items_seen=None)
    client = client_for(caseworker)
    client.get(LIST)  # warm the session
    with django_assert_num_queries(12):  # with the people shared with the user's sites
        response = client.get(LIST + status)
    closed = len(people[::2])
    expected = {"": rows - closed, "?status=closed": closed, "?status=all": rows}[status]
    assert len(response.context["people"]) == min(expected, 25)


def test_the_queues_leave_out_closed_cases(caseworker):
    from services.selectors import followups_for, followups_summary, overdue_queue_for

    today = timezone.localdate()
    open_person, closed_person = PersonFactory(), PersonFactory()
    kept = ReferralFactory(
        person=open_person, responsible=caseworker, follow_up_due=today - timedelta(days=3)
    )
    ReferralFactory(person=closed_person, responsible=caseworker, follow_up_due=today - timedelta(days=3))
    case_close(user=caseworker, person=closed_person, reason="lost_contact")
    assert [r.pk for r in followups_for(caseworker)] == [kept.pk]
    assert followups_summary(caseworker, today=today) == {"open": 1, "overdue": 1}
    assert [r.pk for r in overdue_queue_for(caseworker, today=today)] == [kept.pk]


# --- The figures ------------------------------------------------------------------------------------


def test_a_closed_persons_services_still_count_in_the_month(caseworker):
    from reports.actions import monthly_figures_compute

    march = date(2025, 3, 1)
    first, second = PersonFactory(), PersonFactory()
    DirectServiceFactory(person=first, delivered_on=date(2025, 3, 4))
    DirectServiceFactory(person=second, delivered_on=date(2025, 3, 20))

    def reached():
        figures = {f.indicator.code: f for f in monthly_figures_compute(month=march, program_code="PAO")}
        return figures["PAO-DOC"].reached["total"]

    assert reached() == 2
    case_close(user=caseworker, person=second, reason="needs_met")
    assert reached() == 2


# --- The person page of a closed case, ARCO -----------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_a_closed_cases_page_query_count_does_not_grow_with_rows(
    client_for, caseworker, django_assert_num_queries, rows
):
    person = PersonFactory()
    case_close(user=caseworker, person=person, reason="needs_met")
    for i in range(rows):
        case_reopen(user=caseworker, person=person, note=f"Vuelta {i}")
        case_close(user=caseworker, person=person, reason="lost_contact")
    for _ in range(rows):
        DirectServiceFactory(person=person, delivered_on=timezone.localdate())
        ReferralFactory(person=person, referred_on=timezone.localdate())
    client = client_for(caseworker)
    client.get(reverse("cases:person_detail", args=[person.pk]))
    # The page of a person without documents, household or vulnerabilities (22 queries, the case
    # status changes and the case plan's two included), and 5 for what was recorded since the
    # closing: intakes here, services and referrals (services), visits and appointments (reception).
    with django_assert_num_queries(27):
        response = client.get(reverse("cases:person_detail", args=[person.pk]))
    assert response.status_code == 200
    assert len(response.context["case_changes"]) == 1 + 2 * rows
    assert response.context["case_closing"].reason == "lost_contact"
    assert len(response.context["activity_since_closing"]) == 2 * min(rows, 20)


def test_the_status_changes_are_in_the_access_export_and_anonymized(caseworker, admin_user):
    from cases.arco.actions import person_anonymize
    from cases.arco.export import person_export

    person = PersonFactory()
    case_close(
        user=caseworker, person=person, reason="other", reason_other="Viajó a Chile", note="Avisó su tía"
    )
    rows = person_export(person=person, user=admin_user)["records"]["cases.casestatuschange"]
    assert [(r["reason"], r["reason_other"], r["note"]) for r in rows] == [
        ("other", "Viajó a Chile", "Avisó su tía")
    ]

    person_anonymize(person=person, user=admin_user, reason="ARCO cancellation")
    row = CaseStatusChange.objects.get(person=person)
    assert (row.to_status, row.reason, row.reason_other, row.note) == ("closed", "other", "", "")
    assert not row.history.filter(note="Avisó su tía").exists()
    assert Person.objects.get(pk=person.pk).case_status == "closed"


def test_the_api_lists_closed_cases_as_before(caseworker):
    from api.selectors import people_for_api

    kept, closed = PersonFactory(), PersonFactory()
    case_close(user=caseworker, person=closed, reason="moved")
    assert set(people_for_api(caseworker).values_list("pk", flat=True)) == {kept.pk, closed.pk}
