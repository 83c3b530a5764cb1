"""Rate limits of the portal (SMS sending, code login, submission, 查询码 lookup), counted in the cache.

Password logins are throttled by django-axes like the staff login (docs/operations.md, "Login
throttling"); these limits cover what axes does not see. Each limit is a count per key within a
window (settings.XINFANG_PORTAL_LIMITS: name -> (count, seconds)); the key is a keyed hash, so the
cache never holds a phone number or an address in clear.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from xinfang.cases import pii
from xinfang.core.errors import ServiceError

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "sms_phone": (5, 3600),  # codes sent to one number per hour
    "sms_phone_gap": (1, 60),  # at most one a minute to the same number
    "sms_ip": (20, 3600),  # codes requested from one address per hour
    "code_login": (10, 900),  # code logins tried for one number per 15 minutes
    "submit_account": (10, 86400),  # submissions of one account per day
    "submit_ip": (30, 86400),  # submissions from one address per day
    "lookup_ip": (10, 900),  # 查询码 lookups from one address per 15 minutes
    "lookup_number": (5, 900),  # lookups of one case number per 15 minutes
}


def limit_of(name: str) -> tuple[int, int]:
    configured = getattr(settings, "XINFANG_PORTAL_LIMITS", {}) or {}
    return configured.get(name, DEFAULT_LIMITS[name])


def _minutes(seconds: int) -> str:
    return (
        f"{seconds // 3600} 小时"
        if seconds >= 3600 and seconds % 3600 == 0
        else f"{max(1, seconds // 60)} 分钟"
    )


def hit(name: str, key: str) -> bool:
    """Count one attempt of `name` for `key`; True when this attempt is over the limit."""
    count, window = limit_of(name)
    cache_key = f"portal:{name}:{pii.keyed_hash(key or '-')}"
    if cache.add(cache_key, 1, window):
        return count < 1
    try:
        return cache.incr(cache_key) > count
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, window)
        return count < 1


def check(name: str, key: str, message: str, *, field: str | None = None) -> None:
    """Count one attempt and refuse it with `message` ("{wait}" names the window) over the limit."""
    if hit(name, key):
        _, window = limit_of(name)
        raise ServiceError(message.format(wait=_minutes(window)), field=field, code="throttled")
