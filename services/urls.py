from django.urls import path

from . import views

app_name = "services"

urlpatterns: list = [
    # A person's services (the person page links here).
    path("people/<int:person_pk>/", views.person_services, name="person_services"),
    path("people/<int:person_pk>/services/new/", views.direct_service_create, name="direct_service_create"),
    path("people/<int:person_pk>/referrals/new/", views.referral_create, name="referral_create"),
    path(
        "people/<int:person_pk>/psychosocial/new/",
        views.psychosocial_session_create,
        name="psychosocial_session_create",
    ),
    path(
        "people/<int:person_pk>/psychosocial/participants/",
        views.psychosocial_participant_search,
        name="psychosocial_participant_search",
    ),
    # Referrals and their follow-up.
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/status/", views.referral_transition, name="referral_transition"),
    path("referrals/<int:pk>/follow-up/", views.referral_follow_up, name="referral_follow_up"),
    path("referrals/<int:pk>/responsible/", views.referral_responsible, name="referral_responsible"),
    path("referrals/<int:pk>/slip/", views.referral_slip, name="referral_slip"),
    path("referrals/rates/", views.referral_stats, name="referral_stats"),
    path("follow-ups/", views.followups, name="followups"),
    path("follow-ups/overdue/", views.overdue_queue, name="overdue_queue"),
    # Partner feedback, without an account.
    path("partner/<str:token>/", views.partner_feedback, name="partner_feedback"),
    path("partner-answer-received/", views.partner_feedback_done, name="partner_feedback_done"),
    # Psychosocial sessions (the psychosocial role only).
    path("psychosocial/<int:pk>/", views.psychosocial_session_detail, name="psychosocial_session_detail"),
    path("psychosocial/<int:pk>/note/", views.psychosocial_note, name="psychosocial_note"),
]
