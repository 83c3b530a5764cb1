"""An API client per persona, authenticated with a real token, and builders of request bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from xinfang.api.tokens import api_token_create
from xinfang.orgs.models import User
from xinfang.testing.world import World


class Api:
    """Calls /api/v1/ as one user (or anonymously) and returns Django test responses."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps({} if body is None else body),
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def act(self, case_id: int, action: str, body: Any = None) -> Any:
        return self.post(f"/cases/{case_id}/{action}", body)


@pytest.fixture
def api_as(world: World) -> Callable[[User], Api]:
    """api_as(world.handler) -> an Api that sends the handler's token."""
    tokens: dict[int, str] = {}

    def make(user: User) -> Api:
        if user.pk not in tokens:
            tokens[user.pk] = api_token_create(user=user, name="测试")[1]
        return Api(tokens[user.pk])

    return make


@pytest.fixture
def anonymous() -> Api:
    return Api(None)


def intake_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "org_id": world.city_bureau.pk,
        "channel": "visit",
        "nature": "appeal",
        "category_code": "030100",
        "subject": "小区住房质量问题长期未解决",
        "content": "本人购买的青山县某小区住房墙体开裂，多次向开发商反映未果，请求有关部门督促维修。",
        "problem_region_code": world.county.code,
        "headcount": 1,
        "petitioners": [
            {
                "name": "张三",
                "id_number": "11010519491231002X",
                "phone": "13800138000",
                "address": "青山县城关镇幸福路1号",
            }
        ],
    }
    body.update(overrides)
    return body


def reply_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "outcome": "support",
        "request": "请求督促开发商维修房屋墙体裂缝。",
        "facts": "经现场核查，该房屋外墙存在裂缝，属于保修范围。",
        "reasons": "开发商应在保修期内承担维修责任。",
        "legal_basis": "《建设工程质量管理条例》第四十条",
        "tags": ["solved"],
    }
    body.update(overrides)
    return body


def errors_by_field(response: Any) -> dict[str | None, dict[str, Any]]:
    return {item["field"]: item for item in response.json()["detail"]}
