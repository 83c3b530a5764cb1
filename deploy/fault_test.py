"""The cluster's fault test (`make test-cluster`): faults under a bounded load of intake, then checks.

It starts the topology of `bin/cluster` (deploy/cluster.py) without the demo data, builds a small
world (`xinfang.testing.world`) and an API token for its registrar, and runs `CLIENTS` intake
clients through nginx for `LOAD_SECONDS` seconds: each sends one new matter after the other
(`POST /api/v1/cases`, its own `Idempotency-Key`), and retries the same key after a refused
connection, a 5xx or no answer, as the API guide asks of intake clients. During the load it

1. kills one web process (its gunicorn, all of it, with SIGKILL);
2. kills one worker (SIGKILL), one that is running a task if it can catch one at it;
3. kills one scheduler (SIGKILL);
4. terminates every database connection once (`pg_terminate_backend`, primary and replica);

and after each fault measures how long until an intake through nginx is answered 2xx again.
The supervisor restarts what was killed, as systemd would. After the load it waits for the
queue to drain, then checks (the tasks and periodic slots enqueued until the queue was found
empty: the schedulers go on enqueueing):

- every submission answered 2xx is in the database exactly once (its case, through its key), and
  no submission is there twice (the matters are told apart by a serial in their text);
- no task was lost (none left READY or RUNNING, none given up as abandoned) and none ran twice
  (a task re-run after its worker was killed left one set of effects: the heartbeat job's rows,
  one per task, and the petitioners' messages, one per event and recipient);
- each periodic slot was enqueued once and ran once (every minute's heartbeat slot during the
  test, with exactly one heartbeat row);
- the service answered again within `RECOVERY_LIMIT_S` seconds of each fault.

It prints the figures and exits non-zero if a check fails. The cluster is stopped in any case.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

import cluster as topology

CLIENTS = 8
LOAD_SECONDS = 75.0
FAULTS_AT = {"web": 10.0, "worker": 20.0, "scheduler": 30.0, "database": 40.0}
RECOVERY_LIMIT_S = 10.0
RETRY_FOR_S = 30.0  # a client gives a submission up after retrying it this long
DRAIN_LIMIT_S = 150.0

SETUP = """
import json
from xinfang.api.tokens import api_token_create
from xinfang.testing.world import build_world
world = build_world()
token = api_token_create(user=world.registrar, name="fault-test")[1]
print(json.dumps({"token": token, "org_id": world.city_bureau.pk, "region": world.county.code}))
"""


@dataclass
class Submission:
    serial: int
    key: str
    status: int = 0
    number: str = ""
    attempts: int = 0
    answered_at: float = 0.0
    latency: float = 0.0


@dataclass
class Load:
    port: int
    token: str
    org_id: int
    region: str
    started: float = field(default_factory=time.monotonic)
    stop: threading.Event = field(default_factory=threading.Event)
    submissions: list[Submission] = field(default_factory=list)
    ok_times: list[float] = field(default_factory=list)  # monotonic moments of 2xx answers
    lock: threading.Lock = field(default_factory=threading.Lock)
    serial: int = 0
    retries: int = 0
    answers: Counter[str] = field(default_factory=Counter)

    def body(self, serial: int) -> bytes:
        return json.dumps(
            {
                "org_id": self.org_id,
                "channel": "letter",
                "nature": "appeal",
                "category_code": "030100",
                "subject": f"小区住房质量问题（故障测试 第 {serial} 件）",
                "content": f"故障测试编号FT{serial:06d}：某小区{serial}号楼墙体开裂，请求督促维修。",
                "problem_region_code": self.region,
                "petitioners": [{"name": f"张{serial}", "phone": f"139{serial:08d}"}],
            },
            ensure_ascii=False,
        ).encode()

    def client(self) -> None:
        connection: http.client.HTTPConnection | None = None
        while not self.stop.is_set():
            with self.lock:
                self.serial += 1
                sub = Submission(self.serial, f"fault-{os.getpid()}-{self.serial}")
                self.submissions.append(sub)
            body, first = self.body(sub.serial), time.monotonic()
            while time.monotonic() - first < RETRY_FOR_S:
                sub.attempts += 1
                try:
                    connection = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
                    connection.request(
                        "POST",
                        "/api/v1/cases",
                        body=body,
                        headers={
                            "Authorization": f"Bearer {self.token}",
                            "Idempotency-Key": sub.key,
                            "Content-Type": "application/json",
                        },
                    )
                    response = connection.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    self._count(type(exc).__name__)
                    connection = self._close(connection)
                    time.sleep(0.2)
                    continue
                self._count(str(response.status))
                if response.status < 300:
                    sub.status, sub.number = response.status, json.loads(payload)["number"]
                    sub.answered_at, sub.latency = time.monotonic(), time.monotonic() - first
                    with self.lock:
                        self.ok_times.append(sub.answered_at)
                    break
                if response.status < 500:  # a refusal is final: the matter was not accepted
                    sub.status = response.status
                    break
                connection = self._close(connection)
                time.sleep(0.2)
            if sub.attempts > 1:
                with self.lock:
                    self.retries += sub.attempts - 1

    def _count(self, answer: str) -> None:
        with self.lock:
            self.answers[answer] += 1

    @staticmethod
    def _close(connection: http.client.HTTPConnection | None) -> None:
        if connection is not None:
            connection.close()

    def first_ok_after(self, moment: float) -> float | None:
        with self.lock:
            later = [t for t in self.ok_times if t > moment]
        return min(later) - moment if later else None


# --- the faults --------------------------------------------------------------------------------------


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def busy_worker(cluster: topology.Cluster) -> str:
    """The supervised name of a worker running a task now, if one is caught within 5 s."""
    host = topology.socket.gethostname()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        rows = psql(
            cluster, "SELECT worker_ids->>-1 FROM django_tasks_database_dbtaskresult WHERE status='RUNNING'"
        )
        for worker_id in rows:
            if worker_id.startswith(f"{host}-"):
                return f"worker-{worker_id.rsplit('-', 1)[1]}"
        time.sleep(0.02)
    return "worker-1"


def psql(cluster: topology.Cluster, sql: str, *, port: int | None = None) -> list[str]:
    done = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(port or cluster.primary_port),
            "-U",
            "postgres",
            "-d",
            "xinfang",
            "-Atc",
            sql,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if line]


TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = 'xinfang' AND pid <> pg_backend_pid()"
)


def inflict(cluster: topology.Cluster, fault: str) -> str:
    """Do one fault; says what was done."""
    processes = cluster.processes()
    if fault == "web":
        kill_group(processes["web-1"])
        return "SIGKILL web-1 (gunicorn master and workers)"
    if fault == "worker":
        name = busy_worker(cluster)
        kill_group(processes[name])
        return f"SIGKILL {name}"
    if fault == "scheduler":
        kill_group(processes["scheduler-1"])
        return "SIGKILL scheduler-1"
    primary = psql(cluster, TERMINATE)[0]
    replica = psql(cluster, TERMINATE, port=cluster.replica_port)[0]
    return f"terminated {primary} primary and {replica} replica connections"


# --- the checks --------------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


# The schedulers go on enqueueing after the load (a heartbeat every minute): the checks cover the
# tasks enqueued before the queue was found empty, less this margin for a scheduler's transaction
# that took its timestamp before the look and committed after it.
COMMIT_MARGIN = "2 seconds"


def drain(cluster: topology.Cluster) -> tuple[float, str]:
    """Seconds until no task is READY or RUNNING (abandoned ones are requeued by the workers), and
    the moment up to which the checks look; (-1, that moment) when the queue did not drain."""
    started = time.monotonic()
    while True:
        left, until = psql(
            cluster,
            "SELECT count(*), now() - interval '"
            + COMMIT_MARGIN
            + "' FROM django_tasks_database_dbtaskresult "
            "WHERE status IN ('READY', 'RUNNING')",
        )[0].split("|")
        if int(left) == 0:
            return time.monotonic() - started, until
        if time.monotonic() - started >= DRAIN_LIMIT_S:
            return -1.0, until
        time.sleep(1)


def check_submissions(cluster: topology.Cluster, load: Load) -> list[Check]:
    ok = [s for s in load.submissions if 200 <= s.status < 300]
    rows = psql(
        cluster,
        "SELECT k.key, c.number FROM cases_idempotencykey k JOIN cases_case c ON c.id = k.case_id "
        "WHERE k.key LIKE 'fault-%'",
    )
    by_key = dict(row.split("|") for row in rows)
    missing = [s.key for s in ok if by_key.get(s.key) != s.number]
    serials = Counter(
        psql(
            cluster,
            "SELECT substring(content from 'FT([0-9]{6})') FROM cases_case WHERE content LIKE '故障测试编号FT%'",
        )
    )
    twice = [serial for serial, count in serials.items() if count > 1]
    return [
        Check(
            "every 2xx submission is in the database",
            not missing,
            f"{len(ok)} answered 2xx, {len(missing)} of them missing {missing[:5]}",
        ),
        Check(
            "no submission is in the database twice",
            not twice and len(serials) == len(by_key),
            f"{len(serials)} matters, {len(by_key)} keys, {len(twice)} duplicated {twice[:5]}",
        ),
    ]


def check_tasks(cluster: topology.Cluster, until: str) -> list[Check]:
    states = dict(
        row.split("|")
        for row in psql(
            cluster, "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
        )
    )
    # Left waiting or running: a task enqueued before the queue was found empty (a later one is
    # the schedulers' next slot, not a lost task).
    left = psql(
        cluster,
        "SELECT task_path || ' ' || status FROM django_tasks_database_dbtaskresult "
        f"WHERE status IN ('READY', 'RUNNING') AND enqueued_at < '{until}'",
    )
    abandoned = int(
        psql(
            cluster,
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE exception_class_path = 'xinfang.core.worker.TaskAbandoned'",
        )[0]
    )
    failed = psql(
        cluster,
        "SELECT task_path || ': ' || exception_class_path FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'",
    )
    rerun = int(
        psql(
            cluster,
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE jsonb_array_length(worker_ids) > 1",
        )[0]
    )
    beats_twice = psql(cluster, "SELECT task_id FROM core_heartbeat GROUP BY task_id HAVING count(*) > 1")
    messages_twice = psql(
        cluster,
        "SELECT event_id FROM notifications_petitionermessage GROUP BY event_id, template, channel "
        "HAVING count(*) > 1",
    )
    return [
        Check(
            "no task lost",
            not left and abandoned == 0 and not failed,
            f"results by status {states}; left: {left[:3]}; re-run after a kill: {rerun}; "
            f"abandoned: {abandoned}; failed: {failed[:3]}",
        ),
        Check(
            "no task ran twice",
            not beats_twice and not messages_twice,
            f"heartbeats with two rows: {len(beats_twice)}; petitioner messages twice: {len(messages_twice)}",
        ),
    ]


def check_slots(cluster: topology.Cluster, since: str, until: str) -> list[Check]:
    runs = psql(
        cluster,
        "SELECT r.job, r.slot, coalesce(t.status, 'none'), (SELECT count(*) FROM core_heartbeat h "
        "WHERE h.task_id = r.task_result_id) FROM core_periodicrun r LEFT JOIN "
        "django_tasks_database_dbtaskresult t ON t.id::text = r.task_result_id "
        f"WHERE r.enqueued_at >= '{since}' AND r.enqueued_at < '{until}' ORDER BY r.slot",
    )
    parsed = [row.split("|") for row in runs]
    not_run = [f"{job}@{slot}" for job, slot, state, _ in parsed if state != "SUCCESSFUL"]
    beats = [(slot, int(count)) for job, slot, _, count in parsed if job == "heartbeat"]
    bad_beats = [slot for slot, count in beats if count != 1]
    return [
        Check(
            "each periodic slot ran once",
            not not_run and not bad_beats and len(beats) >= 1,
            f"{len(parsed)} slots enqueued, {len(beats)} of them heartbeat minutes; not run: {not_run[:3]}; "
            f"heartbeat slots without exactly one run: {bad_beats[:3]}",
        ),
    ]


def run(load_seconds: float) -> int:
    port = topology.free_ports(1)[0]
    cluster = topology.start(None, port, demo=False)
    try:
        setup = json.loads(
            topology.manage(cluster, "shell", "-c", SETUP, capture=True).strip().splitlines()[-1]
        )
        since = psql(cluster, "SELECT now()")[0]
        load = Load(port, setup["token"], setup["org_id"], setup["region"])
        threads = [threading.Thread(target=load.client, daemon=True) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        print(f"load: {CLIENTS} intake clients through nginx for {load_seconds:.0f} s", flush=True)
        recoveries: list[tuple[str, str, float]] = []
        for fault, at in sorted(FAULTS_AT.items(), key=lambda item: item[1]):
            time.sleep(max(0.0, load.started + at * load_seconds / LOAD_SECONDS - time.monotonic()))
            moment = time.monotonic()
            done = inflict(cluster, fault)
            print(f"  t={moment - load.started:5.1f} s  {done}", flush=True)
            recoveries.append((fault, done, moment))
        time.sleep(max(0.0, load.started + load_seconds - time.monotonic()))
        load.stop.set()
        for thread in threads:
            thread.join(RETRY_FOR_S + 20)
        elapsed = time.monotonic() - load.started
        drained, until = drain(cluster)
        checks = (
            check_submissions(cluster, load)
            + check_tasks(cluster, until)
            + check_slots(cluster, since, until)
        )
        recovered = [(fault, done, load.first_ok_after(moment)) for fault, done, moment in recoveries]
        checks.append(
            Check(
                f"answered again within {RECOVERY_LIMIT_S:.0f} s of each fault",
                all(r is not None and r < RECOVERY_LIMIT_S for _, _, r in recovered),
                "; ".join(f"{fault}: {'never' if r is None else f'{r:.2f} s'}" for fault, _, r in recovered),
            )
        )
        ok = [s for s in load.submissions if 200 <= s.status < 300]
        latencies = sorted(s.latency * 1000 for s in ok)
        print(
            f"\nintake: {len(load.submissions)} submissions, {len(ok)} answered 2xx "
            f"({len(ok) / elapsed:.1f}/s), {load.retries} retries; answers {dict(load.answers)}"
        )
        if latencies:
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            print(f"  latency with retries: p50 {statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms")
        print(
            f"  queue drained {drained:.1f} s after the load" if drained >= 0 else "  the queue did not drain"
        )
        restarts = (
            json.loads((cluster.path / "restarts.json").read_text())
            if (cluster.path / "restarts.json").exists()
            else {}
        )
        print(f"  restarted by the supervisor: {restarts}\n")
        for check in checks:
            print(f"{'PASS' if check.passed else 'FAIL'}  {check.name}: {check.detail}")
        return 0 if all(check.passed for check in checks) else 1
    finally:
        topology.stop(cluster)


def main() -> int:
    parser = argparse.ArgumentParser(description="The cluster's fault test (make test-cluster).")
    parser.add_argument("--seconds", type=float, default=LOAD_SECONDS, help="length of the load")
    args = parser.parse_args()
    return run(args.seconds)


if __name__ == "__main__":
    sys.exit(main())
