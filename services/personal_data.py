"""What ``services`` holds about a person, for the ARCO engine (cases/arco/policy.py): what
anonymization erases and keeps in each field, and which rows count as a contact for retention."""

from __future__ import annotations

from django.db.models import Q

from cases.arco.policy import contact_register, model_policy, policy_register

from .models import DirectService, Referral

policy_register(
    "services.directservice",
    model_policy(
        erase=["notes"],
        keep=[
            "id",
            "ref",
            "person",
            "site",
            "program",
            "service_type",
            "delivered_on",
            "staff",
            "population_type",
            "psychosocial_session",
            "plan_action",
            "created_at",
            "updated_at",
        ],
    ),
)

policy_register(
    "services.referral",
    model_policy(
        erase=["outcome", "reason", "consent_override_reason"],
        keep=[
            "id",
            "ref",
            "code",
            "person",
            "site",
            "program",
            "service_type",
            "partner",
            "referred_on",
            "status",
            "follow_up_due",
            "completed_on",
            "is_overdue",
            "population_type",
            "responsible",
            "plan_action",
            "created_by",
            "created_at",
            "updated_at",
        ],
    ),
)

policy_register(
    "services.referraltransition",
    model_policy(
        erase=["comment"], keep=["id", "referral", "from_status", "to_status", "at", "by", "via_partner_link"]
    ),
)

policy_register(
    "services.partnerlink",
    model_policy(
        keep=[
            "id",
            "referral",
            "token_hash",
            "created_by",
            "created_at",
            "expires_at",
            "used_at",
            "revoked_at",
        ],
        not_exported=frozenset({"token_hash"}),
    ),
)

policy_register(
    "services.referralfollowup", model_policy(erase=["note"], keep=["id", "referral", "at", "by", "next_due"])
)

# The session is kept (it is counted through its direct services); its confidential note is
# erased, and the whole row goes only to psychosocial readers in an access export.
policy_register(
    "services.psychosocialsession",
    model_policy(
        erase=["confidential_note"],
        keep=[
            "id",
            "kind",
            "site",
            "program",
            "service_type",
            "date",
            "duration_minutes",
            "staff",
            "created_at",
        ],
        confidential=Q(pk__isnull=False),
        shared=Q(kind="group"),
        shared_fields=frozenset({"confidential_note"}),
    ),
)

contact_register("direct_service", lambda cutoff: DirectService.objects.filter(delivered_on__gte=cutoff))
contact_register(
    "referral",
    lambda cutoff: Referral.objects.filter(Q(referred_on__gte=cutoff) | Q(completed_on__gte=cutoff)),
)
