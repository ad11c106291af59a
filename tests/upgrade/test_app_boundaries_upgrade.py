"""Upgrading a database of the layout before the app boundaries (imports, ARCO, sport and two-factor
inside their parents) to the layout with apps of their own (docs/architecture.md).

The database is taken back to the migrations the earlier layout ended with, filled there through
the historical models of that layout (a person with its history, an import batch, an ARCO request
with its history, a sport group, session and attendance with its history, a two-factor device, a
permission given by content type, access-log rows), then migrated forward. Every record, history
row and access-log row must still be found, and an access-log row written with an old label must
read the same as one written today.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reports.triggers import sqlite_triggers_create, sqlite_triggers_drop

# The last migration of each app before the app boundaries.
BEFORE = [
    ("orientation", "0007_submission_key"),
    ("cases", "0011_person_name_key_initial_j"),
    ("services", "0007_partner_institution_names"),
    ("reports", "0008_r4v_description_limit"),
    ("api", "0001_api_tokens"),
]


# The apps the boundaries created, and those added since: none of their migrations exists in the
# earlier layout.
NEW_APPS = ["arco", "imports", "sport", "reception", "field"]


def _migrate(targets):
    """Migrate to ``targets``; the models as they were there, every other app's at its latest.
    As ``manage.py migrate`` does, on SQLite the event-change triggers are taken off first and put
    back after (reports/triggers.py)."""
    executor = MigrationExecutor(connection)
    sqlite_triggers_drop(connection)
    executor.migrate(targets)
    sqlite_triggers_create(connection)
    executor.loader.build_graph()
    named = {app for app, _name in targets}
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in named]
    return executor.loader.project_state([node for node in targets if node[1]] + others).apps


BEFORE_TARGETS = BEFORE + [(app, None) for app in NEW_APPS]


def _latest_targets():
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


def _fill(old) -> dict:
    """Rows of every moved kind, written as the earlier layout wrote them."""
    now = timezone.now()
    user_model = old.get_model("auth", "User")
    user = user_model.objects.create(username="upgrade-coordinator", password="!", date_joined=now)
    site = old.get_model("orientation", "Site").objects.create(
        code="UPG-1", name="Upgrade site", kind="point"
    )
    program = old.get_model("orientation", "Program").objects.create(
        code="UPG", name="Upgrade program", start_date=date(2020, 1, 1)
    )
    person = old.get_model("cases", "Person").objects.create(
        given_names="Ana",
        family_names="Upgrade",
        sex="F",
        nationality="VE",
        population_type="destination",
        site=site,
        registered_on=date(2024, 5, 1),
    )
    old.get_model("cases", "HistoricalPerson").objects.create(
        id=person.pk,
        given_names="Ana",
        family_names="Upgrade",
        sex="F",
        nationality="VE",
        population_type="destination",
        site_id=site.pk,
        registered_on=date(2024, 5, 1),
        created_at=now,
        updated_at=now,
        history_date=now,
        history_type="+",
        history_user_id=user.pk,
    )
    batch = old.get_model("cases", "ImportBatch").objects.create(
        kind="people", original_name="people.csv", uploaded_by=user, status="done", total_rows=1
    )
    arco = old.get_model("cases", "ArcoRequest").objects.create(
        person=person, kind="access", received_on=date(2025, 3, 3), due_on=date(2025, 3, 24)
    )
    old.get_model("cases", "HistoricalArcoRequest").objects.create(
        id=arco.pk,
        person_id=person.pk,
        kind="access",
        received_on=date(2025, 3, 3),
        due_on=date(2025, 3, 24),
        status="received",
        history_date=now,
        history_type="+",
        history_user_id=user.pk,
    )
    group = old.get_model("services", "SportGroup").objects.create(program=program, site=site, name="Sub-12")
    group.facilitators.add(user)
    session = old.get_model("services", "SportSession").objects.create(
        program=program, site=site, group=group, date=date(2025, 3, 4), activity="soccer_clinic"
    )
    attendance = old.get_model("services", "Attendance").objects.create(
        session=session, person=person, present=True, population_type="destination"
    )
    old.get_model("services", "HistoricalAttendance").objects.create(
        id=attendance.pk,
        session_id=session.pk,
        person_id=person.pk,
        present=True,
        population_type="destination",
        recorded_at=now,
        history_date=now,
        history_type="+",
    )
    device = old.get_model("otp_totp", "TOTPDevice").objects.create(
        user=user, name="Orienta", confirmed=True, key="3132333435363738393031323334353637383930"
    )
    content_type = old.get_model("contenttypes", "ContentType")
    arco_type, _created = content_type.objects.get_or_create(app_label="cases", model="arcorequest")
    permission = old.get_model("auth", "Permission").objects.create(
        content_type=arco_type, codename="upgrade_view_arcorequest", name="Can look at ARCO requests"
    )
    user.user_permissions.add(permission)
    access_log = old.get_model("orientation", "AccessLog")
    logged = access_log.objects.create(
        user=user, action="view", object_type="cases.arcorequest", object_id=str(arco.pk)
    )
    person_logged = access_log.objects.create(
        user=user, action="view", object_type="cases.person", object_id=str(person.pk)
    )
    return {
        "user": user.pk,
        "person": person.pk,
        "batch": batch.pk,
        "arco": arco.pk,
        "group": group.pk,
        "session": session.pk,
        "attendance": attendance.pk,
        "device": device.pk,
        "permission": permission.pk,
        "logged": logged.pk,
        "person_logged": person_logged.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_earlier_layout_upgrades_with_every_row(settings):
    settings.LANGUAGE_CODE = "en"
    latest = _latest_targets()
    old = _migrate(BEFORE_TARGETS)
    # Undone, the moves gave the content types their earlier labels back.
    old_types = old.get_model("contenttypes", "ContentType").objects
    assert old_types.filter(app_label="services", model="attendance").exists()
    assert not old_types.filter(app_label="sport", model="attendance").exists()
    ids = _fill(old)

    _migrate(latest)

    model = current_apps.get_model
    person = model("cases", "Person").objects.get(pk=ids["person"])
    assert person.family_names == "Upgrade"
    assert person.history.count() == 1
    batch = model("imports", "ImportBatch").objects.get(pk=ids["batch"])
    assert (batch.kind, batch.status, batch.get_kind_display()) == ("people", "done", "People")
    arco = model("arco", "ArcoRequest").objects.get(pk=ids["arco"])
    assert arco.person == person and arco.history.get().kind == "access"
    attendance = (
        model("sport", "Attendance").objects.select_related("session__group").get(pk=ids["attendance"])
    )
    assert attendance.session.group.pk == ids["group"] and attendance.person == person
    assert attendance.history.count() == 1
    assert list(
        model("sport", "SportGroup").objects.get(pk=ids["group"]).facilitators.values_list("pk", flat=True)
    ) == [ids["user"]]
    assert model("otp_totp", "TOTPDevice").objects.get(pk=ids["device"]).user_id == ids["user"]

    # What pointed to a moved model by content type points to it under its new label.
    permission = model("auth", "Permission").objects.select_related("content_type").get(pk=ids["permission"])
    assert (permission.content_type.app_label, permission.content_type.model) == ("arco", "arcorequest")
    assert permission.content_type.model_class() is model("arco", "ArcoRequest")
    assert (
        not model("contenttypes", "ContentType")
        .objects.filter(app_label="cases", model="arcorequest")
        .exists()
    )

    # The access log keeps the label it was written with, and reads it as today's.
    access_log = model("orientation", "AccessLog")
    old_row = access_log.objects.get(pk=ids["logged"])
    assert old_row.object_type == "cases.arcorequest"
    new_row = access_log.objects.create(action="view", object_type="arco.arcorequest", object_id=str(arco.pk))
    assert old_row.record_type == new_row.record_type == "arco.arcorequest"
    assert old_row.record_type_display() == new_row.record_type_display() == "ARCO request"
    assert access_log.objects.get(pk=ids["person_logged"]).record_type_display() == "person"


@pytest.mark.django_db
def test_the_before_list_names_migrations_that_exist():
    graph = MigrationExecutor(connection).loader.graph
    for node in BEFORE:
        assert node in graph.nodes
