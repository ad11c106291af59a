"""Who may reach each page: every URL that shows or changes a person's data is refused to the roles
that must not reach it, and for another site's records. Signed-out visitors go to sign in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from services.actions import psychosocial_session_record
from services.models import PsychosocialSession, Referral
from tests.factories import program, service_type

from .conftest import assert_refused

PERSON_PAGES = {
    # url name: (method, roles allowed)
    "services:person_services": ("get", {"caseworker", "psychosocial", "coordinator", "admin"}),
    "services:direct_service_create": ("get", {"caseworker", "psychosocial", "admin"}),
    "services:referral_create": ("get", {"caseworker", "psychosocial", "admin"}),
    "services:psychosocial_session_create": ("get", {"psychosocial"}),
    "services:psychosocial_participant_search": ("get", {"psychosocial"}),
}
REFERRAL_PAGES = {
    "services:referral_detail": ("get", {"caseworker", "psychosocial", "coordinator", "admin"}),
    "services:referral_transition": ("post", {"caseworker", "psychosocial", "admin"}),
    "services:referral_follow_up": ("post", {"caseworker", "psychosocial", "admin"}),
    "services:referral_responsible": ("post", {"caseworker", "psychosocial", "admin"}),
    "services:referral_slip": ("post", {"caseworker", "psychosocial", "admin"}),
}
SESSION_PAGES = {
    "services:psychosocial_session_detail": ("get", {"psychosocial"}),
    "services:psychosocial_note": ("get", {"psychosocial"}),
}
LISTS = {
    "services:followups": {"caseworker", "psychosocial", "admin"},
    "services:overdue_queue": {"caseworker", "psychosocial", "coordinator", "admin"},
    "services:referral_stats": {"coordinator", "admin"},
}
ROLES = ["caseworker", "psychosocial", "facilitator", "coordinator", "admin"]


def _request(client, method, url):
    return client.post(url, {}) if method == "post" else client.get(url)


def _session_for(person, user):
    return psychosocial_session_record(
        user=user,
        participants=[person],
        kind="individual",
        service_type=service_type("mhpss-individual"),
        program=program("SALUD"),
        date=person.registered_on,
        allowed_programs=program("SALUD").__class__.objects.all(),
        confidential_note="nota",
    )


def _cases():
    for name, (method, allowed) in {**PERSON_PAGES, **REFERRAL_PAGES, **SESSION_PAGES}.items():
        for role in ROLES:
            yield name, method, role, role in allowed


@pytest.mark.parametrize(("name", "method", "role", "allowed"), list(_cases()))
def test_role_matrix_on_own_site(
    name, method, role, allowed, person, make_referral, make_user, client_for, psychosocial
):
    referral = make_referral(person=person)
    session = _session_for(person, psychosocial)
    if name in PERSON_PAGES:
        arg = person.pk
    elif name in REFERRAL_PAGES:
        arg = referral.pk
    else:
        arg = session.pk
    user = make_user(role, sites=["PAO-LS"] if role != "facilitator" else ["SCH-01"])
    before = (Referral.objects.get(pk=referral.pk).status, referral.partner_links.count())
    response = _request(client_for(user), method, reverse(name, args=[arg]))
    if allowed:
        # GET pages open; an empty POST is refused as bad input (400), not as a permission.
        assert response.status_code in (200, 400), response.status_code
    else:
        assert response.status_code == 403
        assert (Referral.objects.get(pk=referral.pk).status, referral.partner_links.count()) == before


@pytest.mark.parametrize("name", list(PERSON_PAGES))
@pytest.mark.parametrize("role", ["caseworker", "psychosocial"])
def test_another_sites_person_is_refused(name, role, other_site_person, make_user, client_for):
    user = make_user(role, sites=["PAO-LS"])
    assert_refused(client_for(user).get(reverse(name, args=[other_site_person.pk])))


@pytest.mark.parametrize("name", list(REFERRAL_PAGES))
@pytest.mark.parametrize("role", ["caseworker", "psychosocial", "coordinator"])
def test_another_sites_referral_is_not_found(
    name, role, other_site_person, make_referral, make_user, client_for
):
    referral = make_referral(person=other_site_person, site=other_site_person.site)
    user = make_user(role, sites=["PAO-LS"], programs=["SALUD"] if role == "coordinator" else None)
    before = (referral.status, referral.partner_links.count())
    method = REFERRAL_PAGES[name][0]
    response = _request(client_for(user), method, reverse(name, args=[referral.pk]))
    # Coordinators never write case data: refused by role before the site is even looked at.
    assert response.status_code == (403 if role == "coordinator" and method == "post" else 404)
    referral.refresh_from_db()
    assert (referral.status, referral.partner_links.count()) == before


@pytest.mark.parametrize("name", list(SESSION_PAGES))
def test_another_sites_session_is_not_found(name, other_site_person, make_user, client_for, psychosocial):
    session = _session_for(other_site_person, psychosocial)
    user = make_user("psychosocial", sites=["PAO-LS"])
    assert client_for(user).get(reverse(name, args=[session.pk])).status_code == 404


def test_coordinator_of_other_programs_cannot_open_the_person(person, make_user, client_for):
    from datetime import date

    from orientation.models import Program
    from tests.factories import site

    schools = Program.objects.create(code="ESC", name="Escuelas", start_date=date(2020, 1, 1))
    schools.sites.add(site("SCH-02"))
    outsider = make_user("coordinator", programs=["ESC"])
    assert_refused(client_for(outsider).get(reverse("services:person_services", args=[person.pk])))
    from tests.factories import DirectServiceFactory, program

    DirectServiceFactory(person=person, program=program("SALUD"))  # a SALUD record: the insider's scope
    insider = make_user("coordinator", programs=["SALUD"])
    assert client_for(insider).get(reverse("services:person_services", args=[person.pk])).status_code == 200


@pytest.mark.parametrize(("name", "role"), [(n, r) for n in LISTS for r in ROLES])
def test_list_pages_by_role(name, role, make_user, client_for):
    response = client_for(make_user(role)).get(reverse(name))
    assert response.status_code == (200 if role in LISTS[name] else 403)


def test_overdue_queue_shows_nothing_of_other_sites(
    other_site_person, make_referral, caseworker, client_for, today
):
    from datetime import timedelta

    make_referral(
        person=other_site_person, site=other_site_person.site, follow_up_due=today - timedelta(days=3)
    )
    response = client_for(caseworker).get(reverse("services:overdue_queue"))
    assert list(response.context["page_obj"]) == []


def test_followups_never_list_another_sites_referral(
    other_site_person, make_referral, caseworker, client_for
):
    # Even if the user is (still) marked responsible, a referral of a site they left is not shown.
    make_referral(person=other_site_person, site=other_site_person.site, responsible=caseworker)
    response = client_for(caseworker).get(reverse("services:followups"))
    assert list(response.context["page_obj"]) == []


@pytest.mark.parametrize(
    "url_name,kwargs",
    [
        ("services:followups", {}),
        ("services:overdue_queue", {}),
        ("services:referral_stats", {}),
        ("services:referral_detail", {"pk": 1}),
        ("services:person_services", {"person_pk": 1}),
    ],
)
def test_signed_out_visitors_go_to_sign_in(client, ref, url_name, kwargs):
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_partner_link_needs_no_sign_in(client, ref):
    assert client.get(reverse("services:partner_feedback", args=["nope"])).status_code == 404
    assert client.get(reverse("services:partner_feedback_done")).status_code == 200


def test_session_model_is_not_in_the_admin():
    from django.contrib import admin

    assert PsychosocialSession not in admin.site._registry
