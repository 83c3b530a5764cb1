"""Years of history: intake and the deadline sweep with 5,000,000 events behind them (PostgreSQL).

Run from the repository root: ``.venv/bin/python bench/growth/run.py`` (5,000,000 events by default;
``--cases N`` sets the number of events). PostgreSQL only: a province runs on it. The child process
(``bench/backends.py``) works on a fresh database:

1. migrates it and builds the test world (``xinfang.testing.world``) through the product's services,
   with an API token for the registrar of 示例市信访局;
2. writes ``OPEN_CASES`` open cases (cloned, as below) whose deadlines fall from 10 days ago to 10
   days ahead; measures, through the API (``POST /api/v1/cases`` in-process, Django's test client: the view,
   the services, the 查重 and the SQL of a server process), ``INTAKES`` registrations of fresh texts
   and ``INTAKES`` of one text already filed many times (a letter campaign: every copy shares all
   32 band keys of the text index with it), median and p95 ms and SQL statements each; the 查重 of
   the registration page (``find_similar``) for a fresh text and for the campaign's; and the
   first deadline sweep (``xinfang.supervision.sweep.sweep``) over the open cases, best of 3;
3. writes the history: N / 10 closed cases of the last two years with 10 events each, their access
   rows and their 32 text-index rows (one in twenty a copy of the campaign's text), cloned in SQL
   from a case registered through the services (server-side ``generate_series``: the product would
   take days to register them one by one); then ``ANALYZE``;
4. measures the same again, and prints both with their ratio (the target: 1.0, a year's growth
   costs intake and the sweep nothing that shows).

What it does not write for the history: fact rows (the reports read them; bench/statistics
measures them at a million cases) and petitioners.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backends import bench_main

INTAKES = 60
OPEN_CASES = 20_000
EVENTS_PER_CASE = 10
CAMPAIGN_EVERY = 20  # one historic case in this many is a copy of the campaign's letter
CHUNK = 50_000
CAMPAIGN_SUBJECT = "反映某小区业主集体要求开发商按合同交付房屋的问题"
CAMPAIGN_CONTENT = (
    "我们是某小区的业主，开发商延期交房已超过一年，至今未给出明确答复，"
    "多次向住建部门反映未果，请求有关部门督促开发商按合同约定交付房屋并支付违约金。"
)


def main() -> int:
    if "--only" not in sys.argv and "--inner" not in sys.argv:
        sys.argv += ["--only", "postgres"]
    return bench_main(__file__, "growth", 5_000_000, inner)


@dataclass
class Figures:
    fresh_ms: list[float]
    campaign_ms: list[float]
    fresh_sql: int
    campaign_sql: int
    check_fresh_ms: list[float]
    check_campaign_ms: list[float]
    sweep_s: float


def _body(world: Any, n: int, *, campaign: bool) -> bytes:
    subject = CAMPAIGN_SUBJECT if campaign else f"第{n}号楼外墙脱落存在安全隐患请求处理"
    content = (
        CAMPAIGN_CONTENT
        if campaign
        else (
            f"本人居住的小区{n}号楼外墙瓷砖多处脱落，已砸坏车辆{n % 7 + 1}辆，物业称无维修资金，"
            f"请求有关部门尽快组织排查维修。联系编号{n}。"
        )
    )
    return json.dumps(
        {
            "org_id": world.city_bureau.pk,
            "channel": "letter",
            "nature": "appeal",
            "category_code": "030100",
            "subject": subject,
            "content": content,
            "problem_region_code": world.county.code,
            "petitioners": [{"name": f"王{n}", "phone": f"137{n:08d}"}],
        },
        ensure_ascii=False,
    ).encode()


def _intakes(client: Any, world: Any, token: str, start: int, *, campaign: bool) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times: list[float] = []
    statements = 0
    for n in range(start, start + INTAKES):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.post(
                "/api/v1/cases",
                data=_body(world, n, campaign=campaign),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"growth-{n}"},
            )
            times.append((time.perf_counter() - began) * 1000)
        if response.status_code != 201:
            raise SystemExit(f"intake answered {response.status_code}: {response.content[:300]!r}")
        statements = len(queries)
    return times[5:], statements  # the first few warm the caches


def _sweep_seconds() -> float:
    """The first sweep over the open cases, due from 10 days ago to 10 days ahead: the same work
    each time (the warnings and marks of the run before are removed first)."""
    from django.db import connection

    from xinfang.supervision.sweep import sweep

    best = float("inf")
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM supervision_sweepmark")
            cursor.execute("DELETE FROM supervision_duewarning")
            cursor.execute(
                "UPDATE cases_case SET next_due_at = now() + ((id % 21) - 10) * interval '1 day' "
                "WHERE closed_at IS NULL"
            )
        began = time.perf_counter()
        sweep()
        best = min(best, time.perf_counter() - began)
    return best


def _checks(world: Any, *, campaign: bool) -> list[float]:
    """The 查重 of the registration page (`find_similar`, as the page's text check calls it) for a
    text about to be registered, ms each."""
    from xinfang.textintel.db.intake import PersonIn, find_similar

    times = []
    for n in range(25):
        subject = CAMPAIGN_SUBJECT if campaign else f"第{n}号楼外墙脱落存在安全隐患请求处理"
        content = CAMPAIGN_CONTENT if campaign else f"本人居住的小区{n}号楼外墙瓷砖多处脱落，请求排查维修。"
        began = time.perf_counter()
        find_similar(world.registrar, subject, content, [PersonIn(name="赵某", phone=f"136{n:08d}")])
        times.append((time.perf_counter() - began) * 1000)
    return times[5:]


def _measure(client: Any, world: Any, token: str, start: int) -> Figures:
    fresh, fresh_sql = _intakes(client, world, token, start, campaign=False)
    campaign, campaign_sql = _intakes(client, world, token, start + INTAKES, campaign=True)
    return Figures(
        fresh,
        campaign,
        fresh_sql,
        campaign_sql,
        _checks(world, campaign=False),
        _checks(world, campaign=True),
        _sweep_seconds(),
    )


def _columns(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def _clone(table: str, overrides: dict[str, str], source: str) -> str:
    """INSERT INTO table (every column but id) SELECT the template row's columns (alias t), some
    replaced by SQL expressions, FROM `source`."""
    columns = [c for c in _columns(table) if c != "id"]
    values = ", ".join(overrides.get(c, f"t.{c}") for c in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {source}"


def _write_history(template_id: int, events: int) -> tuple[int, float]:
    """`events` / EVENTS_PER_CASE closed cases cloned from `template_id`; (cases, seconds)."""
    from django.db import connection, transaction

    cases = max(1, events // EVENTS_PER_CASE)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_caseevent WHERE case_id = %s", [template_id])
        template_events = cursor.fetchone()[0]
    for first in range(1, cases + 1, CHUNK):
        last = min(cases, first + CHUNK - 1)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE history (id bigint, g int) ON COMMIT DROP")
            case_sql = _clone(
                "cases_case",
                {
                    "number": "'H' || lpad(g::text, 20, '0')",
                    "query_code": "'H' || lpad(g::text, 14, '0')",
                    "received_on": "(t.received_on - (g % 730) - 30)",
                    "registered_at": "t.registered_at - ((g % 730) + 30) * interval '1 day'",
                    "status": "'terminated'",
                    "closed_at": "t.registered_at - (g % 730) * interval '1 day'",
                    "next_due_at": "NULL",
                    "next_due_clock": "''",
                    "repeat_of_id": "NULL",
                    "duplicate_of_id": "NULL",
                },
                f"cases_case t, generate_series({first}, {last}) g WHERE t.id = {template_id}",
            )
            cursor.execute(
                f"WITH made AS ({case_sql} RETURNING id, number) "
                "INSERT INTO history SELECT id, substring(number from 2)::int FROM made"
            )
            cursor.execute(
                _clone(
                    "cases_caseevent",
                    {
                        "case_id": "h.id",
                        "seq": "s",
                        "at": "t.at - ((h.g % 730) + 30) * interval '1 day' + s * interval '1 hour'",
                    },
                    f"history h CROSS JOIN generate_series(1, {EVENTS_PER_CASE}) s "
                    f"JOIN cases_caseevent t ON t.case_id = {template_id} "
                    f"AND t.seq = 1 + (s - 1) % {template_events}",
                )
            )
            cursor.execute(
                _clone(
                    "cases_caseaccess",
                    {"case_id": "h.id"},
                    f"history h JOIN cases_caseaccess t ON t.case_id = {template_id}",
                )
            )
            # The text index: random band keys, but every CAMPAIGN_EVERY-th case the campaign's own.
            cursor.execute(
                "INSERT INTO textintel_casetextsignature (case_id, band, hash) "
                f"SELECT h.id, t.band, CASE WHEN h.g % {CAMPAIGN_EVERY} = 0 THEN t.hash "
                "ELSE (random() * 9.0e18 - 4.5e18)::bigint END "
                f"FROM history h JOIN textintel_casetextsignature t ON t.case_id = {template_id}"
            )
        print(f"  history: {last:,} cases ({time.perf_counter() - began:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return cases, time.perf_counter() - began


def _open_cases(template_id: int, count: int) -> None:
    """`count` open cases like the template (with its access rows), for the sweep to work on."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE opened (id bigint) ON COMMIT DROP")
        case_sql = _clone(
            "cases_case",
            {"number": "'O' || lpad(g::text, 20, '0')", "query_code": "'O' || lpad(g::text, 14, '0')"},
            f"cases_case t, generate_series(1, {count}) g WHERE t.id = {template_id}",
        )
        cursor.execute(f"WITH made AS ({case_sql} RETURNING id) INSERT INTO opened SELECT id FROM made")
        cursor.execute(
            _clone(
                "cases_caseaccess",
                {"case_id": "o.id"},
                f"opened o JOIN cases_caseaccess t ON t.case_id = {template_id}",
            )
        )
        cursor.execute("ANALYZE")


