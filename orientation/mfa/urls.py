from django.urls import path

from . import views

# Included at the project's root (names without a namespace, like "login").
urlpatterns = [
    path("accounts/two-factor/", views.mfa_setup, name="mfa_setup"),
    path("accounts/two-factor/verify/", views.mfa_verify, name="mfa_verify"),
    path("accounts/two-factor/disable/", views.mfa_disable, name="mfa_disable"),
]
