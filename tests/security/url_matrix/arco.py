"""The ARCO app's URLs in the authorization walk."""

from __future__ import annotations

from .common import (
    ANY_SITE,
    LOGIN,
    SITE,
    Entry,
    everyone,
    roles_,
)

MATRIX: dict[str, Entry] = {
    # ARCO register (cases.arco)
    "arco:arco_request_list": Entry(
        fuzz_query=["status", "kind", "overdue", "page"],
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=200,
            psychosocial=200,
            coordinator=200,
            admin=200,
        ),
    ),
    "arco:arco_request_create": Entry(
        kwargs=lambda w, which: {"person_pk": w.person(which).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=SITE,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=SITE,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
    ),
    "arco:arco_request_detail": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=SITE,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
        ),
    ),
    "arco:arco_request_update": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=SITE,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
        post_fields=["status", "resolution"],
    ),
    "arco:arco_request_export_json": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
    ),
    "arco:arco_request_export_print": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=SITE,
            coordinator=SITE,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
    ),
    "arco:arco_request_anonymize": Entry(
        kwargs=lambda w, which: {"pk": w.arco_request(which, kind="cancellation").pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=SITE,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            facilitator=403,
            caseworker=403,
            psychosocial=403,
            coordinator=SITE,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
    ),
}
