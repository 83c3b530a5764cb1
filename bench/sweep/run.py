"""Deadline-sweep benchmark: 100,000 open cases, the sweep timed against the 2 s target.

Run from the repository root: ``.venv/bin/python bench/sweep/run.py`` (PostgreSQL at
``postgres://postgres@127.0.0.1:5432``, plus SQLite for reference; ``--only sqlite`` or
``--only postgres`` for one). Each backend runs in a child process on a fresh database that the
script creates and drops. Cases and events are written with ``bulk_create`` (bench only: the
product writes them through services), with next due moments (and the clock due then, as the
services store it) computed by the real calendar.

Measured, each against the target of 2 s:

- steady sweep: the periodic run as it usually is, nothing new (every case already handled);
- a 10-minute step: the run 10 minutes later, with the cases that crossed a threshold;
- cold sweep (reported, not the target): the very first run, which warns about every case
  already due soon or overdue (about a third of them in this distribution).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backends import bench_main

ROOT = Path(__file__).resolve().parents[2]
TARGET_S = 2.0


def main() -> int:
    return bench_main(__file__, "sweep", 100_000, inner)


# -- inside the child process ---------------------------------------------------------------------


def inner(total: int) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.disable(logging.INFO)
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrate: {time.perf_counter() - t:.1f} s", flush=True)
    moment = populate(total)
    return measure(moment, total)


def populate(total: int):  # type: ignore[no-untyped-def]
    import datetime as dt

    from xinfang.cases.categories import DEFAULT_CATEGORIES_CSV, load_categories
    from xinfang.cases.clocks import due_moment, work_calendar
    from xinfang.cases.models import Case, CaseEvent, ContentCategory
    from xinfang.core.timeutil import LOCAL_TZ
    from xinfang.orgs.models import Level, Org, OrgKind, Region, User

    t = time.perf_counter()
    if not ContentCategory.objects.exists():
        load_categories(DEFAULT_CATEGORIES_CSV.read_text(encoding="utf-8"))
    category = ContentCategory.objects.order_by("code").first()
    region = Region.objects.create(code="990000", name="示例省", level=Level.PROVINCE, path="/990000/")
    bureau = Org.objects.create(
        name="示例省信访局", region=region, level=Level.PROVINCE, kind=OrgKind.PETITION_BUREAU, path="/1/"
    )
    units = [
        Org.objects.create(
            name=f"单位{i}", region=region, level=Level.PROVINCE, kind=OrgKind.FUNCTIONAL, path=f"/u{i}/"
        )
        for i in range(50)
    ]
    user = User.objects.create(username="bench")
    calendar = work_calendar()
    now = dt.datetime(2025, 6, 16, 10, 0, tzinfo=LOCAL_TZ)
    today = now.date()
    rng = random.Random(5)
    # Mix of where open cases stand: 20% waiting to be routed (route: 15 days), 10% routed
    # (accept: 15 days, and the unit's 5-working-day object window), 70% accepted (handle: 60 days).
    cases, plans = [], []
    for i in range(total):
        roll = rng.random()
        if roll < 0.2:
            status, age, clock, clock_days = "registered", rng.randint(0, 20), "route", 15
        elif roll < 0.3:
            status, age, clock, clock_days = "routed", rng.randint(0, 20), "accept", 15
        else:
            status, age, clock, clock_days = "accepted", rng.randint(0, 75), "handle", 60
        start = today - dt.timedelta(days=age)
        due = calendar.period_end(start, clock_days, unit="calendar")
        if status == "routed" and (window := calendar.period_end(start, 5, unit="workday")) >= today:
            clock, due = "object", window  # the window still open comes first (as a service stores)
        at = dt.datetime.combine(start, dt.time(9, 0), tzinfo=LOCAL_TZ)
        unit = units[i % len(units)]
        cases.append(
            Case(
                number=f"B{i:08d}",
                query_code=f"Q{i:08d}",
                channel="letter",
                nature="appeal",
                category=category,
                subject="基准测试",
                content="基准测试",
                problem_region=region,
                received_on=start,
                registered_at=at,
                registered_by=user,
                registered_org=bureau,
                registered_level=Level.PROVINCE,
                status=status,
                current_org=bureau if status == "registered" else unit,
                next_due_at=due_moment(due),
                next_due_clock=clock,
                updated_at=at,
            )
        )
        plans.append((status, at, unit))
    Case.objects.bulk_create(cases, batch_size=2000)
    events = []
    kinds = {"registered": ["registered"], "routed": ["registered", "forwarded"]}
    for case, (status, at, unit) in zip(cases, plans, strict=True):
        for seq, kind in enumerate(kinds.get(status, ["registered", "forwarded", "accepted"]), start=1):
            org = bureau if kind != "accepted" else unit
            events.append(
                CaseEvent(
                    case=case,
                    seq=seq,
                    kind=kind,
                    org=org,
                    at=at,
                    payload={},
                    prev_hash="0" * 64,
                    hash="0" * 64,
                )
            )
    CaseEvent.objects.bulk_create(events, batch_size=5000)
    print(
        f"  created {total:,} open cases and {len(events):,} events in {time.perf_counter() - t:.1f} s",
        flush=True,
    )
    return now


def measure(now, total: int) -> int:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.db import connection

    from xinfang.supervision.models import DueWarning
    from xinfang.supervision.sweep import sweep

    def timed(label: str, at: dt.datetime, *, target: bool) -> float:
        t = time.perf_counter()
        report = sweep(at=at)
        secs = time.perf_counter() - t
        verdict = (
            (f"{'PASS' if secs < TARGET_S else 'MISS'} ratio {secs / TARGET_S:.2f} of 2 s")
            if target
            else "reported"
        )
        print(
            f"  {label:<34} {secs:7.3f} s  [{verdict}]  candidates {report.candidates:,}, "
            f"warnings offered {report.warnings_offered:,}, resolved {report.resolved:,}",
            flush=True,
        )
        return secs

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    cold = timed("cold sweep (first run ever)", now, target=False)
    steady = timed("steady sweep (nothing new)", now + dt.timedelta(seconds=30), target=True)
    step = timed("10 minutes later", now + dt.timedelta(minutes=10), target=True)
    day = timed("next day (a day of thresholds)", now + dt.timedelta(days=1), target=False)
    print(
        f"  open cases {total:,}; warnings stored {DueWarning.objects.count():,}; "
        f"cold {cold:.2f} s = {cold / TARGET_S:.2f}x target; steady {steady:.3f} s; step {step:.3f} s; "
        f"next day {day:.2f} s",
        flush=True,
    )
    return 0 if max(steady, step) < TARGET_S else 2


if __name__ == "__main__":
    sys.exit(main())
