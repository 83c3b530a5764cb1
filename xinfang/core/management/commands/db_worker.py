"""`db_worker`: django-tasks-db's worker command, running `xinfang.core.worker.SafeWorker`.

Same options as upstream (`--batch`, `--interval`, `--worker-id`, ...); this app comes before
django-tasks-db in INSTALLED_APPS, so `manage.py db_worker` is this command.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands import db_worker as upstream

from xinfang.core.worker import SafeWorker


class Command(upstream.Command):
    help = "Run a background worker (tasks from the database queue; safe to kill on PostgreSQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        # Upstream's handle builds its worker from the module's `Worker` name: swap it for the
        # length of the command (one command per process).
        original = upstream.Worker
        upstream.Worker = SafeWorker  # type: ignore[misc]
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = original  # type: ignore[misc]
