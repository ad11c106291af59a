from django.urls import path

from . import views

app_name = "dhis2"

# Included under /reports/dhis2/ by the project's urls.
urlpatterns = [
    path("", views.page, name="page"),
    path("push/", views.push, name="push"),
    path("pushes/<int:pk>/", views.push_detail, name="push_detail"),
]
