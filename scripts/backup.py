#!/usr/bin/env python3
"""Back up Orienta and restore a backup into a NEW database (README, "Backup and restore").

    scripts/backup.py dump --out DIR
        PostgreSQL (pg_dump, custom format) and the uploaded files (MEDIA_ROOT as a tar.gz) into
        DIR/orienta-YYYYmmdd-HHMMSS/, with a manifest of row counts. Reads DATABASE_URL and
        MEDIA_ROOT from the environment.
    scripts/backup.py restore BACKUP --database-url URL [--media-root DIR]
        Creates the database of URL (it must not exist), restores the dump into it, unpacks the
        files into DIR. Never touches an existing database.
    scripts/backup.py compare SOURCE_URL TARGET_URL
        Row counts of every table and the stored monthly figures, side by side; exits 1 if they
        differ (the drill after a restore: against the manifest, or against the live database).

PG_BIN may point at the PostgreSQL client programs (default: those on PATH). Redis is not backed
up: it holds only the queue (the outbox re-sends what it lost), the cache and rate-limit counters.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _bin(name: str) -> str:
    pg_bin = os.environ.get("PG_BIN")
    return str(Path(pg_bin) / name) if pg_bin else name


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _connect(url: str):
    import psycopg

    return psycopg.connect(_libpq(url), connect_timeout=10, autocommit=True)


def figures(url: str) -> dict:
    """Row count of every table, and a digest of the stored monthly figures."""
    with _connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        counts = {
            # table names come from the catalogue, quoted as identifiers
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608  # nosec B608
            for table in tables
        }
        monthly = []
        if "reports_monthlyfigure" in tables:
            monthly = conn.execute(
                "SELECT month::text, indicator_id, reached::text, new::text, cumulative::text "
                "FROM reports_monthlyfigure ORDER BY month, indicator_id, id"
            ).fetchall()
    digest = hashlib.sha256(json.dumps(monthly, default=str).encode()).hexdigest()
    return {"tables": counts, "monthly_figures": len(monthly), "monthly_digest": digest}


def dump(out: Path) -> Path:
    url = os.environ["DATABASE_URL"]
    media = Path(os.environ.get("MEDIA_ROOT", "media"))
    target = out / f"orienta-{datetime.now(UTC):%Y%m%d-%H%M%SZ}"
    target.mkdir(parents=True)
    subprocess.run(
        [
            _bin("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--file",
            str(target / "orienta.dump"),
            _libpq(url),
        ],
        check=True,
    )
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        if media.is_dir():
            tar.add(media, arcname="media")
    (target / "manifest.json").write_text(json.dumps(figures(url), indent=1, sort_keys=True))
    return target


def restore(backup: Path, url: str, media_root: Path | None) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with _connect(maintenance) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            sys.exit(f"database {name} exists: restore only into a new database")
        conn.execute(f'CREATE DATABASE "{name}"')  # nosec B608  (the operator's own argument)
    subprocess.run(
        [
            _bin("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            "--jobs=2",
            "--dbname",
            _libpq(url),
            str(backup / "orienta.dump"),
        ],
        check=True,
    )
    if media_root is not None:
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(backup / "media.tar.gz") as tar:
            for member in tar.getmembers():
                if not member.name.startswith("media") or ".." in Path(member.name).parts:
                    continue
                if not (member.isfile() or member.isdir()):
                    continue
                member.name = str(Path(member.name).relative_to("media"))
                tar.extract(member, media_root, filter="data")


def compare(source: dict, target: dict) -> list[str]:
    differences = []
    for table in sorted(set(source["tables"]) | set(target["tables"])):
        a, b = source["tables"].get(table), target["tables"].get(table)
        if a != b:
            differences.append(f"{table}: {a} rows, restored {b}")
    if source["monthly_digest"] != target["monthly_digest"]:
        differences.append(
            f"monthly figures differ ({source['monthly_figures']} rows, restored {target['monthly_figures']})"
        )
    return differences


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_dump = sub.add_parser("dump")
    p_dump.add_argument("--out", type=Path, required=True)
    p_restore = sub.add_parser("restore")
    p_restore.add_argument("backup", type=Path)
    p_restore.add_argument("--database-url", required=True)
    p_restore.add_argument("--media-root", type=Path)
    p_compare = sub.add_parser("compare")
    p_compare.add_argument("source", help="a database URL or a backup's manifest.json")
    p_compare.add_argument("target", help="a database URL")
    args = parser.parse_args(argv)

    if args.command == "dump":
        print(dump(args.out))
    elif args.command == "restore":
        restore(args.backup, args.database_url, args.media_root)
        print(f"restored {args.backup} into {urlsplit(args.database_url).path.lstrip('/')}")
    else:
        source = (
            json.loads(Path(args.source).read_text())
            if args.source.endswith(".json")
            else figures(args.source)
        )
        target = figures(args.target)
        differences = compare(source, target)
        for line in differences:
            print(line)
        tables = len(target["tables"])
        rows = sum(target["tables"].values())
        if differences:
            return 1
        print(f"same: {tables} tables, {rows} rows, {target['monthly_figures']} monthly figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
