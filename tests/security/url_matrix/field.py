"""The offline field screens' URLs in the authorization walk.

The data and the service worker are for the roles that take attendance; coordinators (read-only
in the sport program) and users without a role are refused. The shell (it holds nothing personal)
opens for every signed-in user, so that someone whose role was removed while their device held
saves still sees them under "needs attention"; the sync endpoint answers them item by item (each
submission refused with its reason) and a signed-out device with 401 for the whole batch.
The data and sync answers are scoped by the sport selectors (tests/field/ checks another site's
groups are neither listed nor written). The manifest holds no data and is public: browsers fetch
it without cookies.
"""

from __future__ import annotations

from .common import LOGIN, Entry, everyone, roles_

WRITERS = roles_(
    anonymous=LOGIN,
    norole=403,
    caseworker=200,
    psychosocial=200,
    facilitator=200,
    coordinator=403,
    admin=200,
)

MATRIX: dict[str, Entry] = {
    "field:field_app": Entry(get=everyone(200), post=everyone(405)),
    "field:field_data": Entry(get=WRITERS, post=everyone(405)),
    "field:field_service_worker": Entry(get=WRITERS, post=everyone(405)),
    "field:field_manifest": Entry(get=everyone(200, anonymous=200), post=everyone(405, anonymous=405)),
    # An empty (non-JSON) POST is refused with 400 for every signed-in user (a valid batch is then
    # refused item by item for those who may not record); the fuzzer posts hostile bodies there too.
    "field:field_sync": Entry(
        post_fields=["submissions"],
        get=everyone(405, anonymous=405),  # it checks the sign-in itself (401 for a POST)
        post=roles_(
            anonymous=401,
            norole=400,
            caseworker=400,
            psychosocial=400,
            facilitator=400,
            coordinator=400,
            admin=400,
        ),
    ),
}
