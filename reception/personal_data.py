"""What ``reception`` holds about a person, for the ARCO engine (cases/arco/policy.py): a visit
keeps its ticket and times (the day's figures) and nothing that names the person; a visit is a
contact for retention."""

from __future__ import annotations

from cases.arco.policy import contact_register, model_policy, policy_register

from .models import Visit

policy_register(
    "reception.visit",
    model_policy(
        erase=["priority_reasons"],
        keep=[
            "id",
            "site",
            "person",
            "day",
            "number",
            "ticket",
            "area",
            "returning",
            "priority",
            "rank",
            "status",
            "arrived_at",
            "queued_at",
            "called_at",
            "service_started_at",
            "finished_at",
            "desk",
            "calls",
            "checked_in_by",
            "served_by",
        ],
    ),
)

contact_register("visit", lambda cutoff: Visit.objects.filter(day__gte=cutoff))
