from django.urls import path

from . import views

app_name = "reception"

# Mounted under /reception/ by the project's urls.py.
urlpatterns: list = [
    path("", views.reception_desk, name="desk"),
    path("register/", views.reception_register, name="register"),
    path("people/<int:pk>/check-in/", views.reception_check_in, name="check_in"),
    path("queue/", views.reception_queue, name="queue"),
    path("queue/call-next/", views.reception_call_next, name="call_next"),
    path("visits/<int:pk>/", views.reception_visit_detail, name="visit_detail"),
    path("visits/<int:pk>/call/", views.reception_visit_call, name="visit_call"),
    path("visits/<int:pk>/no-answer/", views.reception_visit_no_answer, name="visit_no_answer"),
    path("visits/<int:pk>/start/", views.reception_visit_start, name="visit_start"),
    path("visits/<int:pk>/done/", views.reception_visit_done, name="visit_done"),
    path("visits/<int:pk>/left/", views.reception_visit_left, name="visit_left"),
    path("appointments/", views.appointment_agenda, name="agenda"),
    path("people/<int:pk>/appointments/new/", views.appointment_book, name="appointment_book"),
    path("appointments/<int:pk>/reschedule/", views.appointment_reschedule, name="appointment_reschedule"),
    path("appointments/<int:pk>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("figures/", views.reception_figures, name="figures"),
    path("display/<int:site_pk>/", views.reception_display, name="display"),
    path("display/<int:site_pk>/calls/", views.reception_display_calls, name="display_calls"),
]
