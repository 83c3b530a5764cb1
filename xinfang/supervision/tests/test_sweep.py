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
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.core.schedule import registered_jobs
from xinfang.supervision import sweep as sweep_module
from xinfang.supervision.models import DueWarning, SweepMark
from xinfang.supervision.selectors import case_warnings, first_warnings
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


def _flagged(user: object, kind: str, org: object = None) -> list[Case]:
    return [warning.case for warning in first_warnings(user, kind, org=org)]  # type: ignore[arg-type]


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
    assert _flagged(world.registrar, "due_soon") == [case]
    assert _flagged(world.other_clerk, "due_soon") == []

    freeze("2025-03-19 09:00")
    sweep()
    sweep()
    assert _rows() == [
        ("route", "due_soon", D(2025, 3, 18), False),
        ("route", "overdue", D(2025, 3, 18), True),
    ]
    assert _flagged(world.registrar, "overdue", org=world.city_bureau) == [case]
    assert _flagged(world.registrar, "overdue", org=world.city_housing) == []
    assert [w.kind for w in case_warnings(world.registrar, case)] == ["overdue"]

    services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)  # met, late
    sweep()
    assert [open_ for *_, open_ in _rows()] == [False, False]
    assert _flagged(world.registrar, "overdue") == []


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


def _run_sweeps(moments: list[str], freeze: Freeze) -> list[tuple[object, ...]]:
    seen: list[tuple[object, ...]] = []
    for text in moments:
        freeze(text)
        sweep()
        seen.append(
            tuple(
                DueWarning.objects.order_by("case_id", "clock", "kind", "due_on").values_list(
                    "case_id", "clock", "kind", "due_on", "due_at", "org_id", "resolved_at"
                )
            )
        )
        seen.append(tuple(Case.objects.order_by("pk").values_list("pk", "next_due_at")))
    return seen


def test_warning_from_the_stored_clock_matches_deriving_every_case(
    world: World, freeze: Freeze, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze("2025-03-03 10:00")
    register(world)
    forwarded = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    accepted = services.case_accept(
        actor=world.handler,
        case=services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing),
    )
    delivered = services.case_deliver(
        actor=world.handler,
        case=reply_approved(actor=world.handler, case=accepted, reply=a_reply()),
        method="in_person",
    )
    late = services.case_accept(
        actor=world.handler,
        case=services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing),
    )
    freeze("2025-03-12 10:00")
    services.case_accept(actor=world.handler, case=forwarded)  # after its object window lapsed
    stored = {c.pk: c.next_due_clock for c in Case.objects.all()}
    assert stored[delivered.pk] == "rating" and stored[late.pk] == "handle"
    start = list(Case.objects.values_list("pk", "next_due_at", "next_due_clock", "version"))
    moments = [
        "2025-03-08 10:00",
        "2025-03-11 10:00",
        "2025-03-16 10:00",
        "2025-03-19 10:00",
        "2025-04-30 10:00",
        "2025-05-06 10:00",
        "2025-05-07 10:00",
        "2025-05-12 10:00",
    ]
    from_stored_clock = _run_sweeps(moments, freeze)
    assert DueWarning.objects.filter(kind="overdue").count() >= 2

    DueWarning.objects.all().delete()
    SweepMark.objects.all().delete()
    for pk, due_at, clock, version in start:
        Case.objects.filter(pk=pk).update(next_due_at=due_at, next_due_clock=clock, version=version)
    monkeypatch.setattr(sweep_module, "duty_clock_names", frozenset)  # derive every case, as before
    assert _run_sweeps(moments, freeze) == from_stored_clock


def test_a_blank_stored_clock_is_derived_and_written_back(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    Case.objects.filter(pk=case.pk).update(next_due_clock="")  # as migrated rows are
    freeze("2025-03-16 10:00")
    assert sweep().refreshed == 1
    assert _rows() == [("route", "due_soon", D(2025, 3, 18), True)]
    case.refresh_from_db()
    assert (case.next_due_clock, case.version) == ("route", 1)


def _planner_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return float(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_a_sweep_that_changed_much_of_a_table_brings_its_planner_statistics_up_to_date(
    world: World, freeze: Freeze, monkeypatch: pytest.MonkeyPatch
) -> None:
    warnings, marks = DueWarning._meta.db_table, SweepMark._meta.db_table
    # The rule autovacuum applies: more than 50 rows plus a tenth of what the planner knows of.
    assert sweep_module._analyze_if_stale(warnings=50, marks=50) == []
    assert sweep_module._analyze_if_stale(warnings=51, marks=0) == [warnings]
    assert sweep_module._analyze_if_stale(warnings=0, marks=51) == [marks]

    freeze("2025-03-03 10:00")
    register(world)
    register(world)
    monkeypatch.setattr(sweep_module, "ANALYZE_BASE", 1)
    with connection.cursor() as cursor:  # known to the planner as empty, as after migrating
        cursor.execute(f"ANALYZE {warnings}, {marks}")
    assert _planner_rows(warnings) <= 0 and _planner_rows(marks) <= 0
    freeze("2025-03-20 10:00")
    report = sweep()
    assert (report.candidates, report.warnings_offered) == (2, 2)
    assert _planner_rows(warnings) == 2 and _planner_rows(marks) == 2
