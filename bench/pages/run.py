"""Workbench pages for bureau-wide users over hundreds of thousands of cases.

Run from the repository root: ``.venv/bin/python bench/pages/run.py`` (200,000 cases by default;
``--cases N``; ``--only postgres`` or ``--only sqlite`` for one backend). Each backend runs in a child
process on a fresh database (``bench/backends.py``).

What is built (seeded, deterministic): a province with 4 cities (40 %, 30 %, 20 % and 10 % of the
cases) of 4 counties each; every city and county has a government, a 信访局 and departments (6 per city,
4 per county) under the government. Cases are about a county, registered by the city's or the
county's 信访局 and mostly handed to a department of that city or county (skewed towards the first,
the housing department, so it is the busiest unit), some with an assisting unit; about 5 % carry an
overdue flag, 3 % a due-soon warning and 2 % a 督办 by the city's 信访局. Cases, units, first events,
one petitioner each, warnings and 督办 are written with ``bulk_create``; the access policy's rows
(``CaseAccess``) are then built by ``rebuild_access``, as the data migration builds them for an
existing database. Ten cases that every persona may see are registered, handed on, accepted and
put under 督办 through the product's services; their pages are the ones measured. PostgreSQL is
``ANALYZE``-d after loading; SQLite is left as the product leaves it (no ``ANALYZE``).

Measured through Django's test client (the whole request: middleware, view, templates), for three
personas of the busiest city, each with a session login:

- 市信访局负责人 (city bureau head): sees the whole city;
- 县信访局负责人 (county bureau head): sees everything about, registered or handled in one county;
- 市住建局承办人 (department handler): the busiest unit's cases;

the case page, the case list's first page, the 督办 list, the overdue list (期限预警), the
registration page (GET) and a registration (POST, redirect to the new case), and the API's overdue
list of the busiest unit: median and p95 ms, SQL statements per request, and the ratio to the
150 ms target. Then the home, a case page and the list's first page again through gunicorn on
loopback (`measure_served`), as a logged-in user's browser asks for them.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backends import bench_main

ROOT = Path(__file__).resolve().parents[2]
TARGET_MS = 150.0
SEED = 15
CHUNK = 10_000
REPEATS = 15
PAGES = 15  # pages measured per persona (`_measure_persona`)
CITY_WEIGHTS = (0.4, 0.3, 0.2, 0.1)
CITY_DEPARTMENTS = (
    "住房和城乡建设局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "生态环境局",
    "交通运输局",
    "教育局",
)
COUNTY_DEPARTMENTS = ("住房和城乡建设局", "人力资源和社会保障局", "自然资源局", "教育局")
PASSWORD = "Bench-Pages-2026"
RESULTS: list[dict[str, object]] = []  # every page's figures, for a caller of ``_measure_persona``


def main() -> int:
    return bench_main(__file__, "pages", 200_000, inner)


@dataclass
class Area:
    region: object
    government: object
    bureau: object
    departments: list[object]
    registrar: object


@dataclass
class World:
    cities: list[Area]
    counties: list[list[Area]]  # per city
    category: object
    personas: dict[str, object]  # label -> user


def inner(total: int) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    logging.disable(logging.WARNING)
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  migrate: {time.perf_counter() - t:.1f} s", flush=True)
    from xinfang.cases.models import Case

    if Case.objects.exists():
        # A database built by an earlier run (``DATABASE_URL`` given by hand with ``--inner``).
        world, targets = load_world()
        print(f"  reusing {Case.objects.count():,} cases", flush=True)
    else:
        world = build_world()
        populate(world, total)
        targets = service_cases(world)
    return measure(world, targets) | measure_served(world, targets)


SERVED_PAGES = [("home (工作台)", "/"), ("case page", "/cases/{case}/"), ("list first page", "/cases/")]


def measure_served(world: World, targets: list[int]) -> int:
    """The home, a case page and the list's first page through gunicorn on loopback (2 workers,
    2 threads), each persona logged in with a real session: what a user waits for, median of 15.
    The server runs with the benchmark's development keys (DEBUG on, so a little slower than a
    production start), as the data was encrypted with them."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from server import Gunicorn, free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    os.environ["SECURE_COOKIES"] = "false"  # plain http on loopback
    misses = 0
    print(f"  through gunicorn    {'page':<22} {'median':>8} {'p95':>8}", flush=True)
    with Gunicorn(port, workers=2, threads=2):
        for label, user in world.personas.items():
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            form = opener.open(f"{base}/login/", timeout=30).read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
            assert token, "no CSRF token on the login page"
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token.group(1), "username": user.username, "password": PASSWORD}
            ).encode()
            request = urllib.request.Request(
                f"{base}/login/", data=body, headers={"Referer": f"{base}/login/"}
            )
            if opener.open(request, timeout=30).geturl().endswith("/login/"):
                print(f"  {label}: login through gunicorn failed", flush=True)
                return 1
            for name, path in SERVED_PAGES:
                timings = []
                for n in range(REPEATS + 2):
                    url = base + path.format(case=targets[n % len(targets)])
                    t = time.perf_counter()
                    with opener.open(url, timeout=30) as answer:
                        answer.read()
                        status = answer.status
                    if status != 200:
                        print(f"  {label} {name}: HTTP {status}", flush=True)
                        return 1
                    if n >= 2:
                        timings.append((time.perf_counter() - t) * 1000)
                median, p95 = statistics.median(timings), percentile(timings, 0.95)
                misses += median > TARGET_MS
                print(
                    f"  {label:<19} {name:<22} {median:7.1f}  {p95:7.1f}  {median / TARGET_MS:6.2f}"
                    f"{'' if median <= TARGET_MS else '  MISS'}",
                    flush=True,
                )
    print(
        f"  {misses} of {len(world.personas) * len(SERVED_PAGES)} served medians over the target", flush=True
    )
    return 0


