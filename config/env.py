"""Reading settings from the environment, failing loudly on a bad value.

Every reader names the variable and the accepted values in its error, so a typo in a deployment
is a clear start-up failure rather than a silently different configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    source = os.environ if environ is None else environ
    value = source.get(name)
    return None if value is None else value.strip()


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(
    name: str, default: int, *, minimum: int | None = None, environ: Mapping[str, str] | None = None
) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"Environment variable {name}={number} must be at least {minimum}.")
    return number


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None or value == "" else value


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None or value == "":
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} has an empty entry; separate values with single commas."
        )
    return items


def env_database(name: str, default: str, environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Parse a database URL (sqlite:///path, postgres://user@host:port/name)."""
    import dj_database_url

    url = env_str(name, default, environ)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"Environment variable {name}={url!r} is not a supported database URL; "
            "use sqlite:///path/to/db.sqlite3 or postgres://user@host:5432/name."
        )
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except ValueError as exc:
        raise ImproperlyConfigured(f"Environment variable {name}={url!r} cannot be parsed: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"Environment variable {name}={url!r} names no database.")
    return config


def env_header(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """An HTTP header name (e.g. X-Real-IP) as Django's request.META key (HTTP_X_REAL_IP); "" if unset."""
    value = env_str(name, default, environ)
    if not value:
        return ""
    if not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in value):
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not an HTTP header name such as X-Real-IP."
        )
    return "HTTP_" + value.upper().replace("-", "_")
