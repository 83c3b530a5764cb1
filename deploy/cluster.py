"""The production topology on one machine: `bin/cluster start | status | stop`.

`start` builds, in a new temporary directory (`--dir` to choose one), a PostgreSQL 15 primary and a
streaming replica from Debian's binaries on spare ports; migrates; starts 2 web processes (gunicorn)
behind nginx on one port (`--port`, 8080 by default), 3 workers and 2 schedulers, each exactly as
the systemd units of `deploy/systemd/` start it and with the nginx configuration of
`deploy/nginx/xinfang.conf`; and a supervisor that restarts a process that exits, as systemd's
`Restart=always` does. `--demo` loads the demonstration data (the logins `make run` prints).
`stop` stops everything cleanly and removes the directory. Where the cluster is is written to
`var/cluster.json`; `status` prints its processes and the health check.

The web, worker and scheduler processes run with DEBUG off and keys made up for the cluster.
As root, PostgreSQL runs as the `postgres` user (it refuses root).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
VENV_BIN = ROOT / ".venv" / "bin"
STATE_FILE = ROOT / "var" / "cluster.json"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WEB_PROCESSES, WORKERS, SCHEDULERS = 2, 3, 2
RESTART_SECONDS = 1.0  # RestartSec of the units


@dataclass
class Cluster:
    """What `start` made, as `var/cluster.json` keeps it."""

    directory: str
    port: int
    primary_port: int
    replica_port: int
    web_ports: list[int]
    supervisor_pid: int = 0
    env: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return Path(self.directory)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def processes_file(self) -> Path:
        return self.path / "processes.json"

    def processes(self) -> dict[str, int]:
        """Each supervised process's current pid (the supervisor rewrites it on every restart)."""
        try:
            return {k: int(v) for k, v in json.loads(self.processes_file.read_text()).items()}
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def save(self) -> None:
        STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
        STATE_FILE.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls) -> Cluster | None:
        if not STATE_FILE.exists():
            return None
        return cls(**json.loads(STATE_FILE.read_text()))


# --- the units --------------------------------------------------------------------------------------


def unit_command(unit: str, instance: str, *, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The command line and the extra environment of `deploy/systemd/<unit>` for `instance`, with
    this checkout's virtual environment and directory instead of /opt/xinfang."""
    text = (DEPLOY / "systemd" / unit).read_text()
    exec_start = re.search(r"^ExecStart=(.+)$", text, re.M)
    if exec_start is None:
        raise SystemExit(f"{unit} has no ExecStart line")
    line = exec_start.group(1).replace("/opt/xinfang/.venv/bin/", f"{VENV_BIN}/")
    line = line.replace("%i", instance).replace("%H", socket.gethostname())
    extra = dict(re.findall(r"^Environment=([A-Z_]+)=(.*)$", text, re.M))
    return line.split(), {**env, **extra}


def nginx_config(cluster: Cluster) -> str:
    """`deploy/nginx/xinfang.conf` with the cluster's web processes and port, inside a main
    configuration that keeps nginx's files in the cluster's directory."""
    site = (DEPLOY / "nginx" / "xinfang.conf").read_text()
    servers = "".join(
        f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in cluster.web_ports
    )
    site, count = re.subn(r"(?m)^    server 10\.[^\n]*\n", "", site)
    if count == 0:
        raise SystemExit("deploy/nginx/xinfang.conf: no upstream server lines to replace")
    site = site.replace("upstream xinfang_web {\n", "upstream xinfang_web {\n" + servers, 1)
    site = re.sub(r"(?m)^    listen 80;$", f"    listen 127.0.0.1:{cluster.port};", site)
    base = cluster.path / "nginx"
    temp = "\n".join(
        f"    {name}_temp_path {base}/{name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon on;\nworker_processes 1;\npid {base}/nginx.pid;\nerror_log {base}/error.log warn;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n    access_log {base}/access.log;\n{temp}\n{site}\n}}\n"
    )


# --- PostgreSQL ---------------------------------------------------------------------------------------


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], **kwargs: object) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]


def start_postgres(cluster: Cluster) -> None:
    base = cluster.path
    primary, replica = base / "pg-primary", base / "pg-replica"
    _run(
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        )
    )
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write(
            f"\nport = {cluster.primary_port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{base}'\nwal_level = replica\nmax_wal_senders = 4\n"
            "max_connections = 200\nhot_standby = on\n"
        )
    _pg_ctl(primary, "start")
    _run(
        _as_postgres(
            [
                str(PG_BIN / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.primary_port),
                "-U",
                "postgres",
                "-D",
                str(replica),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ]
        )
    )
    with open(replica / "postgresql.conf", "a") as conf:
        conf.write(f"\nport = {cluster.replica_port}\n")
    _pg_ctl(replica, "start")
    _run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.primary_port),
            "-U",
            "postgres",
            "-qc",
            "CREATE DATABASE xinfang",
        ]
    )


