"""Pushing a month to DHIS2 against the stand-in server (tests/dhis2/conftest.py): the request as
DHIS2 expects it, the import summaries stored, conflicts, refusals and errors, retries, and the
automatic push after a month is computed. Celery runs eagerly; the outbox sends after commit."""

import base64
from datetime import date

import pytest

from orientation.models import OutboxMessage
from reports.actions import monthly_figures_compute
from reports.dhis2.actions import PUSH_TASK, dhis2_push_request, dhis2_push_send
from reports.dhis2.models import DHIS2Push, OrgUnitMapping
from reports.dhis2.tasks import MAX_RETRIES, dhis2_push_task, retry_delay
from tests.factories import program

from .conftest import MARCH, TOKEN
from .test_datavalues import expected_values


def _push(django_capture_on_commit_callbacks, **kwargs) -> DHIS2Push:
    with django_capture_on_commit_callbacks(execute=True):
        push, _created = dhis2_push_request(month=MARCH, program=program("SALUD"), **kwargs)
    push.refresh_from_db()
    return push


def test_a_push_posts_the_data_value_set_and_stores_the_import_summary(
    march, dhis2, server_for, django_capture_on_commit_callbacks, coordinator
):
    server_for(dhis2.url)
    push = _push(django_capture_on_commit_callbacks, user=coordinator)
    [request] = dhis2.requests
    assert request["path"] == "/api/dataValueSets"
    assert request["headers"]["content-type"] == "application/json"
    assert request["headers"]["authorization"] == f"ApiToken {TOKEN}"
    assert request["problems"] == []
    assert request["body"]["dataValues"] == expected_values()
    assert push.status == DHIS2Push.Status.SENT
    assert (push.http_status, push.import_status) == (200, "SUCCESS")
    assert (push.imported, push.updated, push.ignored, push.deleted) == (13, 0, 0, 0)
    assert push.conflicts == []
    assert push.values_sent == 13 and push.attempts == 1
    assert push.requested_by == coordinator and push.finished_at is not None
    assert push.response["response"]["importCount"]["imported"] == 13
    assert OutboxMessage.objects.get(task_name=PUSH_TASK).completed_at is not None

    again = _push(django_capture_on_commit_callbacks)
    assert (again.imported, again.updated) == (0, 13)  # the same values, replaced


def test_basic_authentication(march, dhis2, server_for, django_capture_on_commit_callbacks):
    server_for(dhis2.url, auth="basic")
    push = _push(django_capture_on_commit_callbacks)
    expected = base64.b64encode(b"orienta:district-Test-1").decode()
    assert dhis2.requests[0]["headers"]["authorization"] == f"Basic {expected}"
    assert push.status == DHIS2Push.Status.SENT


def test_conflicts_are_stored_with_the_ignored_count(
    march, dhis2, server_for, django_capture_on_commit_callbacks
):
    dhis2.locked_org_units = {"OrOuSch01vm"}
    server_for(dhis2.url)
    push = _push(django_capture_on_commit_callbacks)
    assert push.status == DHIS2Push.Status.SENT
    assert (push.http_status, push.import_status) == (409, "WARNING")
    assert (push.imported, push.ignored) == (7, 6)
    assert len(push.conflicts) == 6
    assert push.conflicts[0] == {
        "object": "OrOuSch01vm",
        "value": "Data set is locked for this period and organisation unit",
    }


def test_the_older_bare_import_summary_is_read_too(
    march, dhis2, server_for, django_capture_on_commit_callbacks
):
    """DHIS2 before 2.36 answered the summary itself, without the wrapper."""
    dhis2.script = [
        {
            "status": 200,
            "body": {
                "responseType": "ImportSummary",
                "status": "SUCCESS",
                "importCount": {"imported": 10, "updated": 3, "ignored": 0, "deleted": 0},
                "conflicts": [],
            },
        }
    ]
    server_for(dhis2.url)
    push = _push(django_capture_on_commit_callbacks)
    assert (push.status, push.import_status, push.imported, push.updated) == ("sent", "SUCCESS", 10, 3)


