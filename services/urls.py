from django.urls import path  # noqa: F401

from . import views  # noqa: F401
from .sport import urls as sport_urls

app_name = "services"

urlpatterns: list = []

urlpatterns += sport_urls.urlpatterns