def _pg_ctl(data: Path, action: str) -> None:
    command = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(data.parent / f"{data.name}.log")]
    command += ["-m", "fast", action] if action == "stop" else [action]
    _run(_as_postgres(command))


def stop_postgres(cluster: Cluster) -> None:
    for name in ("pg-replica", "pg-primary"):
        data = cluster.path / name
        if (data / "postmaster.pid").exists():
            try:
                _pg_ctl(data, "stop")
            except subprocess.CalledProcessError as exc:
                print(f"  {name}: pg_ctl stop failed ({exc})", file=sys.stderr)


# --- the supervisor ----------------------------------------------------------------------------------


def services(cluster: Cluster) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Name -> (command, environment) of every supervised process, from the units."""
    table: dict[str, tuple[list[str], dict[str, str]]] = {}
    for number, port in enumerate(cluster.web_ports, 1):
        table[f"web-{number}"] = unit_command("xinfang-web@.service", str(port), env=cluster.env)
    for number in range(1, WORKERS + 1):
        table[f"worker-{number}"] = unit_command("xinfang-worker@.service", str(number), env=cluster.env)
    for number in range(1, SCHEDULERS + 1):
        table[f"scheduler-{number}"] = unit_command(
            "xinfang-scheduler@.service", str(number), env=cluster.env
        )
    return table


def supervise(cluster: Cluster) -> None:
    """Run every service; restart one that exits (after RESTART_SECONDS); on SIGTERM stop them all."""
    logs = cluster.path / "logs"
    logs.mkdir(exist_ok=True)
    table = services(cluster)
    children: dict[str, subprocess.Popen[bytes]] = {}
    restarts: dict[str, int] = dict.fromkeys(table, 0)
    stopping = False

    def spawn(name: str) -> None:
        command, env = table[name]
        log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 (the child keeps it)
        children[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        cluster.processes_file.write_text(json.dumps({n: p.pid for n, p in children.items()}))

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for name in table:
        spawn(name)
    while not stopping:
        time.sleep(0.2)
        for name, child in list(children.items()):
            if child.poll() is not None and not stopping:
                restarts[name] += 1
                (cluster.path / "restarts.json").write_text(json.dumps(restarts))
                time.sleep(RESTART_SECONDS)
                spawn(name)
    for child in children.values():
        _signal_group(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children.values():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(child.pid, signal.SIGKILL)
            child.wait()


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


# --- start, stop, status -----------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [int(s.getsockname()[1]) for s in sockets]
    for sock in sockets:
        sock.close()
    return ports


def cluster_environ(cluster: Cluster) -> dict[str, str]:
    from cryptography.fernet import Fernet

    base = cluster.path
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "XINFANG_", "DJANGO_"))},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PII_KEY": Fernet.generate_key().decode(),
        "EVENT_CHAIN_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": cluster.url,
        "SECURE_COOKIES": "false",  # plain HTTP on loopback
        "XINFANG_CLIENT_IP_HEADER": "X-Real-IP",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{cluster.primary_port}/xinfang",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{cluster.replica_port}/xinfang",
        "XINFANG_DB_POOL_SIZE": "4",
        "XINFANG_DB_STATEMENT_TIMEOUT_MS": "30000",
        "STATIC_ROOT": str(base / "static"),
        "XINFANG_VAR_DIR": str(base / "var"),
        "LOG_LEVEL": "WARNING",
    }


def manage(cluster: Cluster, *args: str, capture: bool = False) -> str:
    """Run `manage.py` with the cluster's settings; its log lines go to manage.log in the directory
    (printed if it fails); with `capture` its output is returned."""
    with open(cluster.path / "manage.log", "a") as log:
        done = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=cluster.env,
            stdout=subprocess.PIPE if capture else log,
            stderr=log,
            text=True,
        )
    if done.returncode:
        tail = (cluster.path / "manage.log").read_text().splitlines()[-20:]
        raise SystemExit(f"manage.py {args[0]} failed:\n" + "\n".join(tail))
    return done.stdout or ""


def start(directory: str | None, port: int, *, demo: bool) -> Cluster:
    if not PG_BIN.exists() or not Path(NGINX).exists():
        raise SystemExit("bin/cluster needs Debian's postgresql-15 and nginx: run bin/ensure-cluster-tools")
    base = Path(directory or tempfile.mkdtemp(prefix="xinfang-cluster-"))
    base.mkdir(parents=True, exist_ok=True)
    primary_port, replica_port, *web_ports = free_ports(2 + WEB_PROCESSES)
    cluster = Cluster(str(base), port, primary_port, replica_port, web_ports)
    cluster.env = cluster_environ(cluster)
    cluster.save()
    started = time.monotonic()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        base.chmod(0o755)
    print(f"cluster in {base}", flush=True)
    start_postgres(cluster)
    print(f"  PostgreSQL primary :{primary_port}, streaming replica :{replica_port}", flush=True)
    manage(cluster, "migrate", "--noinput")
    manage(cluster, "collectstatic", "--noinput", "-v", "0")
    if demo:
        manage(cluster, "load_demo", "--quiet-logins")
    print(
        f"  migrated{' with the demo data' if demo else ''} ({time.monotonic() - started:.0f} s)", flush=True
    )
    (base / "nginx").mkdir(exist_ok=True)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (base / "nginx" / name).mkdir(exist_ok=True)
        (base / "nginx" / name).chmod(0o777)  # nginx's workers run as an unprivileged user
    (base / "nginx" / "nginx.conf").write_text(nginx_config(cluster))
    _run([NGINX, "-c", str(base / "nginx" / "nginx.conf"), "-e", str(base / "nginx" / "error.log")])
    supervisor = subprocess.Popen(
        [str(VENV_BIN / "python"), str(Path(__file__).resolve()), "_supervise"],
        cwd=ROOT,
        stdout=open(base / "supervisor.log", "ab"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    cluster.supervisor_pid = supervisor.pid
    cluster.save()
    wait_healthy(cluster, timeout=60)
    print(
        f"  {WEB_PROCESSES} web processes :{', :'.join(map(str, web_ports))} behind nginx, "
        f"{WORKERS} workers, {SCHEDULERS} schedulers ({time.monotonic() - started:.0f} s)",
        flush=True,
    )
    print(f"Xinfang cluster: {cluster.url}" + ("  (staff login: dengji / Xinfang-2026)" if demo else ""))
    print("Stop it with: bin/cluster stop")
    return cluster


def health(cluster: Cluster, timeout: float = 3.0) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(f"{cluster.url}/healthz", timeout=timeout) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]
    except (OSError, ValueError):
        return None


def wait_healthy(cluster: Cluster, *, timeout: float) -> float:
    """Seconds until nginx answers /healthz with "ok"; SystemExit after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        body = health(cluster)
        if body and body.get("status") == "ok":
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"the cluster did not answer {cluster.url}/healthz within {timeout:.0f} s")