def test_refused_credentials_fail_at_once(
    march, dhis2, server_for, django_capture_on_commit_callbacks, monkeypatch
):
    server_for(dhis2.url)
    monkeypatch.setenv("DHIS2_TEST_SECRET", "d2pat_wrong")
    push = _push(django_capture_on_commit_callbacks)
    assert len(dhis2.requests) == 1  # a 401 is not retried
    assert push.status == DHIS2Push.Status.FAILED
    assert push.http_status == 401
    assert "refused the credentials (HTTP 401)" in push.error
    assert push.response["status"] == "ERROR"
    assert TOKEN not in push.error and "d2pat_wrong" not in push.error


def _deliver(push: DHIS2Push, *, retries: int, monkeypatch) -> list[int]:
    """Run the task as a worker would on its ``retries``-th delivery; return the countdowns of the
    retries it asked for."""
    from celery.exceptions import Retry

    asked = []

    def retry(exc=None, countdown=None, **kwargs):
        asked.append(countdown)
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(dhis2_push_task, "retry", retry)
    dhis2_push_task.push_request(retries=retries, is_eager=False, called_directly=False, id=f"try-{retries}")
    try:
        dhis2_push_task.run(push_id=push.pk)
    except Retry:
        pass
    finally:
        dhis2_push_task.pop_request()
    return asked


SERVER_ERROR = {
    "status": 500,
    "body": {
        "httpStatus": "Internal Server Error",
        "httpStatusCode": 500,
        "status": "ERROR",
        "message": "boom",
    },
}


def test_server_errors_are_retried_with_backoff_then_fail(march, dhis2, server_for, monkeypatch):
    dhis2.script = [SERVER_ERROR] * (MAX_RETRIES + 1)
    server_for(dhis2.url)
    push, _created = dhis2_push_request(month=MARCH, program=program("SALUD"))
    countdowns = []
    for retries in range(MAX_RETRIES):
        countdowns += _deliver(push, retries=retries, monkeypatch=monkeypatch)
        push.refresh_from_db()
        assert push.status == DHIS2Push.Status.QUEUED and "HTTP 500" in push.error
    assert countdowns == [30, 60, 120, 240]
    assert _deliver(push, retries=MAX_RETRIES, monkeypatch=monkeypatch) == []  # the last attempt
    push.refresh_from_db()
    assert len(dhis2.requests) == MAX_RETRIES + 1
    assert (push.status, push.attempts, push.http_status) == ("failed", MAX_RETRIES + 1, 500)
    assert "DHIS2 failed to answer (HTTP 500)" in push.error


def test_a_server_error_then_success(march, dhis2, server_for, monkeypatch):
    dhis2.script = [{"status": 503, "body": "<html>Service Unavailable</html>"}]
    server_for(dhis2.url)
    push, _created = dhis2_push_request(month=MARCH, program=program("SALUD"))
    assert _deliver(push, retries=0, monkeypatch=monkeypatch) == [30]
    assert _deliver(push, retries=1, monkeypatch=monkeypatch) == []
    push.refresh_from_db()
    assert len(dhis2.requests) == 2
    assert (push.status, push.attempts, push.imported, push.error) == ("sent", 2, 13, "")


def test_connection_refused_is_retried(march, closed_port, server_for, monkeypatch):
    server_for(f"http://127.0.0.1:{closed_port}")
    push, _created = dhis2_push_request(month=MARCH, program=program("SALUD"))
    assert _deliver(push, retries=0, monkeypatch=monkeypatch) == [30]
    push.refresh_from_db()
    assert push.status == DHIS2Push.Status.QUEUED
    assert "could not be reached" in push.error and "Connection refused" in push.error


