"""Background tasks of the core app."""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.sessions.models import Session
from django_tasks import task

from xinfang.core.models import PeriodicRun
from xinfang.core.timeutil import now

logger = logging.getLogger(__name__)

# Finished task results and scheduler records are kept this long for troubleshooting.
KEEP_FINISHED_TASKS = dt.timedelta(days=30)


@task()
def housekeeping() -> dict[str, int]:
    """Nightly: drop expired sessions, old finished task results and old scheduler records."""
    from django_tasks_db.models import DBTaskResult

    cutoff = now() - KEEP_FINISHED_TASKS
    sessions, _ = Session.objects.filter(expire_date__lt=now()).delete()
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()  # type: ignore[attr-defined]
    runs, _ = PeriodicRun.objects.filter(slot__lt=cutoff).delete()
    counts = {"sessions": sessions, "task_results": results, "periodic_runs": runs}
    logger.info("housekeeping removed %s", counts)
    return counts
