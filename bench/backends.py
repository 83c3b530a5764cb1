"""Shared harness of the database benchmarks: each backend in a child process on a fresh database.

A benchmark script calls ``bench_main(__file__, "sweep", 100_000, inner)``. Without ``--inner`` the
script re-runs itself once per backend with ``DATABASE_URL`` pointing at a database made for the run
(PostgreSQL: created and dropped here; SQLite: a file in a temporary folder), so one backend's data and
caches never colour the other's figures; ``inner(cases)`` runs in that child and returns its exit status.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("PG_URL_BASE", "postgres://postgres@127.0.0.1:5432")


def bench_main(script: str, name: str, default_cases: int, inner: Callable[[int], int]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=default_cases)
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        return inner(args.cases)
    print(
        f"== this machine: {python_loop_seconds():.2f} s for {LOOP:,} Python additions (the figures below scale with it)"
    )
    status = 0
    if args.only in (None, "postgres"):
        status |= _run_postgres(script, name, args.cases)
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            print("== SQLite ==", flush=True)
            status |= _child(script, f"sqlite:///{tmp}/bench.sqlite3", args.cases)
    return status


LOOP = 10_000_000


def python_loop_seconds() -> float:
    """The best of three runs of a fixed pure-Python loop: how fast this machine runs the interpreter
    now, so that figures taken on different machines (or a busy one) can be told apart."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(LOOP):
            total += i
        best = min(best, time.perf_counter() - start)
    return best


def _child(script: str, url: str, cases: int) -> int:
    # The benchmarks run with the development keys, so in DEBUG mode unless told otherwise.
    env = {
        **os.environ,
        "DEBUG": os.environ.get("DEBUG", "true"),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.call([sys.executable, script, "--inner", "--cases", str(cases)], env=env, cwd=ROOT)


def _run_postgres(script: str, name: str, cases: int) -> int:
    import psycopg

    database = f"xf_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = f"{PG_SERVER}/postgres"
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
    except psycopg.Error as exc:
        print(f"== PostgreSQL: skipped, cannot create a database at {PG_SERVER}: {exc}")
        return 1
    try:
        print(f"== PostgreSQL ({database}) ==", flush=True)
        return _child(script, f"{PG_SERVER}/{database}", cases)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
