from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone


@receiver(user_logged_in)
def stamp_session_start(sender, request, user, **kwargs) -> None:
    """Remember when the session started, for the absolute 12-hour limit."""
    now = timezone.now().timestamp()
    request.session["orienta_started"] = now
    request.session["orienta_seen"] = now


@receiver(user_logged_in)
def restore_language(sender, request, user, **kwargs) -> None:
    """The pages speak the language the user chose last time (Spanish until they choose)."""
    from .middleware import LANGUAGE_SESSION_KEY
    from .models import UserProfile

    language = UserProfile.objects.filter(user=user).values_list("language", flat=True).first()
    request.session[LANGUAGE_SESSION_KEY] = language or settings.LANGUAGE_CODE
