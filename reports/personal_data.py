"""What ``reports`` holds about a person, for the ARCO engine (cases/arco/policy.py)."""

from __future__ import annotations

from cases.arco.policy import model_policy, policy_register

# Derived by the monthly counting (the person's first event of each indicator, ever and of each
# reporting year): kept, so that past figures do not change; it holds no name, number or free text.
policy_register(
    "reports.firstevent",
    model_policy(keep=["person", "indicator", "first_on", "population_type", "sex", "nationality", "age"]),
)
policy_register(
    "reports.yearfirstevent",
    model_policy(
        keep=["person", "indicator", "year", "first_on", "population_type", "sex", "nationality", "age"]
    ),
)
