"""What the validators enforce, the OpenAPI document declares; what it does not declare is refused."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from xinfang.api.tests.conftest import Api, errors_by_field, intake_body
from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


@pytest.fixture
def spec(client: Client) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()


def _param(spec: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    parameters = spec["paths"][f"/api/v1{path}"][method]["parameters"]
    return next(p for p in parameters if p["name"] == name)


def _string(schema: dict[str, Any]) -> dict[str, Any]:
    """The string branch of an optional value (anyOf [string, null])."""
    return next((s for s in schema.get("anyOf", []) if s.get("type") == "string"), schema)


def _matches(pattern: str, value: str) -> bool:
    return re.search(pattern, value) is not None


def test_dates_declare_their_format_and_the_1900_2999_bounds(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for schema in (
        _string(schemas["CaseRegisterIn"]["properties"]["received_on"]),
        schemas["AssignIn"]["properties"]["report_due"],
        _string(_param(spec, "/cases", "get", "registered_from")["schema"]),
    ):
        assert schema["type"] == "string" and schema["format"] == "date"
        pattern = schema["pattern"]
        assert _matches(pattern, "1900-01-01") and _matches(pattern, "2999-12-31")
        assert not _matches(pattern, "1899-12-31") and not _matches(pattern, "3000-01-01")
        assert not _matches(pattern, "2025-01-01T00:00:00")


def test_the_idempotency_key_and_the_cursors_declare_what_is_enforced(spec: dict[str, Any]) -> None:
    key = _string(_param(spec, "/cases", "post", "Idempotency-Key")["schema"])
    assert (key["minLength"], key["maxLength"]) == (1, 128)
    assert _matches(key["pattern"], "hotline-20260302-000123") and _matches(key["pattern"], "a b")
    assert not _matches(key["pattern"], " a") and not _matches(key["pattern"], "键")
    for path in ("/cases", "/cases/due-soon", "/cases/overdue"):
        cursor = _string(_param(spec, path, "get", "cursor")["schema"])
        assert cursor["maxLength"] == 200 and cursor["pattern"] == "^[A-Za-z0-9_-]*$", path


def test_every_request_body_is_declared_an_object(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]
        for path in spec["paths"].values()
        for operation in path.values()
        if "requestBody" in operation
    ]
    assert len(bodies) > 20
    for path in spec["paths"].values():
        for operation in path.values():
            assert ("413" in operation["responses"]) == ("requestBody" in operation), operation["operationId"]
    for body in bodies:
        assert set(body) <= {"$ref", "allOf", "default"}, body  # never anyOf [..., null]
        ref = body["$ref"] if "$ref" in body else body["allOf"][0]["$ref"]
        assert schemas[ref.rsplit("/", 1)[1]]["type"] == "object"


@pytest.mark.parametrize("body", [[], [{"subject": "x"}], "墙体开裂", 42, None, True])
def test_a_body_that_is_not_a_json_object_is_refused(world: World, api_as: ApiAs, body: Any) -> None:
    api = api_as(world.registrar)
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    for path in ("/cases/similar", f"/cases/{case.pk}/accept"):
        response = api.client.post(
            f"/api/v1{path}", data=json.dumps(body), content_type="application/json", headers=api.headers
        )
        assert response.status_code == 422, (path, response.content)
        assert response.json() == {
            "detail": [{"field": "body", "message": "请求体应为 JSON 对象。", "code": "invalid"}]
        }
    assert Case.objects.get(pk=case.pk).status == "routed"


@pytest.mark.parametrize(
    "received_on",
    ["2025-01-01T00:00:00", "2025-01-01T00:00:00Z", 1735689600, "1735689600", "20250101", "1899-12-31"],
)
def test_a_date_that_is_not_yyyy_mm_dd_in_range_is_refused(
    world: World, api_as: ApiAs, received_on: Any
) -> None:
    response = api_as(world.registrar).post("/cases", intake_body(world, received_on=received_on))
    assert response.status_code == 422, response.content
    assert "1900-01-01 至 2999-12-31" in errors_by_field(response)["received_on"]["message"]
    assert not Case.objects.exists()


def test_a_date_query_parameter_is_refused_likewise(world: World, api_as: ApiAs) -> None:
    response = api_as(world.registrar).get("/cases", registered_from="2025-01-01T00:00:00")
    assert response.status_code == 422 and "registered_from" in errors_by_field(response)
    assert api_as(world.registrar).get("/cases", registered_from="2025-01-01").status_code == 200


@pytest.mark.parametrize("key", ["   ", " leading", "trailing ", "tab\tinside", "键-0001"])
def test_an_idempotency_key_outside_the_declared_pattern_is_refused(
    world: World, api_as: ApiAs, key: str
) -> None:
    response = api_as(world.registrar).post("/cases", intake_body(world), **{"Idempotency-Key": key})
    assert response.status_code == 422, response.content
    assert "Idempotency-Key" in errors_by_field(response)
    assert not Case.objects.exists()


def test_a_cursor_outside_its_alphabet_is_refused_by_the_schema(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    for path in ("/cases", "/cases/overdue"):
        response = api.get(path, cursor="WyIy+MDI2/==")
        assert response.status_code == 422 and errors_by_field(response)["cursor"]["code"] == "invalid", path
    assert api.get("/cases", cursor="").status_code == 200  # empty: the first page
