from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xinfang.api.tests.conftest import Api, intake_body, reply_body
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import membership_grant
from xinfang.testing.world import World


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    return response.json()


def test_a_case_climbs_the_whole_ladder_to_termination_through_the_api_alone(
    world: World, api_as: Callable[[User], Api]
) -> None:
    registrar, handler, leader = api_as(world.registrar), api_as(world.handler), api_as(world.leader)
    # 复查 goes to city_housing's superior, the city government (the leader's organ); 复核 to the
    # province, where the leader is given a seat for this test.
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    # Each organ's opinions are approved by its 审核人 (Org.requires_approval is on by default).
    approver = api_as(world.approver)
    for organ in (world.city_gov, world.province_gov):
        membership_grant(user=world.approver, org=organ, role=Role.APPROVER)

    case = _ok(registrar.post("/cases", intake_body(world), **{"Idempotency-Key": "ladder-1"}), 201)
    case_id = case["id"]
    assert case["status"] == "registered"

    case = _ok(registrar.act(case_id, "forward", {"to_org_id": world.city_housing.pk}))
    assert case["status"] == "routed"
    assert [item["id"] for item in _ok(handler.get("/cases", status="routed"))["items"]] == [case_id]

    case = _ok(handler.act(case_id, "accept", {"note": "依法受理"}))
    assert case["status"] == "accepted"
    case = _ok(handler.act(case_id, "submit-reply", reply_body()))
    assert case["status"] == "accepted"
    case = _ok(approver.act(case_id, "approve-reply", {"note": "同意"}))
    assert case["status"] == "replied"
    case = _ok(handler.act(case_id, "deliver", {"method": "in_person"}))
    assert case["status"] == "delivered"
    case = _ok(registrar.act(case_id, "rate", {"track": "unit", "value": "dissatisfied", "reason": "未维修"}))
    assert case["status"] == "delivered" and len(case["ratings"]) == 1

    case = _ok(leader.act(case_id, "review-request", {"reasons": "对处理意见不服"}))
    assert case["status"] == "reviewing" and case["review_org"]["id"] == world.city_gov.pk
    case = _ok(leader.act(case_id, "submit-opinion", {"outcome": "uphold", "opinion": "维持原处理意见。"}))
    assert case["status"] == "reviewing"
    case = _ok(approver.act(case_id, "approve-opinion", {}))
    assert case["status"] == "reviewed"

    case = _ok(leader.act(case_id, "rereview-request", {"reasons": "仍然不服"}))
    assert case["status"] == "rereviewing" and case["review_org"]["id"] == world.province_gov.pk
    case = _ok(leader.act(case_id, "submit-opinion", {"outcome": "uphold", "opinion": "维持复查意见。"}))
    assert case["status"] == "rereviewing"
    case = _ok(approver.act(case_id, "approve-opinion", {}))
    assert case["status"] == "terminated" and case["next_due_at"] is None and case["closed_at"]

    final = _ok(registrar.get(f"/cases/{case_id}"))
    assert [e["kind"] for e in final["events"]] == [
        "registered", "forwarded", "accepted", "reply_submitted", "reply_approved", "replied",
        "delivered", "rated", "review_requested", "opinion_submitted", "opinion_approved",
        "review_decided", "rereview_requested", "opinion_submitted", "opinion_approved",
        "rereview_decided", "terminated",
    ]  # fmt: skip
    assert [e["seq"] for e in final["events"]] == list(range(1, 18))
    assert [a["action"] for a in final["allowed_actions"]] == ["link"]
    # a retried intake still returns this very case, now terminated
    replay = _ok(registrar.post("/cases", intake_body(world), **{"Idempotency-Key": "ladder-1"}))
    assert replay["id"] == case_id and replay["status"] == "terminated"
