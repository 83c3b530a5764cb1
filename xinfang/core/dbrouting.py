"""Reads that may go to a streaming replica, and everything else to the primary.

With `DATABASE_REPLICA_URL` set (docs/deployment.md), the heavy reads that do not need the last
second's writes run on the replica: the work reports' figures (`compute_report`), the exports and
the 类案预警 scan. They say so by running inside `replica_reads()`. Everything else, every write,
and every read in a request that comes soon after the same browser's own write (the
`RecentWriteMiddleware` cookie, `XINFANG_REPLICA_STICKY_SECONDS`), goes to the primary, so a clerk
who has just registered a case finds it in the figures they open next.

The replica is used only while it answers and is at most `XINFANG_REPLICA_MAX_LAG_SECONDS` behind
(checked at most every `XINFANG_REPLICA_CHECK_SECONDS` per process); otherwise the reads go to the
primary. Without a replica, `replica_reads()` changes nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
STICKY_COOKIE = "xf_primary_until"
# Seconds behind the primary, as the replica tells it: 0 when it has replayed all it received.
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)

_replica_block: contextvars.ContextVar[bool] = contextvars.ContextVar("xf_replica_block", default=False)
_recent_write: contextvars.ContextVar[bool] = contextvars.ContextVar("xf_recent_write", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def replica_reads() -> Iterator[str]:
    """Run the block's reads on the replica where one is usable; yields the alias they use."""
    token = _replica_block.set(True)
    try:
        yield read_alias()
    finally:
        _replica_block.reset(token)


def read_alias() -> str:
    """The alias the reads made here go to (for raw cursors and `transaction.atomic(using=...)`)."""
    if _replica_block.get() and not _recent_write.get() and replica_configured() and replica_state().usable:
        return REPLICA
    return PRIMARY


@dataclass(frozen=True)
class ReplicaState:
    """What the last check of the replica found: its lag in seconds, or why it is not usable."""

    usable: bool
    lag_seconds: float | None
    error: str = ""
    checked_at: float = 0.0


_state_lock = threading.Lock()
_state: ReplicaState | None = None


def replica_state(*, fresh: bool = False) -> ReplicaState:
    """The replica's state, checked again when the last check is older than the check interval."""
    global _state
    with _state_lock:
        interval = settings.XINFANG_REPLICA_CHECK_SECONDS
        if not fresh and _state is not None and time.monotonic() - _state.checked_at < interval:
            return _state
        _state = _check_replica()
        if not _state.usable:
            logger.warning("replica not used: %s", _state.error)
        return _state


def _check_replica() -> ReplicaState:
    moment = time.monotonic()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = float(cursor.fetchone()[0])
    except DatabaseError as exc:
        connections[REPLICA].close()
        return ReplicaState(False, None, f"unreachable ({type(exc).__name__})", moment)
    if lag > settings.XINFANG_REPLICA_MAX_LAG_SECONDS:
        return ReplicaState(False, lag, f"{lag:.1f} s behind the primary", moment)
    return ReplicaState(True, lag, "", moment)


def forget_replica_state() -> None:
    """Drop the cached check (tests; after a failover)."""
    global _state
    with _state_lock:
        _state = None


class PrimaryReplicaRouter:
    """DATABASE_ROUTERS entry: `replica_reads()` blocks read the replica; the rest is the primary's."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class RecentWriteMiddleware:
    """After a request that may have written (not GET/HEAD/OPTIONS), this browser's requests for
    the next `XINFANG_REPLICA_STICKY_SECONDS` read only the primary (a cookie holds the moment)."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        token = _recent_write.set(_until(request) > time.time())
        try:
            response = self.get_response(request)
        finally:
            _recent_write.reset(token)
        if request.method not in self.SAFE:
            sticky = settings.XINFANG_REPLICA_STICKY_SECONDS
            response.set_cookie(
                STICKY_COOKIE,
                str(int(time.time() + sticky)),
                max_age=sticky,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


def _until(request: HttpRequest) -> float:
    try:
        return float(request.COOKIES.get(STICKY_COOKIE, "0"))
    except ValueError:
        return 0.0
