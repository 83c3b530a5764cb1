"""Routing down the ladder through the API: city bureau -> county bureau -> county department."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from xinfang.api.tests.conftest import Api, intake_body
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import PASSWORD, World


def _staff(username: str, org: object, role: str) -> User:
    user = staff_user_create(username=username, full_name=username, password=PASSWORD)
    membership_grant(user=user, org=org, role=role)  # type: ignore[arg-type]
    return user


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()


def _refused(response: Any) -> dict[str, str]:
    assert response.status_code == 400, response.content.decode()
    [detail] = response.json()["detail"]
    return detail


def _actions(case: dict[str, Any]) -> set[str]:
    return {link["action"] for link in case["allowed_actions"]}


def test_a_case_is_routed_down_two_hops_through_the_api(world: World, api_as: Callable[[User], Api]) -> None:
    city = api_as(world.registrar)
    county = api_as(_staff("county_clerk", world.county_bureau, Role.REGISTRAR))
    labour = api_as(_staff("labour_clerk", world.county_labour, Role.HANDLER))

    case_id = _ok(city.post("/cases", intake_body(world), **{"Idempotency-Key": "hop-1"}), 201)["id"]
    case = _ok(city.act(case_id, "forward", {"to_org_id": world.county_bureau.pk}))
    assert case["current_org"]["id"] == world.county_bureau.pk

    # the county bureau is offered routing; before, 待受理 allowed only 受理 / 不予受理 / 异议退回
    held = _ok(county.get(f"/cases/{case_id}"))
    assert {"forward", "assign", "accept", "object"} <= _actions(held)

    upward = county.act(case_id, "forward", {"to_org_id": world.city_housing.pk})
    detail = _refused(upward)
    assert detail["field"] == "to_org_id" and "上级机关" in detail["message"]
    outside = county.act(
        case_id,
        "forward",
        {"to_org_id": world.county_labour.pk, "assisting_ids": [world.other_county_labour.pk]},
    )
    detail = _refused(outside)
    assert detail["field"] == "assisting_ids" and "交转范围" in detail["message"]

    due = (local_date() + dt.timedelta(days=30)).isoformat()
    case = _ok(county.act(case_id, "assign", {"to_org_id": world.county_labour.pk, "report_due": due}))
    assert case["status"] == "routed" and case["current_org"]["id"] == world.county_labour.pk
    assert [e["kind"] for e in case["events"] if e["kind"] in {"forwarded", "assigned"}] == [
        "forwarded",
        "assigned",
    ]

    at_unit = _ok(labour.get(f"/cases/{case_id}"))
    assert "forward" not in _actions(at_unit) and "assign" not in _actions(at_unit)
    refused = labour.act(case_id, "forward", {"to_org_id": world.town_office.pk})
    assert "不是信访部门" in _refused(refused)["message"]

    first = next(e["seq"] for e in case["events"] if e["kind"] == "forwarded")
    slip = city.get(f"/cases/{case_id}/documents/routing_slip", seq=first)
    assert slip.status_code == 200 and "%E8%BD%AC%E9%80%81%E5%8D%95" in slip["Content-Disposition"]  # 转送单
    last = city.get(f"/cases/{case_id}/documents/routing_slip")
    assert last.status_code == 200 and "%E4%BA%A4%E5%8A%9E%E5%8D%95" in last["Content-Disposition"]  # 交办单
