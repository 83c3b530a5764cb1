"""Background tasks of the core app."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.contrib.sessions.models import Session
from django_tasks import TaskContext, task

from xinfang.core.models import Heartbeat, PeriodicRun
from xinfang.core.timeutil import now

logger = logging.getLogger(__name__)

# Finished task results and scheduler records are kept this long for troubleshooting.
KEEP_FINISHED_TASKS = dt.timedelta(days=30)
KEEP_HEARTBEATS = dt.timedelta(days=2)

# Clean-ups of the apps above core, run by housekeeping: name -> a callable returning how many
# rows it removed. Core may not import those apps (the layers contract); they register here in
# their AppConfig.ready().
_CLEANUPS: dict[str, Callable[[], int]] = {}


def register_cleanup(name: str, cleanup: Callable[[], int]) -> None:
    _CLEANUPS[name] = cleanup


@task()
def housekeeping() -> dict[str, int]:
    """Nightly: drop expired sessions, old finished task results and old scheduler records, then
    run the apps' registered clean-ups (`register_cleanup`)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = now() - KEEP_FINISHED_TASKS
    sessions, _ = Session.objects.filter(expire_date__lt=now()).delete()
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()  # type: ignore[attr-defined]
    runs, _ = PeriodicRun.objects.filter(slot__lt=cutoff).delete()
    beats, _ = Heartbeat.objects.filter(ran_at__lt=now() - KEEP_HEARTBEATS).delete()
    counts = {"sessions": sessions, "task_results": results, "periodic_runs": runs, "heartbeats": beats}
    for name, cleanup in sorted(_CLEANUPS.items()):
        counts[name] = cleanup()
    logger.info("housekeeping removed %s", counts)
    return counts


@task(takes_context=True)
def heartbeat(context: TaskContext) -> str:
    """Every minute: record that background work runs (read by `/healthz`)."""
    result = context.task_result
    worker = result.worker_ids[-1] if result.worker_ids else ""
    beat = Heartbeat.objects.create(task_id=str(result.id), ran_at=now(), worker_id=worker[:64])
    return beat.ran_at.isoformat()
