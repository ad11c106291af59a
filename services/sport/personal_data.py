"""What ``services.sport`` holds about a person, for the ARCO engine (cases/arco/policy.py):
what anonymization erases and keeps in each field, and which rows count as a contact for retention."""

from __future__ import annotations

from cases.arco.policy import contact_register, model_policy, policy_register

from .models import Attendance

policy_register(
    "sport.groupparticipant", model_policy(keep=["id", "group", "person", "joined_on", "left_on"])
)

policy_register(
    "sport.attendance",
    model_policy(
        keep=["id", "session", "person", "present", "population_type", "recorded_by", "recorded_at"]
    ),
)

contact_register("attendance", lambda cutoff: Attendance.objects.filter(session__date__gte=cutoff))
