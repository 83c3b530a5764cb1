"""The client's address for login throttling, trusting a proxy header only when configured."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address in settings.XINFANG_CLIENT_IP_HEADER when one is configured.

    A client can send any X-Forwarded-For it likes, so a header is read only when the deployment
    says its own reverse proxy sets it. A proxy appends the address it saw to X-Forwarded-For, so
    the last entry is the one the trusted proxy vouches for; earlier entries are the client's word.
    """
    header = getattr(settings, "XINFANG_CLIENT_IP_HEADER", "")
    if header:
        candidate = request.META.get(header, "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass  # header missing or garbled: fall back to the connection's address
    return request.META.get("REMOTE_ADDR") or None
