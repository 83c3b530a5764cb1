"""领导接访日 and 包案 through the API: the happy path, refusals as 4xx JSON naming the field, 404s."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from xinfang.api.tests.conftest import Api, errors_by_field, intake_body
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import category, register
from xinfang.leadership.models import ReceptionVisit
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]
Freeze = Callable[[str], dt.datetime]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def _schedule_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "org_id": world.city_bureau.pk,
        "leader_id": world.leader.pk,
        "leader_org_id": world.city_gov.pk,
        "leader_title": "副市长",
        "starts_at": "2025-03-10T09:00:00+08:00",
        "ends_at": "2025-03-10T12:00:00+08:00",
        "place": "示例市群众来访接待中心",
        "topics": "住房保障",
    }
    body.update(overrides)
    return body


def test_a_day_is_scheduled_receives_a_new_and_an_existing_case_and_closes(
    world: World, api_as: ApiAs, freeze: Freeze
) -> None:
    freeze("2025-03-03 10:00")
    category("030100")
    head = api_as(world.bureau_head)
    refused = head.post("/leadership/reception-days", _schedule_body(world, leader_id=world.handler.pk))
    assert refused.status_code == 400 and "leader_id" in errors_by_field(refused)
    day = ok(head.post("/leadership/reception-days", _schedule_body(world)), 201)
    assert (day["status"], day["leader"], day["visits"]) == ("scheduled", "陈副市长", [])
    early = head.post(
        f"/leadership/reception-days/{day['id']}/visits",
        {"outcome": "solved", "registration": intake_body(world)},
    )
    assert early.status_code == 409, early.content.decode()
    freeze("2025-03-10 09:30")
    wrong_org = head.post(
        f"/leadership/reception-days/{day['id']}/visits",
        {"outcome": "solved", "registration": intake_body(world, org_id=world.county_bureau.pk)},
    )
    assert "registration.org_id" in errors_by_field(wrong_org)
    detail = ok(
        head.post(
            f"/leadership/reception-days/{day['id']}/visits",
            {"outcome": "assigned", "registration": intake_body(world)},
        ),
        201,
    )
    assert [v["registered_here"] for v in detail["visits"]] == [True]
    earlier = register(world, subject="另一件事")
    detail = ok(
        head.post(
            f"/leadership/reception-days/{day['id']}/cases",
            {"case_id": earlier.pk, "outcome": "explained", "headcount": 2},
        )
    )
    assert [v["case_number"] for v in detail["visits"]][1] == earlier.number
    again = head.post(
        f"/leadership/reception-days/{day['id']}/cases", {"case_id": earlier.pk, "outcome": "explained"}
    )
    assert again.status_code == 409 and errors_by_field(again)["case"]["code"] == "conflict"
    closed = ok(head.post(f"/leadership/reception-days/{day['id']}/close", {"summary": "接待 2 批 3 人。"}))
    assert closed["status"] == "held"
    assert ReceptionVisit.objects.count() == 2 and Case.objects.count() == 2
    assert api_as(world.other_clerk).get(f"/leadership/reception-days/{day['id']}").status_code == 404
    assert [d["id"] for d in ok(head.get("/leadership/reception-days"))] == [day["id"]]


def test_an_ownership_is_taken_progressed_and_resolved(world: World, api_as: ApiAs, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    leader = api_as(world.leader)
    body = {
        "leader_id": world.leader.pk,
        "org_id": world.city_gov.pk,
        "case_ids": [case.pk],
        "title": "住房质量问题",
        "started_on": "2025-03-03",
        "target_on": "2025-03-01",
        "plan": "督促维修。",
    }
    refused = leader.post("/leadership/ownerships", body)
    assert refused.status_code == 400 and "target_on" in errors_by_field(refused)
    owned = ok(leader.post("/leadership/ownerships", {**body, "target_on": "2025-04-30"}), 201)
    assert (owned["state"], [c["number"] for c in owned["cases"]]) == ("unresolved", [case.number])
    ok(leader.post(f"/leadership/ownerships/{owned['id']}/progress", {"text": "已约谈开发商。"}))
    no_word = leader.post(
        f"/leadership/ownerships/{owned['id']}/resolve", {"resolved_on": "2025-03-03", "evidence": "已维修。"}
    )
    assert "petitioner_confirmed" in errors_by_field(no_word)
    done = ok(
        leader.post(
            f"/leadership/ownerships/{owned['id']}/resolve",
            {"resolved_on": "2025-03-03", "evidence": "已维修。", "petitioner_rating": "满意"},
        )
    )
    assert done["state"] == "resolved"
    assert [e["kind"] for e in done["events"]] == ["taken", "progress", "state", "resolved"]
    listing = ok(leader.get("/leadership/ownerships", mine="true"))
    assert listing["figures"] == {"cases": 1, "leaders": 1, "resolved_cases": 1, "rate": 1.0}
    assert api_as(world.other_clerk).get(f"/leadership/ownerships/{owned['id']}").status_code == 404
    outsider = api_as(world.other_clerk).post("/leadership/ownerships", {**body, "target_on": "2025-04-30"})
    assert outsider.status_code == 400 and "case_ids" in errors_by_field(outsider)
