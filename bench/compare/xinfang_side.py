"""Xinfang's side of the comparison, run in a child process on a database of its own.

``run.py`` starts ``python bench/compare/xinfang_side.py PHASE --out FILE ...`` with ``DATABASE_URL``
pointing at a fresh PostgreSQL database and ``DEBUG=true`` (the development keys, as every bench
loads its data with them); the phase writes its figures as JSON into FILE.

- ``intake``: ``bench/intake_load``'s measurement as it is (its own world, gunicorn with 2 workers x
  4 threads, ``POST /api/v1/cases`` at 1, 8 and 32 clients), its rows taken from ``RESULTS``.
- ``world``: the generator's cases (``generator.py``) over the organs below, written in bulk with the
  rows the reports and lists read: ``Case`` (with the stored due moment and clock of an open
  matter), its ``CaseFact`` row (``bench/statistics``' columns), its units (``CaseUnit``) and the
  access policy's rows (``CaseAccess``, from ``xinfang.cases.access.access_rows``); the monthly tallies
  summed as the hourly job does, ``ANALYZE``; then the cold deadline sweep, which writes the overdue
  flags (期限预警) the overdue list reads. Measured, through gunicorn (2 workers x 4 threads,
  DEBUG off) logged in as the provincial 信访局's head: the 统计分析 page over the whole 24 months
  without comparison (its 责任单位 table: each unit's 件次, 受理, 办结 and 超期 figures, against
  helpdesk's queue-by-status), the page over the last 12 months with 同比 (its 月度 trend against the
  same months a year before and its 内容分类 table, against helpdesk's queue-by-month), and the first
  page of the busiest unit's overdue list (``/deadlines/?org=``). With ``--million``, also:
  ``compute_report`` for the last 12 months with 同比 (the full indicator set), the 统计分析 page
  of that year, the workbench pages of the provincial head (``bench/pages``' list, through the test
  client), the resident memory of the gunicorn workers and of a ``db_worker``, and the sweep over
  every case reopened (all of them made open with a running handling clock, after the rest): the
  first sweep after that, which flags a third of them, and the steady one 30 seconds later.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
sys.path[:0] = [str(HERE), str(BENCH), str(ROOT)]

import generator  # noqa: E402
import web  # noqa: E402

PASSWORD = "Bench-Compare-2026"
HEAD = "prov_head"
DEPARTMENTS = (
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "公安局",
    "教育局",
    "卫生健康委员会",
    "民政局",
    "交通运输局",
    "农业农村局",
    "水利局",
    "市场监督管理局",
    "城市管理局",
    "司法局",
    "财政局",
    "税务局",
    "退役军人事务局",
    "应急管理局",
    "商务局",
    "文化和旅游局",
    "医疗保障局",
    "林业局",
    "供销合作社",
    "发展和改革委员会",
    "工业和信息化局",
    "科学技术局",
    "审计局",
    "统计局",
    "体育局",
    "信访事项复查委员会办公室",
)
assert len(DEPARTMENTS) == generator.UNITS_PER_BUREAU


@dataclass
class World:
    province_bureau: Any
    regions: list[Any]  # per bureau index: the city, then the 9 counties
    bureaus: list[Any]
    units: list[Any]  # 300
    registrar: Any
    head: Any
    categories: list[Any] = field(default_factory=list)


def setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    import logging

    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    logging.disable(logging.WARNING)


def build_world() -> World:
    from xinfang.cases.models import ContentCategory
    from xinfang.orgs import services
    from xinfang.orgs.models import Level, OrgKind, Role

    province = services.region_create(code="990000", name="示例省", level=Level.PROVINCE)
    province_gov = services.org_create(name="示例省人民政府", region=province, kind=OrgKind.PARTY_GOVERNMENT)
    province_bureau = services.org_create(
        name="示例省信访局", region=province, kind=OrgKind.PETITION_BUREAU, parent=province_gov
    )
    city = services.region_create(code="990100", name="第1市", level=Level.CITY, parent=province)
    regions = [city] + [
        services.region_create(
            code=f"9901{21 + k:02d}", name=f"第1市{k + 1}县", level=Level.COUNTY, parent=city
        )
        for k in range(generator.BUREAUS - 1)
    ]
    bureaus, units = [], []
    city_gov = None
    for region in regions:
        gov = services.org_create(
            name=f"{region.name}人民政府",
            region=region,
            kind=OrgKind.PARTY_GOVERNMENT,
            parent=province_gov if city_gov is None else city_gov,
        )
        city_gov = city_gov or gov
        bureaus.append(
            services.org_create(
                name=f"{region.name}信访局", region=region, kind=OrgKind.PETITION_BUREAU, parent=gov
            )
        )
        units += [
            services.org_create(
                name=f"{region.name}{name}", region=region, kind=OrgKind.FUNCTIONAL, parent=gov
            )
            for name in DEPARTMENTS
        ]
    registrar = services.staff_user_create(username="bench_registrar", full_name="登记员", password=PASSWORD)
    services.membership_grant(user=registrar, org=bureaus[0], role=Role.REGISTRAR)
    head = services.staff_user_create(username=HEAD, full_name="省信访局负责人", password=PASSWORD)
    services.membership_grant(user=head, org=province_bureau, role=Role.BUREAU_HEAD)
    categories = list(ContentCategory.objects.filter(is_active=True, level=2).order_by("code"))
    return World(province_bureau, regions, bureaus, units, registrar, head, categories)


FACT_DATES = ("routed", "accepted", "replied", "closed")


def populate(world: World, total: int, end: dt.date) -> dict[str, float]:
    from django.db import connection, transaction

    from xinfang.cases.access import access_rows
    from xinfang.cases.categories import level1_code
    from xinfang.cases.models import Case, CaseAccess, CaseFact, CaseUnit
    from xinfang.core.bulk import insert_rows

    started = time.perf_counter()
    fact_names: list[str] | None = None
    written = 0
    for rows in generator.cases(total, end):
        cases = []
        for row in rows:
            bureau, unit, region = world.bureaus[row.bureau], world.units[row.unit], world.regions[row.bureau]
            registered_at = max(
                row.received, dt.datetime.combine(row.registered, dt.time(9), tzinfo=generator.BEIJING)
            )
            handed = row.routed is not None
            cases.append(
                Case(
                    number=f"{region.code}{row.received:%Y%m%d}{row.serial:08d}",
                    query_code=f"C{row.serial:09d}",
                    channel=row.channel,
                    nature=("suggestion", "accusation", *["appeal"] * 8)[row.serial % 10],
                    category=world.categories[row.category % len(world.categories)],
                    subject=f"反映{region.name}问题（{row.serial}）",
                    content="（基准测试生成的信访事项）",
                    problem_region=region,
                    received_on=row.received.date(),
                    registered_at=registered_at,
                    registered_by=world.registrar,
                    registered_org=bureau,
                    registered_level=bureau.level,
                    headcount=row.headcount,
                    status=row.status,
                    current_org=unit if handed else bureau,
                    closed_at=generator.end_of(row.closed) - dt.timedelta(hours=8) if row.closed else None,
                    next_due_at=row.due,
                    next_due_clock=row.clock,
                    updated_at=registered_at,
                )
            )
        facts, units, access = [], [], []
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=2000)
            for case, row in zip(cases, rows, strict=True):
                fact = _fact(case, row, world, level1_code)
                if fact_names is None:
                    fact_names = list(fact)
                facts.append(list(fact.values()))
                bureau, unit = world.bureaus[row.bureau], world.units[row.unit]
                handed = row.routed is not None
                units.append((case.pk, bureau.pk, "lead", not handed, case.registered_at))
                if handed:
                    since = dt.datetime.combine(row.routed, dt.time(10), tzinfo=generator.BEIJING)
                    units.append((case.pk, unit.pk, "lead", True, since))
                for org, region, tree, area in access_rows(
                    registered_org_id=bureau.pk,
                    current_org_id=case.current_org_id,
                    review_org_id=None,
                    problem_region_id=case.problem_region_id,
                    unit_org_ids=[unit.pk] if handed else [],
                    reviewer_org_ids=[],
                ):
                    access.append((case.pk, org, region, tree, area))
            insert_rows(CaseFact, fact_names, facts)
            insert_rows(CaseUnit, ("case", "org", "role", "is_active", "since"), units)
            insert_rows(CaseAccess, ("case", "org", "region", "tree", "area"), access)
        written += len(cases)
        if written % 100_000 == 0 or written == total:
            print(f"    xinfang: {written:,} cases ({time.perf_counter() - started:.0f} s)", flush=True)
    seconds = time.perf_counter() - started
    from xinfang.cases.tallies import compact_fact_tallies

    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    compact_fact_tallies()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"load_s": seconds, "tallies_analyze_s": time.perf_counter() - t}


def _fact(case: Any, row: generator.Row, world: World, level1_code: Any) -> dict[str, Any]:
    day = dt.timedelta
    code = case.category.code
    accepted = row.accepted
    delivered = row.status == "delivered"
    return {
        "case_id": case.pk,
        "received_on": case.received_on,
        "registered_on": row.registered,
        "problem_region_id": case.problem_region_id,
        "problem_region_path": world.regions[row.bureau].path,
        "registered_org_id": case.registered_org_id,
        "registered_level": case.registered_level,
        "channel": row.channel,
        "channel_group": {"letter": "来信", "visit": "来访"}.get(row.channel, "网信"),
        "nature": case.nature,
        "category_id": case.category_id,
        "category_l1": level1_code(code),
        "category_l2": f"{code[:4]}00" if code[2:4] not in {"", "00"} else "",
        "headcount": row.headcount,
        "is_collective": row.channel == "visit" and row.headcount >= 5,
        "is_skip_level": False,
        "is_beijing_visit": False,
        "visit_level": case.registered_level if row.channel == "visit" else "",
        "is_repeat": False,
        "repeat_of_id": None,
        "duplicate_of_id": None,
        "status": row.status,
        "route_due_on": row.registered + day(days=15),
        "accepted_by_bureau_on": row.routed,
        "accept_due_on": row.routed + day(days=15) if row.routed else None,
        "accepted_by_unit_on": accepted,
        "accepted_on": accepted,
        "responsible_org_id": world.units[row.unit].pk if accepted else None,
        "handle_due_on": accepted + day(days=60) if accepted else None,
        "replied_on": row.replied,
        "reply_outcome": ("support", "explain", "support", "explain", "reject")[row.serial % 5]
        if row.replied
        else "",
        "closed_on": row.closed,
        "declined": "declined" if row.status == "declined" else "",
        "declined_reason": "litigation" if row.status == "declined" else "",
        "review_requested_on": None,
        "review_outcome": "",
        "rereview_requested_on": None,
        "rereview_outcome": "",
        "terminated_on": None,
        "termination_reason": "",
        "rating_due_on": row.closed + day(days=7) if delivered else None,
        "bureau_rating": row.rating,
        "bureau_rated_on": row.rated,
        "unit_rating": row.rating,
        "unit_rated_on": row.rated,
    }


def last_year(end: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 whole months before the month of `end` (a report on whole months, as a year's is)."""
    stop = end.replace(day=1) - dt.timedelta(days=1)
    year, month = stop.year, stop.month - 11
    if month <= 0:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), stop