def test_without_a_broker_a_push_is_tried_once(
    march, dhis2, closed_port, server_for, django_capture_on_commit_callbacks
):
    """Tasks run eagerly (the demo): the request that asked sees the result, nothing is left queued."""
    dhis2.script = [SERVER_ERROR]
    server_for(dhis2.url)
    push = _push(django_capture_on_commit_callbacks)
    assert len(dhis2.requests) == 1
    assert (push.status, push.attempts, push.http_status) == ("failed", 1, 500)
    DHIS2Push.objects.all().delete()
    from reports.dhis2.models import DHIS2Server

    DHIS2Server.objects.update(base_url=f"http://127.0.0.1:{closed_port}")
    push = _push(django_capture_on_commit_callbacks)
    assert (push.status, push.http_status) == ("failed", None)
    assert "Connection refused" in push.error


def test_a_redirect_is_not_followed(march, dhis2, server_for, django_capture_on_commit_callbacks):
    """DHIS2 sends a bad login to its login page: the credentials never follow a redirect."""
    dhis2.script = [{"status": 302, "body": "", "headers": {"Location": "http://evil.example/login"}}]
    server_for(dhis2.url)
    push = _push(django_capture_on_commit_callbacks)
    assert len(dhis2.requests) == 1
    assert push.status == DHIS2Push.Status.FAILED
    assert "redirect (HTTP 302 to http://evil.example/login)" in push.error


def test_an_answer_without_an_import_summary_fails(
    march, dhis2, server_for, django_capture_on_commit_callbacks
):
    dhis2.script = [{"status": 200, "body": "<html>Login</html>"}]
    server_for(dhis2.url)
    push = _push(django_capture_on_commit_callbacks)
    assert push.status == DHIS2Push.Status.FAILED
    assert "HTTP 200 without an import summary" in push.error
    assert push.response == {"text": "<html>Login</html>"}


def test_a_missing_secret_sends_nothing(
    march, dhis2, server_for, django_capture_on_commit_callbacks, monkeypatch
):
    server_for(dhis2.url)
    monkeypatch.delenv("DHIS2_TEST_SECRET")
    push = _push(django_capture_on_commit_callbacks)
    assert dhis2.requests == []
    assert push.status == DHIS2Push.Status.FAILED
    assert "DHIS2_TEST_SECRET is not set" in push.error


def test_without_a_server_nothing_is_sent(march, django_capture_on_commit_callbacks):
    push = _push(django_capture_on_commit_callbacks)
    assert push.status == DHIS2Push.Status.FAILED
    assert "No DHIS2 server" in push.error


def test_a_mapping_removed_meanwhile_fails_with_the_list(
    march, dhis2, server_for, django_capture_on_commit_callbacks
):
    server_for(dhis2.url)
    OrgUnitMapping.objects.filter(site__code="SCH-01").delete()
    push = _push(django_capture_on_commit_callbacks)
    assert dhis2.requests == []
    assert push.status == DHIS2Push.Status.FAILED
    assert "Site SCH-01" in push.error


def test_the_task_is_idempotent(march, dhis2, server_for, django_capture_on_commit_callbacks):
    server_for(dhis2.url)
    push = _push(django_capture_on_commit_callbacks)
    assert dhis2_push_task.apply(kwargs={"push_id": push.pk}).get() == "sent"
    assert dhis2_push_send(push_id=push.pk) == "sent"
    assert dhis2_push_send(push_id=2_000_000_000) == "missing"
    assert len(dhis2.requests) == 1


def test_a_waiting_push_is_reused(march):
    first, created = dhis2_push_request(month=MARCH, program=program("SALUD"))
    second, created_again = dhis2_push_request(month=date(2025, 3, 20), program=program("SALUD"))
    assert created and not created_again and first == second
    DHIS2Push.objects.filter(pk=first.pk).update(created_at=first.created_at - DHIS2Push.STALLED_AFTER * 2)
    third, created = dhis2_push_request(month=MARCH, program=program("SALUD"))
    assert created and third != first