def _campaign_template(client: Any, world: Any, token: str) -> int:
    from xinfang.cases.models import Case

    response = client.post(
        "/api/v1/cases",
        data=_body(world, 0, campaign=True),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "growth-template"},
    )
    return Case.objects.get(number=response.json()["number"]).pk


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return int(cursor.fetchone()[0])


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def inner(events: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from xinfang.api.tokens import api_token_create
    from xinfang.testing.world import build_world

    if connection.vendor != "postgresql":
        print("PostgreSQL only")
        return 1
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = build_world()
    token = api_token_create(user=world.registrar, name="growth")[1]
    client = Client(HTTP_HOST="localhost")
    template = _campaign_template(client, world, token)
    _open_cases(template, OPEN_CASES)
    print(f"  migrate and world: {time.perf_counter() - began:.1f} s", flush=True)
    before = _measure(client, world, token, 1_000)
    cases, seconds = _write_history(template, events)
    print(
        f"  wrote {cases:,} closed cases, {_count('cases_caseevent'):,} events, "
        f"{_count('textintel_casetextsignature'):,} text-index rows, {_count('cases_caseaccess'):,} access rows "
        f"in {seconds:.0f} s",
        flush=True,
    )
    after = _measure(client, world, token, 2_000)
    print(f"\n{'':38} {'empty':>10} {'with history':>14} {'ratio':>7}")
    rows = [
        (
            "intake, fresh text: median ms",
            statistics.median(before.fresh_ms),
            statistics.median(after.fresh_ms),
        ),
        ("intake, fresh text: p95 ms", _p95(before.fresh_ms), _p95(after.fresh_ms)),
        (
            "intake, campaign text: median ms",
            statistics.median(before.campaign_ms),
            statistics.median(after.campaign_ms),
        ),
        ("intake, campaign text: p95 ms", _p95(before.campaign_ms), _p95(after.campaign_ms)),
        (
            "查重 at registration, fresh: median ms",
            statistics.median(before.check_fresh_ms),
            statistics.median(after.check_fresh_ms),
        ),
        (
            "查重, campaign text: median ms",
            statistics.median(before.check_campaign_ms),
            statistics.median(after.check_campaign_ms),
        ),
        ("查重, campaign text: p95 ms", _p95(before.check_campaign_ms), _p95(after.check_campaign_ms)),
        ("intake SQL statements (fresh)", before.fresh_sql, after.fresh_sql),
        ("intake SQL statements (campaign)", before.campaign_sql, after.campaign_sql),
        ("deadline sweep, best of 3: s", before.sweep_s, after.sweep_s),
    ]
    for name, empty, full in rows:
        print(f"{name:38} {empty:10.2f} {full:14.2f} {full / empty if empty else 0:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