def timed_sweep(at: dt.datetime) -> dict[str, Any]:
    from xinfang.supervision.sweep import sweep

    t = time.perf_counter()
    report = sweep(at=at)
    return {"seconds": time.perf_counter() - t, "candidates": report.candidates}


# ---------------------------------------------------------------- measured through gunicorn


def served(world: World, end: dt.date, *, million: bool, out: dict[str, Any]) -> None:
    from server import Gunicorn, collect_static, free_port, production_environ

    production_environ()
    os.environ["SECURE_COOKIES"] = "false"  # plain HTTP on loopback: the cookies must travel
    collect_static()
    from django.db import connection

    connection.close()
    first = generator.first_day(end)
    year_start, year_end = last_year(end)
    org = world.province_bureau.pk
    busiest = world.units[0].pk
    from xinfang.api.tokens import api_token_create

    token = api_token_create(user=world.head, name="bench")[1]
    connection.close()
    # The two tables helpdesk's queuestatus and queuemonth are set against: the API's statistics
    # tables over the same 24 months; then the pages.
    tables = {
        "by_unit_and_status": f"/api/v1/statistics/units?org_id={org}&start={first}&end={end}",
        "month_by_category": f"/api/v1/statistics/months?org_id={org}&start={first}&end={end}",
    }
    pages = {
        "statistics_page": f"/statistics/?org={org}&start={year_start}&end={year_end}&compare=yoy",
        "overdue_first_page": f"/deadlines/?tab=overdue&org={busiest}",
    }
    port = free_port()
    with Gunicorn(port, workers=2, threads=4) as server:
        base = f"http://127.0.0.1:{port}"
        api = urllib.request.build_opener()
        api.addheaders = [("Authorization", f"Bearer {token}")]
        for name, path in tables.items():
            out[name] = web.timed_get(api, base + path, repeats=5, warmups=1, budget_s=120, expect='"total"')
            print(f"  xinfang {name}: {web.summary(out[name])}", flush=True)
        opener = web.login(base, HEAD, PASSWORD)
        for name, path in pages.items():
            out[name] = web.timed_get(
                opener, base + path, repeats=5, warmups=1, budget_s=120, expect="</html>"
            )
            print(f"  xinfang {name}: {web.summary(out[name])}", flush=True)
        if million:
            out["memory_web_kib"] = web.worker_rss(server.process.pid)
    if million:
        out["memory_worker_kib"] = db_worker_rss()


