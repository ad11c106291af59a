"""The import app's URLs in the authorization walk."""

from __future__ import annotations

from .common import (
    ANY_SITE,
    IMPORTERS_ONLY,
    LOGIN,
    REPORTS_ONLY,
    SCOPED,
    Entry,
    Redirect,
    everyone,
    roles_,
)

MATRIX: dict[str, Entry] = {
    "imports:import_abandon": Entry(
        post_fields=[],
        kwargs=lambda w, x: {"pk": w.import_batch(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=403,
            coordinator={"own": Redirect("imports:import_upload"), "other": 404, "missing": 404},
            admin={
                "own": Redirect("imports:import_upload"),
                "other": Redirect("imports:import_upload"),
                "missing": 404,
            },
            coordinator_balon=403,
        ),
    ),
    "imports:import_confirm": Entry(
        post_fields=[],
        kwargs=lambda w, x: {"pk": w.import_batch(x).pk},
        get=everyone(405),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=403,
            coordinator={"own": Redirect("imports:import_detail"), "other": 404, "missing": 404},
            admin={
                "own": Redirect("imports:import_detail"),
                "other": Redirect("imports:import_detail"),
                "missing": 404,
            },
            coordinator_balon=403,
        ),
    ),
    "imports:import_detail": Entry(
        fuzz=False,  # a page, not a form (a POST shows it)
        kwargs=lambda w, x: {"pk": w.import_batch(x).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=403,
            coordinator=SCOPED,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=403,
            coordinator=SCOPED,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
    ),
    "imports:import_progress": Entry(
        fuzz=False,  # a page, not a form (a POST shows it)
        kwargs=lambda w, x: {"pk": w.import_batch(x).pk},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=403,
            coordinator=SCOPED,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=403,
            coordinator=SCOPED,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
    ),
    "imports:import_template": Entry(
        fuzz=False,  # a file, not a form (a POST returns it)
        kwargs=lambda w, x: {"kind": {"own": "people", "other": "attendance", "missing": "no-such-kind"}[x]},
        get=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=403,
            coordinator=ANY_SITE,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
        post=roles_(
            anonymous=LOGIN,
            norole=403,
            caseworker=403,
            psychosocial=403,
            facilitator=403,
            coordinator=ANY_SITE,
            admin=ANY_SITE,
            coordinator_balon=403,
        ),
    ),
    "imports:import_upload": Entry(
        get=IMPORTERS_ONLY,
        post=IMPORTERS_ONLY,
        fuzz_query=["kind", "page"],
    ),
    "imports:people_export": Entry(
        get=REPORTS_ONLY,
        post=REPORTS_ONLY,
    ),
}
