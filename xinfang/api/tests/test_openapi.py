"""The OpenAPI document validates, and schemathesis, run in-process and bounded, finds no 5xx."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from xinfang.api.tokens import api_token_create
from xinfang.cases import services
from xinfang.cases.tests.helpers import register, to_accepted, to_delivered
from xinfang.testing.world import World

EXAMPLES_PER_STRATEGY = 5
TIME_BUDGET_S = 40.0  # shared by all operations, so the whole test stays under a minute


def test_the_openapi_document_validates_against_the_openapi_specification(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["components"]["securitySchemes"]["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert {"CaseRegisterIn", "CaseOut", "CaseListOut", "ErrorOut"} <= set(spec["components"]["schemas"])


def test_every_operation_is_documented_with_its_error_responses(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert len(operations) == 107
    for operation in operations:
        assert {"401", "404", "422"} <= set(operation["responses"]), operation["operationId"]
        assert operation["security"] == [{"TokenAuth": []}]


def _seed(world: World) -> dict[str, int]:
    """Cases in several states, so generated requests reach the services, not only 404s."""
    routed = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    return {
        "registered": register(world).pk,
        "routed": routed.pk,
        "accepted": to_accepted(world).pk,
        "delivered": to_delivered(world).pk,
    }


def _run(strategy: Any, *, until: float, examples: int) -> int:
    """Up to `examples` generated requests from `strategy`, none after `until`; returns how many."""
    sent = 0

    @given(case=strategy)
    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        nonlocal sent
        if time.monotonic() > until:
            return
        sent += 1
        case.call_and_validate(checks=[not_a_server_error])

    with contextlib.suppress(Unsatisfiable):  # nothing negative exists for an operation without inputs
        check()
    return sent


@pytest.fixture
def wsgi_app(settings: Any) -> Iterator[WSGIHandler]:
    """Django's WSGI application, run inside the test's transaction.

    A real WSGIHandler closes the database connection at the start and end of every request
    (close_old_connections), which would end the test's transaction on PostgreSQL; Django's own
    test client unhooks it the same way.
    """
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # werkzeug's test client's host
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_server_error(world: World, wsgi_app: WSGIHandler) -> None:
    seeded = _seed(world)
    # The registrar sees every seeded case and may act on most; the handler is the unit on the rest.
    tokens = [
        api_token_create(user=user, name="schemathesis")[1] for user in (world.registrar, world.handler)
    ]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 107
    # Each operation gets an equal slice of the budget, so a slow one cannot starve the rest.
    slice_s = TIME_BUDGET_S / len(operations)
    sent = 0
    for number, operation in enumerate(operations):
        until = time.monotonic() + slice_s
        headers = {"Authorization": f"Bearer {tokens[number % 2]}"}
        # Random ids (nearly always 404) and bodies that break the schema (422) ...
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE, headers=headers),
            operation.as_strategy(GenerationMode.NEGATIVE, headers=headers),
        ]
        # ... and valid bodies against real cases in several states, which reach the services.
        if "{case_id}" in operation.path:
            strategies += [
                operation.as_strategy(
                    GenerationMode.POSITIVE, headers=headers, path_parameters={"case_id": pk}
                )
                for pk in seeded.values()
            ]
        for strategy in strategies:
            sent += _run(strategy, until=until, examples=EXAMPLES_PER_STRATEGY)
    assert sent > 100
