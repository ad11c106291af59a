from django.urls import path  # noqa: F401

from . import views  # noqa: F401
from .arco import urls as arco_urls
from .imports import urls as import_urls

app_name = "cases"

urlpatterns: list = []

urlpatterns += import_urls.urlpatterns
urlpatterns += arco_urls.urlpatterns
