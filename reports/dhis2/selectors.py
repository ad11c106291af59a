"""Reads for DHIS2: the active server, and pushes scoped to the programs a user reports on."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from orientation.models import Program
from reports.selectors import report_programs_for

from .models import DHIS2Push, DHIS2Server


def dhis2_server_active() -> DHIS2Server | None:
    return DHIS2Server.objects.filter(active=True).first()


def dhis2_pushes_of(*, program: Program) -> QuerySet[DHIS2Push]:
    """A program's pushes, newest first (the caller checked the program is the user's)."""
    return (
        DHIS2Push.objects.filter(program=program)
        .select_related("program", "requested_by")
        .order_by("-created_at", "-id")
    )


def dhis2_push_get_for(user, pk: int) -> DHIS2Push:
    """A push of one of the user's programs (404 otherwise, like a run of another program)."""
    push = DHIS2Push.objects.select_related("program", "requested_by").filter(pk=pk).first()
    if push is None or not report_programs_for(user).filter(pk=push.program_id).exists():
        raise Http404
    return push
