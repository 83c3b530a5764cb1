"""Where a load's CPU goes: the web workers, PostgreSQL and the load generator, from ``/proc``.

``with CpuSplit(server_pid) as split: ...`` then ``split.per_request_ms(n)``: the CPU time (user
and system) each part spent during the block, divided by the requests made, and how busy the
whole machine was. On a machine whose cores the load generator shares with the server, this says
what a throughput figure is bound by (Linux only; elsewhere every figure is 0).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[str, int, float, float] | None:
    """(command name, parent pid, CPU seconds, CPU seconds of its exited children) of a process,
    or None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    # after the name: state, ppid, ..., utime, stime, cutime, cstime (the 12th to the 15th)
    own = (int(fields[11]) + int(fields[12])) / TICK
    return name, int(fields[1]), own, (int(fields[13]) + int(fields[14])) / TICK


def _processes() -> dict[int, tuple[str, int, float, float]]:
    found = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def _busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0, 0.0
    ticks = [int(x) for x in first[:8]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / TICK, sum(ticks) / TICK


class CpuSplit:
    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.parts: dict[str, float] = {}
        self.busy = 0.0
        self.wall = 0.0

    def _sample(self) -> dict[str, float]:
        procs = _processes()
        # A process that exits hands its CPU time to its parent's count of exited children: a
        # worker restarted, a PostgreSQL backend of a connection that closed (a server opening a
        # connection per request spends much of its database time in starting backends).
        master = procs.get(self.server_pid)
        web = sum(cpu for _, ppid, cpu, _ in procs.values() if ppid == self.server_pid)
        web += master[2] + master[3] if master else 0.0
        database = sum(cpu + exited for name, _, cpu, exited in procs.values() if name == "postgres")
        return {"web": web, "postgresql": database, "load generator": time.process_time()}

    def __enter__(self) -> CpuSplit:
        self._start = self._sample()
        self._busy_start = _busy_seconds()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        end = self._sample()
        self.parts = {name: end[name] - self._start[name] for name in end}
        busy, total = _busy_seconds()
        self.busy = busy - self._busy_start[0]
        self.total = total - self._busy_start[1]
        self.wall = time.perf_counter() - self._wall

    def per_request_ms(self, requests: int) -> dict[str, float]:
        """Each part's CPU milliseconds per request, with the rest of the machine's busy time
        (``other``) and its busy share of all cores (``busy %``)."""
        if not requests:
            return {}
        out = {name: 1000 * cpu / requests for name, cpu in self.parts.items()}
        out["other"] = max(0.0, 1000 * (self.busy - sum(self.parts.values())) / requests)
        out["busy %"] = 100 * self.busy / self.total if self.total else 0.0
        return out


def describe(split: dict[str, float]) -> str:
    """One line of a `CpuSplit.per_request_ms` split."""
    if not split:
        return "CPU: no requests"
    cores = " + ".join(f"{name} {ms:.1f}" for name, ms in split.items() if name != "busy %")
    return f"CPU ms per request: {cores}; machine {split['busy %']:.0f} % busy"
