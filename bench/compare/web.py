"""HTTP and process helpers of the side-by-side benchmark (standard library only).

``login`` signs in through a Django login form (Xinfang's and helpdesk's are both at ``/login/``)
and returns an opener that keeps the session cookie; ``timed_get`` times GET requests under a
hard time budget; ``rss_kib`` and ``worker_rss`` read resident memory from ``/proc`` (VmRSS).
"""

from __future__ import annotations

import http.cookiejar
import re
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any


def login(base: str, username: str, password: str, path: str = "/login/") -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = opener.open(base + path, timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    if token is None:
        raise SystemExit(f"no CSRF token on {base + path}")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(base + path, data=body, headers={"Referer": base + path})
    answer = opener.open(request, timeout=60)
    if answer.geturl().endswith(path):
        raise SystemExit(f"login as {username} at {base + path} failed")
    return opener


def timed_get(
    opener: urllib.request.OpenerDirector,
    url: str,
    *,
    repeats: int,
    warmups: int = 1,
    budget_s: float = 120.0,
    timeout_s: float = 300.0,
    expect: str = "",
) -> dict[str, Any]:
    """`warmups` untimed requests, then up to `repeats` timed ones while the budget lasts (one is
    always made): seconds of each, HTTP status, bytes."""
    runs: list[float] = []
    started = time.monotonic()
    status, size = 0, 0
    for n in range(warmups + repeats):
        if n and time.monotonic() - started > budget_s:
            break
        t = time.perf_counter()
        try:
            with opener.open(url, timeout=timeout_s) as answer:
                page = answer.read()
                status = answer.status
        except urllib.error.HTTPError as exc:
            page, status = exc.read(), exc.code
        except OSError as exc:  # a timeout: the budget is spent
            return {"url": url, "error": str(exc), "runs_s": runs, "median_s": None, "status": 0}
        elapsed = time.perf_counter() - t
        size = len(page)
        if status != 200 or (expect and expect.encode() not in page):
            return {"url": url, "error": f"HTTP {status}, {size} bytes", "runs_s": runs, "median_s": None}
        if n >= warmups or warmups + repeats == 1:
            runs.append(elapsed)
        elif time.monotonic() - started > budget_s / 2:
            runs.append(elapsed)  # a warm-up that took half the budget counts as the measurement
            break
    return {
        "url": url,
        "runs_s": runs,
        "median_s": statistics.median(runs) if runs else None,
        "status": status,
        "bytes": size,
    }


def summary(result: dict[str, Any]) -> str:
    if result.get("median_s") is None:
        return f"failed: {result.get('error')}"
    runs = " ".join(f"{r:.3f}" for r in result["runs_s"])
    return f"median {result['median_s']:.3f} s ({runs}), {result.get('bytes', 0):,} bytes"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


def worker_rss(master: int) -> dict[str, int]:
    """VmRSS (KiB) of a gunicorn master and of each of its workers."""
    return {"master": rss_kib(master), **{f"worker{k}": rss_kib(p) for k, p in enumerate(children(master))}}
