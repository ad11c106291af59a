"""The address of the person making a request, as the throttles and the access log see it.

Behind a reverse proxy (nginx, a load balancer) REMOTE_ADDR is the proxy's address, the same for
everyone. ``TRUSTED_PROXY_COUNT`` (environment) says how many proxies of our own stand in front of
Orienta: each appends the address it received the request from to X-Forwarded-For, so the
client is the entry that many places from the right. Entries further left were written by the
client and are never believed. With 0 (the default: no proxy) X-Forwarded-For is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the one our trusted proxies report."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote  # not (all) through our proxies: only the direct peer is known
    return _address(forwarded[-count]) or remote