def db_worker_rss() -> int:
    """VmRSS of a ``db_worker`` after it started and took its first look at the queue."""
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        time.sleep(8)
        return web.rss_kib(worker.pid) if worker.poll() is None else 0
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def indicator_set(world: World, end: dt.date) -> dict[str, Any]:
    from xinfang.statistics.figures import compute_report
    from xinfang.statistics.indicators import Comparison

    start, stop = last_year(end)
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        report = compute_report(org=world.province_bureau, start=start, end=stop, comparison=Comparison.YOY)
        runs.append(time.perf_counter() - t)
    total = report.figures["信访总量.件次"]
    print(f"  xinfang full indicator set with 同比: {' '.join(f'{r:.3f}' for r in runs)} s", flush=True)
    return {
        "runs_s": runs,
        "median_s": statistics.median(runs),
        "cases": total.current,
        "previous": total.previous,
    }


def workbench_pages(world: World) -> list[dict[str, Any]]:
    """``bench/pages``' pages for the provincial head, through the test client (DEBUG off)."""
    import pages.run as pages_bench

    from xinfang.orgs import services
    from xinfang.orgs.models import Role

    city_head = services.staff_user_create(
        username="city_head", full_name="市信访局负责人", password=PASSWORD
    )
    services.membership_grant(user=city_head, org=world.bureaus[0], role=Role.BUREAU_HEAD)
    city = pages_bench.Area(world.regions[0], None, world.bureaus[0], world.units[:30], world.registrar)
    county = pages_bench.Area(world.regions[1], None, world.bureaus[1], world.units[30:60], world.registrar)
    shaped = pages_bench.World(
        [city],
        [[county]],
        world.categories[0],
        {"city bureau head": city_head, "provincial head": world.head},
    )
    targets = pages_bench.service_cases(shaped)
    pages_bench.RESULTS.clear()
    pages_bench._measure_persona(
        shaped, targets, "provincial head", world.head, world.regions[1].code, world.units[0].pk
    )
    return list(pages_bench.RESULTS)


