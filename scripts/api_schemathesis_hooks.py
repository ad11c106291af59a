"""Schemathesis hooks for scripts/api_schemathesis.py: a 2xx on an operation the role may not see
fails the run (ORIENTA_FORBIDDEN: a regex of the paths refused to this role)."""

import os
import re

import schemathesis

# Tell the runner that this module was loaded (it fails the run otherwise: a check never loaded
# would pass everything).
if os.environ.get("ORIENTA_HOOKS_LOADED"):
    with open(os.environ["ORIENTA_HOOKS_LOADED"], "w") as mark:
        mark.write("loaded")


@schemathesis.check
def role_may_not_see(ctx, response, case):
    forbidden = os.environ.get("ORIENTA_FORBIDDEN", "")
    if forbidden and re.search(forbidden, case.path) and 200 <= response.status_code < 300:
        raise AssertionError(
            f"{case.method} {case.formatted_path} answered {response.status_code} to a role that may not see it"
        )
