"""django-axes hooks."""

from __future__ import annotations

from django.conf import settings

# axes stores the username in a varchar(255); the user model's usernames are at most 150.
USERNAME_MAX = 150


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The username a sign-in attempt is recorded (and locked) under, cut to a storable length.

    Django's sign-in form does not limit the username's length, so without this an attempt with a
    longer name made PostgreSQL refuse axes' record and the sign-in page answered with a 500.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if username is None:
        return None
    return str(username)[:USERNAME_MAX]