def reopen_all(end: dt.date) -> float:
    """Every case open with a running handling clock due within the next 60 days or up to 30 past."""
    from django.db import connection

    t = time.perf_counter()
    moment = generator.end_of(end)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET closed_at = NULL, status = 'accepted', next_due_clock = 'handle', "
            "next_due_at = %s + ((id %% 90) - 30) * interval '1 day'",
            [moment],
        )
        cursor.execute("ANALYZE cases_case")
    return time.perf_counter() - t


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("phase", choices=["intake", "world"])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--end", type=dt.date.fromisoformat)
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    out: dict[str, Any] = {}
    if args.phase == "intake":
        import intake_load.run as intake_load

        out["status"] = intake_load.inner(args.cases)
        out["loads"] = intake_load.RESULTS
    else:
        setup_django()
        from django.core.management import call_command

        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        out["migrate_s"] = time.perf_counter() - t
        world = build_world()
        out.update(populate(world, args.cases, args.end))
        print(f"  xinfang: {args.cases:,} cases loaded in {out['load_s']:.0f} s", flush=True)
        now = generator.end_of(args.end) - dt.timedelta(hours=12)
        out["cold_sweep"] = timed_sweep(now)
        print(f"  xinfang cold sweep: {out['cold_sweep']}", flush=True)
        if args.million:
            out["indicator_set"] = indicator_set(world, args.end)
            out["workbench"] = workbench_pages(world)
        served(world, args.end, million=args.million, out=out)
        if args.million:
            out["reopen_s"] = reopen_all(args.end)
            out["sweep_open"] = timed_sweep(now)
            from xinfang.cases.models import Case

            out["sweep_open"]["open_cases"] = Case.objects.filter(closed_at__isnull=True).count()
            out["sweep_open_steady"] = timed_sweep(now + dt.timedelta(seconds=30))
            print(f"  xinfang sweep over every case open: {out['sweep_open']}", flush=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
