"""The worker on PostgreSQL: one transaction per task, and abandoned tasks run again (core/worker.py)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from xinfang.core import worker
from xinfang.core.models import Heartbeat
from xinfang.core.tests.worker_tasks import beat, beat_then_fail, note_resuming
from xinfang.core.timeutil import now
from xinfang.core.worker import LEASE_SPACE, MAX_ATTEMPTS, Reaper, lease_key, reap_abandoned_tasks, resuming

pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits and closes its connection


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the kill-safe worker runs on PostgreSQL; SQLite keeps django-tasks-db's own worker")


def _run_worker() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def _abandon(result_id: object, *, attempts: int = 1) -> None:
    """What a worker killed halfway leaves: RUNNING, claimed a while ago, no lock held."""
    DBTaskResult.objects.filter(pk=result_id).update(
        status="RUNNING",
        started_at=now() - dt.timedelta(minutes=5),
        worker_ids=[f"dead-{i}" for i in range(attempts)],
    )


def test_a_failing_atomic_task_leaves_none_of_its_writes_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "ATOMIC", worker.ATOMIC | {"xinfang.core.tests.worker_tasks.beat_then_fail"})
    result = beat_then_fail.enqueue("failing")
    _run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == "builtins.RuntimeError"
    assert not Heartbeat.objects.filter(task_id="failing").exists()


def test_a_task_that_commits_as_it_goes_keeps_what_it_committed() -> None:
    beat_then_fail.enqueue("leased")
    _run_worker()
    assert Heartbeat.objects.filter(task_id="leased").exists()  # not ATOMIC: its own commits stay


def test_a_task_whose_worker_died_runs_again_and_commits_once() -> None:
    result = beat.enqueue("orphan")
    _abandon(result.id)
    assert reap_abandoned_tasks() == (1, 0)
    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.started_at) == ("READY", None)
    _run_worker()
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert row.worker_ids[0] == "dead-0" and len(row.worker_ids) == 2  # the dead attempt is kept
    assert Heartbeat.objects.filter(task_id="orphan").count() == 1


def test_a_task_abandoned_too_often_is_marked_failed() -> None:
    result = beat.enqueue("hopeless")
    _abandon(result.id, attempts=MAX_ATTEMPTS)
    assert reap_abandoned_tasks() == (0, 1)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == "xinfang.core.worker.TaskAbandoned"


def test_a_task_just_claimed_is_left_alone() -> None:
    result = beat.enqueue("fresh")
    DBTaskResult.objects.filter(pk=result.id).update(status="RUNNING", started_at=now(), worker_ids=["w"])
    assert reap_abandoned_tasks() == (0, 0)


def test_a_task_a_live_worker_holds_is_not_requeued() -> None:
    result = beat.enqueue("held")
    _abandon(result.id)
    locked, release = threading.Event(), threading.Event()

    def live_worker() -> None:  # another connection holding the task's lease, as its worker does
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LEASE_SPACE, lease_key(result.id)])
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=live_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert reap_abandoned_tasks() == (0, 0)
    finally:
        release.set()
        thread.join()
    assert reap_abandoned_tasks() == (1, 0)  # once its worker is gone, it is


def test_a_task_run_again_after_its_worker_died_knows_it_is_resuming() -> None:
    assert not resuming()  # a task called directly
    first = note_resuming.enqueue("first")
    again = note_resuming.enqueue("again")
    _abandon(again.id)
    reap_abandoned_tasks()
    _run_worker()
    assert DBTaskResult.objects.get(pk=first.id).status == "SUCCESSFUL"
    labels = set(Heartbeat.objects.values_list("task_id", flat=True))
    assert labels == {"first:False", "again:True"}


def test_the_reaper_requeues_at_once_even_with_nothing_to_run() -> None:
    result = beat.enqueue("left-behind")
    _abandon(result.id)
    reaper = Reaper("idle")
    reaper.start()
    reaper.stop()  # its first look is made before it waits
    assert not reaper.is_alive()
    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
