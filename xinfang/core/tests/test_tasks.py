from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from xinfang.core.models import PeriodicRun
from xinfang.core.schedule import PeriodicJob, registered_jobs, schedule_tick
from xinfang.core.tasks import housekeeping
from xinfang.testing.clock import beijing


def _run_worker() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)


def test_housekeeping_is_a_registered_nightly_job() -> None:
    job = next(job for job in registered_jobs() if job.name == "housekeeping")
    assert job.at_local == dt.time(2, 30)


def test_a_daily_slot_starts_at_the_local_time_of_day() -> None:
    job = PeriodicJob(name="x", task_path="x", every=dt.timedelta(days=1), at_local=dt.time(2, 30))
    assert job.slot_for(beijing("2025-03-10 01:00")) == beijing("2025-03-09 02:30")
    assert job.slot_for(beijing("2025-03-10 02:30")) == beijing("2025-03-10 02:30")
    assert job.slot_for(beijing("2025-03-10 23:59")) == beijing("2025-03-10 02:30")


def test_an_interval_slot_is_aligned_on_the_epoch() -> None:
    job = PeriodicJob(name="x", task_path="x", every=dt.timedelta(minutes=15))
    assert job.slot_for(beijing("2025-03-10 09:44")) == beijing("2025-03-10 09:30")


def test_the_scheduler_enqueues_each_slot_once_even_when_run_twice(
    db: None, freeze: Callable[[str], dt.datetime]
) -> None:
    now = freeze("2025-03-10 03:00")
    assert "housekeeping" in schedule_tick(now=now)
    assert "housekeeping" not in schedule_tick(now=now)  # a second scheduler, same slot
    assert PeriodicRun.objects.filter(job="housekeeping").count() == 1
    assert DBTaskResult.objects.filter(task_path="xinfang.core.tasks.housekeeping").count() == 1
    later = freeze("2025-03-11 02:31")
    assert "housekeeping" in schedule_tick(now=later)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when it stops
def test_housekeeping_runs_in_the_worker_and_removes_only_what_is_stale(
    freeze: Callable[[str], dt.datetime],
) -> None:
    freeze("2025-03-10 03:00")
    old = housekeeping.enqueue()
    _run_worker()  # the old result is now finished; make it look old
    DBTaskResult.objects.filter(id=old.id).update(finished_at=beijing("2025-01-01 00:00"))
    Session.objects.create(session_key="old", session_data="x", expire_date=beijing("2025-03-01 00:00"))
    Session.objects.create(session_key="live", session_data="x", expire_date=beijing("2025-04-01 00:00"))

    result = housekeeping.enqueue()
    _run_worker()

    row = DBTaskResult.objects.get(id=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == {
        "sessions": 1,
        "task_results": 1,
        "periodic_runs": 0,
        "heartbeats": 0,
        "report_jobs": 0,
        "case_file_pdfs": 0,
    }
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert not DBTaskResult.objects.filter(id=old.id).exists()


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when it stops
def test_the_heartbeat_runs_every_minute_and_healthz_reports_it(freeze: Callable[[str], dt.datetime]) -> None:
    from django.test import Client

    from xinfang.core.models import Heartbeat

    now = freeze("2025-03-10 03:00")
    job = next(job for job in registered_jobs() if job.name == "heartbeat")
    assert job.every == dt.timedelta(minutes=1)
    assert "heartbeat" in schedule_tick(now=now)
    _run_worker()
    beat = Heartbeat.objects.get()
    run = PeriodicRun.objects.get(job="heartbeat")
    assert beat.task_id == run.task_result_id and beat.worker_id
    freeze("2025-03-10 03:00:30")
    assert Client().get("/healthz").json()["background"] == {"last_heartbeat_seconds": 30.0}
