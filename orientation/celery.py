"""The Celery application. Tasks live in each app's ``tasks.py``; the schedule is in settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orientation.settings.base")

app = Celery("orientation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules in sub-packages of the apps.
app.autodiscover_tasks(["cases.arco"])
