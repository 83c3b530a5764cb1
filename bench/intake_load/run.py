"""Intake throughput: ``POST /api/v1/cases`` against a real gunicorn, at 1, 8 and 32 clients.

Run from the repository root: ``.venv/bin/python bench/intake_load/run.py`` (1,000 requests per
client count by default; ``--cases N`` for another number; ``--only postgres`` or ``--only sqlite``
for one backend). Each backend runs in a child process on a fresh database that the harness
(``bench/backends.py``) creates and drops; the child

1. migrates it (the migrations seed the content categories and the calendar) and builds the test
   world (``xinfang.testing.world``: regions, organs, the personas) through the product's services;
2. creates an API token for the registrar of 示例市信访局;
3. counts the SQL statements and transactions of one intake (the second of a process, as most are),
   run in-process through Django's test client with ``CaptureQueriesContext`` (the same view,
   settings and code as under gunicorn);
4. starts gunicorn, the documented production server, with 2 workers x 4 threads (``gthread``) on a
   free loopback port, with ``DEBUG=false``;
5. for 1, 8 and 32 clients: a few warm-up requests, then N requests shared by that many threads,
   each with its own keep-alive ``http.client`` connection, every request a distinct matter with its
   own ``Idempotency-Key`` (as the API guide asks of intake clients), under a hard time limit; prints
   requests/s, p50/p95/p99 latency, the status codes and the ratio to the target;
6. stops gunicorn (also on error or Ctrl-C).

The load generator runs on the same machine as the server and takes some of its CPU: the figures
are a lower bound of what the server alone would do.
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from backends import bench_main
from cpu import CpuSplit, describe
from server import ROOT, Gunicorn, collect_static, free_port, production_environ

CLIENTS = (1, 8, 32)
TARGET_RPS = 400.0  # at 32 clients
TARGET_P99_MS = 150.0
WORKERS, THREADS = 2, 4
RUN_LIMIT_S = 120.0  # hard limit of one client count's run
WARMUP = 16
RESULTS: list[dict[str, Any]] = []  # one per client count, for a caller that runs ``inner``


def main() -> int:
    return bench_main(__file__, "intake_load", 1000, inner)


def _body(world: Any, n: int) -> bytes:
    return json.dumps(
        {
            "org_id": world.city_bureau.pk,
            "channel": "visit",
            "nature": "appeal",
            "category_code": "030100",
            "subject": f"小区住房质量问题长期未解决（第 {n} 件）",
            "content": f"本人购买的青山县某小区{n}号楼住房墙体开裂，多次向开发商反映未果，"
            f"请求有关部门督促维修。编号{n}，已持续{n % 12 + 1}个月。",
            "problem_region_code": world.county.code,
            "headcount": 2,
            "petitioners": [
                {"name": f"张{n}", "phone": f"138{n:08d}", "address": f"青山县城关镇幸福路{n}号"},
                {"name": f"李{n}", "address": f"青山县城关镇幸福路{n}号"},
            ],
        },
        ensure_ascii=False,
    ).encode()


_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO", "BEGIN", "COMMIT")
_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"')


@dataclass
class IntakeCost:
    statements: list[str]  # each as "VERB table"
    round_trips: int  # with BEGIN, COMMIT and savepoints
    transactions: int
    outside: int  # statements run outside any transaction (autocommit)


def _count_statements(world: Any, token: str) -> IntakeCost:
    """The SQL of one intake through the test client: what a server process runs for it."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    commits = 0
    real_commit = connection.commit

    def counting_commit() -> None:
        nonlocal commits
        commits += 1
        real_commit()

    outside = 0

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal outside
        if not connection.in_atomic_block:
            outside += 1
        return execute(sql, params, many, context)

    def intake(n: int) -> Any:
        return client.post(
            "/api/v1/cases",
            data=_body(world, -n),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"bench-count-{n}"},
        )

    intake(1)  # a process that has served an intake: its calendar and reference caches are warm
    connection.commit = counting_commit  # type: ignore[method-assign]
    try:
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(watch):
            response = intake(2)
    finally:
        del connection.commit
    if response.status_code != 201:
        raise SystemExit(
            f"intake through the test client answered {response.status_code}: {response.content!r}"
        )
    sql = [q["sql"].lstrip() for q in captured.captured_queries]
    statements = []
    for text in sql:
        if not text.upper().startswith(_CONTROL):
            table = _TABLE.search(text)
            statements.append(f"{text.split(None, 1)[0].upper()} {table.group(1) if table else '?'}")
    return IntakeCost(statements, len(sql), commits, outside)


