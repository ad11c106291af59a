"""Request limits per user (or per address without one). Rates are read from the settings on each
request, so that they can be set from the environment and changed in tests."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class ApiUserThrottle(UserRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_RATES["user"]


class ApiAnonThrottle(AnonRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_RATES["anon"]
