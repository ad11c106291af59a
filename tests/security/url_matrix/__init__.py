"""Who may open which URL: one table per app, checked by the authorization walk.

``MATRIX`` maps every URL name of the project to its ``Entry`` (the format is explained in
``common.py``, with the outcomes, the roles and the ``World`` of objects the walk uses). Each app's
URLs are in the module of its name; tests/security/test_authorization_walk.py fails for any URL
name missing here.
"""

from __future__ import annotations

from . import (
    api,
    arco,
    cases,
    core,
    field,
    imports,
    merge,
    plan,
    reception,
    reports,
    services,
    sport,
    transfer,
)
from .common import (  # noqa: F401  (what the walk, the header check and the fuzzer use)
    BASE_ROLES,
    LOGIN,
    OBJECTS,
    ROLES,
    Entry,
    Redirect,
    World,
    resolver_urls,
)

MATRIX: dict[str, Entry] = {}
for _table in (
    core,
    cases,
    merge,
    plan,
    transfer,
    imports,
    arco,
    services,
    sport,
    reception,
    field,
    reports,
    api,
):
    assert not MATRIX.keys() & _table.MATRIX.keys(), "a URL name in two tables"
    MATRIX.update(_table.MATRIX)
