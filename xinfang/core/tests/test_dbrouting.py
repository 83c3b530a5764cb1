"""Which database a read goes to (core/dbrouting.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from xinfang.core import dbrouting
from xinfang.core.dbrouting import (
    LAG_SQL,
    PRIMARY,
    REPLICA,
    STICKY_COOKIE,
    PrimaryReplicaRouter,
    RecentWriteMiddleware,
    ReplicaState,
    read_alias,
    replica_reads,
)
from xinfang.core.models import Heartbeat


@pytest.fixture
def replica(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ReplicaState]]:
    """A configured replica whose state the test sets (the list's last item)."""
    states = [ReplicaState(True, 0.2)]
    monkeypatch.setattr(dbrouting, "replica_configured", lambda: True)
    monkeypatch.setattr(dbrouting, "replica_state", lambda fresh=False: states[-1])
    yield states


def test_without_a_replica_every_read_is_the_primarys() -> None:
    with replica_reads() as alias:
        assert alias == PRIMARY
        assert PrimaryReplicaRouter().db_for_read(Heartbeat) == PRIMARY


def test_reads_inside_a_replica_block_go_to_a_usable_replica(replica: list[ReplicaState]) -> None:
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Heartbeat) == PRIMARY  # outside a block
    with replica_reads() as alias:
        assert alias == REPLICA
        assert router.db_for_read(Heartbeat) == REPLICA
        assert router.db_for_write(Heartbeat) == PRIMARY
    assert read_alias() == PRIMARY
    assert router.allow_migrate(REPLICA, "core") is False
    assert router.allow_migrate(PRIMARY, "core") is True


def test_a_lagging_or_unreachable_replica_is_not_used(replica: list[ReplicaState]) -> None:
    replica.append(ReplicaState(False, 95.0, "95.0 s behind the primary"))
    with replica_reads() as alias:
        assert alias == PRIMARY
    replica.append(ReplicaState(False, None, "unreachable (OperationalError)"))
    with replica_reads() as alias:
        assert alias == PRIMARY


def _seen_alias(request: HttpRequest) -> HttpResponse:
    with replica_reads() as alias:
        return HttpResponse(alias)


def test_a_write_sends_the_same_browsers_next_reads_to_the_primary(
    replica: list[ReplicaState], settings: object
) -> None:
    middleware = RecentWriteMiddleware(_seen_alias)
    factory = RequestFactory()
    assert middleware(factory.get("/")).content == b"replica"
    posted = middleware(factory.post("/"))
    until = int(posted.cookies[STICKY_COOKIE].value)
    assert time.time() < until <= time.time() + 10 + 1
    after = factory.get("/")
    after.COOKIES[STICKY_COOKIE] = str(until)
    assert middleware(after).content == b"default"
    expired = factory.get("/")
    expired.COOKIES[STICKY_COOKIE] = str(int(time.time()) - 1)
    assert middleware(expired).content == b"replica"
    garbled = factory.get("/")
    garbled.COOKIES[STICKY_COOKIE] = "soon"
    assert middleware(garbled).content == b"replica"


def test_healthz_reports_the_replica_and_the_background_work(replica: list[ReplicaState], db: None) -> None:
    replica.append(ReplicaState(False, 42.0, "42.0 s behind the primary"))
    body = Client().get("/healthz").json()
    assert body["status"] == "ok"
    assert body["replica"] == {
        "status": "not used",
        "lag_seconds": 42.0,
        "detail": "42.0 s behind the primary",
    }
    assert body["background"] == {"last_heartbeat_seconds": None}


def test_the_lag_query_runs_on_postgresql(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the lag query uses PostgreSQL's replication functions")
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        assert float(cursor.fetchone()[0]) == 0.0  # a primary: nothing to replay