def stop(cluster: Cluster) -> None:
    print(f"stopping the cluster in {cluster.directory}", flush=True)
    if cluster.supervisor_pid:
        try:
            os.kill(cluster.supervisor_pid, signal.SIGTERM)
            for _ in range(300):
                os.kill(cluster.supervisor_pid, 0)
                time.sleep(0.1)
        except ProcessLookupError:
            pass
    pid_file = cluster.path / "nginx" / "nginx.pid"
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text()), signal.SIGQUIT)
    stop_postgres(cluster)
    shutil.rmtree(cluster.path, ignore_errors=True)
    STATE_FILE.unlink(missing_ok=True)
    print("stopped")


def status(cluster: Cluster) -> None:
    print(f"cluster in {cluster.directory}: {cluster.url}")
    print(f"  PostgreSQL primary :{cluster.primary_port}, replica :{cluster.replica_port}")
    for name, pid in sorted(cluster.processes().items()):
        alive = Path(f"/proc/{pid}").exists()
        print(f"  {name:12} pid {pid:<8} {'running' if alive else 'gone'}")
    print(f"  /healthz: {json.dumps(health(cluster), ensure_ascii=False)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bin/cluster", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    start_parser = commands.add_parser("start", help="start the cluster")
    start_parser.add_argument("--dir", help="the directory (default: a new temporary one)")
    start_parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    start_parser.add_argument("--demo", action="store_true", help="load the demonstration data")
    commands.add_parser("stop", help="stop it and remove its directory")
    commands.add_parser("status", help="its processes and its health check")
    commands.add_parser("_supervise")
    args = parser.parse_args(argv)
    if args.command == "start":
        if (old := Cluster.load()) is not None and Path(old.directory).exists():
            print(
                f"A cluster is already running from {old.directory} ({old.url}): bin/cluster stop",
                file=sys.stderr,
            )
            return 1
        try:
            start(args.dir, args.port, demo=args.demo)
        except BaseException:
            if (cluster := Cluster.load()) is not None:
                stop(cluster)
            raise
        return 0
    cluster = Cluster.load()
    if cluster is None:
        print("no cluster is running (var/cluster.json is absent)", file=sys.stderr)
        return 1
    if args.command == "_supervise":
        supervise(cluster)
    elif args.command == "stop":
        stop(cluster)
    else:
        status(cluster)
    return 0


if __name__ == "__main__":
    sys.exit(main())
