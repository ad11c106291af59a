"""Property-based tests of the read API against a live server, as each demo role (`make api-test`).

Starts Orienta on a free port with a fresh SQLite database loaded by load_reference_data and
load_demo_data, creates a personal API token per demo user (plus a user without a role), and runs
`schemathesis run --checks all` once per role (and once without a token). Fails on any server error,
any response that breaks the schema, and any 2xx on an operation the role may not see. Prints the
number of test cases run.

    .venv/bin/python scripts/api_schemathesis.py [--max-examples N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
SCHEMATHESIS = str(ROOT / ".venv" / "bin" / "schemathesis")

REPORTS = r"^/api/v1/(indicators|targets|monthly-report)/"
PEOPLE = r"^/api/v1/people/"
EVERYTHING = r"^/api/v1/"
# Paths each role may not see (a 2xx there fails the run).
FORBIDDEN = {
    "anonymous": EVERYTHING,
    "norole": EVERYTHING,
    "facilitator": f"{REPORTS}|{PEOPLE}",
    "caseworker": REPORTS,
    "psychosocial": REPORTS,
    "coordinator": "",
    "admin": "",
}
# Checks that do not apply to a read-only API with data-dependent lookups:
# - positive_data_acceptance: a well-formed but unknown code or id is a 404 by design;
# - use_after_free, ensure_resource_availability: they follow created or deleted resources (none here);
# - object_level_authorization: compares one role's objects with another's; the role check above
#   and tests/api/test_scoping.py cover it with known objects.
EXCLUDED_CHECKS = (
    "positive_data_acceptance,use_after_free,ensure_resource_availability,object_level_authorization"
)

TOKENS_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from api.actions import api_token_create
from orientation.models import Site, SiteMembership
User = get_user_model()
norole, _ = User.objects.get_or_create(username="norole")
SiteMembership.objects.get_or_create(user=norole, site=Site.objects.get(code="PAO-LS"))
tokens = {}
for name in ["caseworker", "psychosocial", "facilitator", "coordinator", "admin", "norole"]:
    tokens[name] = api_token_create(user=User.objects.get(username=name), name="schemathesis", days=1)[1]
print("TOKENS=" + json.dumps(tokens))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, capture=False):
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=capture
    )


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (our own local server)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not start at {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("API_TEST_EXAMPLES", "5")))
    parser.add_argument("--people", type=int, default=40, help="demo people to generate")
    args = parser.parse_args()

    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="orienta-api-test-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "orientation.settings.base",
        "DJANGO_DEBUG": "0",
        "API_THROTTLE_USER": "100000/minute",
        "API_THROTTLE_ANON": "100000/minute",
        "MEDIA_ROOT": str(tmp / "media"),
    }
    env.pop("DATABASE_URL_TEST", None)
    print("== fresh database with the reference and demo data", flush=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_reference_data")
    manage(env, "load_demo_data", "--people", str(args.people))
    out = manage(env, "shell", "-c", TOKENS_SCRIPT, capture=True).stdout
    tokens = json.loads(re.search(r"^TOKENS=(.*)$", out, re.M).group(1))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / "server.log", "w"),  # noqa: SIM115
    )
    total_cases = 0
    failed = []
    try:
        wait_for(f"{base}/health/")
        request = urllib.request.Request(  # noqa: S310 (our own local server)
            f"{base}/api/schema/?format=json", headers={"Authorization": f"Bearer {tokens['admin']}"}
        )
        schema_path = tmp / "schema.json"
        schema_path.write_bytes(urllib.request.urlopen(request, timeout=30).read())  # noqa: S310
        for role, forbidden in FORBIDDEN.items():
            report = tmp / f"{role}.xml"
            cmd = [
                SCHEMATHESIS,
                "run",
                str(schema_path),
                "--url",
                base,
                "--checks",
                "all",
                "--exclude-checks",
                EXCLUDED_CHECKS,
                "--max-examples",
                str(args.max_examples),
                "--workers",
                "1",
                "--seed",
                "20260401",
                "--suppress-health-check",
                "all",
                "--report",
                "junit",
                "--report-junit-path",
                str(report),
                "--continue-on-failure",
            ]
            if role != "anonymous":
                cmd += ["--header", f"Authorization: Bearer {tokens[role]}"]
            print(f"\n== schemathesis as {role}", flush=True)
            result = subprocess.run(  # noqa: S603
                cmd,
                cwd=tmp,  # schemathesis keeps a cache in the working directory
                env={
                    **env,
                    "SCHEMATHESIS_HOOKS": "scripts.api_schemathesis_hooks",
                    "PYTHONPATH": str(ROOT),
                    "ORIENTA_FORBIDDEN": forbidden,
                    "ORIENTA_HOOKS_LOADED": str(tmp / f"{role}.hooks"),
                },
                text=True,
                capture_output=True,
            )
            output = result.stdout + result.stderr
            cases = count_cases(output)
            total_cases += cases
            summary = [
                line for line in output.splitlines() if re.search(r"passed|failed|error|cases", line, re.I)
            ]
            print("\n".join(summary[-6:]))
            if not (tmp / f"{role}.hooks").exists():
                print("the role check (scripts/api_schemathesis_hooks.py) was not loaded")
                failed.append(role)
            if result.returncode != 0:
                failed.append(role)
                print(output[-6000:])
    finally:
        server.terminate()
        server.wait(timeout=10)
    server_errors = (tmp / "server.log").read_text(errors="replace").count("Internal Server Error")
    print(
        f"\n== {total_cases} test cases in {time.monotonic() - started:.0f}s; "
        f"server errors in the log: {server_errors}; failed roles: {', '.join(failed) or 'none'}"
    )
    return 1 if failed or server_errors else 0


def count_cases(output: str) -> int:
    match = re.search(r"(\d+)\s+generated", output) or re.search(r"Test cases:\s*(\d+)", output)
    return int(match.group(1)) if match else 0


if __name__ == "__main__":
    sys.exit(main())
