"""Fuzz the JSON API against its own OpenAPI document: schemathesis against a live gunicorn.

Run from the repository root: ``.venv/bin/python bench/fuzz/run.py`` (``--seconds 300`` for the
time budget, default 180; ``--database-url postgres://postgres@127.0.0.1:5432/NAME`` to fuzz on a
PostgreSQL database that exists and may be emptied, default a fresh SQLite file). It

1. migrates a fresh database and builds the test world (``xinfang.testing.world``) with a few
   registered matters, so that generated ids sometimes hit real cases;
2. creates an API token for the registrar of 示例市信访局;
3. starts gunicorn with the production settings (DEBUG off, strong keys of this run);
4. runs ``schemathesis run`` with a time budget and these checks: no 5xx, status codes, content
   types and response bodies as the document declares them; bad input must be refused;
5. prints schemathesis' summary and exits with its status; stops the server.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from server import ROOT, Gunicorn, collect_static, free_port, production_environ

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)


def _world_with_cases() -> str:
    """The personas' world, three registered matters; returns the registrar's API token."""
    from django.core.management import call_command

    from xinfang.api.tokens import api_token_create
    from xinfang.cases import services
    from xinfang.cases.models import ContentCategory
    from xinfang.testing.world import build_world

    call_command("migrate", verbosity=0)
    world = build_world()
    category = ContentCategory.objects.filter(is_active=True, parent__isnull=False).first()
    for n in range(3):
        services.case_register(
            actor=world.registrar,
            org=world.city_bureau,
            channel="letter",
            nature="appeal",
            category=category,
            subject=f"小区供暖不达标（第 {n} 件）",
            content="冬季室温长期低于十六度，多次反映未果。",
            problem_region=world.county,
            petitioners=[services.PetitionerInput(name=f"王{n}", phone=f"1390000000{n}")],
        )
    return api_token_create(user=world.registrar, name="fuzz")[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        production_environ()
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/fuzz.sqlite3"
        os.environ["XINFANG_ANCHOR_DIR"] = f"{tmp}/anchors"
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        collect_static()
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        token = _world_with_cases()
        from django.db import connection

        connection.close()
        port = free_port()
        with Gunicorn(port, workers=2, threads=4):
            command = [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"http://127.0.0.1:{port}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {token}",
                "--checks",
                CHECKS,
                "--max-time",
                str(args.seconds),
                "--workers",
                "2",
                "--request-timeout",
                "30",
                "--seed",
                "2026",
                "--no-color",
            ]
            print(f"schemathesis for {args.seconds} s against gunicorn on 127.0.0.1:{port}", flush=True)
            try:
                return subprocess.call(command, cwd=ROOT, timeout=args.seconds + 120)
            except subprocess.TimeoutExpired:
                print("schemathesis ran past its time budget and was stopped", flush=True)
                return 1


if __name__ == "__main__":
    sys.exit(main())
