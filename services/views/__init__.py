"""Views of direct services, referrals, follow-ups, partner feedback and psychosocial sessions.

Thin function views: fetch through a scoped selector, validate a form, call one action, redirect
with a message. People are fetched only through ``cases.selectors.person_get_for_user``.
"""

from .partner import partner_feedback, partner_feedback_done
from .people import direct_service_create, person_services
from .psychosocial import (
    psychosocial_note,
    psychosocial_participant_search,
    psychosocial_session_create,
    psychosocial_session_detail,
)
from .queues import followups, overdue_queue, referral_stats
from .referrals import (
    referral_create,
    referral_detail,
    referral_follow_up,
    referral_responsible,
    referral_slip,
    referral_transition,
)

__all__ = [
    "direct_service_create",
    "followups",
    "overdue_queue",
    "partner_feedback",
    "partner_feedback_done",
    "person_services",
    "psychosocial_note",
    "psychosocial_participant_search",
    "psychosocial_session_create",
    "psychosocial_session_detail",
    "referral_create",
    "referral_detail",
    "referral_follow_up",
    "referral_responsible",
    "referral_slip",
    "referral_stats",
    "referral_transition",
]
