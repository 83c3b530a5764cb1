"""Start Xinfang the way docs/operations.md says, with DEBUG off, and look at what it serves.

A real gunicorn on a free loopback port, after `collectstatic` into a temporary STATIC_ROOT, with
production settings (strong keys, HTTPS-only cookies, a TLS-terminating proxy header).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _production_env(tmp_path: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "XINFANG_"))}
    environ.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        PII_KEY=Fernet.generate_key().decode(),
        EVENT_CHAIN_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        XINFANG_VAR_DIR=str(tmp_path / "var"),
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return environ


def _manage(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp_path = tmp_path_factory.mktemp("production")
    environ = _production_env(tmp_path)
    collected = _manage(environ, "collectstatic", "--noinput", "-v0")
    assert collected.returncode == 0, collected.stderr
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(GUNICORN), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/login/")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"gunicorn did not start: {process.communicate()[1]}") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_login_page_and_its_stylesheet_are_served_with_debug_off(server: str) -> None:
    status, _headers, page = _get(f"{server}/login/")
    assert status == 200, page[:500]
    assert "工作人员登录" in page
    stylesheet = re.search(r'href="(/static/workbench/app\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page links the hashed stylesheet from the manifest"
    status, headers, css = _get(server + stylesheet.group(1))
    assert status == 200 and headers["Content-Type"].startswith("text/css") and css
    assert "max-age=315360000" in headers.get("Cache-Control", "")  # hashed names are cached for good


def test_the_api_docs_load_swagger_ui_from_this_installation(server: str) -> None:
    status, _headers, page = _get(f"{server}/api/v1/docs")
    assert status == 200, page[:500]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(asset.startswith("/static/") for asset in assets), assets
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
    for asset in assets:
        assert _get(server + asset)[0] == 200, asset


def test_every_response_has_a_content_security_policy_and_https_ones_hsts(server: str) -> None:
    for path in ["/login/", "/api/v1/docs", "/api/v1/openapi.json"]:
        _status, headers, _body = _get(server + path)
        policy = headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy and "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy
        assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS
    _status, headers, _body = _get(f"{server}/login/", **{"X-Forwarded-Proto": "https"})
    assert headers.get("Strict-Transport-Security") == "max-age=31536000"
    assert "Secure" in headers.get("Set-Cookie", "")  # the CSRF cookie travels over HTTPS only


def test_without_collectstatic_the_server_stops_with_the_command_to_run(tmp_path: Path) -> None:
    environ = _production_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Static files are not collected" in result.stderr
    assert "python manage.py collectstatic --noinput" in result.stderr


def test_check_deploy_reports_only_the_documented_exceptions(tmp_path: Path) -> None:
    result = _manage(_production_env(tmp_path), "check", "--deploy")
    assert result.returncode == 0, result.stderr
    found = set(re.findall(r"\(security\.W\d+\)", result.stdout + result.stderr))
    # W008: the reverse proxy redirects HTTP to HTTPS (SECURE_SSL_REDIRECT stays off by default);
    # W005, W021: HSTS for sub-domains and preloading are each site's own decision.
    # docs/operations.md lists the same.
    assert found <= {"(security.W008)", "(security.W005)", "(security.W021)"}, result.stderr


def test_a_weak_secret_key_is_refused_at_start_up(tmp_path: Path) -> None:
    environ = _production_env(tmp_path)
    result = _manage({**environ, "SECRET_KEY": "x"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr
    result = _manage({**environ, "PII_KEY": "x"}, "check")
    assert result.returncode != 0
    assert "PII_KEY is not a Fernet key" in result.stderr
