"""The same submission from two tabs at the same moment, on PostgreSQL: both pass the early
look-up, the unique key lets one through and turns the other into a duplicate."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, connections

from field import actions
from field.models import FieldSubmission
from services.sport.models import Attendance

from .conftest import mark


@pytest.mark.django_db(transaction=True)
def test_two_tabs_at_once_write_once(facilitator, session, kids, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections writing at once (SQLite writes one at a time)")
    monkeypatch.setattr(actions, "_received", lambda keys: set())  # both tabs get past the look-up
    key = uuid.uuid4()
    item = mark(session, kids[0], present=True, key=key)
    start = threading.Barrier(2)
    answers = []

    def tab():
        try:
            start.wait()
            answers.extend(actions.field_submissions_apply(user=facilitator, submissions=[item]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(a["status"] for a in answers) == ["accepted", "duplicate"]
    assert FieldSubmission.objects.filter(key=key).count() == 1
    assert Attendance.objects.filter(session=session).count() == 1
