"""Enqueue periodic jobs when their slot begins. Safe to run on several machines at once."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from xinfang.core.schedule import registered_jobs, schedule_tick
from xinfang.core.timeutil import now


class Command(BaseCommand):
    help = "Enqueue periodic background jobs (housekeeping, deadline sweeps) when they are due."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")
        parser.add_argument("--interval", type=int, default=30, help="Seconds between ticks (default 30).")

    def handle(self, *args: Any, once: bool, interval: int, **options: Any) -> None:
        names = ", ".join(job.name for job in registered_jobs())
        self.stdout.write(f"scheduler: jobs {names}")
        while True:
            for name in schedule_tick(now=now()):
                self.stdout.write(f"scheduler: enqueued {name}")
            if once:
                return
            time.sleep(interval)
