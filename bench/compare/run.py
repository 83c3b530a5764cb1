"""``make bench``: Xinfang side by side with django-helpdesk 2.6.1, then Xinfang alone at a million.

Run from the repository root: ``.venv/bin/python bench/compare/run.py`` (``--cases N``, 200,000 by
default, for the side-by-side part; ``--million N``, 1,000,000 by default, for Xinfang alone, 0
skips it; ``--skip-helpdesk``; ``--requests N`` intake requests per client count, 1,000). See
``bench/README.md`` for what is measured and the latest figures.

1. django-helpdesk in its own virtual environment, ``bench/.helpdesk-venv`` (created with
   ``python3.11 -m venv`` and ``pip install -r bench/compare/helpdesk-requirements.txt``, pinned,
   when missing or of another version), minimal settings (``helpdesk_settings.py``), a fresh database
   ``hdbench_<pid>``: intake through its REST API (``POST /api/tickets/``, a staff user's DRF token)
   at 1, 8 and 32 clients; then the generator's N cases as tickets; its ``queuestatus`` and
   ``queuemonth`` reports and the first page of a unit's open tickets by due date (logged-in staff).
2. Xinfang on fresh databases ``xfbench_<pid>_*``: ``bench/intake_load``'s intake; the same N cases
   (``xinfang_side.py world``): the reports and the overdue list; then M cases (``--million``): the
   full indicator set, the 统计分析 page, the workbench pages, memory, the sweep.

Both servers are gunicorn with 2 workers x 4 threads (gthread) on loopback, the load generator on
the same machine. Prints the table (operation | helpdesk | Xinfang | ratio | target | met?) and
writes it with the machine's description to ``bench/results/<YYYY-MM-DD>-<host>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
ROOT = BENCH.parent
sys.path[:0] = [str(HERE), str(BENCH)]

import generator  # noqa: E402
import web  # noqa: E402
from backends import PG_SERVER, python_loop_seconds  # noqa: E402
from cpu import describe  # noqa: E402
from intake_load.run import CLIENTS, client_loads  # noqa: E402
from server import Gunicorn, free_port  # noqa: E402

HELPDESK_VERSION = "2.6.1"
HELPDESK_VENV = BENCH / ".helpdesk-venv"
RESULTS = BENCH / "results"
WORKERS, THREADS = 2, 4
T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f} s] {message}", flush=True)


# ---------------------------------------------------------------- machine and databases


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres") as conn:
        version = conn.execute("SELECT version()").fetchone()[0]
    return {
        "host": socket.gethostname(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory / 1024 / 1024, 1),
        "python": platform.python_version(),
        "python_loop_seconds": round(python_loop_seconds(), 3),
        "postgresql": version,
    }


def create_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ---------------------------------------------------------------- django-helpdesk


def helpdesk_python() -> Path:
    """The helpdesk environment's Python, made (or remade) when it lacks django-helpdesk 2.6.1."""
    python = HELPDESK_VENV / "bin" / "python"
    check = [str(python), "-c", "import importlib.metadata as m; print(m.version('django-helpdesk'))"]
    if python.exists():
        found = subprocess.run(check, capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip() == HELPDESK_VERSION:
            return python
    say(f"creating {HELPDESK_VENV.relative_to(ROOT)} with django-helpdesk {HELPDESK_VERSION}")
    subprocess.run(["python3.11", "-m", "venv", "--clear", str(HELPDESK_VENV)], check=True)
    installed = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "-r",
            str(HERE / "helpdesk-requirements.txt"),
        ],
        capture_output=True,
        text=True,
    )
    if installed.returncode:
        print(installed.stdout[-4000:], installed.stderr[-4000:], sep="\n")
        raise SystemExit(f"pip could not install django-helpdesk {HELPDESK_VERSION}")
    return python


def helpdesk_call(python: Path, *args: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [str(python), str(HERE / "helpdesk_side.py"), *args, "--out", out.name],
            cwd=HERE,
            env=os.environ.copy(),
            check=True,
            timeout=1800,
        )
        return json.loads(Path(out.name).read_text())


def helpdesk_body(n: int, queue: int) -> bytes:
    return json.dumps(
        {
            "queue": queue,
            "title": f"小区住房质量问题长期未解决（第 {n} 件）",
            "description": f"本人购买的青山县某小区{n}号楼住房墙体开裂，多次向开发商反映未果，"
            f"请求有关部门督促维修。编号{n}，已持续{n % 12 + 1}个月。",
            "submitter_email": f"p{n}@example.com",
            "priority": 3,
        },
        ensure_ascii=False,
    ).encode()


