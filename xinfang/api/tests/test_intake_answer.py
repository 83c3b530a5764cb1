"""The answer to an intake: built from what was registered, and a 201 even when building it fails.

A client that gets an error after its case was committed submits it again; the case must then be
registered once (the answer still says 201 with the id; a retry with the key replays the case).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from xinfang.api.tests.conftest import Api, intake_body
from xinfang.cases.models import Case, IdempotencyKey
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


def _connection_lost(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize("key", [None, "hotline-2026-0042"])
def test_a_failure_after_the_commit_still_answers_201_with_the_case(
    world: World, api_as: ApiAs, monkeypatch: Any, key: str | None
) -> None:
    # the deadline clocks of the answer are the last thing computed: the connection is gone by then
    monkeypatch.setattr("xinfang.api.presenters.case_clocks", _connection_lost)
    headers = {"Idempotency-Key": key} if key else {}
    response = api_as(world.registrar).post("/cases", intake_body(world), **headers)
    assert response.status_code == 201
    case = Case.objects.get()
    assert response.json()["id"] == case.pk and response.json()["number"] == case.number


def test_a_body_that_does_not_fit_the_schema_still_answers_201_with_the_case(
    world: World, api_as: ApiAs, monkeypatch: Any
) -> None:
    monkeypatch.setattr("xinfang.api.cases.registration_out", lambda *args, **kwargs: {"id": 0})
    response = api_as(world.registrar).post("/cases", intake_body(world))
    assert response.status_code == 201 and response.json()["id"] == Case.objects.get().pk


def test_a_retry_with_the_key_after_a_failed_answer_returns_the_same_case(
    world: World, api_as: ApiAs, monkeypatch: Any
) -> None:
    api = api_as(world.registrar)
    headers = {"Idempotency-Key": "hotline-2026-0043"}
    with monkeypatch.context() as patch:
        patch.setattr("xinfang.api.presenters.case_clocks", _connection_lost)
        first = api.post("/cases", intake_body(world), **headers)
    retry = api.post("/cases", intake_body(world), **headers)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"] == Case.objects.get().pk
    assert retry.json()["petitioners"][0]["name"] == "张三"  # the replay is the full detail
    assert IdempotencyKey.objects.count() == 1


def test_the_answer_is_built_without_reading_the_case_back(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    with CaptureQueriesContext(connection) as captured:
        response = api.post("/cases", intake_body(world), **{"Idempotency-Key": "k-read-back"})
    assert response.status_code == 201
    sql = [q["sql"] for q in captured.captured_queries]
    # the one role check of the registrar; the access policy and the unmasking rule read none
    assert sum('"orgs_membership"' in s for s in sql) == 1
    written = max(i for i, s in enumerate(sql) if s.startswith("INSERT"))
    assert not [s for s in sql[written:] if s.startswith("SELECT") and "deadlines_" not in s]
    body = response.json()
    assert body["petitioners"][0]["name"] == "张三" and body["petitioners"][0]["masked"] is False
    assert [e["kind"] for e in body["events"]] == ["registered"]
    assert body["units"] == [
        {
            "org": {"id": world.city_bureau.pk, "name": world.city_bureau.name},
            "role": "lead",
            "role_label": body["units"][0]["role_label"],
            "is_active": True,
            "since": body["registered_at"],
        }
    ]
    # the same body as reading the case afterwards
    again = api.get(f"/cases/{body['id']}").json()
    assert body == again
