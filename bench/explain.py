"""Print EXPLAIN (ANALYZE, BUFFERS) of the queries bench/PLANS.md discusses, on the bench database.

    python bench/explain.py                 # every query
    python bench/explain.py queue search    # those whose name contains a word
    python bench/explain.py --try-indexes   # also with the proposed indexes (created, measured, dropped)

Runs on BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/orienta_bench). Each
query runs twice and the second (warm) plan is printed.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = {
    "people list, first page (caseworker at PAO-LS)": (
        "SELECT p.* FROM cases_person p WHERE p.site_id = %(site)s "
        "ORDER BY p.family_names, p.given_names, p.id LIMIT 25"
    ),
    "people list, paginator count": "SELECT count(*) FROM cases_person p WHERE p.site_id = %(site)s",
    "referral queue, overdue at one site": (
        "SELECT r.* FROM services_referral r WHERE r.site_id = %(site)s AND r.status IN ('pending', 'accepted') "
        "AND r.follow_up_due < CURRENT_DATE ORDER BY r.follow_up_due, r.id LIMIT 25"
    ),
    "referral queue, overdue at three sites": (
        "SELECT r.* FROM services_referral r WHERE r.site_id = ANY(%(sites)s) "
        "AND r.status IN ('pending', 'accepted') AND r.follow_up_due < CURRENT_DATE "
        "ORDER BY r.follow_up_due, r.id LIMIT 25"
    ),
    "referral queue, count": (
        "SELECT count(*) FROM services_referral r WHERE r.site_id = ANY(%(sites)s) "
        "AND r.status IN ('pending', 'accepted') AND r.follow_up_due < CURRENT_DATE"
    ),
    "person page, direct services": (
        "SELECT * FROM services_directservice WHERE person_id = %(person)s ORDER BY delivered_on DESC, id DESC"
    ),
    "person page, referrals": (
        "SELECT * FROM services_referral WHERE person_id = %(person)s ORDER BY referred_on DESC, id DESC"
    ),
    "person page, attendance": (
        "SELECT a.*, s.date FROM services_attendance a JOIN services_sportsession s ON s.id = a.session_id "
        "WHERE a.person_id = %(person)s ORDER BY s.date DESC"
    ),
    "search, similarity (%)": (
        "SELECT id, search_name FROM cases_person WHERE site_id = %(site)s AND search_name %% %(q)s "
        "ORDER BY similarity(search_name, %(q)s) DESC, id LIMIT 25"
    ),
    "search, word similarity (<%)": (
        "SELECT id, search_name FROM cases_person WHERE site_id = %(site)s AND %(q)s <%% search_name "
        "ORDER BY word_similarity(%(q)s, search_name) DESC, id LIMIT 25"
    ),
}
TRIGRAM = ("search",)

PROPOSED = {
    "referral queue": [
        "CREATE INDEX bench_try_referral_open_due ON services_referral (follow_up_due, site_id) "
        "WHERE status IN ('pending', 'accepted')"
    ],
    "search": [
        "CREATE INDEX bench_try_person_search_trgm ON cases_person USING gin (search_name gin_trgm_ops)"
    ],
}


def main(argv: list[str]) -> None:
    import psycopg

    try_indexes = "--try-indexes" in argv
    words = [a for a in argv if not a.startswith("--")]
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/orienta_bench")
    with psycopg.connect(url, autocommit=True) as conn:
        site = conn.execute("SELECT id FROM orientation_site WHERE code = 'PAO-LS'").fetchone()[0]
        sites = [r[0] for r in conn.execute("SELECT id FROM orientation_site ORDER BY id")]
        person = conn.execute(
            "SELECT person_id FROM services_directservice ORDER BY id DESC LIMIT 1 OFFSET 1000"
        ).fetchone()[0]
        params = {"site": site, "sites": sites, "person": person, "q": "yusmari gonzales"}
        trigram = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").fetchone()
        print(
            f"-- {date.today()} on {url.rsplit('/', 1)[-1]}; pg_trgm {'present' if trigram else 'absent'}\n"
        )
        for name, sql in QUERIES.items():
            if words and not any(w in name for w in words):
                continue
            if any(t in name for t in TRIGRAM) and not trigram:
                print(f"## {name}\n(pg_trgm is not installed yet: the cases app's migration adds it)\n")
            else:
                _explain(conn, name, sql, params)
            if try_indexes:
                for key, statements in PROPOSED.items():
                    if key in name:
                        with conn.transaction():
                            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                            for statement in statements:
                                conn.execute(statement)
                            conn.execute("ANALYZE services_referral")
                            _explain(conn, f"{name} — with {'; '.join(statements)}", sql, params)
                            raise psycopg.Rollback  # the tried index is dropped again
        print()


def _explain(conn, name, sql, params) -> None:
    for _ in range(2):
        rows = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
    print(f"## {name}\n```\n" + "\n".join(r[0] for r in rows) + "\n```\n")


if __name__ == "__main__":
    main(sys.argv[1:])
