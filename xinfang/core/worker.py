"""The background worker: django-tasks-db's worker, made safe to kill on PostgreSQL.

django-tasks-db marks a task RUNNING in one transaction and runs it in others. A worker that is
killed (or loses its database connection) halfway leaves the task RUNNING for ever. Here, on
PostgreSQL, a running task is always held by its worker, so that a task nobody holds is known to
be abandoned:

- most tasks commit as they go (a sweep commits batch by batch, a sender marks each message as it
  leaves, a report file shows its progress): the worker holds a session advisory lock on the task
  while it runs. These tasks are written to be run again after an interruption without doing any
  part twice (what was swept, sent or noted is marked, and skipped the next time);
- the short, database-only tasks of `ATOMIC` run inside one transaction that first locks their own
  task row, and their SUCCESSFUL mark is written in that same transaction: their work and the mark
  commit together, or neither does;
- beside every worker a thread (`Reaper`) looks, every `REAP_EVERY` seconds, for RUNNING tasks
  that nobody holds: the worker that claimed them is gone (PostgreSQL drops a dead client's locks
  and rolls back its open transaction). They go back to READY and run again, up to `MAX_ATTEMPTS` attempts in all; then
  they are marked FAILED (`TaskAbandoned`).

So no task is lost however many workers die, and none is done twice. What a task sends outside
the database (an SMS, an e-mail) goes out a second time only if its worker died between sending it
and marking it sent.

SQLite (one box, one worker) keeps django-tasks-db's own behaviour: one writer at a time would
make a task's transaction block every page that writes.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import threading
import time
import zlib

from django.db import DatabaseError, close_old_connections, connection, connections, transaction
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from xinfang.core.timeutil import now

logger = logging.getLogger("xinfang.worker")

# Short tasks that only write the database: their work commits with their SUCCESSFUL mark.
ATOMIC = frozenset(
    {
        "xinfang.core.tasks.heartbeat",
        "xinfang.core.tasks.housekeeping",
        "xinfang.cases.tasks.compact_fact_tallies",
        "xinfang.textintel.tasks.cluster_alerts",
    }
)
MAX_ATTEMPTS = 3
REAP_EVERY = 15.0  # seconds between two looks for abandoned tasks
# A task claimed this recently may not hold its lock yet (the claim commits, then the run locks).
CLAIM_GRACE = dt.timedelta(seconds=10)
# The advisory lock space of task leases (the first key of pg_try_advisory_lock(int, int)).
LEASE_SPACE = 0x58_46_54_4B  # "XFTK"


_attempt: contextvars.ContextVar[int] = contextvars.ContextVar("xf_task_attempt", default=1)


def resuming() -> bool:
    """Whether the task running now is a re-run after its worker stopped in an earlier attempt: a
    task that marks its own job RUNNING then carries on with a job found RUNNING, instead of
    taking it for one that another run is doing."""
    return _attempt.get() > 1


class TaskAbandoned(Exception):
    """A task whose worker stopped while running it, MAX_ATTEMPTS times."""


def lease_key(task_id: object) -> int:
    """The second advisory-lock key of a task: a 31-bit digest of its id."""
    return zlib.crc32(str(task_id).encode()) & 0x7FFF_FFFF


def safe_on() -> bool:
    """Whether the kill-safe way applies: PostgreSQL only."""
    return connection.vendor == "postgresql"


class SafeWorker(Worker):
    """`db_worker` that holds each running task (a lease, or one transaction for `ATOMIC` tasks)
    and, beside it, a thread that requeues abandoned tasks (`Reaper`)."""

    def run(self) -> None:
        """The upstream loop, restarted after a lost database connection instead of exiting, with
        the reaper running beside it for as long as it runs."""
        reaper = Reaper(self.worker_id) if safe_on() else None
        if reaper is not None:
            reaper.start()
        try:
            while self.running:
                try:
                    super().run()
                    return
                except (OperationalError, InterfaceError) as exc:
                    logger.warning("worker %s: database unavailable (%s); retrying", self.worker_id, exc)
                    close_old_connections()
                    connection.close()
                    time.sleep(min(self.interval or 1.0, 2.0))
        finally:
            if reaper is not None:
                reaper.stop()

    def run_task(self, db_task_result: DBTaskResult) -> None:
        token = _attempt.set(len(db_task_result.worker_ids))
        try:
            if not safe_on():
                return super().run_task(db_task_result)
            if db_task_result.task_path in ATOMIC:
                return self._run_atomic(db_task_result)
            return self._run_leased(db_task_result)
        finally:
            _attempt.reset(token)

    def _run_atomic(self, db_task_result: DBTaskResult) -> None:
        self.running_task = True
        try:
            try:
                with transaction.atomic():
                    locked = DBTaskResult.objects.select_for_update().filter(
                        pk=db_task_result.pk, status=db_task_result.status
                    )
                    if not locked.exists():  # requeued by a reaper meanwhile: not ours now
                        return
                    db_task_result.set_successful(self._call(db_task_result))
            except (OperationalError, InterfaceError, KeyboardInterrupt, SystemExit):
                # The database went away, or the worker is shutting down: everything rolled back;
                # the task stays RUNNING with no lock held, and a reaper puts it back in the queue.
                raise
            except BaseException as exc:
                db_task_result.set_failed(exc)  # its effects were rolled back with the transaction
            self._finished(db_task_result)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _run_leased(self, db_task_result: DBTaskResult) -> None:
        key = lease_key(db_task_result.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_SPACE, key])
        try:
            super().run_task(db_task_result)
        finally:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LEASE_SPACE, key])
            except DatabaseError:
                pass  # the connection is gone, and its lock with it

    def _call(self, db_task_result: DBTaskResult) -> object:
        task = db_task_result.task
        task_result = db_task_result.task_result
        task_started.send(sender=type(task.get_backend()), task_result=task_result)
        if task.takes_context:
            return task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
        return task.call(*task_result.args, **task_result.kwargs)

    def _finished(self, db_task_result: DBTaskResult) -> None:
        try:
            sender = type(db_task_result.task.get_backend())
            task_finished.send(sender=sender, task_result=db_task_result.task_result)
        except ImportError:
            logger.exception("task %s: its function cannot be imported", db_task_result.pk)


class Reaper(threading.Thread):
    """Every `REAP_EVERY` seconds, starting at once, `reap_abandoned_tasks` on its own connection,
    whether or not the worker beside it has tasks to run (an idle worker must still find a task
    that a dead one left RUNNING)."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"reaper-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while True:
                try:
                    requeued, abandoned = reap_abandoned_tasks()
                except DatabaseError as exc:
                    logger.warning("worker %s: could not look for abandoned tasks (%s)", self.worker_id, exc)
                    connection.close()
                else:
                    if requeued or abandoned:
                        logger.warning(
                            "worker %s: requeued %d, abandoned %d task(s)",
                            self.worker_id,
                            requeued,
                            abandoned,
                        )
                if self._stopping.wait(REAP_EVERY):
                    return
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self._stopping.set()
        self.join(REAP_EVERY)


