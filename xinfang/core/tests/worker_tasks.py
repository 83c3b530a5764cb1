"""Tasks the worker tests enqueue (a task must be a module-level function to be enqueued)."""

from __future__ import annotations

from django_tasks import task

from xinfang.core.models import Heartbeat
from xinfang.core.timeutil import now
from xinfang.core.worker import resuming


@task()
def beat_then_fail(label: str) -> None:
    """Writes a row, then fails: the row must not outlive the failure."""
    Heartbeat.objects.create(task_id=label, ran_at=now())
    raise RuntimeError("failed after writing")


@task()
def beat(label: str) -> str:
    Heartbeat.objects.create(task_id=label, ran_at=now())
    return label


@task()
def note_resuming(label: str) -> None:
    Heartbeat.objects.create(task_id=f"{label}:{resuming()}", ran_at=now())