def intake_loads(
    port: int, make_body: Any, requests: int, server_pid: int, **load_args: Any
) -> list[dict[str, Any]]:
    """``bench/intake_load``'s loads (`client_loads`): warm-up, then `requests` at 1, 8 and 32
    clients, each with the CPU time its web workers, PostgreSQL and the load generator spent."""
    found = []
    for load, row in client_loads(port, "", make_body, requests, server_pid, **load_args):
        found.append(row)
        say(f"  helpdesk intake at {load.clients} clients: {describe(row['cpu_ms_per_request'])}")
        say(
            f"  helpdesk intake at {load.clients} clients: {row['rps']:.1f} req/s, p50 "
            f"{row['p50_ms']:.0f} ms, p99 {row['p99_ms']:.0f} ms, {row['statuses']}"
        )
    return found


def run_helpdesk(cases: int, end: dt.date, requests: int) -> dict[str, Any]:
    python = helpdesk_python()
    name = f"hdbench_{os.getpid()}"
    os.environ["HELPDESK_DATABASE_URL"] = create_database(name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk_settings"
    out: dict[str, Any] = {}
    try:
        ids = helpdesk_call(python, "prepare")
        say(f"helpdesk: migrated {name} in {ids['seconds']:.0f} s")
        port = free_port()
        server = Gunicorn(
            port,
            workers=WORKERS,
            threads=THREADS,
            app="helpdesk_wsgi:application",
            gunicorn=python.parent / "gunicorn",
            cwd=HERE,
        )
        with server:
            assert server.process is not None
            out["intake"] = intake_loads(
                port,
                lambda n: helpdesk_body(n, ids["queues"][n % len(ids["queues"])]),
                requests,
                server.process.pid,
                path="/api/tickets/",
                authorization=f"Token {ids['token']}",
            )
        out["load"] = helpdesk_call(python, "load", "--cases", str(cases), "--end", end.isoformat())
        say(f"helpdesk: {cases:,} tickets loaded in {out['load']['seconds']:.0f} s")
        port = free_port()
        server = Gunicorn(
            port,
            workers=WORKERS,
            threads=THREADS,
            app="helpdesk_wsgi:application",
            gunicorn=python.parent / "gunicorn",
            cwd=HERE,
        )
        with server:
            base = f"http://127.0.0.1:{port}"
            opener = web.login(base, ids["username"], ids["password"])
            for report in ("queuestatus", "queuemonth"):
                # Tens of seconds a page: timed once, twice when the first took under a minute.
                out[report] = web.timed_get(
                    opener, f"{base}/reports/{report}/", repeats=2, warmups=0, budget_s=60, timeout_s=600
                )
                say(f"  helpdesk {report}: {web.summary(out[report])}")
            unit = ids["units"][0]
            query = {
                "filtering": {"assigned_to__id__in": [unit], "status__in": [1, 2]},
                "filtering_null": {},
                "sorting": "due_date",
                "sortreverse": False,
                "search_string": "",
            }
            import base64

            encoded = base64.b64encode(json.dumps(query).encode()).decode()
            url = f"{base}/datatables_ticket_list/{encoded}?draw=1&start=0&length=25"
            out["overdue_first_page"] = web.timed_get(opener, url, repeats=5, warmups=1, budget_s=120)
            say(
                f"  helpdesk unit's open tickets by due date, first page: {web.summary(out['overdue_first_page'])}"
            )
            out["memory_web_kib"] = web.worker_rss(server.process.pid)  # type: ignore[union-attr]
    finally:
        drop_database(name)
    return out


# ---------------------------------------------------------------- Xinfang


def xinfang_call(label: str, *args: str, timeout: int) -> dict[str, Any]:
    name = f"xfbench_{os.getpid()}_{label}"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": create_database(name),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    try:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                [sys.executable, str(HERE / "xinfang_side.py"), *args, "--out", out.name],
                cwd=ROOT,
                env=env,
                check=True,
                timeout=timeout,
            )
            return json.loads(Path(out.name).read_text())
    finally:
        drop_database(name)


# ---------------------------------------------------------------- the table


def _get(data: dict[str, Any], *path: Any) -> Any:
    for key in path:
        if data is None:
            return None
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _cpu_ms(load: dict[str, Any] | None) -> float | None:
    """The servers' CPU milliseconds per request: all the machine spent but the load generator's."""
    split = _get(load, "cpu_ms_per_request")
    return split["web"] + split["postgresql"] + split["other"] if split else None