class Load:
    """N requests shared by `clients` threads, each with one keep-alive connection."""

    def __init__(
        self,
        port: int,
        token: str,
        bodies: list[bytes],
        clients: int,
        tag: str,
        *,
        path: str = "/api/v1/cases",
        authorization: str = "",
    ) -> None:
        self.port, self.token, self.bodies, self.clients, self.tag = port, token, bodies, clients, tag
        self.path, self.authorization = path, authorization or f"Bearer {token}"
        self.next = 0
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0
        self.deadline = 0.0

    def _take(self) -> int | None:
        with self.lock:
            if self.next >= len(self.bodies) or time.monotonic() > self.deadline:
                return None
            self.next += 1
            return self.next - 1

    def _client(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Authorization": self.authorization, "Content-Type": "application/json"}
        while (n := self._take()) is not None:
            started = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    self.path,
                    body=self.bodies[n],
                    headers={**headers, "Idempotency-Key": f"{self.tag}-{n}"},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                status = 0
            elapsed = time.perf_counter() - started
            with self.lock:
                self.latencies.append(elapsed)
                self.statuses[status] = self.statuses.get(status, 0) + 1
        conn.close()

    def run(self) -> float:
        self.deadline = time.monotonic() + RUN_LIMIT_S
        threads = [threading.Thread(target=self._client, daemon=True) for _ in range(self.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(RUN_LIMIT_S + 35)
        return time.perf_counter() - started


def measured(load: Load, server_pid: int) -> dict[str, Any]:
    """Run `load` against the server whose master is `server_pid`; its figures: requests/s,
    p50/p95/p99 latency, the status codes and the CPU split per request (`bench/cpu.py`)."""
    with CpuSplit(server_pid) as cpu:
        wall = load.run()
    done = len(load.latencies)
    ms = [x * 1000 for x in load.latencies] or [0.0]
    return {
        "clients": load.clients,
        "requests": done,
        "rps": done / wall if wall else 0.0,
        "p50_ms": statistics.median(ms),
        "p95_ms": _quantile(ms, 0.95),
        "p99_ms": _quantile(ms, 0.99),
        "statuses": {str(code): n for code, n in sorted(load.statuses.items())},
        "cpu_ms_per_request": cpu.per_request_ms(done),
    }


def client_loads(
    port: int, token: str, make_body: Callable[[int], bytes], requests: int, server_pid: int, **load_args: Any
) -> Iterator[tuple[Load, dict[str, Any]]]:
    """For 1, 8 and 32 clients: a few warm-up requests, then `requests` measured; each load with
    its figures (`measured`). Every request is a distinct body, `make_body(serial)`."""
    serial = 1
    for clients in CLIENTS:
        warm = [make_body(serial + i) for i in range(WARMUP)]
        Load(port, token, warm, min(clients, 8), f"warm{clients}", **load_args).run()
        serial += WARMUP
        bodies = [make_body(serial + i) for i in range(requests)]
        serial += requests
        load = Load(port, token, bodies, clients, f"run{clients}", **load_args)
        yield load, measured(load, server_pid)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def inner(requests: int) -> int:
    # The server runs as in production: DEBUG off, so real keys (made up for this run) are needed.
    production_environ()
    collect_static()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from xinfang.api.tokens import api_token_create
    from xinfang.testing.world import build_world

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = build_world()
    token = api_token_create(user=world.registrar, name="bench")[1]
    print(f"  migrate and world: {time.perf_counter() - started:.1f} s", flush=True)

    cost = _count_statements(world, token)
    selects = sum(1 for s in cost.statements if s.startswith("SELECT"))
    print(
        f"  one intake: {len(cost.statements)} SQL statements ({selects} SELECT), {cost.round_trips} "
        f"round trips with BEGIN/COMMIT/savepoints; {cost.transactions} transaction(s) committed, "
        f"{cost.outside} statement(s) outside a transaction",
        flush=True,
    )
    print("   ", ", ".join(cost.statements), flush=True)
    from django.db import connection

    connection.close()  # the server's processes open their own

    port = free_port()
    status = 0
    with Gunicorn(port, workers=WORKERS, threads=THREADS) as server:
        assert server.process is not None
        print(f"  gunicorn on 127.0.0.1:{port}, {WORKERS} workers x {THREADS} threads", flush=True)
        print("  clients  requests   req/s   p50 ms   p95 ms   p99 ms  statuses", flush=True)
        for load, row in client_loads(port, token, lambda n: _body(world, n), requests, server.process.pid):
            RESULTS.append(row)
            codes = " ".join(f"{code}x{count}" for code, count in sorted(load.statuses.items()))
            print(
                f"  {row['clients']:7d}  {row['requests']:8d}  {row['rps']:6.1f}  {row['p50_ms']:7.1f}  "
                f"{row['p95_ms']:7.1f}  {row['p99_ms']:7.1f}  {codes}",
                flush=True,
            )
            print(f"           {describe(row['cpu_ms_per_request'])}", flush=True)
            if set(load.statuses) != {201} or row["requests"] < requests:
                status = 1
            if load.clients == CLIENTS[-1]:
                rps, p99 = row["rps"], row["p99_ms"]
                print(
                    f"  at {load.clients} clients: {rps:.0f} req/s = {rps / TARGET_RPS:.2f}x the {TARGET_RPS:.0f} "
                    f"req/s target; p99 {p99:.0f} ms against {TARGET_P99_MS:.0f} ms "
                    f"({'met' if rps >= TARGET_RPS and p99 < TARGET_P99_MS else 'not met'})",
                    flush=True,
                )
    return status


if __name__ == "__main__":
    sys.exit(main())
