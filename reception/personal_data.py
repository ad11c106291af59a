"""What ``reception`` holds about a person, for the ARCO engine (cases/arco/policy.py): a visit
keeps its ticket and times (the day's figures) and nothing that names the person; a visit (and a kept
appointment) is a contact for retention; an appointment holds no free text."""

from __future__ import annotations

from cases.arco.policy import contact_register, model_policy, policy_register

from .models import Appointment, Visit

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
            "appointment",
        ],
    ),
)

policy_register(
    "reception.appointment",
    model_policy(
        keep=[
            "id",
            "person",
            "site",
            "area",
            "staff",
            "date",
            "time",
            "status",
            "rescheduled_from",
            "booked_by",
            "status_changed_at",
            "plan_action",
            "created_at",
        ]
    ),
)

policy_register(
    "reception.reminder",
    model_policy(
        erase=["to", "body", "provider_id", "last_error", "expires_on"],
        keep=[
            "id",
            "person",
            "appointment",
            "document",
            "language",
            "kind",
            "channel",
            "status",
            "attempts",
            "sent_at",
            "created_at",
        ],
    ),
)

contact_register("visit", lambda cutoff: Visit.objects.filter(day__gte=cutoff))
contact_register(
    "appointment kept",
    lambda cutoff: Appointment.objects.filter(date__gte=cutoff, status=Appointment.Status.KEPT),
)
