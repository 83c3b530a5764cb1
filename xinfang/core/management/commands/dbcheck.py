"""Check that the configured database answers, with a clear message when it does not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import OperationalError


def describe_database(alias: str = DEFAULT_DB_ALIAS) -> str:
    settings = connections[alias].settings_dict
    engine = settings["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"SQLite file {settings['NAME']}"
    return f"{engine} database {settings['NAME']!r} at {settings.get('HOST') or 'localhost'}:{settings.get('PORT') or ''}"


class Command(BaseCommand):
    help = "Check that the database in DATABASE_URL can be reached."

    def handle(self, *args: Any, **options: Any) -> None:
        where = describe_database()
        try:
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("SELECT 1")
        except OperationalError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(
                f"Cannot reach the {where}: {first_line}\n"
                "Check DATABASE_URL, and that the database server is running and accepts connections."
            ) from None
        self.stdout.write(f"database ok: {where}")
