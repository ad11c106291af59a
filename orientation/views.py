import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from . import roles
from .actions import notifications_mark_read, user_language_set
from .health import health_status
from .middleware import LANGUAGE_SESSION_KEY
from .paginator import paginate
from .selectors import programs_visible_to, sites_visible_to


def home(request):
    """Each role lands on what it does next."""
    role = roles.primary_role(request.user)
    context = {
        "role": role,
        "sites": sites_visible_to(request.user),
        "programs": programs_visible_to(request.user),
    }
    return render(request, "orientation/home.html", context)


def notification_list(request):
    page = paginate(request, request.user.notifications.all())
    return render(request, "orientation/notification_list.html", {"page_obj": page})


@require_POST
def notification_mark_read(request):
    count = notifications_mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notification_list")


@login_not_required
def health(request):
    """For monitoring: database, broker and the last successful report run."""
    status = health_status()
    return JsonResponse(status, status=200 if status["ok"] else 503)


@login_not_required
def language_set(request):
    """The ES/EN switch: Django's ``set_language`` (a cookie, a redirect to ``next``), and for a
    signed-in user the choice saved on their profile and in the session, so it wins over the
    browser's language on every device they sign in on."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.method == "POST" and language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            user_language_set(user=request.user, language=language)
            request.session[LANGUAGE_SESSION_KEY] = language
    return response


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    """A generic page that reveals nothing; a 503 while the database is unreachable."""
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError | DatabaseError):
        html = loader.get_template("503.html").render({})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render({}))
