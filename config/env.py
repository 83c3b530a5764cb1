"""Reading settings from the environment, failing loudly on a bad value.

Every reader names the variable and the accepted values in its error, so a typo in a deployment
is a clear start-up failure rather than a silently different configuration.
"""

from __future__ import annotations

import datetime as dt
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


def env_date(name: str, default: dt.date, environ: Mapping[str, str] | None = None) -> dt.date:
    """A date written YYYY-MM-DD."""
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"Environment variable {name}={value!r} is not a date (YYYY-MM-DD)."
        ) from None


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


def env_secret(name: str, default: str, *, strict: bool, environ: Mapping[str, str] | None = None) -> str:
    """A secret string; with `strict` (DEBUG off) the public default and weak values are refused.

    The bar is the one `manage.py check --deploy` applies to SECRET_KEY: at least 50 characters,
    at least 5 of them different, and not Django's generated development prefix.
    """
    value = env_str(name, default, environ)
    if not strict:
        return value
    if value == default:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (the development key is public).")
    if len(value) < 50 or len(set(value)) < 5 or value.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            f"Environment variable {name} is too weak for DEBUG off: use at least 50 random characters "
            "(at least 5 different), e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    return value


def env_fernet_key(name: str, default: str, *, strict: bool, environ: Mapping[str, str] | None = None) -> str:
    """A Fernet key (urlsafe base64 of 32 bytes), checked at start-up rather than at the first use.

    With `strict` (DEBUG off) the public default and keys of almost no variety (such as 32 zero
    bytes) are refused.
    """
    import base64
    import binascii

    value = env_str(name, default, environ)
    if strict and value == default:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (the development key is public).")
    how = (
        "generate one with python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'"
    )
    try:
        raw = base64.b64decode(value.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"Environment variable {name} is not a Fernet key (32 bytes in urlsafe base64); {how}."
        )
    if strict and len(set(raw)) < 16:
        raise ImproperlyConfigured(f"Environment variable {name} is too weak for DEBUG off; {how}.")
    return value


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
