from django.urls import path

from . import views

app_name = "field"

# Mounted under /field/ by the project's urls.py: the service worker's scope is that folder.
urlpatterns: list = [
    path("", views.field_app, name="field_app"),
    path("data/", views.field_data, name="field_data"),
    path("sync/", views.field_sync, name="field_sync"),
    path("sw.js", views.field_service_worker, name="field_service_worker"),
    path("manifest.webmanifest", views.field_manifest, name="field_manifest"),
]