def load_world() -> tuple[World, list[int]]:
    from xinfang.cases.models import Case, ContentCategory
    from xinfang.orgs.models import Org, OrgKind, Region, User

    def area(code: str) -> Area:
        region = Region.objects.get(code=code)
        orgs = Org.objects.filter(region=region).order_by("pk")
        return Area(
            region,
            orgs.get(kind=OrgKind.PARTY_GOVERNMENT),
            orgs.get(kind=OrgKind.PETITION_BUREAU),
            list(orgs.filter(kind=OrgKind.FUNCTIONAL)),
            None,
        )

    cities = [area(f"99{c:02d}00") for c in range(1, 5)]
    counties = [[area(f"99{c:02d}{k:02d}") for k in range(21, 25)] for c in range(1, 5)]
    category = ContentCategory.objects.filter(level=2, is_active=True).order_by("code").first()
    personas = {
        label: User.objects.get(username=name)
        for label, name in (
            ("city bureau head", "city_head"),
            ("county bureau head", "county_head"),
            ("department handler", "handler"),
        )
    }
    targets = list(
        Case.objects.filter(subject__contains="（样本").order_by("pk").values_list("pk", flat=True)
    )
    counties[0][0].registrar = User.objects.get(username="reg_c1k21")
    world = World(cities, counties, category, personas)
    return world, targets or service_cases(world)


def build_world() -> World:
    from xinfang.cases.models import ContentCategory
    from xinfang.orgs import services
    from xinfang.orgs.models import Level, OrgKind, Role

    nation = services.region_create(code="000000", name="全国", level=Level.NATIONAL)
    province = services.region_create(code="990000", name="示例省", level=Level.PROVINCE, parent=nation)
    province_gov = services.org_create(name="示例省人民政府", region=province, kind=OrgKind.PARTY_GOVERNMENT)
    services.org_create(
        name="示例省信访局", region=province, kind=OrgKind.PETITION_BUREAU, parent=province_gov
    )

    def area(region: object, parent_gov: object, departments: tuple[str, ...], tag: str) -> Area:
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
        registrar = services.staff_user_create(
            username=f"reg_{tag}", full_name=f"登记员{tag}", password=PASSWORD
        )
        services.membership_grant(user=registrar, org=bureau, role=Role.REGISTRAR)
        return Area(region, gov, bureau, deps, registrar)

    cities, counties = [], []
    for c in range(1, 5):
        city = services.region_create(code=f"99{c:02d}00", name=f"第{c}市", level=Level.CITY, parent=province)
        city_area = area(city, province_gov, CITY_DEPARTMENTS, f"c{c}")
        cities.append(city_area)
        counties.append(
            [
                area(
                    services.region_create(
                        code=f"99{c:02d}{k:02d}", name=f"第{c}市{k}县", level=Level.COUNTY, parent=city
                    ),
                    city_area.government,
                    COUNTY_DEPARTMENTS,
                    f"c{c}k{k}",
                )
                for k in range(21, 25)
            ]
        )

    def persona(username: str, name: str, org: object, role: str) -> object:
        user = services.staff_user_create(username=username, full_name=name, password=PASSWORD)
        services.membership_grant(user=user, org=org, role=role)
        return user

    personas = {
        "city bureau head": persona("city_head", "市信访局负责人", cities[0].bureau, Role.BUREAU_HEAD),
        "county bureau head": persona(
            "county_head", "县信访局负责人", counties[0][0].bureau, Role.BUREAU_HEAD
        ),
        "department handler": persona("handler", "市住建局承办人", cities[0].departments[0], Role.HANDLER),
    }
    category = ContentCategory.objects.filter(level=2, is_active=True).order_by("code").first()
    return World(cities, counties, category, personas)


