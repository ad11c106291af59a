from django.urls import path

from . import case_status_views, merge_views, plan_views, transfer_views, views

app_name = "cases"

urlpatterns: list = [
    path("", views.person_list, name="person_list"),
    path("register/", views.person_register, name="person_register"),
    path("register/duplicates/", views.duplicate_check, name="duplicate_check"),
    path("duplicates/", merge_views.duplicate_review, name="duplicate_review"),
    path("duplicates/<int:first>/<int:second>/", merge_views.duplicate_pair, name="duplicate_pair"),
    path(
        "duplicates/<int:first>/<int:second>/dismiss/",
        merge_views.duplicate_dismiss,
        name="duplicate_dismiss",
    ),
    path("merges/<int:pk>/undo/", merge_views.merge_undo, name="merge_undo"),
    path("today/", views.intake_today, name="intake_today"),
    path("documents-expiring/", views.documents_expiring, name="documents_expiring"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/archive/", views.person_archive, name="person_archive"),
    path("<int:pk>/restore/", views.person_restore, name="person_restore"),
    path("<int:pk>/duplicates/", views.person_duplicates, name="person_duplicates"),
    path("<int:pk>/case/close/", case_status_views.case_close, name="case_close"),
    path("<int:pk>/case/reopen/", case_status_views.case_reopen, name="case_reopen"),
    path("<int:pk>/break-glass/", views.break_glass, name="break_glass"),
    path("break-glass/<str:token>/", views.break_glass_open, name="break_glass_open"),
    path("<int:pk>/intakes/new/", views.intake_create, name="intake_create"),
    path("<int:pk>/notes/new/", views.case_note_create, name="case_note_create"),
    path("<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path("<int:pk>/status/new/", views.status_create, name="status_create"),
    path("<int:pk>/intakes/<int:intake_pk>/plan/", plan_views.plan_make, name="plan_make"),
    path("<int:pk>/plan/new/", plan_views.plan_action_add, name="plan_action_add"),
    path("<int:pk>/plan/reassign/", plan_views.plan_reassign, name="plan_reassign"),
    path("plan/<int:pk>/edit/", plan_views.plan_action_edit, name="plan_action_edit"),
    path("plan/<int:pk>/close/", plan_views.plan_action_close, name="plan_action_close"),
    path("plan/caseloads/", plan_views.caseload_reassign, name="caseload_reassign"),
    # Transfers and shares between sites (docs/transfer.md).
    path("<int:pk>/transfer/", transfer_views.site_request_create, name="site_request_create"),
    path("transfers/", transfer_views.site_requests, name="site_requests"),
    path("transfers/<int:pk>/accept/", transfer_views.site_request_accept, name="site_request_accept"),
    path("transfers/<int:pk>/decline/", transfer_views.site_request_decline, name="site_request_decline"),
    path("transfers/<int:pk>/close/", transfer_views.site_request_close, name="site_request_close"),
    path("notes/<int:pk>/", views.case_note_detail, name="case_note_detail"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
