"""Errors as ``application/problem+json`` (RFC 9457): type, title, status, detail, and for invalid
input the message of each parameter in ``errors``. Titles and details follow the request's language
(Spanish by default; the language chosen in Orienta, or the Accept-Language header)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"


def _titles() -> dict[int, str]:
    return {
        400: _("Invalid request"),
        401: _("Not authenticated"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }


def _flatten(detail) -> str:
    if isinstance(detail, list):
        return " ".join(_flatten(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    return str(detail)


def problem(status_code: int, detail: str, **extra) -> dict:
    return {
        "type": "about:blank",
        "title": _titles().get(status_code, _("Error")),
        "status": status_code,
        "detail": detail,
        **extra,
    }


def problem_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found, or not within what you may see."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("You may not see this."))
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = problem(code, _("Some parameters are not valid: %(errors)s") % {"errors": _flatten(errors)})
        body["errors"] = {k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in errors.items()}
    elif isinstance(exc, exceptions.Throttled):
        body = problem(code, str(exc.detail))
        if exc.wait is not None:
            body["retry_after"] = int(exc.wait + 0.999)
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        body = problem(code, _flatten(detail if detail is not None else response.data))
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


PROBLEM_STATUSES = [
    status.HTTP_400_BAD_REQUEST,
    status.HTTP_401_UNAUTHORIZED,
    status.HTTP_403_FORBIDDEN,
    status.HTTP_404_NOT_FOUND,
    status.HTTP_406_NOT_ACCEPTABLE,
    status.HTTP_429_TOO_MANY_REQUESTS,
]
