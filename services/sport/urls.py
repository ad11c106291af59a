from django.urls import path

from . import views

app_name = "sport"

# Mounted under /services/ by the project's urls.py (the paths are those of the first version).
urlpatterns: list = [
    path("sport/", views.sport_group_list, name="sport_group_list"),
    path("sport/groups/new/", views.sport_group_create, name="sport_group_create"),
    path("sport/groups/<int:pk>/", views.sport_group_detail, name="sport_group_detail"),
    path("sport/groups/<int:pk>/edit/", views.sport_group_edit, name="sport_group_edit"),
    path("sport/groups/<int:pk>/sessions/new/", views.sport_session_create, name="sport_session_create"),
    path(
        "sport/groups/<int:pk>/participants/<int:person_pk>/leave/",
        views.sport_participant_leave,
        name="sport_participant_leave",
    ),
    path("sport/sessions/<int:pk>/", views.sport_attendance, name="sport_attendance"),
    path(
        "sport/sessions/<int:pk>/mark/<int:person_pk>/",
        views.sport_attendance_mark,
        name="sport_attendance_mark",
    ),
    path(
        "sport/sessions/<int:pk>/all-present/",
        views.sport_attendance_all_present,
        name="sport_attendance_all_present",
    ),
    path("sport/sessions/<int:pk>/search/", views.sport_attendance_search, name="sport_attendance_search"),
    path("sport/sessions/<int:pk>/add/", views.sport_attendance_add, name="sport_attendance_add"),
    path(
        "sport/sessions/<int:pk>/new-participant/",
        views.sport_light_profile_create,
        name="sport_light_profile_create",
    ),
    path("sport/sessions/<int:pk>/head-count/", views.sport_head_count, name="sport_head_count"),
    path("sport/participants/<int:pk>/", views.sport_participant_detail, name="sport_participant_detail"),
]
