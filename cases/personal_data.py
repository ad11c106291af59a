"""What ``cases`` holds about a person, for the ARCO engine (cases/arco/policy.py): what
anonymization erases and keeps in each field, and which rows count as a contact for retention."""

from __future__ import annotations

from django.db.models import Q

from cases.arco.policy import ANON_TEXT, contact_register, model_policy, policy_register

from .models import Intake

policy_register(
    "cases.person",
    model_policy(
        erase=[
            "given_names",
            "family_names",
            "archive_reason",
            "phone",
            "district",
            "arrived_on",
            "guardian_name",
            "guardian_relationship",
            "guardian_phone",
            "vulnerabilities",
        ],
        keep=[
            "id",
            "ref",
            "search_name",
            "name_key",
            "sex",
            "birth_date",
            "birth_date_estimated",
            "nationality",
            "population_type",
            "message_language",
            "site",
            "registered_on",
            "household",
            "relationship",
            "is_light_profile",
            "school",
            "created_at",
            "updated_at",
            "created_by",
            "case_status",
            "archived_at",
            "anonymized_at",
            "merged_into",
        ],
        not_exported=frozenset({"search_name", "name_key"}),
        replacements={"given_names": ANON_TEXT, "family_names": ANON_TEXT},
    ),
)

policy_register(
    "cases.person_vulnerabilities", model_policy(keep=["id", "person", "vulnerability"], delete_rows=True)
)

policy_register(
    "cases.household", model_policy(erase=["address"], keep=["id", "code", "site", "district", "created_at"])
)

policy_register(
    "cases.identitydocument",
    model_policy(
        erase=["number", "issuing_country", "expires_on"],
        keep=["id", "person", "doc_type", "created_at"],
        delete_rows=True,
    ),
)

policy_register(
    "cases.regularizationstatus",
    model_policy(
        erase=["notes"], keep=["id", "person", "status", "since", "expires_on", "recorded_by", "created_at"]
    ),
)

policy_register(
    "cases.consent",
    model_policy(
        erase=["guardian_name", "guardian_relationship"],
        keep=[
            "id",
            "person",
            "purpose",
            "method",
            "given_on",
            "given_by",
            "withdrawn_on",
            "withdrawn_by",
            "recorded_by",
            "created_at",
        ],
    ),
)

policy_register(
    "cases.intake",
    model_policy(
        erase=["notes"],
        keep=["id", "person", "site", "date", "caseworker", "priority", "population_type", "created_at"],
    ),
)

policy_register("cases.intakeneed", model_policy(erase=["detail"], keep=["id", "intake", "area"]))

policy_register(
    "cases.casenote",
    model_policy(
        erase=["text"],
        keep=["id", "person", "kind", "author", "site", "created_at"],
        confidential=Q(kind="psychosocial"),
    ),
)

# The story of the case: the status, dates and reason chosen are kept (they say nothing the figures
# need, but they are the record of the work done); the free text is erased.
policy_register(
    "cases.casestatuschange",
    model_policy(
        erase=["reason_other", "note"],
        keep=["id", "person", "from_status", "to_status", "reason", "changed_by", "changed_at"],
    ),
)

contact_register("intake", lambda cutoff: Intake.objects.filter(date__gte=cutoff))

# A case plan's actions (docs/case-plan.md): what will be done for the person, by whom and when.
# The free text goes; the dates, areas, statuses and who did what stay (the work that was done).
policy_register(
    "cases.planaction",
    model_policy(
        erase=["description", "close_note"],
        keep=[
            "id",
            "person",
            "site",
            "need",
            "area",
            "responsible",
            "due_on",
            "status",
            "closed_at",
            "closed_by",
            "is_overdue",
            "created_by",
            "created_at",
            "updated_at",
        ],
    ),
)

policy_register(
    "cases.duplicatedismissal",
    model_policy(keep=["id", "first", "second", "dismissed_by", "dismissed_at"]),
)

# What a merge overwrote and moved (names, phones...), kept to undo it: erased with the person.
policy_register(
    "cases.personmerge",
    model_policy(
        erase=["undo"],
        keep=["id", "survivor", "merged", "merged_by", "merged_at", "unmerged_at", "unmerged_by"],
        not_exported=frozenset({"undo"}),
    ),
)

# A case moved or shared between sites (docs/transfer.md): the free text goes; the sites, dates,
# statuses and who decided stay (where the person's case was, and who reached it).
policy_register(
    "cases.siterequest",
    model_policy(
        erase=["reason", "decision_note"],
        keep=[
            "id",
            "kind",
            "person",
            "from_site",
            "to_site",
            "share_until",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "closed_by",
            "closed_at",
        ],
    ),
)
