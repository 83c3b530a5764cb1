"""Bookkeeping for periodic jobs."""

from __future__ import annotations

from django.db import models


class PeriodicRun(models.Model):
    """One enqueued run of a periodic job for one time slot.

    The unique (job, slot) pair is what makes the scheduler safe to run on several machines:
    whoever inserts the row enqueues the job, everyone else gets an integrity error and skips.
    """

    job = models.CharField("任务", max_length=64)
    slot = models.DateTimeField("时段")
    enqueued_at = models.DateTimeField("入队时间", auto_now_add=True)
    task_result_id = models.CharField("任务结果编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "定时任务记录"
        verbose_name_plural = "定时任务记录"
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="periodic_run_once_per_slot")]
        ordering = ["-slot"]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class Heartbeat(models.Model):
    """One run of the `heartbeat` job: proof that the scheduler enqueues and a worker runs.

    The health check (`/healthz`) reports how long ago the last one ran; a monitor alerts when
    background work has stopped (no scheduler, no worker, or a queue that no longer moves). One
    row per task run, so a run committed twice would show as two rows with one task id.
    """

    task_id = models.CharField("任务结果编号", max_length=64, db_index=True)
    ran_at = models.DateTimeField("运行时间", db_index=True)
    worker_id = models.CharField("工作进程", max_length=64, blank=True)

    class Meta:
        verbose_name = "后台心跳"
        verbose_name_plural = "后台心跳"
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M:%S}"