def test_retry_delays_back_off():
    assert [retry_delay(n) for n in range(6)] == [30, 60, 120, 240, 480, 600]


# --- After a month is computed (reports' month_computed signal, through the outbox) --------------


def _compute(django_capture_on_commit_callbacks, month=MARCH, program_code="SALUD"):
    with django_capture_on_commit_callbacks(execute=True):
        monthly_figures_compute(month=month, program_code=program_code)


def test_a_computed_month_is_pushed_when_automatic_pushes_are_on(
    march, dhis2, server_for, django_capture_on_commit_callbacks
):
    server_for(dhis2.url, auto_push=True)
    _compute(django_capture_on_commit_callbacks)
    push = DHIS2Push.objects.get()
    assert (push.program.code, push.month, push.trigger, push.status) == ("SALUD", MARCH, "auto", "sent")
    assert push.requested_by is None
    assert dhis2.requests[0]["body"]["dataValues"] == expected_values()


def test_a_run_of_every_program_pushes_each_mapped_program_once(
    march, dhis2, server_for, django_capture_on_commit_callbacks
):
    server_for(dhis2.url, auto_push=True)
    _compute(django_capture_on_commit_callbacks, program_code=None)
    assert list(DHIS2Push.objects.values_list("program__code", flat=True)) == ["SALUD"]


@pytest.mark.parametrize("why", ["off", "no server", "other program", "month in progress"])
def test_no_automatic_push(march, dhis2, server_for, django_capture_on_commit_callbacks, why):
    from django.utils import timezone

    if why != "no server":
        server_for(dhis2.url, auto_push=why != "off")
    month, code = MARCH, "SALUD"
    if why == "other program":
        code = "PAO"
    if why == "month in progress":
        month = timezone.localdate().replace(day=1)
    _compute(django_capture_on_commit_callbacks, month=month, program_code=code)
    assert not DHIS2Push.objects.exists()
    assert dhis2.requests == []


def test_a_failing_receiver_never_fails_the_figures(
    march, server_for, django_capture_on_commit_callbacks, monkeypatch
):
    from reports.dhis2 import actions
    from reports.models import MonthlyFigure, ReportRun

    server_for("https://dhis2.example.org", auto_push=True)

    def broken(**kwargs):
        raise RuntimeError("DHIS2 mapping broken")

    monkeypatch.setattr(actions, "dhis2_push_request", broken)
    _compute(django_capture_on_commit_callbacks)
    assert MonthlyFigure.objects.filter(month=MARCH, indicator__program__code="SALUD").count() == 2
    assert ReportRun.objects.get().status == ReportRun.Status.DONE
    assert not DHIS2Push.objects.exists()


# --- A real worker (PostgreSQL and Redis: the CI's second pass) -----------------------------------


@pytest.fixture
def token_in_environment(monkeypatch):
    """The secret in this process's environment before the worker starts (it inherits it)."""
    monkeypatch.setenv("DHIS2_TEST_SECRET", TOKEN)


@pytest.mark.worker
def test_a_real_worker_finds_the_task_and_pushes_through_the_outbox(
    token_in_environment, dhis2, celery_worker_process, march, server_for
):
    import time

    from django.db import transaction

    server_for(dhis2.url)
    with transaction.atomic():
        push, _created = dhis2_push_request(month=MARCH, program=program("SALUD"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        push.refresh_from_db()
        if push.status != DHIS2Push.Status.QUEUED:
            break
        time.sleep(0.5)
    assert (push.status, push.imported) == ("sent", 13)
    assert dhis2.requests[0]["body"]["dataValues"] == expected_values()
    message = OutboxMessage.objects.get(task_name=PUSH_TASK)
    deadline = time.monotonic() + 20
    while message.completed_at is None and time.monotonic() < deadline:
        time.sleep(0.5)
        message.refresh_from_db()
    assert message.completed_at is not None
