from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import DEVICE_FLAG
from .selectors import user_has_confirmed_device


@receiver(user_logged_in)
def remember_device(sender, request, user, **kwargs) -> None:
    """Whether a second factor is due, looked up once per sign-in (see middleware.py)."""
    request.session[DEVICE_FLAG] = user_has_confirmed_device(user)
