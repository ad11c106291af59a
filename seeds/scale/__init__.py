"""Scale data for benchmarks and load tests: N people and M events over the last K months.

``python manage.py generate_demo --people 1000000 --events 5000000`` fills PostgreSQL in minutes:
rows are generated in Python, written as COPY text and loaded with psycopg 3 ``cursor.copy()``
while the loaded tables' secondary indexes and constraints are dropped; they are re-created (and
so re-checked: unique slip codes, one attendance per session and person, completed referrals with
a completion date, every foreign key) once the rows are in, then sequences are moved past the new
ids and the tables are analysed. On SQLite (small N, tests) the same rows go in with batched
INSERTs.

What it makes, month by month over the K months that end with last month:

- people at the three sites: adults and their children at the orientation point (PAO-LS) who
  receive services, and youth (6-16) in the sport groups of SCH-01, SCH-02 and PAO-LS;
  nationalities mostly VE, then PE, CO, EC and a few others; every population type (PE host or
  returnee); some without birth date, a few born on 29 February; about one in ten changes
  population type (transit or pendular to destination) some months after registering, so the
  type stamped on a contact is not always the person's current one;
- "events" (the M asked for) are contact rows: direct services, referrals (every status;
  completed ones with a completion date, often in a later month; open ones overdue when their
  follow-up date has passed) and sport attendance (present and absent). Each program's events fall
  within its dates (PAO from 2024-08, SALUD from 2024-03, BALON all along) and use every service
  type of the catalog, protection included;
- alongside, not counted in M: every referral's status changes, one intake per adult
  registration, consents, identity documents, sport groups, weekly sessions and group memberships.

Columns that ``Person.save()`` derives from the name (``search_name``, and the cases app's
sound-alike ``name_key`` when the model has it) are computed here, since the bulk load bypasses
``save()``; every other column not generated gets the model field's default.

Volumes follow a constant monthly rate per active program, so ``plan_like`` can size a smaller data
set (fewer months) whose last month has the same number of events (the growth benchmark).

Refused under production settings (``--reset`` empties every person's record).

No history rows: django-simple-history's tables stay empty for generated rows. They were never
changed by a user, the bulk load bypasses ``save()`` on purpose, and a history copy of every row
would double the data without being read by any page or report.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .bulk import TableWriter, postgres_load, reset_people
from .distributions import FAMILY, GIVEN_F, GIVEN_M, _normalize, referral_code
from .generator import Generator, Result
from .plan import Plan, plan_like, plan_months

# Bump when the generated data changes shape: make bench then regenerates its data sets.
GENERATOR_VERSION = 3

__all__ = [
    "GENERATOR_VERSION",
    "FAMILY",
    "GIVEN_F",
    "GIVEN_M",
    "Generator",
    "Plan",
    "Result",
    "TableWriter",
    "_normalize",
    "dataset_description",
    "generate",
    "plan_like",
    "plan_months",
    "referral_code",
    "reset_people",
]


def generate(
    *,
    people: int,
    events: int,
    months: int = 36,
    seed: int = 1,
    reset: bool = False,
    end: date | None = None,
    say=print,
) -> Result:
    """Fill the database with ``people`` people and ``events`` contact rows (see the module doc).

    Refused under production settings (``ORIENTA_DEMO`` off): ``reset`` empties every person's record.
    """
    from cases.models import Person
    from seeds.reference import load_reference_data

    if not settings.ORIENTA_DEMO:
        raise RuntimeError("Scale data is refused in production settings (ORIENTA_DEMO is off).")
    started = time.monotonic()
    load = [round(x, 2) for x in os.getloadavg()]
    load_reference_data()
    from services.sport.models import SportGroup

    if Person.objects.exists() or SportGroup.objects.exists():
        if not reset:
            raise RuntimeError(
                "People or sport groups are already there (the tables are not empty): refusing to add scale data (use --reset)."
            )
        reset_people()
        say("  emptied people and their records (--reset)")
    gen = Generator(people=people, events=events, months=months, seed=seed, end=end, say=say)
    if connection.vendor == "postgresql":
        with tempfile.TemporaryDirectory(prefix="orienta-scale-") as directory:
            result = gen.run(directory)
            say(f"  rows generated in {time.monotonic() - started:.1f}s; loading")
            order = [
                "person",
                "consent",
                "intake",
                "document",
                "session",
                "member",
                "direct",
                "referral",
                "transition",
                "attendance",
            ]
            postgres_load([gen.w[k] for k in order], say)
    else:
        with transaction.atomic():
            result = gen.run(None)
    # Every indicator's first events from the generated history, so the first month computed is
    # on the fast path at once (reports.counting; the load itself recorded no per-person changes).
    from reports.actions import first_events_rebuild

    built = time.monotonic()
    first_events_rebuild()
    say(f"  first events of every indicator built in {time.monotonic() - built:.1f}s")
    result.seconds = time.monotonic() - started
    if connection.vendor == "postgresql":
        params = {"people": people, "events": events, "months": months, "seed": seed, "version": GENERATOR_VERSION,
                  "end": f"{gen.plan.months[-1]:%Y-%m}", "counts": result.counts,
                  "seconds": round(result.seconds, 1), "generated_on": f"{timezone.localdate()}", "load": load}  # fmt: skip
        with connection.cursor() as cursor:
            name = connection.settings_dict["NAME"]
            comment = "orienta generate_demo " + json.dumps(params).replace("'", "''")
            cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
    return result


def dataset_description(cursor) -> dict | None:
    """The parameters ``generate`` stored on a PostgreSQL database, or None."""
    cursor.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
    )
    row = cursor.fetchone()
    text = row[0] if row else None
    if not text or not text.startswith("orienta generate_demo "):
        return None
    return json.loads(text.removeprefix("orienta generate_demo "))
