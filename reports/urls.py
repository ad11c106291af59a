from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("recompute/", views.recompute, name="recompute"),
    path("runs/<int:pk>/", views.run_status, name="run_status"),
    path("export/", views.export, name="export"),
    path("export/reception/", views.reception_export, name="reception_export"),
    path("r4v/", views.r4v, name="r4v"),
]
