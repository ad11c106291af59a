from django.urls import path

from . import views

app_name = "arco"

# Mounted under /people/ by the project's urls.py (the paths are those of the first version).
urlpatterns: list = [
    path("arco/", views.arco_request_list, name="arco_request_list"),
    path("<int:person_pk>/arco/new/", views.arco_request_create, name="arco_request_create"),
    path("arco/<int:pk>/", views.arco_request_detail, name="arco_request_detail"),
    path("arco/<int:pk>/update/", views.arco_request_update, name="arco_request_update"),
    path("arco/<int:pk>/export.json", views.arco_request_export_json, name="arco_request_export_json"),
    path("arco/<int:pk>/export/", views.arco_request_export_print, name="arco_request_export_print"),
    path("arco/<int:pk>/anonymize/", views.arco_request_anonymize, name="arco_request_anonymize"),
]
