"""Enqueue periodic jobs when their slot begins. Safe to run on several machines at once."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection

from xinfang.core.schedule import registered_jobs, schedule_tick
from xinfang.core.timeutil import now

logger = logging.getLogger("xinfang.scheduler")


class Command(BaseCommand):
    help = "Enqueue periodic background jobs (housekeeping, deadline sweeps) when they are due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument("--interval", type=int, default=30, help="Seconds between ticks (default 30).")

    def handle(self, *args: Any, once: bool, interval: int, **options: Any) -> None:
        names = ", ".join(job.name for job in registered_jobs())
        self.stdout.write(f"scheduler: jobs {names}")
        while True:
            try:
                for name in schedule_tick(now=now()):
                    self.stdout.write(f"scheduler: enqueued {name}", ending="\n")
                    self.stdout.flush()
            except DatabaseError as exc:
                if once:
                    raise
                # The database restarted or dropped the connection: the next tick reconnects, and
                # a slot missed now is still enqueued then (each job's current slot is checked).
                logger.warning("scheduler: database unavailable (%s); retrying at the next tick", exc)
                connection.close()
            if once:
                return
            time.sleep(interval)
