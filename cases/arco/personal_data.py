"""What ``arco`` itself holds about a person (its requests), for the ARCO engine (policy.py)."""

from __future__ import annotations

from .policy import model_policy, policy_register

policy_register(
    "arco.arcorequest",
    model_policy(
        erase=["resolution"],
        keep=["id", "person", "kind", "received_on", "due_on", "status", "handled_by", "closed_on"],
    ),
)
