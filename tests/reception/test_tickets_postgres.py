"""Ticket numbers under concurrent check-ins, on PostgreSQL with real threads: every number once."""

from __future__ import annotations

from django.utils import timezone

from reception.models import Visit
from tests.factories import PersonFactory, site
from tests.saves.conftest import postgres_only, run_together

from .conftest import check_in

DESKS = 8


@postgres_only
def test_simultaneous_check_ins_get_distinct_consecutive_tickets(ref, make_user):
    receptionists = [make_user("receptionist", sites=["PAO-LS"], username=f"rec-{i}") for i in range(DESKS)]
    people = PersonFactory.create_batch(DESKS * 3)
    for round_ in range(3):
        batch = people[round_ * DESKS : (round_ + 1) * DESKS]
        run_together(*[lambda r=r, p=p: check_in(r, p) for r, p in zip(receptionists, batch, strict=True)])
    numbers = sorted(
        Visit.objects.filter(site=site("PAO-LS"), day=timezone.localdate()).values_list("number", flat=True)
    )
    assert numbers == list(range(1, DESKS * 3 + 1))
    tickets = Visit.objects.values_list("ticket", flat=True)
    assert len(set(tickets)) == len(tickets) == DESKS * 3
