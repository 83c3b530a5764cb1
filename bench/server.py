"""A real server for the benchmarks: production settings and gunicorn on a free loopback port.

``production_environ()`` sets what a DEBUG-off start needs (keys made up for the run, hosts, the
static files collected once into ``var/bench-static``, which later runs reuse); ``Gunicorn`` starts
the documented production server in its own process group and stops all of it, also on errors.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
STATIC_ROOT = ROOT / "var" / "bench-static"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_environ() -> None:
    """DEBUG off with strong keys of this run only, as a production start requires."""
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["PII_KEY"] = Fernet.generate_key().decode()
    os.environ["EVENT_CHAIN_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    os.environ["STATIC_ROOT"] = str(STATIC_ROOT)
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def collect_static() -> None:
    """collectstatic into STATIC_ROOT (quick when nothing changed since the last run)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=os.environ.copy(),
        check=True,
    )


class Gunicorn:
    """``with Gunicorn(port, workers=2, threads=4):`` serves config.wsgi until the block ends.

    ``app``, ``gunicorn`` and ``cwd`` serve another WSGI application with another installation's
    gunicorn (the side-by-side benchmark serves django-helpdesk from its own environment)."""

    def __init__(
        self,
        port: int,
        *,
        workers: int,
        threads: int,
        app: str = "config.wsgi:application",
        gunicorn: Path | None = None,
        cwd: Path = ROOT,
    ) -> None:
        self.port, self.workers, self.threads = port, workers, threads
        self.app, self.cwd = app, cwd
        self.gunicorn = gunicorn or Path(sys.executable).parent / "gunicorn"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        command = [
            str(self.gunicorn),
            self.app,
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            "--worker-class=gthread",
            f"--bind=127.0.0.1:{self.port}",
            "--keep-alive=30",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(command, cwd=self.cwd, env=os.environ.copy(), start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise SystemExit("gunicorn did not start listening within 30 s")

    def __exit__(self, *exc: object) -> None:
        server = self.process
        if server is None or server.poll() is not None:
            return
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
