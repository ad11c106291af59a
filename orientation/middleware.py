import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import DatabaseError
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import timezone, translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

SEEN_EVERY_SECONDS = 60


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that a session that cannot be saved (the database went away after the
    view committed) never turns a confirmed save into an error page: the caseworker would enter
    it again. Only the session's bookkeeping (last seen, a flash message) is lost."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except DatabaseError as exc:
            if response.status_code >= 400:
                raise
            logger.warning("session not saved, response kept: %s", exc.__class__.__name__)
            return response


LANGUAGE_SESSION_KEY = "orienta_language"


def language_chosen(request) -> str:
    """The language of the pages: the signed-in user's saved preference (copied into the session at
    sign-in and by the ES/EN switch), else the switch's cookie, else the centre's (Spanish). Never
    the browser's Accept-Language: a Spanish-speaking caseworker on a tablet set to English still
    gets Spanish."""
    supported = dict(settings.LANGUAGES)
    for language in (
        request.session.get(LANGUAGE_SESSION_KEY) if hasattr(request, "session") else None,
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
    ):
        if language in supported:
            return language
    return settings.LANGUAGE_CODE


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, choosing the language with ``language_chosen`` instead of the browser's."""

    def process_request(self, request):
        language = language_chosen(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class SessionLimitsMiddleware:
    """End a session after 30 idle minutes (measured to the minute) or 12 hours, whichever comes
    first, and for good when
    its user can no longer sign in (deactivated or deleted): reactivating the account later does
    not bring an old session back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated and SESSION_KEY in request.session:
            request.session.flush()
        elif user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.get("orienta_started", now)
            seen = request.session.get("orienta_seen", now)
            if (
                now - seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            ):
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect_to_login(request.get_full_path())
            # Noted at most once a minute: writing the session on every page would cost each page
            # a database write for a timeout measured in minutes.
            if now - seen >= SEEN_EVERY_SECONDS or "orienta_seen" not in request.session:
                request.session["orienta_seen"] = now
            request.session.setdefault("orienta_started", now)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages of signed-in users may show personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
