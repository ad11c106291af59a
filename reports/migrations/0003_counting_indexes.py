"""Indexes that the counting queries of ``reports.counting`` need on the event tables.

They live here, with the queries that need them, rather than in the apps that own the tables.
On PostgreSQL they are covering indexes (a month's events and each person's earlier events are
read from the index alone) built without blocking writes; SQLite gets their key columns only.
"""

from django.db import migrations

# name, table, key columns, included columns (PostgreSQL), partial condition (PostgreSQL)
INDEXES = [
    # A month's direct services of a program, and a person's earlier ones.
    (
        "reports_ds_month_idx",
        "services_directservice",
        "program_id, delivered_on",
        "person_id, service_type_id, population_type, created_at",
        "",
    ),
    (
        "reports_ds_person_idx",
        "services_directservice",
        "person_id, program_id, delivered_on",
        "service_type_id",
        "",
    ),
    # A month's completed referrals, a month's referrals made, and a person's earlier ones.
    (
        "reports_ref_completed_idx",
        "services_referral",
        "program_id, completed_on",
        "person_id, service_type_id, population_type, created_at",
        "status = 'completed'",
    ),
    (
        "reports_ref_made_idx",
        "services_referral",
        "program_id, referred_on",
        "person_id, status, service_type_id, population_type, created_at",
        "",
    ),
    (
        "reports_ref_person_idx",
        "services_referral",
        "person_id, program_id",
        "status, referred_on, completed_on, service_type_id",
        "",
    ),
    # The attendance of a month's sessions, and a person's earlier attendance.
    ("reports_att_session_idx", "services_attendance", "session_id", "person_id, present, population_type", ""),
    ("reports_att_person_idx", "services_attendance", "person_id", "session_id, present", ""),
    # People corrected since the last check (their first events carry sex, nationality and age).
    ("reports_person_updated_idx", "cases_person", "updated_at", "", ""),
]

# SQLite (demo and tests) only needs the per-person probes; the month scans use the apps' indexes.
SQLITE = {"reports_ds_person_idx", "reports_ref_person_idx", "reports_att_person_idx", "reports_person_updated_idx"}


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, table, keys, include, condition in INDEXES:
        if postgres:
            sql = f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({keys})"
            if include:
                sql += f" INCLUDE ({include})"
            if condition:
                sql += f" WHERE {condition}"
        elif name in SQLITE:
            sql = f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({keys})"
        else:
            continue
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    for name, *_rest in INDEXES:
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("reports", "0002_first_events"),
        ("services", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
