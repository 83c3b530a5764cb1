"""A tiny periodic scheduler on top of the Tasks API.

The Tasks API enqueues work but has no clock. `schedule_tick` runs every minute or so (the
`scheduler` command) and, for each registered job whose current time slot has begun, inserts a
`PeriodicRun` row and enqueues the task. The unique (job, slot) constraint means two schedulers
on two machines enqueue each slot exactly once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from xinfang.core.models import PeriodicRun
from xinfang.core.timeutil import LOCAL_TZ


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task_path: str  # dotted path to a Tasks-API task
    every: dt.timedelta
    # For daily jobs, the local (Beijing) time of day the slot starts; None aligns on the epoch.
    at_local: dt.time | None = None

    def slot_for(self, moment: dt.datetime) -> dt.datetime:
        """The start of the slot containing `moment` (aware)."""
        if self.at_local is not None:
            local = moment.astimezone(LOCAL_TZ)
            start = dt.datetime.combine(local.date(), self.at_local, tzinfo=LOCAL_TZ)
            while start > local:
                start -= self.every
            return start.astimezone(dt.UTC)
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        periods = (moment - epoch) // self.every
        return epoch + periods * self.every


_JOBS: dict[str, PeriodicJob] = {}


def register(job: PeriodicJob) -> None:
    _JOBS[job.name] = job


def registered_jobs() -> list[PeriodicJob]:
    return sorted(_JOBS.values(), key=lambda job: job.name)


def schedule_tick(*, now: dt.datetime) -> list[str]:
    """Enqueue each job whose current slot has not been enqueued yet; returns the names enqueued."""
    enqueued = []
    for job in registered_jobs():
        slot = job.slot_for(now)
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(job=job.name, slot=slot)
                result = import_string(job.task_path).enqueue()
                run.task_result_id = str(result.id)
                run.save(update_fields=["task_result_id"])
        except IntegrityError:
            continue  # another scheduler got this slot first
        enqueued.append(job.name)
    return enqueued
