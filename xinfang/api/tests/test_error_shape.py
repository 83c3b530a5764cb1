"""Under /api/ every error has the documented JSON shape, whatever DEBUG is; pages keep HTML errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from xinfang.api.tests.conftest import Api, intake_body
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request: pytest.FixtureRequest, settings: Any) -> bool:
    settings.DEBUG = request.param
    return bool(request.param)


def _only_item(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    (item,) = response.json()["detail"]
    assert set(item) == {"field", "message", "code"}
    return item


def test_a_body_over_the_size_limit_is_a_413_in_the_error_shape(
    world: World, api_as: ApiAs, settings: Any, debug: bool
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
    body = intake_body(world, content="墙" * (1024 * 1024))  # 3 MB of UTF-8
    response = api_as(world.registrar).post("/cases", body)
    assert response.status_code == 413
    assert _only_item(response) == {
        "field": "body",
        "message": "请求体过大：不能超过 2 MB。",
        "code": "too_large",
    }
    assert not Case.objects.exists()


def test_a_body_just_under_the_limit_is_read(world: World, api_as: ApiAs, settings: Any, debug: bool) -> None:
    body = intake_body(world)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(json.dumps(body).encode())
    assert api_as(world.registrar).post("/cases", body).status_code == 201


def test_an_unknown_api_path_is_a_json_404(world: World, api_as: ApiAs, debug: bool) -> None:
    api = api_as(world.registrar)
    for path in ("/api/v1/no-such-thing", "/api/v1/cases/1/no-such-action", "/api/v2/cases"):
        response = api.client.get(path, headers=api.headers)
        assert response.status_code == 404, path
        item = _only_item(response)
        assert item["code"] == "not_found" and path in item["message"]
    response = api.client.post(
        "/api/v1/cases/1/fly", "{}", content_type="application/json", headers=api.headers
    )
    assert response.status_code == 404 and _only_item(response)["code"] == "not_found"


def test_a_wrong_method_on_a_known_path_is_a_json_405(world: World, api_as: ApiAs, debug: bool) -> None:
    api = api_as(world.registrar)
    response = api.client.delete("/api/v1/cases", headers=api.headers)
    assert response.status_code == 405
    item = _only_item(response)
    assert item["code"] == "method_not_allowed" and "DELETE" in item["message"]
    assert "GET" in item["message"] and "POST" in item["message"]
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "POST"}


def test_pages_outside_the_api_keep_their_html_error_pages(world: World, debug: bool) -> None:
    client = Client()
    client.force_login(world.registrar)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_an_unexpected_exception_is_a_json_500_without_a_traceback(
    world: World, api_as: ApiAs, debug: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xinfang.api import cases

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cases, "case_detail_out", broken)
    api = api_as(world.registrar)
    client = Client(raise_request_exception=False)
    response = client.get(f"/api/v1/cases/{register(world).pk}", headers=api.headers)
    assert response.status_code == 500
    item = _only_item(response)
    assert item["code"] == "server_error" and "Traceback" not in response.content.decode()
