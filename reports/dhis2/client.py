"""The HTTP side of a push: ``POST {base}/api/dataValueSets`` and DHIS2's import summary.

Standard library only (urllib). Redirects are not followed: DHIS2 answers a bad login with a
redirect to its login page, and a redirect must never carry the credentials to another address.
The answer is read up to ``MAX_BYTES``.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field

MAX_BYTES = 5 * 1024 * 1024
MAX_CONFLICTS = 1000
TEXT_KEPT = 2000
# Worth another try later: the server is overloaded, restarting or rate-limiting.
TRANSIENT_STATUSES = {429, 500, 502, 503, 504}


@dataclass
class Answer:
    """What came back from DHIS2 (or why nothing did)."""

    http_status: int | None = None
    body: dict | list | None = None
    network_error: str = ""
    location: str = ""
    summary: dict | None = field(default=None)

    @property
    def transient(self) -> bool:
        return bool(self.network_error) or self.http_status in TRANSIENT_STATUSES


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx reaches the caller as an HTTPError


def authorization(*, auth: str, username: str, secret: str) -> str:
    if auth == "token":
        return f"ApiToken {secret}"
    raw = f"{username}:{secret}".encode()
    return f"Basic {base64.b64encode(raw).decode('ascii')}"


def post_data_value_set(*, url: str, authorization_header: str, payload: dict, timeout: float) -> Answer:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 — the admin's http(s) address, checked by DHIS2Server.clean
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": authorization_header,
            "User-Agent": "Orienta",
        },
    )
    opener = urllib.request.build_opener(_NoRedirect)
    answer = Answer()
    try:
        with opener.open(request, timeout=timeout) as response:  # nosec B310
            answer.http_status = response.status
            raw = response.read(MAX_BYTES)
    except urllib.error.HTTPError as exc:
        answer.http_status = exc.code
        answer.location = (exc.headers.get("Location") or "")[:300] if exc.headers else ""
        try:
            raw = exc.read(MAX_BYTES) if exc.fp is not None else b""
        except (OSError, http.client.HTTPException):
            raw = b""
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        answer.network_error = f"{type(reason).__name__}: {reason}"[:300]
        return answer
    answer.body = _parse(raw)
    answer.summary = import_summary(answer.body)
    return answer


def _parse(raw: bytes) -> dict | list | None:
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        body = json.loads(text)
    except ValueError:
        return {"text": text[:TEXT_KEPT]}
    if isinstance(body, dict | list):
        return body
    return {"text": text[:TEXT_KEPT]}


def _count(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return max(number, 0)


def _conflict(item) -> dict:
    if not isinstance(item, dict):
        return {"object": "", "value": str(item)[:500]}
    conflict = {"object": str(item.get("object") or "")[:500], "value": str(item.get("value") or "")[:500]}
    for extra in ("errorCode", "property"):
        if item.get(extra):
            conflict[extra] = str(item[extra])[:100]
    return conflict


def import_summary(body) -> dict | None:
    """DHIS2's import summary, from the wrapped answer of DHIS2 2.36 and later
    (``{"httpStatus": ..., "response": {"responseType": "ImportSummary", ...}}``) or the bare
    summary of earlier versions: its status, counts and conflicts. None when there is none."""
    if not isinstance(body, dict):
        return None
    summary = body.get("response") if isinstance(body.get("response"), dict) else body
    if "importCount" not in summary and summary.get("responseType") != "ImportSummary":
        return None
    counts = summary.get("importCount") if isinstance(summary.get("importCount"), dict) else {}
    conflicts = summary.get("conflicts") if isinstance(summary.get("conflicts"), list) else []
    return {
        "status": str(summary.get("status") or body.get("status") or "")[:20],
        "imported": _count(counts.get("imported")),
        "updated": _count(counts.get("updated")),
        "ignored": _count(counts.get("ignored")),
        "deleted": _count(counts.get("deleted")),
        "conflicts": [_conflict(c) for c in conflicts[:MAX_CONFLICTS]],
        "conflicts_total": len(conflicts),
    }
