"""With DEBUG off, refuse to serve without collected static files instead of failing every page.

Pages link each asset by its hashed name from STATIC_ROOT/staticfiles.json, written by
`manage.py collectstatic`. Without that manifest (or with one from an older release) every page
is a 500 "Missing staticfiles manifest entry"; the WSGI application checks once at start-up and
stops with the command to run.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured


def missing_static_files() -> list[str]:
    """Static files the apps ship that the manifest lacks ([] when the storage keeps no manifest)."""
    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    if settings.DEBUG or not manifest_name:
        return []
    path = Path(settings.STATIC_ROOT) / manifest_name
    if not path.exists():
        return [manifest_name]
    known = set(json.loads(path.read_text(encoding="utf-8")).get("paths", {}))
    shipped = {name for finder in get_finders() for name, _storage in finder.list(["CVS", ".*", "*~"])}
    return sorted(shipped - known)


def require_collected_static() -> None:
    missing = missing_static_files()
    if missing:
        raise ImproperlyConfigured(
            f"Static files are not collected in STATIC_ROOT={settings.STATIC_ROOT} "
            f"(missing {', '.join(missing[:3])}{' …' if len(missing) > 3 else ''}): run "
            "`python manage.py collectstatic --noinput` before starting the server (docs/operations.md)."
        )
