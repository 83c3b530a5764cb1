"""The deadline sweep: warnings and overdue flags exactly once, lists per unit."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from xinfang.cases import services
from xinfang.cases.clocks import due_moment
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.core.schedule import registered_jobs
from xinfang.supervision.models import DueWarning
from xinfang.supervision.selectors import case_warnings, due_soon_cases, overdue_cases
from xinfang.supervision.sweep import candidates, sweep
from xinfang.supervision.tasks import sweep_deadlines
from xinfang.testing.clock import beijing
from xinfang.testing.world import World, build_world

D = dt.date
Freeze = Callable[[str], dt.datetime]


def _rows() -> list[tuple[str, str, dt.date, bool]]:
    return [
        (w.clock, w.kind, w.due_on, w.resolved_at is None)
        for w in DueWarning.objects.order_by("created_at", "kind")
    ]


def test_the_sweep_is_a_periodic_job_every_10_minutes() -> None:
    job = next(j for j in registered_jobs() if j.name == "sweep_deadlines")
    assert job.every == dt.timedelta(minutes=10)


def test_a_route_clock_warns_once_then_flags_overdue_once_then_clears(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)  # route: 15 days, due Tue 18 Mar
    freeze("2025-03-14 10:00")
    assert sweep().warnings_offered == 0  # 4 days ahead: outside the 3-day window
    freeze("2025-03-16 10:00")
    sweep()
    sweep()  # a second run finds nothing new to do
    assert not candidates(beijing("2025-03-16 10:00"), beijing("2025-03-19 10:00")).exists()
    assert _rows() == [("route", "due_soon", D(2025, 3, 18), True)]
    assert list(due_soon_cases(world.registrar)) == [case]
    assert list(due_soon_cases(world.other_clerk)) == []

    freeze("2025-03-19 09:00")
    sweep()
    sweep()
    assert _rows() == [
        ("route", "due_soon", D(2025, 3, 18), False),
        ("route", "overdue", D(2025, 3, 18), True),
    ]
    assert list(overdue_cases(world.registrar, org=world.city_bureau)) == [case]
    assert list(overdue_cases(world.registrar, org=world.city_housing)) == []
    assert [w.kind for w in case_warnings(world.registrar, case)] == ["overdue"]

    services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)  # met, late
    sweep()
    assert [open_ for *_, open_ in _rows()] == [False, False]
    assert list(overdue_cases(world.registrar)) == []


def test_a_lapsed_window_warns_no_one_and_moves_the_stored_due_moment(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    # object (a 5-working-day window of the unit) ends Mon 10 Mar, accept (a duty) Tue 18 Mar
    assert case.next_due_at == due_moment(D(2025, 3, 10))
    freeze("2025-03-11 10:00")
    report = sweep()
    assert (report.warnings_offered, report.refreshed) == (0, 1)
    case.refresh_from_db()
    assert case.next_due_at == due_moment(D(2025, 3, 18))
    assert case.version == 2  # the projection field only
    freeze("2025-03-17 10:00")
    sweep()
    assert _rows() == [("accept", "due_soon", D(2025, 3, 18), True)]


def test_the_task_runs_the_sweep(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    register(world)
    freeze("2025-03-20 10:00")
    result = sweep_deadlines.call()
    assert result["candidates"] == 1
    assert DueWarning.objects.filter(kind="overdue").count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two sweeps in two connections at once need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_create_each_warning_exactly_once(freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    world = build_world()
    cases = [register(world) for _ in range(30)]
    for case in cases[:10]:
        services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    freeze("2025-03-19 10:00")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            sweep(batch_size=7)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # 20 cases overdue on route; 10 forwarded cases overdue on accept (both missed 18 Mar)
    assert DueWarning.objects.filter(kind="overdue").count() == 30
    assert DueWarning.objects.count() == 30
    assert Case.objects.filter(pk__in=[c.pk for c in cases]).count() == 30
