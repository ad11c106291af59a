"""What ``field`` holds about a person, for the ARCO engine (cases/arco/policy.py).

A receipt only says that a device's save reached the server: which record it wrote and when. It
holds no name or contact (``overtaken`` keeps only an anonymous head count); anonymizing the person keeps it (the records it points to are
anonymized by their own apps)."""

from __future__ import annotations

from cases.arco.policy import model_policy, policy_register

policy_register(
    "field.fieldsubmission",
    model_policy(
        keep=[
            "id",
            "key",
            "kind",
            "user",
            "session",
            "person",
            "attendance",
            "made_at",
            "received_at",
            "overtaken",
        ]
    ),
)