def populate(world: World, total: int) -> None:
    import datetime as dt

    from django.db import connection, transaction

    from xinfang.cases import pii
    from xinfang.cases.access import rebuild_access
    from xinfang.cases.models import Case, CaseAccess, CaseEvent, CaseUnit, Petitioner
    from xinfang.core.timeutil import LOCAL_TZ
    from xinfang.supervision.models import DueWarning, Supervision

    rng = random.Random(SEED)
    people = [
        {
            "name_enc": pii.encrypt(f"信访人{i}"),
            "id_number_enc": pii.encrypt(""),
            "phone_enc": pii.encrypt(f"1380000{i:04d}"),
            "name_hash": pii.keyed_hash(f"信访人{i}|"),
            "id_number_hash": "",
            "phone_hash": pii.keyed_hash(f"1380000{i:04d}"),
            "name_key": pii.name_key(f"信访人{i}"),
            "address": "",
        }
        for i in range(500)
    ]
    start = dt.datetime(2023, 1, 2, 9, 0, tzinfo=LOCAL_TZ)
    now = dt.datetime.now(tz=LOCAL_TZ)
    step = (now - dt.timedelta(days=2) - start) / total
    statuses = (
        ["registered"] * 5 + ["routed"] * 20 + ["accepted"] * 45 + ["replied"] * 10 + ["delivered"] * 20
    )
    dep_weights = [0.35, 0.2, 0.15, 0.1, 0.1, 0.1]
    registrar_user = world.cities[0].registrar
    t = time.perf_counter()
    for lo in range(0, total, CHUNK):
        cases, plans = [], []
        for i in range(lo, min(lo + CHUNK, total)):
            c = rng.choices(range(4), weights=CITY_WEIGHTS)[0]
            county = world.counties[c][rng.randrange(4)]
            registrar = world.cities[c] if rng.random() < 0.5 else county
            status = rng.choice(statuses)
            handler_area = world.cities[c] if rng.random() < 0.4 else county
            deps = handler_area.departments
            lead = (
                registrar.bureau
                if status == "registered"
                else rng.choices(deps, weights=dep_weights[: len(deps)])[0]
            )
            assist = (
                rng.choice([d for d in deps if d is not lead])
                if lead is not registrar.bureau and rng.random() < 0.08
                else None
            )
            at = start + step * i
            due = at + dt.timedelta(days=60)
            closed = status == "delivered"
            cases.append(
                Case(
                    number=f"{registrar.region.code}{at:%Y%m%d}{i + 1:08d}",
                    query_code=f"P{i:09d}",
                    channel=rng.choice(["letter", "visit", "online"]),
                    nature=rng.choice(["appeal"] * 8 + ["suggestion", "accusation"]),
                    category=world.category,
                    subject=f"反映第{c + 1}市小区住房质量问题（{i}）",
                    content="本人购买的小区住房墙体开裂，多次向开发商反映未果，请求有关部门督促维修。",
                    problem_region=county.region,
                    received_on=at.date(),
                    registered_at=at,
                    registered_by=registrar_user,
                    registered_org=registrar.bureau,
                    registered_level=registrar.bureau.level,
                    status=status,
                    current_org=lead,
                    next_due_at=None if closed else due,
                    closed_at=at + dt.timedelta(days=50) if closed else None,
                    updated_at=at,
                )
            )
            plans.append((registrar.bureau, lead, assist, registrar.bureau))
        with transaction.atomic():
            Case.objects.bulk_create(cases, batch_size=2000)
            units, events, warnings, supervisions = [], [], [], []
            for case, (bureau, lead, assist, opener) in zip(cases, plans, strict=True):
                at = case.registered_at
                units.append(CaseUnit(case=case, org=bureau, role="lead", since=at, is_active=lead is bureau))
                if lead is not bureau:
                    units.append(CaseUnit(case=case, org=lead, role="lead", since=at + dt.timedelta(days=3)))
                if assist is not None:
                    units.append(
                        CaseUnit(case=case, org=assist, role="assist", since=at + dt.timedelta(days=3))
                    )
                events.append(
                    CaseEvent(
                        case=case,
                        seq=1,
                        kind="registered",
                        actor_id=case.registered_by_id,
                        org=bureau,
                        at=at,
                        payload={
                            "channel": case.channel,
                            "nature": case.nature,
                            "received_on": str(at.date()),
                        },
                        prev_hash="0" * 64,
                        hash="0" * 64,
                    )
                )
                if case.closed_at is None and lead is not bureau:
                    roll = rng.random()
                    if roll < 0.08:
                        kind = "overdue" if roll < 0.05 else "due_soon"
                        due_at = (
                            now - dt.timedelta(days=rng.randint(1, 90))
                            if kind == "overdue"
                            else now + dt.timedelta(days=rng.randint(1, 5))
                        )
                        warnings.append(
                            DueWarning(
                                case=case,
                                clock="handling",
                                kind=kind,
                                due_on=due_at.date(),
                                due_at=due_at,
                                org=lead,
                                created_at=now,
                            )
                        )
                    if rng.random() < 0.02:
                        supervisions.append(
                            Supervision(
                                case=case,
                                opened_by_org=opener,
                                opened_by=registrar_user,
                                opened_at=at + dt.timedelta(days=30),
                                unit=lead,
                                reason="overdue",
                                details="请于期限内反馈办理情况。",
                                feedback_due=(at + dt.timedelta(days=45)).date(),
                                status=rng.choice(["open", "answered", "closed"]),
                            )
                        )
            CaseUnit.objects.bulk_create(units, batch_size=2000)
            CaseEvent.objects.bulk_create(events, batch_size=2000)
            Petitioner.objects.bulk_create(
                [Petitioner(case=c, **people[k % len(people)]) for k, c in enumerate(cases)], batch_size=2000
            )
            DueWarning.objects.bulk_create(warnings, batch_size=2000)
            Supervision.objects.bulk_create(supervisions, batch_size=2000)
        done = lo + len(cases)
        if done % 50_000 == 0 or done == total:
            print(f"    {done:,} cases written ({time.perf_counter() - t:.0f} s)", flush=True)
    seconds_cases = time.perf_counter() - t
    t = time.perf_counter()
    with transaction.atomic():
        rows = rebuild_access(
            case_model=Case, unit_model=CaseUnit, event_model=CaseEvent, access_model=CaseAccess
        )
    seconds_access = time.perf_counter() - t
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"  built {total:,} cases in {seconds_cases:.0f} s; {rows:,} access rows in {seconds_access:.0f} s; "
        f"{DueWarning.objects.count():,} warnings, {Supervision.objects.count():,} 督办",
        flush=True,
    )


