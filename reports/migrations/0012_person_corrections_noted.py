"""A correction of a person's sex, nationality or birth date changes how every event of theirs is
counted (sex, age, nationality are read from the person): note the person for each program they
have events in, from their earliest event, as the event triggers of 0009 do for event writes."""

from django.db import migrations

COLUMNS = ["sex", "nationality", "birth_date"]
CHANGE = "INSERT INTO reports_eventchange (program_id, person_id, day)"
EVENTS = (
    "SELECT x.program_id AS program_id, x.delivered_on AS day FROM services_directservice x WHERE x.person_id = NEW.id"
    " UNION ALL SELECT x.program_id, x.referred_on FROM services_referral x WHERE x.person_id = NEW.id"
    " UNION ALL SELECT s.program_id, s.date FROM services_attendance x"
    " JOIN services_sportsession s ON s.id = x.session_id WHERE x.person_id = NEW.id"
)
NOTE = f"{CHANGE} SELECT e.program_id, NEW.id, MIN(e.day) FROM ({EVENTS}) e GROUP BY e.program_id;"  # nosec B608


def _when(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in COLUMNS)


def sqlite_sql():
    return [
        f"CREATE TRIGGER reports_ec_cases_person_update AFTER UPDATE ON cases_person WHEN {_when('IS NOT')}"
        f" BEGIN {NOTE} END"
    ]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION reports_ec_cases_person_update() RETURNS trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN IF reports_event_changes_on() THEN {NOTE} END IF; RETURN NULL; END $$"
        )
        schema_editor.execute(
            "CREATE TRIGGER reports_ec_cases_person_update AFTER UPDATE ON cases_person FOR EACH ROW"
            f" WHEN ({_when('IS DISTINCT FROM')}) EXECUTE FUNCTION reports_ec_cases_person_update()"
        )
    elif vendor == "sqlite":
        for statement in sqlite_sql():
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"Orienta's event-change triggers are written for PostgreSQL and SQLite, not {vendor}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS reports_ec_cases_person_update ON cases_person")
        schema_editor.execute("DROP FUNCTION IF EXISTS reports_ec_cases_person_update()")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS reports_ec_cases_person_update")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0011_late_changes"),
        ("cases", "0012_arco_and_imports_own_apps"),
    ]

    operations = [migrations.RunPython(create, drop)]
