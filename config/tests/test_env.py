from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def test_booleans_accept_the_usual_spellings() -> None:
    assert env_bool("DEBUG", False, {"DEBUG": "Yes"}) is True
    assert env_bool("DEBUG", True, {"DEBUG": "0"}) is False
    assert env_bool("DEBUG", True, {}) is True


def test_a_bad_boolean_names_the_variable_and_the_allowed_values() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='maybe' is not a boolean; use one of 1/0"):
        env_bool("DEBUG", False, {"DEBUG": "maybe"})


def test_a_bad_number_is_refused_with_its_name() -> None:
    with pytest.raises(ImproperlyConfigured, match="SESSION_COOKIE_AGE='soon' is not a whole number"):
        env_int("SESSION_COOKIE_AGE", 10, environ={"SESSION_COOKIE_AGE": "soon"})
    with pytest.raises(ImproperlyConfigured, match="must be at least 300"):
        env_int("SESSION_COOKIE_AGE", 10, minimum=300, environ={"SESSION_COOKIE_AGE": "5"})


def test_lists_split_on_commas_and_refuse_empty_entries() -> None:
    assert env_list("ALLOWED_HOSTS", [], {"ALLOWED_HOSTS": "a.example, b.example"}) == [
        "a.example",
        "b.example",
    ]
    with pytest.raises(ImproperlyConfigured, match="empty entry"):
        env_list("ALLOWED_HOSTS", [], {"ALLOWED_HOSTS": "a.example,,b"})


def test_database_urls_for_sqlite_and_postgres_are_understood() -> None:
    sqlite = env_database("DATABASE_URL", "sqlite:///tmp/x.sqlite3", {})
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    pg = env_database("DATABASE_URL", "", {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/xf"})
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert pg["NAME"] == "xf"


def test_an_unsupported_database_url_is_refused_clearly() -> None:
    with pytest.raises(ImproperlyConfigured, match="not a supported database URL"):
        env_database("DATABASE_URL", "", {"DATABASE_URL": "mysql://root@localhost/x"})
    with pytest.raises(ImproperlyConfigured, match="not a supported database URL"):
        env_database("DATABASE_URL", "", {"DATABASE_URL": "just-a-file.db"})


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_server_refuses_to_start_with_a_bad_setting() -> None:
    result = _manage("check", DEBUG="perhaps")
    assert result.returncode != 0
    assert "DEBUG='perhaps' is not a boolean" in result.stderr


def test_production_mode_refuses_the_public_development_keys() -> None:
    result = _manage("check", DEBUG="false", ALLOWED_HOSTS="xinfang.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_an_unreachable_database_gets_a_clear_message_not_a_traceback() -> None:
    result = _manage("dbcheck", DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 1
    assert "Cannot reach the postgresql database 'nowhere' at 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr
