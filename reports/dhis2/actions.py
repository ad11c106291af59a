"""Writes for DHIS2: queueing a push (by a coordinator, or after a month is computed) and sending it.

A push is a ``DHIS2Push`` row queued through the outbox (``orientation.outbox.enqueue``), so it is
sent only once the transaction that asked for it commits, and sent again if the broker was away.
The task (``reports.dhis2.tasks``) builds the month's data value set at that moment, posts it, and
stores DHIS2's answer: ``sent`` with the import summary, or ``failed`` with the reason. Network
errors and DHIS2's 5xx answers are retried with backoff; the last attempt records the failure.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orientation import roles
from orientation.dates import first_of_month
from orientation.models import Program
from orientation.outbox import enqueue

from .client import TEXT_KEPT, Answer, authorization, post_data_value_set
from .datavalues import data_value_set_build
from .models import DHIS2Push, DHIS2Server, ProgramMapping
from .selectors import dhis2_server_active

logger = logging.getLogger(__name__)

PUSH_TASK = "reports.dhis2.tasks.dhis2_push_task"
# DHIS2's answer is stored as it came, unless it is larger than this (then its beginning only).
RESPONSE_KEPT = 1024 * 1024


class DHIS2Unavailable(Exception):
    """DHIS2 could not be reached or answered 5xx/429: worth another attempt later."""


@transaction.atomic
def dhis2_push_request(
    *, month: date, program: Program, user=None, trigger: str = DHIS2Push.Trigger.MANUAL
) -> tuple[DHIS2Push, bool]:
    """Queue a push of a program's month. A push of the same month still waiting is reused (it
    reads the figures when it runs). Returns the push and whether it is a new one. ``user``: who
    asked (a coordinator or an admin); None for the automatic push after a month is computed."""
    if user is not None:
        roles.require(user, roles.REPORT_READERS)
    month = first_of_month(month)
    waiting = (
        DHIS2Push.objects.filter(month=month, program=program, status=DHIS2Push.Status.QUEUED)
        .order_by("-created_at")
        .first()
    )
    if waiting is not None and not waiting.is_stalled:
        return waiting, False
    server = dhis2_server_active()
    push = DHIS2Push(
        month=month,
        program=program,
        trigger=trigger,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        server_url=server.base_url if server else "",
    )
    push.full_clean()
    push.save()
    enqueue(PUSH_TASK, push_id=push.pk)
    return push, True


def dhis2_pushes_after_month_computed(sender, *, run, month: date, program: Program | None, **kwargs):
    """``reports.signals.month_computed``: with automatic pushes on, queue a push of the month for
    each mapped program of the run. Only months that have ended (the nightly refresh of the month
    in progress is not sent). In a savepoint: a failure here leaves the figures' transaction whole."""
    with transaction.atomic():
        if not DHIS2Server.objects.filter(active=True, auto_push=True).exists():
            return []
        if month >= first_of_month(timezone.localdate()):
            return []
        mappings = ProgramMapping.objects.select_related("program").order_by("program__code")
        if program is not None:
            mappings = mappings.filter(program=program)
        return [
            dhis2_push_request(month=month, program=m.program, trigger=DHIS2Push.Trigger.AUTO)[0]
            for m in mappings
        ]


def _finish(push: DHIS2Push, *, status: str, **fields) -> str:
    DHIS2Push.objects.filter(pk=push.pk).update(status=status, finished_at=timezone.now(), **fields)
    return status


def _response_kept(body) -> dict | list | None:
    if body is None:
        return None
    text = json.dumps(body, ensure_ascii=False)
    if len(text) <= RESPONSE_KEPT:
        return body
    return {"text": text[:TEXT_KEPT], "truncated": True}


def _failure(answer: Answer) -> str:
    if answer.network_error:
        return _("DHIS2 could not be reached (%(reason)s).") % {"reason": answer.network_error}
    status = answer.http_status
    if status in (301, 302, 303, 307, 308):
        return _(
            "DHIS2 answered with a redirect (HTTP %(status)s to %(location)s) instead of an import "
            "summary: check the server's address and the credentials."
        ) % {"status": status, "location": answer.location or "?"}
    if status in (401, 403):
        return _(
            "DHIS2 refused the credentials (HTTP %(status)s): check the token or the password in the "
            "environment variable, and that the DHIS2 user may write these data."
        ) % {"status": status}
    if (status and status >= 500) or status == 429:
        return _("DHIS2 failed to answer (HTTP %(status)s).") % {"status": status}
    return _("DHIS2 answered HTTP %(status)s without an import summary.") % {"status": status}


def dhis2_push_send(*, push_id: int, last_attempt: bool = True) -> str:
    """Build the push's month now, post it to the active server and store the answer. Returns the
    push's status. Raises ``DHIS2Unavailable`` on a network error or a 5xx/429 answer unless this
    is the ``last_attempt`` (then the push fails with the reason)."""
    push = DHIS2Push.objects.select_related("program").filter(pk=push_id).first()
    if push is None:
        return "missing"
    if push.status != DHIS2Push.Status.QUEUED:
        return push.status  # delivered again after it finished: nothing to do
    DHIS2Push.objects.filter(pk=push.pk).update(attempts=F("attempts") + 1)
    server = dhis2_server_active()
    if server is None:
        return _finish(
            push,
            status=DHIS2Push.Status.FAILED,
            error=_(
                "No DHIS2 server is configured (or none is active): an administrator adds it in the admin."
            ),
        )
    secret = os.environ.get(server.secret_env, "")
    if not secret:
        return _finish(
            push,
            status=DHIS2Push.Status.FAILED,
            server_url=server.base_url,
            error=_(
                "The environment variable %(name)s is not set where the push runs (the Celery worker): "
                "nothing was sent."
            )
            % {"name": server.secret_env},
        )
    built = data_value_set_build(month=push.month, program_code=push.program.code)
    if not built.ok:
        return _finish(
            push,
            status=DHIS2Push.Status.FAILED,
            server_url=server.base_url,
            error="\n".join(built.problems)[:4000],
        )
    answer = post_data_value_set(
        url=server.endpoint,
        authorization_header=authorization(auth=server.auth, username=server.username, secret=secret),
        payload=built.as_json(),
        timeout=server.timeout,
    )
    common = {
        "server_url": server.base_url,
        "values_sent": len(built.values),
        "http_status": answer.http_status,
        "response": _response_kept(answer.body),
    }
    summary = answer.summary
    if summary is not None and (200 <= (answer.http_status or 0) < 300 or answer.http_status == 409):
        return _finish(
            push,
            status=DHIS2Push.Status.SENT,
            import_status=summary["status"],
            imported=summary["imported"],
            updated=summary["updated"],
            ignored=summary["ignored"],
            deleted=summary["deleted"],
            conflicts=summary["conflicts"],
            error="",
            **common,
        )
    error = _failure(answer)
    if answer.transient and not last_attempt:
        DHIS2Push.objects.filter(pk=push.pk).update(error=error, **common)
        raise DHIS2Unavailable(error)
    logger.warning("DHIS2 push %s failed: %s", push.pk, error)
    return _finish(push, status=DHIS2Push.Status.FAILED, error=error, **common)
