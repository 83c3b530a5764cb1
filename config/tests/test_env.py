from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_fernet_key, env_header, env_int, env_list, env_secret

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
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "PII_KEY", "EVENT_CHAIN_KEY"}
    }
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
    result = _manage("dbcheck", DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 1
    assert "Cannot reach the postgresql database 'nowhere' at 127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr


STRONG = "k3y-" + "abcdefghij" * 5


def test_debug_is_off_unless_asked_for() -> None:
    result = _manage("check", ALLOWED_HOSTS="xinfang.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "value", ["x", "short-but-random-Zq8", "a" * 80, "django-insecure-" + "abcdefghij" * 5]
)
def test_a_weak_secret_key_is_refused_when_debug_is_off(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is too weak for DEBUG off"):
        env_secret("SECRET_KEY", "dev", strict=True, environ={"SECRET_KEY": value})


def test_a_strong_secret_key_is_accepted_and_any_key_in_debug() -> None:
    assert env_secret("SECRET_KEY", "dev", strict=True, environ={"SECRET_KEY": STRONG}) == STRONG
    assert env_secret("SECRET_KEY", "dev", strict=False, environ={"SECRET_KEY": "x"}) == "x"
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set when DEBUG is off"):
        env_secret("SECRET_KEY", "dev", strict=True, environ={})


def test_the_pii_key_must_be_a_fernet_key_and_a_random_one_in_production() -> None:
    good, dev = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert env_fernet_key("PII_KEY", dev, strict=True, environ={"PII_KEY": good}) == good
    for bad in ["x", "not base64 at all!", base64.urlsafe_b64encode(b"k" * 16).decode()]:
        with pytest.raises(ImproperlyConfigured, match="PII_KEY is not a Fernet key"):
            env_fernet_key("PII_KEY", dev, strict=False, environ={"PII_KEY": bad})
    zeros = base64.urlsafe_b64encode(bytes(32)).decode()
    with pytest.raises(ImproperlyConfigured, match="PII_KEY is too weak"):
        env_fernet_key("PII_KEY", dev, strict=True, environ={"PII_KEY": zeros})
    with pytest.raises(ImproperlyConfigured, match="PII_KEY must be set when DEBUG is off"):
        env_fernet_key("PII_KEY", dev, strict=True, environ={})


def test_a_bad_pii_key_stops_start_up_instead_of_the_first_registration() -> None:
    result = _manage("check", DEBUG="true", PII_KEY="x")
    assert result.returncode != 0
    assert "PII_KEY is not a Fernet key" in result.stderr


def test_header_names_become_request_meta_keys() -> None:
    assert env_header("XINFANG_CLIENT_IP_HEADER", "", {"XINFANG_CLIENT_IP_HEADER": "X-Real-IP"}) == (
        "HTTP_X_REAL_IP"
    )
    assert env_header("XINFANG_CLIENT_IP_HEADER", "", {}) == ""
    with pytest.raises(ImproperlyConfigured, match="is not an HTTP header name"):
        env_header("XINFANG_CLIENT_IP_HEADER", "", {"XINFANG_CLIENT_IP_HEADER": "X Real: IP"})