def service_cases(world: World) -> list[int]:
    """Ten cases every persona may see, made through the services: registered by the city
    bureau about the county, handed to the city housing department, accepted, one in two under 督办
    (a county bureau routes only down its own ladder, so the city bureau hands them to the city unit)."""
    import datetime as dt

    from xinfang.cases import services
    from xinfang.cases.services import PetitionerInput
    from xinfang.core.timeutil import local_date
    from xinfang.orgs import services as org_services
    from xinfang.orgs.models import Role, User
    from xinfang.supervision import services as supervision_services

    county = world.counties[0][0]
    city = world.cities[0]
    housing = city.departments[0]
    unit_handler = User.objects.filter(username="unit_handler").first()
    if unit_handler is None:
        unit_handler = org_services.staff_user_create(
            username="unit_handler", full_name="承办人", password=PASSWORD
        )
        org_services.membership_grant(user=unit_handler, org=housing, role=Role.HANDLER)
    head = world.personas["city bureau head"]
    ids = []
    for i in range(10):
        case = services.case_register(
            actor=city.registrar,
            org=city.bureau,
            channel="visit",
            nature="appeal",
            category=world.category,
            subject=f"小区住房质量问题长期未解决（样本{i}）",
            content="本人购买的小区住房墙体开裂，多次向开发商反映未果，请求有关部门督促维修。",
            problem_region=county.region,
            petitioners=[
                PetitionerInput(name="张三", id_number="", phone="13800138000", address="城关镇幸福路1号")
            ],
        )
        case = services.case_forward(actor=city.registrar, case=case, to_org=housing)
        case = services.case_accept(actor=unit_handler, case=case)
        if i % 2 == 0:
            supervision_services.supervision_open(
                actor=head,
                org=city.bureau,
                case=case,
                reason="overdue",
                details="请于期限内反馈办理情况。",
                feedback_due=local_date() + dt.timedelta(days=10),
            )
        ids.append(case.pk)
    return ids


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(world: World, targets: list[int]) -> int:
    housing = world.cities[0].departments[0]
    region_of = {
        "city bureau head": world.cities[0].region.code,
        "county bureau head": world.counties[0][0].region.code,
        "department handler": world.cities[0].region.code,
    }
    print(f"  {'persona':<19} {'page':<22} {'median':>8} {'p95':>8} {'SQL':>5} {'/150ms':>7}", flush=True)
    misses = 0
    for label, user in world.personas.items():
        result = _measure_persona(world, targets, label, user, region_of[label], housing.pk)
        if result < 0:
            return 1
        misses += result
    print(
        f"  {misses} of {len(world.personas) * PAGES} medians over the {TARGET_MS:.0f} ms target", flush=True
    )
    return 0


def _measure_persona(
    world: World, targets: list[int], label: str, user: object, region: str, unit: int
) -> int:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from xinfang.api.tokens import api_token_create
    from xinfang.core.timeutil import local_date

    client = Client()
    client.force_login(user)
    _, raw = api_token_create(user=user, name="bench")
    api = Client(headers={"authorization": f"Bearer {raw}"})
    org = str(user.memberships.first().org_id)
    serial = [0]

    def register_post() -> object:
        serial[0] += 1
        data = {
            "org": org,
            "channel": "letter",
            "nature": "appeal",
            "category": world.category.code,
            "subject": f"测量登记的信访事项（{label}{serial[0]}）",
            "content": f"反映小区道路破损长期无人维修的问题，请求有关部门尽快处理。编号{serial[0]}。",
            "problem_region": region,
            "received_on": local_date().isoformat(),
            "headcount": "1",
            "via_proper_ladder": "on",
            "p-TOTAL_FORMS": "10",
            "p-INITIAL_FORMS": "0",
            "p-MIN_NUM_FORMS": "0",
            "p-MAX_NUM_FORMS": "10",
            "p-0-name": "李四",
            "p-0-phone": "13900139000",
        }
        return client.post("/cases/new/", data)

    pages = [
        ("home (工作台)", lambda n: client.get("/"), 200),
        ("case page", lambda n: client.get(f"/cases/{targets[n % len(targets)]}/"), 200),
        ("list first page", lambda n: client.get("/cases/"), 200),
        ("list search phone", lambda n: client.get("/cases/", {"q": f"1380000{n % 500:04d}"}), 200),
        ("list search name", lambda n: client.get("/cases/", {"q": f"信访人{n % 500}"}), 200),
        ("list search rare", lambda n: client.get("/cases/", {"q": "长期未解决"}), 200),
        ("list search common", lambda n: client.get("/cases/", {"q": "墙体开裂"}), 200),
        ("list sort received", lambda n: client.get("/cases/", {"sort": "-received"}), 200),
        ("list sort due", lambda n: client.get("/cases/", {"sort": "due"}), 200),
        ("list by unit", lambda n: client.get("/cases/", {"unit": unit}), 200),
        ("督办 list", lambda n: client.get("/supervisions/"), 200),
        ("overdue list", lambda n: client.get("/deadlines/"), 200),
        ("registration GET", lambda n: client.get("/cases/new/"), 200),
        ("registration POST", lambda n: register_post(), 302),
        ("API overdue of unit", lambda n: api.get(f"/api/v1/cases/overdue?org_id={unit}"), 200),
    ]
    misses = 0
    for name, call, expected in pages:
        timings, statements = [], []
        for n in range(REPEATS + 2):
            reset_queries()  # the log keeps 9,000 statements: a full one would count none
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                response = call(n)
                elapsed = (time.perf_counter() - t) * 1000
            if response.status_code != expected:
                print(f"  {label} {name}: HTTP {response.status_code}", flush=True)
                return -1
            if n >= 2:  # the first two warm the caches
                timings.append(elapsed)
                statements.append(len(queries))
        median, p95 = statistics.median(timings), percentile(timings, 0.95)
        ok = median <= TARGET_MS
        misses += not ok
        RESULTS.append(
            {"persona": label, "page": name, "median_ms": median, "p95_ms": p95, "sql": max(statements)}
        )
        print(
            f"  {label:<19} {name:<22} {median:7.1f}  {p95:7.1f}  {max(statements):4d}  "
            f"{median / TARGET_MS:6.2f}{'' if ok else '  MISS'}",
            flush=True,
        )
    return misses


if __name__ == "__main__":
    raise SystemExit(main())
