from django.urls import path  # noqa: F401

# Included into the parent app's urls.py (same namespace).
urlpatterns: list = []
