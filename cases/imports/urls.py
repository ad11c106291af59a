from django.urls import path

from . import views

app_name = "imports"

# Mounted under /people/ by the project's urls.py (the paths are those of the first version).
urlpatterns: list = [
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/abandon/", views.import_abandon, name="import_abandon"),
    path("import/template/<str:kind>.csv", views.import_template, name="import_template"),
    path("export/", views.people_export, name="people_export"),
]
