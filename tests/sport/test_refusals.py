"""Every sport URL refuses the roles that must not reach it, and other sites' and groups' records.

404 when the record is not the user's to see (another facilitator's group, another site), 403 when
the role may not do this at all (no sport role; coordinators writing; caseworkers setting groups
up), and a redirect to the sign-in page without a session.
"""

import pytest
from django.urls import reverse

from cases.selectors import person_get_for_user
from services.sport.models import Attendance, GroupParticipant, HeadCount, SportGroup, SportSession

from ..factories import CaseNoteFactory, IdentityDocumentFactory, SportSessionFactory

# (url name, method, needs: "group" | "session" | "session+person" | "group+person" | "person" | None)
URLS = [
    ("sport_group_list", "get", None),
    ("sport_group_create", "get", None),
    ("sport_group_create", "post", None),
    ("sport_group_detail", "get", "group"),
    ("sport_group_edit", "get", "group"),
    ("sport_group_edit", "post", "group"),
    ("sport_session_create", "get", "group"),
    ("sport_session_create", "post", "group"),
    ("sport_participant_leave", "post", "group+person"),
    ("sport_attendance", "get", "session"),
    ("sport_attendance_mark", "post", "session+person"),
    ("sport_attendance_search", "get", "session"),
    ("sport_attendance_add", "post", "session"),
    ("sport_light_profile_create", "get", "session"),
    ("sport_light_profile_create", "post", "session"),
    ("sport_head_count", "post", "session"),
    ("sport_participant_detail", "get", "person"),
]


@pytest.fixture
def world(group, session, kids, make_user):
    community = SportSessionFactory(
        group=group, site=group.site, program=group.program, date=session.date, activity="community_activity"
    )
    return {
        "group": group,
        "session": community,
        "person": kids[0],
        "users": {
            "no_role": lambda: make_user(None, sites=["SCH-01"]),
            "other_facilitator": lambda: make_user("facilitator", sites=["SCH-01"]),
            "far_facilitator": lambda: make_user("facilitator", sites=["SCH-02"]),
            "pao_caseworker": lambda: make_user("caseworker", sites=["PAO-LS"]),
            "pao_psychosocial": lambda: make_user("psychosocial", sites=["PAO-LS"]),
            "sch01_caseworker": lambda: make_user("caseworker", sites=["SCH-01"]),
            "coordinator": lambda: make_user("coordinator"),
            "pao_coordinator": lambda: make_user("coordinator", programs=["PAO"]),
        },
    }


def target(world, name, needs):
    group, session, person = world["group"], world["session"], world["person"]
    args = {
        None: [],
        "group": [group.pk],
        "session": [session.pk],
        "session+person": [session.pk, person.pk],
        "group+person": [group.pk, person.pk],
        "person": [person.pk],
    }[needs]
    return reverse(f"sport:{name}", args=args)


def body(name, world):
    if name == "sport_attendance_mark":
        return {"present": "1"}
    if name == "sport_attendance_add":
        return {"person": world["person"].pk}
    if name == "sport_head_count":
        return {"hc_F_5_11": "3"}
    if name == "sport_session_create":
        return {"date": world["session"].date.isoformat(), "activity": "leadership_workshop"}
    return {"name": "x", "age_min": 6, "age_max": 10}


# Expected status per user kind and URL; anything not listed must be refused with the default.
EXPECTED = {
    "no_role": {"default": 403},
    "other_facilitator": {"default": 404, "sport_group_list": 200, "sport_group_create": 200},
    "far_facilitator": {"default": 404, "sport_group_list": 200, "sport_group_create": 200},
    "pao_caseworker": {"default": 404, "sport_group_list": 200, "sport_group_create": 403},
    "pao_psychosocial": {"default": 404, "sport_group_list": 200, "sport_group_create": 403},
    "sch01_caseworker": {"default": None, "sport_group_create": 403, "sport_group_edit": 403},
    "coordinator": {
        "default": 403,
        "sport_group_list": 200,
        "sport_group_create": 403,
        "sport_group_detail": 200,
        "sport_group_edit": 403,
        "sport_attendance": 200,
        "sport_participant_detail": 200,
    },
    "pao_coordinator": {
        "default": 404,
        "sport_group_list": 200,
        "sport_group_create": 403,
        "sport_session_create": 403,
    },
}
# A role refused outright by the decorator answers 403 before any lookup.
DECORATOR_403 = {
    "pao_coordinator": {
        "sport_group_edit",
        "sport_session_create",
        "sport_participant_leave",
        "sport_attendance_mark",
        "sport_attendance_search",
        "sport_attendance_add",
        "sport_light_profile_create",
        "sport_head_count",
    },
    "pao_caseworker": {"sport_group_edit"},
    "pao_psychosocial": {"sport_group_edit"},
}


def expected_status(kind, name):
    table = EXPECTED[kind]
    if name in DECORATOR_403.get(kind, set()):
        return 403
    return table.get(name, table["default"])


# Allowed combinations (expected None) are covered by the feature tests.
CASES = [
    (kind, name, method, needs)
    for kind in EXPECTED
    for name, method, needs in URLS
    if expected_status(kind, name) is not None
]


@pytest.mark.parametrize("kind,name,method,needs", CASES)
def test_refusals(client_for, world, kind, name, method, needs):
    expected = expected_status(kind, name)
    user = world["users"][kind]()
    client = client_for(user)
    counts = (
        SportGroup.objects.count(),
        SportSession.objects.count(),
        Attendance.objects.count(),
        GroupParticipant.objects.filter(left_on__isnull=False).count(),
        HeadCount.objects.count(),
    )
    url = target(world, name, needs)
    response = client.get(url) if method == "get" else client.post(url, body(name, world))
    if expected == 200 and method == "post":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == expected, (kind, name, method)
    if expected != 200:
        assert counts == (
            SportGroup.objects.count(),
            SportSession.objects.count(),
            Attendance.objects.count(),
            GroupParticipant.objects.filter(left_on__isnull=False).count(),
            HeadCount.objects.count(),
        )


@pytest.mark.parametrize("name,method,needs", URLS)
def test_anonymous_users_are_sent_to_sign_in(client, world, name, method, needs):
    url = target(world, name, needs)
    response = client.get(url) if method == "get" else client.post(url, body(name, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_facilitators_cannot_open_case_files(facilitator, kids):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        person_get_for_user(facilitator, kids[0].pk)


def test_light_profile_page_shows_no_case_file_data(client_for, facilitator, kids):
    kid = kids[0]
    note = CaseNoteFactory(person=kid, text="Nota reservada del caso")
    document = IdentityDocumentFactory(person=kid, number="X12345678")
    html = (
        client_for(facilitator).get(reverse("sport:sport_participant_detail", args=[kid.pk])).content.decode()
    )
    assert kid.guardian_name in html
    assert note.text not in html and document.number not in html
    assert "case file" not in html.lower() and "expediente" not in html.lower()


def test_another_facilitators_participant_is_not_found(client_for, other_facilitator, kids):
    response = client_for(other_facilitator).get(reverse("sport:sport_participant_detail", args=[kids[0].pk]))
    assert response.status_code == 404
