from django.urls import path

from . import views

app_name = "mfa"

# Mounted at the project's root (the paths are those of the first version).
urlpatterns = [
    path("accounts/two-factor/", views.mfa_setup, name="mfa_setup"),
    path("accounts/two-factor/verify/", views.mfa_verify, name="mfa_verify"),
    path("accounts/two-factor/disable/", views.mfa_disable, name="mfa_disable"),
]