def table(
    hd: dict[str, Any], xf: dict[str, Any], xm: dict[str, Any], cases: int, million: int
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(
        op: str, h: float | None, x: float | None, unit: str, better: str, target: str, met: bool | None
    ) -> None:
        ratio = None
        if h is not None and x:
            ratio = x / h if better == "higher" else h / x
        rows.append(
            {
                "operation": op,
                "helpdesk": h,
                "xinfang": x,
                "unit": unit,
                "ratio": ratio,
                "target": target,
                "met": met,
            }
        )

    hd_intake = {r["clients"]: r for r in hd.get("intake", [])}
    xf_intake = {r["clients"]: r for r in _get(xf, "intake", "loads") or []}
    for clients in CLIENTS:
        h, x = hd_intake.get(clients), xf_intake.get(clients)
        last = clients == CLIENTS[-1]
        hr, xr = _get(h, "rps"), _get(x, "rps")
        add(
            f"intake, {clients} client{'s' if clients > 1 else ''}: throughput",
            hr,
            xr,
            "req/s",
            "higher",
            ">= 3x helpdesk" if last else "",
            (xr >= 3 * hr) if last and hr and xr else None,
        )
        add(
            f"intake, {clients} client{'s' if clients > 1 else ''}: p50",
            _get(h, "p50_ms"),
            _get(x, "p50_ms"),
            "ms",
            "lower",
            "",
            None,
        )
        xp = _get(x, "p99_ms")
        add(
            f"intake, {clients} client{'s' if clients > 1 else ''}: p99",
            _get(h, "p99_ms"),
            xp,
            "ms",
            "lower",
            "Xinfang < 150 ms" if last else "",
            (xp < 150) if last and xp is not None else None,
        )
        if last:
            # What the throughput is bound by on this machine: the servers' CPU per request.
            add(
                f"intake, {clients} clients: server CPU per request (web, PostgreSQL, the rest)",
                _cpu_ms(h),
                _cpu_ms(x),
                "ms",
                "lower",
                "",
                None,
            )
    for op, hk, xk in (
        (f"report by queue/unit and status, {cases:,}", "queuestatus", "by_unit_and_status"),
        (f"report by queue/month and category, {cases:,}", "queuemonth", "month_by_category"),
    ):
        h, x = _get(hd, hk, "median_s"), _get(xf, "world", xk, "median_s")
        add(op, h, x, "s", "lower", ">= 100x helpdesk", (h / x >= 100) if h and x else None)
    add(
        f"a unit's overdue list, first page, {cases:,}",
        _get(hd, "overdue_first_page", "median_s"),
        _get(xf, "world", "overdue_first_page", "median_s"),
        "s",
        "lower",
        "",
        None,
    )
    if million:
        for label, key, target, limit in (
            ("a unit's overdue list, first page", "overdue_first_page", "< 50 ms", 0.05),
            ("full indicator set of a year with 同比", "indicator_set", "< 1 s", 1.0),
            ("统计分析 page, a year with 同比", "statistics_page", "< 1.5 s", 1.5),
        ):
            x = _get(xm, key, "median_s")
            add(f"{label}, {million:,}", None, x, "s", "lower", target, x < limit if x else None)
        pages = _get(xm, "workbench") or []
        if pages:
            worst = max(pages, key=lambda p: p["median_ms"])
            add(
                f"slowest workbench page of a provincial head ({worst['page']}; "
                f"{sum(p['median_ms'] < 150 for p in pages)} of {len(pages)} under), {million:,}",
                None,
                worst["median_ms"],
                "ms",
                "lower",
                "< 150 ms",
                worst["median_ms"] < 150,
            )
        sweep = _get(xm, "sweep_open")
        if sweep:
            add(
                f"deadline sweep, {sweep.get('open_cases', 0):,} open cases ({sweep['candidates']:,} due)",
                None,
                sweep["seconds"],
                "s",
                "lower",
                "< 10 s",
                sweep["seconds"] < 10,
            )
        steady = _get(xm, "sweep_open_steady")
        if steady:
            add(
                "deadline sweep, the same 30 s later (steady)",
                None,
                steady["seconds"],
                "s",
                "lower",
                "< 10 s",
                steady["seconds"] < 10,
            )
        web_mem = _get(xm, "memory_web_kib") or {}
        workers = [v for k, v in web_mem.items() if k.startswith("worker")]
        if workers:
            add("memory of a web worker (largest), MiB", None, max(workers) / 1024, "MiB", "lower", "", None)
        if _get(xm, "memory_worker_kib"):
            add("memory of a db_worker, MiB", None, xm["memory_worker_kib"] / 1024, "MiB", "lower", "", None)
    hd_mem = [v for k, v in (hd.get("memory_web_kib") or {}).items() if k.startswith("worker")]
    if hd_mem:
        rows.append(
            {
                "operation": f"memory of a helpdesk web worker after its reports, {cases:,}, MiB",
                "helpdesk": max(hd_mem) / 1024,
                "xinfang": None,
                "unit": "MiB",
                "ratio": None,
                "target": "",
                "met": None,
            }
        )
    return rows


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    return f"{value:,.1f} {unit}"


def print_table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'operation':<72} {'helpdesk':>12} {'Xinfang':>12} {'ratio':>9}  {'target':<18} met?"]
    for r in rows:
        ratio = f"{r['ratio']:.1f}x" if r["ratio"] is not None else "—"
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        lines.append(
            f"{r['operation']:<72} {_fmt(r['helpdesk'], r['unit']):>12} {_fmt(r['xinfang'], r['unit']):>12} "
            f"{ratio:>9}  {r['target']:<18} {met}"
        )
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The table as bench/README.md shows it."""
    lines = [
        "| operation | helpdesk | Xinfang | ratio | target | met? |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in rows:
        ratio = f"{r['ratio']:.1f}x" if r["ratio"] is not None else "—"
        met = {True: "yes", False: "no", None: ""}[r["met"]]
        lines.append(
            f"| {r['operation']} | {_fmt(r['helpdesk'], r['unit'])} | {_fmt(r['xinfang'], r['unit'])} | "
            f"{ratio} | {r['target']} | {met} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=200_000, help="cases of the side-by-side part")
    parser.add_argument(
        "--million", type=int, default=1_000_000, help="cases of the Xinfang-alone part (0: skip)"
    )
    parser.add_argument("--skip-helpdesk", action="store_true")
    parser.add_argument("--requests", type=int, default=1000, help="intake requests per client count")
    parser.add_argument(
        "--table-from", type=Path, help="print the table of an earlier run's results file and stop"
    )
    args = parser.parse_args()
    if args.table_from:
        return table_from(args.table_from)
    started = dt.datetime.now(dt.UTC)
    end = dt.datetime.now(generator.BEIJING).date()
    say(f"machine: {os.cpu_count()} CPUs; measuring the Python loop")
    description = machine()
    say(
        f"{description['cpu']}, {description['memory_gib']} GiB, python loop {description['python_loop_seconds']} s; "
        f"{description['postgresql'].split(' on ')[0]}; 24 months ending {end}"
    )
    hd: dict[str, Any] = {}
    if not args.skip_helpdesk:
        say(f"== django-helpdesk {HELPDESK_VERSION}: intake, then {args.cases:,} tickets")
        hd = run_helpdesk(args.cases, end, args.requests)
    say("== Xinfang: intake (bench/intake_load)")
    xf: dict[str, Any] = {
        "intake": xinfang_call("intake", "intake", "--cases", str(args.requests), timeout=900)
    }
    say(f"== Xinfang: {args.cases:,} cases")
    xf["world"] = xinfang_call(
        "w", "world", "--cases", str(args.cases), "--end", end.isoformat(), timeout=1800
    )
    xm: dict[str, Any] = {}
    if args.million:
        say(f"== Xinfang alone: {args.million:,} cases")
        xm = xinfang_call(
            "m", "world", "--million", "--cases", str(args.million), "--end", end.isoformat(), timeout=2400
        )
    rows = table(hd, xf, xm, args.cases, args.million)
    say("== results")
    text = print_table(rows)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{started:%Y-%m-%d}-{description['host']}.json"
    document = {
        "started": started.isoformat(timespec="seconds"),
        "wall_s": round(time.monotonic() - T0, 1),
        "machine": description,
        "arguments": vars(args),
        "period_end": end.isoformat(),
        "servers": f"gunicorn {WORKERS} workers x {THREADS} threads (gthread), loopback",
        "helpdesk_version": None if args.skip_helpdesk else HELPDESK_VERSION,
        "rows": rows,
        "table": text,
        "markdown": markdown_table(rows),
        "raw": {"helpdesk": hd, "xinfang": xf, "xinfang_million": xm},
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    say(f"written {path.relative_to(ROOT)} (total {time.monotonic() - T0:.0f} s)")
    return 0


def table_from(path: Path) -> int:
    """The table of a results file, computed again from its raw figures by this version's rules."""
    document = json.loads(path.read_text(encoding="utf-8"))
    raw, arguments = document["raw"], document["arguments"]
    rows = table(
        raw["helpdesk"], raw["xinfang"], raw["xinfang_million"], arguments["cases"], arguments["million"]
    )
    print_table(rows)
    print()
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
