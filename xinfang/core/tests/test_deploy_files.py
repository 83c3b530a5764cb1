"""deploy/: the units and the nginx configuration bin/cluster runs (deploy/cluster.py)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"


def _topology() -> ModuleType:
    spec = importlib.util.spec_from_file_location("xinfang_cluster", DEPLOY / "cluster.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["xinfang_cluster"] = module
    spec.loader.exec_module(module)
    return module


def _cluster(topology: ModuleType, tmp_path: Path) -> object:
    return topology.Cluster(str(tmp_path), 18080, 15432, 15433, [18001, 18002])


def test_the_units_command_lines_are_what_the_cluster_runs(tmp_path: Path) -> None:
    topology = _topology()
    venv = str(topology.VENV_BIN)
    web, env = topology.unit_command("xinfang-web@.service", "18001", env={"A": "1"})
    assert web[:2] == [f"{venv}/gunicorn", "config.wsgi:application"]
    assert "127.0.0.1:18001" in web and env == {"A": "1"}
    worker, env = topology.unit_command("xinfang-worker@.service", "2", env={"A": "1"})
    assert worker[:4] == [f"{venv}/python", "manage.py", "db_worker", "--no-reload"]
    assert worker[-1].endswith("-2")  # --worker-id <host>-<instance>: unique in the pool
    assert env["XINFANG_DB_STATEMENT_TIMEOUT_MS"] == "600000"
    scheduler, _ = topology.unit_command("xinfang-scheduler@.service", "1", env={})
    assert scheduler[1:3] == ["manage.py", "scheduler"]
    names = set(topology.services(_cluster(topology, tmp_path)))
    assert names == {"web-1", "web-2", "worker-1", "worker-2", "worker-3", "scheduler-1", "scheduler-2"}


def test_the_nginx_configuration_points_at_the_clusters_web_processes(tmp_path: Path) -> None:
    topology = _topology()
    config = topology.nginx_config(_cluster(topology, tmp_path))
    assert "server 127.0.0.1:18001 max_fails=1" in config and "server 127.0.0.1:18002" in config
    assert "10.0.1." not in config and "listen 127.0.0.1:18080;" in config
    assert "non_idempotent" not in config  # nginx must never send a POST a second time itself
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (bin/ensure-cluster-tools installs it)")
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "nginx" / name).mkdir(parents=True)
    (tmp_path / "nginx" / "nginx.conf").write_text(config)
    checked = subprocess.run(
        [topology.NGINX, "-t", "-c", str(tmp_path / "nginx" / "nginx.conf"), "-e", str(tmp_path / "err.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
