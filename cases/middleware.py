from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .selectors import BreakGlassRequired


class BreakGlassMiddleware:
    """Another site's person: send the caseworker to the break-the-glass page instead of a 403.

    After the reason is given they come back to the page they asked for (a GET page; after a
    refused POST, the person's page).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, BreakGlassRequired):
            return None
        next_url = (
            request.get_full_path()
            if request.method == "GET" and not getattr(request, "htmx", False)
            else reverse("cases:person_detail", args=[exception.person_id])
        )
        url = f"{reverse('cases:break_glass', args=[exception.person_id])}?{urlencode({'next': next_url})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
