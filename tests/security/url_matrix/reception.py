"""The reception app's URLs in the authorization walk.

Reception (check-in, the line, the display) is for receptionists, caseworkers, psychosocial
specialists and admins at their sites; calling a ticket and serving it only for those who serve
(not receptionists). Facilitators and coordinators reach none of it. Another site's person or
ticket is not found (404) by anyone but an admin.
"""

from __future__ import annotations

from .common import ANY_SITE, LOGIN, SCOPED, Entry, Redirect, everyone, roles_

RECEPTION = roles_(
    anonymous=LOGIN,
    norole=403,
    caseworker=200,
    psychosocial=200,
    facilitator=403,
    coordinator=403,
    admin=200,
    receptionist=200,
)
RECEPTION_SCOPED = roles_(
    anonymous=LOGIN,
    norole=403,
    caseworker=SCOPED,
    psychosocial=SCOPED,
    facilitator=403,
    coordinator=403,
    admin=ANY_SITE,
    receptionist=SCOPED,
)
TO_QUEUE = {"own": Redirect("reception:queue"), "other": 404, "missing": 404}
TO_QUEUE_ANY = {"own": Redirect("reception:queue"), "other": Redirect("reception:queue"), "missing": 404}
# A step of a ticket at a desk (call, no answer, start, done): those who serve, at their sites.
CALLERS_STEP = roles_(
    anonymous=LOGIN,
    norole=403,
    caseworker=TO_QUEUE,
    psychosocial=TO_QUEUE,
    facilitator=403,
    coordinator=403,
    admin=TO_QUEUE_ANY,
    receptionist=403,
)


def _visit(w, which):
    return {"pk": w.reception_visit(which).pk}


def _person(w, which):
    return {"pk": w.person(which).pk}


def _appointment(w, which):
    return {"pk": w.reception_appointment(which).pk}


def _site(w, which):
    return {"site_pk": w.reception_site(which).pk}


MATRIX: dict[str, Entry] = {
    "reception:desk": Entry(
        fuzz_query=["site", "ticket", "status", "page"], get=RECEPTION, post=RECEPTION, post_fields=["q"]
    ),
    "reception:register": Entry(
        fuzz_query=["site"],
        post_fields=[
            "given_names",
            "family_names",
            "sex",
            "birth_date",
            "nationality",
            "phone",
            "doc_number",
        ],
        get=RECEPTION,
        post=RECEPTION,
    ),
    "reception:check_in": Entry(
        kwargs=_person,
        fuzz_query=["site"],
        post_fields=["site", "area", "returning", "manual_priority"],
        get=RECEPTION_SCOPED,
        post=RECEPTION_SCOPED,
    ),
    "reception:queue": Entry(fuzz_query=["site", "area", "page"], get=RECEPTION, post=everyone(405)),
    "reception:call_next": Entry(
        post_fields=["site", "area", "desk"],
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=Redirect("reception:queue"),
            psychosocial=Redirect("reception:queue"),
            facilitator=403,
            coordinator=403,
            admin=Redirect("reception:queue"),
            receptionist=403,
        ),
    ),
    "reception:visit_detail": Entry(kwargs=_visit, get=RECEPTION_SCOPED, post=everyone(405)),
    "reception:visit_call": Entry(
        kwargs=_visit, post_fields=["site", "area", "desk"], get=everyone(405), post=CALLERS_STEP
    ),
    "reception:visit_no_answer": Entry(
        kwargs=_visit, post_fields=["area"], get=everyone(405), post=CALLERS_STEP
    ),
    "reception:visit_start": Entry(kwargs=_visit, post_fields=["area"], get=everyone(405), post=CALLERS_STEP),
    "reception:visit_done": Entry(kwargs=_visit, post_fields=["area"], get=everyone(405), post=CALLERS_STEP),
    "reception:visit_left": Entry(
        kwargs=_visit,
        post_fields=["area"],
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=TO_QUEUE,
            psychosocial=TO_QUEUE,
            facilitator=403,
            coordinator=403,
            admin=TO_QUEUE_ANY,
            receptionist=TO_QUEUE,
        ),
    ),
    "reception:agenda": Entry(
        fuzz_query=["site", "day", "view", "staff", "status", "page"], get=RECEPTION, post=everyone(405)
    ),
    "reception:appointment_book": Entry(
        kwargs=_person,
        fuzz_query=["site"],
        post_fields=["site", "area", "staff", "day", "time"],
        get=RECEPTION_SCOPED,
        post=RECEPTION_SCOPED,
    ),
    "reception:appointment_reschedule": Entry(
        kwargs=_appointment,
        post_fields=["staff", "day", "time"],
        get=RECEPTION_SCOPED,
        post=RECEPTION_SCOPED,
    ),
    "reception:appointment_cancel": Entry(
        kwargs=_appointment,
        post_fields=[],
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker={"own": Redirect("reception:agenda"), "other": 404, "missing": 404},
            psychosocial={"own": Redirect("reception:agenda"), "other": 404, "missing": 404},
            facilitator=403,
            coordinator=403,
            admin={
                "own": Redirect("reception:agenda"),
                "other": Redirect("reception:agenda"),
                "missing": 404,
            },
            receptionist={"own": Redirect("reception:agenda"), "other": 404, "missing": 404},
        ),
    ),
    # The coordinator's numbers: report readers (coordinators at their programs' sites, admins).
    "reception:figures": Entry(
        fuzz_query=["start", "end", "site", "page"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=403,
            coordinator=200,
            admin=200,
            receptionist=403,
        ),
        post=everyone(405),
    ),
    "reception:display": Entry(kwargs=_site, get=RECEPTION_SCOPED, post=everyone(405)),
    "reception:display_calls": Entry(kwargs=_site, get=RECEPTION_SCOPED, post=everyone(405)),
}