def reap_abandoned_tasks(*, at: dt.datetime | None = None) -> tuple[int, int]:
    """Put back in the queue the RUNNING tasks no live worker holds; (requeued, abandoned).

    A live worker holds its running task's advisory lock (or, for `ATOMIC` tasks, its row lock), so
    what `SKIP LOCKED` returns, claimed before `CLAIM_GRACE` and with its advisory lock free, has no
    worker."""
    cutoff = (at or now()) - CLAIM_GRACE
    requeued = abandoned = 0
    with transaction.atomic():
        rows = list(
            DBTaskResult.objects.running()
            .filter(started_at__lt=cutoff)
            .select_for_update(skip_locked=True)
            .order_by("started_at")[:100]
        )
        for row in rows:
            if row.task_path not in ATOMIC and not _lease_free(row.pk):
                continue
            if len(row.worker_ids) >= MAX_ATTEMPTS:
                row.set_failed(TaskAbandoned(f"它的工作进程在运行中停止了 {len(row.worker_ids)} 次"))
                abandoned += 1
            else:
                row.status = "READY"
                row.started_at = None
                row.save(update_fields=["status", "started_at"])
                requeued += 1
    return requeued, abandoned


def _lease_free(task_id: object) -> bool:
    """Whether no session holds the task's advisory lock (tried for this transaction only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LEASE_SPACE, lease_key(task_id)])
        return bool(cursor.fetchone()[0])
