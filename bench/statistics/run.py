"""The full figure set of a work report over a million cases, and the speed of the import.

Run from the repository root: ``.venv/bin/python bench/statistics/run.py`` (1,000,000 cases on
PostgreSQL by default; ``--cases N``; ``--only postgres`` or ``--only sqlite`` for one backend;
``--import-rows N`` for the import, 100,000 by default). Each backend runs in a child process on a
fresh database (``bench/backends.py``).

PostgreSQL: the report. What is built (seeded, deterministic): the nation, a province and one city
(第1市) of 8 counties; the nation, the province, the city and each county have a petition bureau
(信访局) under their government, and the city and the counties have departments (the responsible
units). N cases received over 24 months (2024 and 2025), with a rising trend and a season (fewer at
the Spring Festival, more in spring and autumn), skewed over the counties (Zipf), the content
categories (Zipf: the first five level-1 classes about six in ten), the channels (来信 / 来访 / 网上
信访 / 电话 / others), the registering organ (county bureau, city bureau, now and then the province
or the national bureau: 赴省访, 进京访), collective visits (5 to 60 people) and individual ones, skip
-level visits, repeat petitions (about one in five, of an earlier case of the same county) and
duplicates; then, as the clocks run, acceptance by the bureau and by the unit (on time or late),
reply, closure, ratings on both tracks, 复查 / 复核 with outcomes, 不予受理 and 终结; the last weeks'
cases are still open. The `Case` rows and their `CaseFact` rows (``xinfang/cases/facts.py``) are
written with ``bulk_create`` in chunks: a million cases through the services (events, clocks,
access rows) would take hours, and a report reads only the fact rows. No events, petitioners or
access rows are written. The database's triggers keep the monthly tallies of the fact rows as they
are written; after loading, the bench sums them as the hourly ``compact_fact_tallies`` job would, and
``ANALYZE``-s the database.

Measured: ``xinfang.statistics.figures.compute_report`` for 2025 with 同比 (every key of FIGURES and
every breakdown) for the city's 信访局 and for the largest county's 信访局: median of a few runs in
seconds, SQL statements per report, and the ratio to the 1 s target; then the 统计分析 page of the
city 信访局 for 2025 with 同比 through gunicorn (DEBUG off, 2 workers, logged in as its head): the
whole request, median of 3 after one warm-up, against the 1.5 s target.

SQLite: the import. ``load_demo --without-cases`` builds the demonstration organisations; a file
of ``--import-rows`` rows repeats the rows of ``docs/examples/import-example.csv`` under fresh
numbers (each block's repeat petition points into its own block), and ``import_file`` imports it
as ``import_cases`` does (in batches of 1,000 through ``services.lay_out_history`` and
``write_history``, a forked process laying out the next batches while this one writes): seconds,
ms per row, and the
projection to 100,000 rows against the 2 min target. (``--cases`` does not apply to SQLite.)

Measured on this 2-core machine (PostgreSQL 15 with its default settings, the other work on the
machine paused; 0.25 s for the 10,000,000 Python additions), 2025 with 同比, median of 3:

- city 信访局 (513,128 件次 in 2025, 476,947 the year before): 0.93 s, 18 statements (0.93 × the
  target); 1.90 s on the same machine before the monthly tallies and the codes (below), 5.2 s
  before the atoms, 12.2 s before that;
- county 信访局 (152,767 件次): 0.63 s (0.63 ×); 0.92 s before;
- the 统计分析 page of the city 信访局 through gunicorn: 0.90 s (0.60 × the 1.5 s target; 1.90 s
  before).

How it counts (``xinfang/statistics/atoms.py``): the ~150 conditions are taken apart into about 70
distinct atoms per period. The fact row stores a code of its columns that reports compare with
constants (channel, visit level, outcomes, ratings, flags, blank due days, clocks met on time or
late: ``CaseFact.codes``, a generated column, ``xinfang/cases/fact_codes.py``), so only the
period's days, the territory, the organs, the people and the settings' lags are computed per row
(about 30 expressions), packed into one integer; the rows are grouped by it and by the code
(about 25,000 groups per period for the city) and each condition is evaluated on the groups. No
per-row subquery is left, so PostgreSQL scans and groups in parallel. The breakdowns
(categories, units, months, regions, channels) of a report on whole months come from the monthly
tallies the database keeps by trigger (``FactTally``, about 150,000 rows for the million cases),
two queries of about 35 ms. Where the city's time goes now: the two grouped scans, about 0.33 s
each (each reads the whole table, 285 MB; about 0.2 s of it is reading and filtering the rows),
the tallies 0.07 s, and ~0.2 s in Python. The city's margin is small: on a machine half as fast,
or with the other work running, it is over the target again.

Import (SQLite, this machine, quiet, 0.24–0.27 s for the additions): 100,000 rows in 88–100 s,
0.9–1.0 ms/row (0.73–0.84 × the 2 min target), the monthly tallies' triggers, the fact rows'
generated code, the full-text index and the 查重 index included; 10,000 rows in 10 s. Row by row
through the one-step services it was 14.0 ms/row (about 60 SQL statements per row). Where the time
goes, at 100,000 rows: the writing process spends about 55 s in the INSERTs (the cases with their
full-text index about 20 s, the 查重 index's 3.2 million rows 13 s, the fact rows with their
tallies 7 s, the events 5 s), 12–17 s in the commits and about 10 s waiting for the second process
(the first batch, and the stretches where laying out is slower); the second process checks and
lays out the batches (the steps' checks, the statutory clocks, the fact rows, the event chain, the
查重 band keys: about 9 s of hashing) in 60–65 s, up to three batches ahead.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backends import bench_main
from compare.generator import day_weights as trend_weights
from compare.generator import zipf

ROOT = Path(__file__).resolve().parents[2]
TARGET_S = 1.0
IMPORT_TARGET_S = 120.0
SEED = 12
CHUNK = 20_000
REPEATS = 3
FIRST_DAY = dt.date(2024, 1, 1)
DAYS = 731  # 2024 (a leap year) and 2025
TODAY = dt.date(2026, 1, 10)  # the clocks' "now": the last cases are still open
REPORT_YEAR = 2025
COUNTIES = 8
CITY_DEPARTMENTS = (
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "公安局",
    "教育局",
)
COUNTY_DEPARTMENTS = ("住房和城乡建设局", "人力资源和社会保障局", "自然资源局")
IMPORT_ROWS_ENV = "XF_BENCH_IMPORT_ROWS"


def main() -> int:
    parser = argparse.ArgumentParser(add_help=False)
    # The children get no --import-rows: they read it from the environment the parent sets.
    parser.add_argument("--import-rows", type=int, default=int(os.environ.get(IMPORT_ROWS_ENV, "100000")))
    args, rest = parser.parse_known_args()
    os.environ[IMPORT_ROWS_ENV] = str(args.import_rows)  # the children inherit it
    sys.argv = [sys.argv[0], *rest]
    return bench_main(__file__, "statistics", 1_000_000, inner)


def inner(total: int) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.DEBUG = False
    logging.disable(logging.WARNING)
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrate: {time.perf_counter() - t:.1f} s", flush=True)
    if connection.vendor == "sqlite":
        return measure_import(int(os.environ.get(IMPORT_ROWS_ENV, "100000")))
    from xinfang.cases.models import Case

    if Case.objects.exists():  # a database built by an earlier run (``--inner`` by hand)
        world = load_world()
        print(f"  reusing {Case.objects.count():,} cases", flush=True)
    else:
        world = build_world()
        populate(world, total)
    return measure_report(world)


# --- the world -------------------------------------------------------------------------------------


@dataclass
class Area:
    region: object
    bureau: object
    departments: list[object]


@dataclass
class World:
    nation: Area
    province: Area
    city: Area
    counties: list[Area]
    registrar: object


def build_world() -> World:
    from xinfang.orgs import services
    from xinfang.orgs.models import Level, OrgKind

    def area(region: object, parent_gov: object | None, departments: tuple[str, ...]) -> tuple[Area, object]:
        gov = services.org_create(
            name=f"{region.name}人民政府", region=region, kind=OrgKind.PARTY_GOVERNMENT, parent=parent_gov
        )
        bureau = services.org_create(
            name=f"{region.name}信访局", region=region, kind=OrgKind.PETITION_BUREAU, parent=gov
        )
        deps = [
            services.org_create(name=f"{region.name}{d}", region=region, kind=OrgKind.FUNCTIONAL, parent=gov)
            for d in departments
        ]
        return Area(region, bureau, deps), gov

    nation_region = services.region_create(code="000000", name="全国", level=Level.NATIONAL)
    nation, _nation_gov = area(nation_region, None, ())
    province_region = services.region_create(
        code="990000", name="示例省", level=Level.PROVINCE, parent=nation_region
    )
    province, province_gov = area(province_region, None, ())
    city_region = services.region_create(
        code="990100", name="第1市", level=Level.CITY, parent=province_region
    )
    city, city_gov = area(city_region, province_gov, CITY_DEPARTMENTS)
    counties = []
    for k in range(COUNTIES):
        region = services.region_create(
            code=f"9901{21 + k:02d}", name=f"第1市{k + 1}县", level=Level.COUNTY, parent=city_region
        )
        counties.append(area(region, city_gov, COUNTY_DEPARTMENTS)[0])
    registrar = services.staff_user_create(
        username="bench_registrar", full_name="登记员", password="Bench-Statistics-2026"
    )
    return World(nation, province, city, counties, registrar)


def load_world() -> World:
    from xinfang.orgs.models import Org, OrgKind, Region, User

    def area(code: str) -> Area:
        region = Region.objects.get(code=code)
        orgs = Org.objects.filter(region=region).order_by("pk")
        return Area(
            region, orgs.get(kind=OrgKind.PETITION_BUREAU), list(orgs.filter(kind=OrgKind.FUNCTIONAL))
        )

    return World(
        area("000000"),
        area("990000"),
        area("990100"),
        [area(f"9901{21 + k:02d}") for k in range(COUNTIES)],
        User.objects.get(username="bench_registrar"),
    )


# --- the cases -------------------------------------------------------------------------------------


def _after(day: dt.date, rng: random.Random, lo: int, hi: int) -> dt.date | None:
    """A day `lo`..`hi` days after `day`, or None when that is still to come."""
    later = day + dt.timedelta(days=rng.randint(lo, hi))
    return later if later <= TODAY else None


def populate(world: World, total: int) -> None:
    from django.db import connection, transaction

    from xinfang.cases.categories import level1_code
    from xinfang.cases.models import Case, CaseFact, ContentCategory
    from xinfang.core.timeutil import LOCAL_TZ

    rng = random.Random(SEED)
    categories = list(ContentCategory.objects.filter(is_active=True).order_by("code"))
    rng.shuffle(categories)
    category_weights = zipf(len(categories), 1.1)
    county_weights = zipf(COUNTIES, 0.8)
    days = list(range(DAYS))
    day_weights = trend_weights(FIRST_DAY)
    channels = ["letter", "visit", "online", "phone", "fax", "video"]
    channel_weights = [0.22, 0.33, 0.38, 0.05, 0.01, 0.01]
    threshold = 5
    earlier: dict[int, list[int]] = {k: [] for k in range(COUNTIES + 1)}  # area index -> case pks
    index_of = {a.region.pk: k for k, a in enumerate([*world.counties, world.city])}
    serial = 0
    t = time.perf_counter()
    for lo in range(0, total, CHUNK):
        size = min(CHUNK, total - lo)
        received = sorted(rng.choices(days, weights=day_weights, k=size))
        cases, facts = [], []
        for d in received:
            serial += 1
            day = FIRST_DAY + dt.timedelta(days=d)
            k = COUNTIES if rng.random() < 0.04 else rng.choices(range(COUNTIES), weights=county_weights)[0]
            here = world.city if k == COUNTIES else world.counties[k]
            channel = rng.choices(channels, weights=channel_weights)[0]
            roll = rng.random()
            if channel == "visit" and roll < 0.03:
                registrar = world.nation.bureau
            elif channel == "visit" and roll < 0.12:
                registrar = world.province.bureau
            elif roll < 0.55 or k == COUNTIES:
                registrar = world.city.bureau
            else:
                registrar = here.bureau
            collective = channel == "visit" and rng.random() < 0.08
            headcount = (
                min(60, threshold + int(rng.expovariate(1 / 8)))
                if collective
                else (1 if rng.random() < 0.85 else rng.randint(2, threshold - 1))
            )
            category = rng.choices(categories, weights=category_weights)[0]
            repeat_of = rng.choice(earlier[k]) if earlier[k] and rng.random() < 0.2 else None
            duplicate_of = repeat_of if repeat_of and rng.random() < 0.05 else None
            registered_on = day + dt.timedelta(days=0 if rng.random() < 0.9 else rng.randint(1, 5))
            registered_on = min(registered_on, TODAY)
            plan = _course(rng, registered_on, here, registrar, world)
            at = dt.datetime.combine(registered_on, dt.time(9), tzinfo=LOCAL_TZ)
            case = Case(
                number=f"{here.region.code}{day:%Y%m%d}{serial:08d}",
                query_code=f"S{serial:09d}",
                channel=channel,
                nature=rng.choices(["appeal", "suggestion", "accusation"], weights=[8, 1, 1])[0],
                category=category,
                subject=f"反映{here.region.name}问题（{serial}）",
                content="（基准测试生成的信访事项）",
                problem_region=here.region,
                received_on=day,
                registered_at=at,
                registered_by=world.registrar,
                registered_org=registrar,
                registered_level=registrar.level,
                headcount=headcount,
                via_proper_ladder=not (channel == "visit" and registrar.level in ("national", "province")),
                repeat_of_id=repeat_of,
                duplicate_of_id=duplicate_of,
                status=plan["status"],
                current_org=plan["responsible_org"] or registrar,
                closed_at=(
                    dt.datetime.combine(plan["closed_on"], dt.time(16), tzinfo=LOCAL_TZ)
                    if plan["closed_on"]
                    else None
                ),
                updated_at=at,
            )
            cases.append(case)
            code = category.code
            facts.append(
                dict(
                    received_on=day,
                    registered_on=registered_on,
                    problem_region_id=here.region.pk,
                    problem_region_path=here.region.path,
                    registered_org_id=registrar.pk,
                    registered_level=registrar.level,
                    channel=channel,
                    channel_group={"letter": "来信", "visit": "来访"}.get(channel, "网信"),
                    nature=case.nature,
                    category_id=category.pk,
                    category_l1=level1_code(code),
                    category_l2=f"{code[:4]}00" if code[2:4] not in {"", "00"} else "",
                    headcount=headcount,
                    is_collective=collective,
                    is_skip_level=not case.via_proper_ladder,
                    is_beijing_visit=channel == "visit" and registrar.level == "national",
                    visit_level=registrar.level if channel == "visit" else "",
                    is_repeat=repeat_of is not None,
                    repeat_of_id=repeat_of,
                    duplicate_of_id=duplicate_of,
                    **{key: value for key, value in plan.items() if key != "responsible_org"},
                    responsible_org_id=plan["responsible_org"].pk if plan["responsible_org"] else None,
                )
            )
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=2000)
            CaseFact.objects.bulk_create(
                [CaseFact(case_id=case.pk, **values) for case, values in zip(cases, facts, strict=True)],
                batch_size=2000,
            )
        for case in cases:
            earlier[index_of[case.problem_region_id]].append(case.pk)
        done = lo + size
        if done % 100_000 == 0 or done == total:
            print(f"    {done:,} cases written ({time.perf_counter() - t:.0f} s)", flush=True)
    print(f"  built {total:,} cases and fact rows in {time.perf_counter() - t:.0f} s", flush=True)
    from xinfang.cases.facts import refresh_first_repeats

    if connection.vendor == "postgresql":
        # Planned without statistics on the tables just written, the update below ran for hours.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    t = time.perf_counter()
    refresh_first_repeats(None)  # the earlier cases' first repeats, as the links keep them live
    print(f"  first repeats: {time.perf_counter() - t:.1f} s", flush=True)
    from xinfang.cases.tallies import compact_fact_tallies

    t = time.perf_counter()
    counts = compact_fact_tallies()  # the hourly job's work, as on a running installation
    print(
        f"  monthly tallies: {counts['before']:,} rows summed into {counts['after']:,} ({time.perf_counter() - t:.1f} s)",
        flush=True,
    )
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)


def _course(rng: random.Random, registered: dt.date, here: Area, registrar: object, world: World) -> dict:
    """How the matter went, as fact columns: routing, acceptance, reply, closure, ratings, reviews."""
    plan: dict = {
        "status": "registered",
        "route_due_on": registered + dt.timedelta(days=15),
        "accepted_by_bureau_on": None,
        "accept_due_on": None,
        "accepted_by_unit_on": None,
        "accepted_on": None,
        "responsible_org": None,
        "handle_due_on": None,
        "replied_on": None,
        "reply_outcome": "",
        "closed_on": None,
        "declined": "",
        "declined_reason": "",
        "review_requested_on": None,
        "review_outcome": "",
        "rereview_requested_on": None,
        "rereview_outcome": "",
        "terminated_on": None,
        "termination_reason": "",
        "rating_due_on": None,
        "bureau_rating": "",
        "bureau_rated_on": None,
        "unit_rating": "",
        "unit_rated_on": None,
    }
    routed = _after(registered, rng, 1, 12 if rng.random() < 0.9 else 25)
    if routed is None:
        return plan
    if rng.random() < 0.03:  # 不予受理
        plan.update(status="declined", declined="declined", declined_reason="litigation", closed_on=routed)
        return plan
    plan.update(status="routed", accepted_by_bureau_on=routed, accept_due_on=routed + dt.timedelta(days=15))
    units = here.departments or world.city.departments
    unit = rng.choices(units, weights=zipf(len(units)))[0] if rng.random() < 0.9 else here.bureau
    accepted = _after(routed, rng, 1, 13 if rng.random() < 0.92 else 30)
    if accepted is None:
        return plan
    plan.update(
        status="accepted",
        accepted_by_unit_on=accepted,
        accepted_on=accepted,
        responsible_org=unit,
        handle_due_on=accepted + dt.timedelta(days=60),
    )
    replied = _after(accepted, rng, 10, 55 if rng.random() < 0.9 else 90)
    if replied is None:
        return plan
    plan.update(
        status="replied",
        replied_on=replied,
        reply_outcome=rng.choices(["support", "explain", "reject"], weights=[5, 4, 1])[0],
    )
    closed = _after(replied, rng, 0, 5)
    if closed is None:
        return plan
    plan.update(status="delivered", closed_on=closed, rating_due_on=closed + dt.timedelta(days=7))
    values = ["satisfied", "basically", "dissatisfied"]
    for track in ("bureau", "unit"):
        if rng.random() < 0.75:
            rated = _after(closed, rng, 0, 7)
            if rated is not None:
                plan[f"{track}_rating"] = rng.choices(values, weights=[85, 10, 5])[0]
                plan[f"{track}_rated_on"] = rated
    roll = rng.random()
    if roll < 0.04:
        review = _after(closed, rng, 5, 30)
        if review is not None:
            plan.update(status="reviewing", review_requested_on=review)
            decided = _after(review, rng, 20, 30)
            if decided is not None:
                outcome = rng.choices(["uphold", "revoke", "change", "redo"], weights=[7, 1, 1, 1])[0]
                plan.update(status="reviewed", review_outcome=outcome)
                if rng.random() < 0.3:
                    again = _after(decided, rng, 5, 30)
                    if again is not None:
                        plan.update(status="rereviewing", rereview_requested_on=again)
    elif roll < 0.06:
        plan.update(
            status="terminated", terminated_on=_after(closed, rng, 30, 40), termination_reason="window_lapsed"
        )
        if plan["terminated_on"] is None:
            plan.update(status="delivered", termination_reason="")
    return plan


# --- measuring -------------------------------------------------------------------------------------


def measure_report(world: World) -> int:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from xinfang.statistics.figures import compute_report
    from xinfang.statistics.indicators import Comparison

    start, end = dt.date(REPORT_YEAR, 1, 1), dt.date(REPORT_YEAR, 12, 31)
    print(
        f"  {'organisation':<16} {'median s':>9} {'runs':>22} {'SQL':>5} {f'/{TARGET_S:.0f}s':>6}", flush=True
    )
    misses = 0
    for label, org in (("city 信访局", world.city.bureau), ("county 信访局", world.counties[0].bureau)):
        runs = []
        for _ in range(REPEATS):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                report = compute_report(org=org, start=start, end=end, comparison=Comparison.YOY)
                runs.append(time.perf_counter() - t)
            statements = len(queries.captured_queries)
            reset_queries()
        median = statistics.median(runs)
        misses += median > TARGET_S
        total = report.figures["信访总量.件次"]
        print(
            f"  {label:<16} {median:>9.3f} {' '.join(f'{r:.3f}' for r in runs):>22} "
            f"{statements:>5} {median / TARGET_S:>6.2f}   "
            f"(信访总量 {total.current:,} 件次, 去年同期 {total.previous:,})",
            flush=True,
        )
    print(f"  {misses} of 2 medians over the {TARGET_S:.0f} s target", flush=True)
    return measure_page(world)


PAGE_TARGET_S = 1.5
PAGE_USER, PAGE_PASSWORD = "bench_head", "Bench-Head-2026"


def measure_page(world: World) -> int:
    """The 统计分析 page of the city 信访局 for 2025 with 同比, through gunicorn (DEBUG off), as its
    head opens it: the whole request (report, charts' data, generated text)."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    from server import Gunicorn, collect_static, free_port, production_environ

    from xinfang.orgs.models import Role, User
    from xinfang.orgs.services import membership_grant

    head, created = User.objects.get_or_create(
        username=PAGE_USER, defaults={"full_name": "测量局长", "is_active": True}
    )
    head.set_password(PAGE_PASSWORD)
    head.save()
    if created:
        membership_grant(user=head, org=world.city.bureau, role=Role.BUREAU_HEAD)
    production_environ()
    os.environ["SECURE_COOKIES"] = "false"  # plain HTTP on loopback: the cookies must travel
    collect_static()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    query = urllib.parse.urlencode(
        {"org": world.city.bureau.pk, "start": "2025-01-01", "end": "2025-12-31", "compare": "yoy"}
    )
    with Gunicorn(port, workers=2, threads=2):
        form = opener.open(f"{base}/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token, "no CSRF token on the login page"
        body = urllib.parse.urlencode(
            {"username": PAGE_USER, "password": PAGE_PASSWORD, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        request = urllib.request.Request(f"{base}/login/", data=body, headers={"Referer": f"{base}/login/"})
        opener.open(request, timeout=30).read()
        runs = []
        for n in range(REPEATS + 1):
            t = time.perf_counter()
            with opener.open(f"{base}/statistics/?{query}", timeout=120) as response:
                page = response.read().decode()
                status = response.status
            if n:  # the first warms the worker
                runs.append(time.perf_counter() - t)
            if status != 200 or "信访总量" not in page:
                print(f"  statistics page: HTTP {status}, {len(page)} bytes", flush=True)
                return 1
    median = statistics.median(runs)
    print(
        f"  statistics page (city 信访局, 2025 with 同比, gunicorn): median {median:.3f} s "
        f"({' '.join(f'{r:.3f}' for r in runs)}), {median / PAGE_TARGET_S:.2f} × the {PAGE_TARGET_S} s target",
        flush=True,
    )
    return 0


def measure_import(rows: int) -> int:
    from django.core.management import call_command

    from xinfang.statistics.importer import import_file

    t = time.perf_counter()
    call_command("load_demo", without_cases=True, verbosity=0, stdout=io.StringIO())
    print(f"  load_demo --without-cases: {time.perf_counter() - t:.1f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-import.csv"
        write_import_file(path, rows)
        t = time.perf_counter()
        result = import_file(path, parallel=True)  # as import_cases does
        seconds = time.perf_counter() - t
    if result.errors or result.imported != rows:
        print(f"  import failed: {result.imported:,} of {rows:,} imported; {result.errors[:3]}", flush=True)
        return 1
    per_row = seconds / rows
    projected = per_row * 100_000
    print(
        f"  import of {rows:,} rows: {seconds:.1f} s, {per_row * 1000:.2f} ms/row; "
        f"100,000 rows: {projected:.0f} s projected ({projected / IMPORT_TARGET_S:.2f} × the 2 min target)",
        flush=True,
    )
    return 0


def write_import_file(path: Path, rows: int) -> None:
    """`rows` rows: the example file's rows again and again, each block under fresh numbers.

    Each row's 标题 and 内容 get words of their own (random characters), as real records differ:
    a million copies of ten texts would make every registration's duplicate check (查重) weigh
    all the earlier copies, which no real archive does."""
    rng = random.Random(SEED)
    pool = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    with (ROOT / "docs" / "examples" / "import-example.csv").open(encoding="utf-8-sig", newline="") as f:
        template = list(csv.DictReader(f))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(template[0]))
        writer.writeheader()
        for n in range(rows):
            block, row = divmod(n, len(template))
            values = dict(template[row])
            values["信访件编号"] = f"{values['信访件编号']}-{block:06d}"
            if values["重复信访件编号"]:
                values["重复信访件编号"] = f"{values['重复信访件编号']}-{block:06d}"
            values["标题"] = f"{values['标题']}{''.join(rng.choices(pool, k=4))}"
            values["内容"] = f"{values['内容']}{''.join(rng.choices(pool, k=60))}"
            writer.writerow(values)


if __name__ == "__main__":
    sys.exit(main())
