from __future__ import annotations

from collections.abc import Callable

from xinfang.api.tests.conftest import Api
from xinfang.cases import services
from xinfang.cases.tests.helpers import register, to_delivered
from xinfang.orgs.models import Role, User
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import PASSWORD, World

ApiAs = Callable[[User], Api]
UNMASKED = {
    "name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
    "address": "青山县城关镇幸福路1号",
    "is_representative": False,
    "masked": False,
}
MASKED = {
    "name": "张*",
    "id_number": "110105********002X",
    "phone": "138****8000",
    "address": "青山县城关镇****",
    "is_representative": False,
    "masked": True,
}


def _petitioner(api: Api, case_id: int) -> dict[str, object]:
    response = api.get(f"/cases/{case_id}")
    assert response.status_code == 200, response.content
    return response.json()["petitioners"][0]


def test_the_registering_bureau_and_the_current_unit_see_petitioners_unmasked(
    world: World, api_as: ApiAs
) -> None:
    case = register(world)
    services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    assert _petitioner(api_as(world.registrar), case.pk) == UNMASKED
    assert _petitioner(api_as(world.bureau_head), case.pk) == UNMASKED
    assert _petitioner(api_as(world.handler), case.pk) == UNMASKED
    assert _petitioner(api_as(world.approver), case.pk) == UNMASKED
    assert api_as(world.handler).get(f"/cases/{case.pk}").json()["query_code"] == case.query_code


def test_a_supervising_bureau_a_statistician_and_a_reviewing_leader_see_them_masked(
    world: World, api_as: ApiAs
) -> None:
    case = register(world)
    county_clerk = staff_user_create(username="county", full_name="县登记员", password=PASSWORD)
    membership_grant(user=county_clerk, org=world.county_bureau, role=Role.REGISTRAR)
    statistician = staff_user_create(username="stats", full_name="统计员", password=PASSWORD)
    membership_grant(user=statistician, org=world.city_bureau, role=Role.STATS_VIEWER)
    assert _petitioner(api_as(county_clerk), case.pk) == MASKED  # the problem lies in its county
    assert _petitioner(api_as(statistician), case.pk) == MASKED
    case = to_delivered(world, case)
    services.case_review_request(actor=world.leader, case=case, reasons="对处理意见不服")
    leader_view = api_as(world.leader).get(f"/cases/{case.pk}").json()
    assert leader_view["petitioners"][0] == MASKED and leader_view["query_code"] is None


def test_a_clerk_of_an_unrelated_county_gets_404_for_the_city_bureaus_case(
    world: World, api_as: ApiAs
) -> None:
    case = register(world)
    api = api_as(world.other_clerk)
    hidden = api.get(f"/cases/{case.pk}")
    missing = api.get("/cases/987654")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert hidden.json()["detail"][0]["code"] == "not_found"
    assert api.act(case.pk, "accept", {}).status_code == 404
    assert api.get(f"/cases/{case.pk}/documents").status_code == 404


def test_the_accused_unit_never_sees_an_accusation_against_it(world: World, api_as: ApiAs) -> None:
    case = register(world, nature="accusation", accused_org=world.city_housing, petitioners=[])
    services.case_forward(actor=world.registrar, case=case, to_org=world.city_discipline)
    assert api_as(world.handler).get(f"/cases/{case.pk}").status_code == 404
    assert api_as(world.registrar).get(f"/cases/{case.pk}").status_code == 200


def test_the_detail_lists_units_events_clocks_and_the_actions_the_state_allows(
    world: World, api_as: ApiAs
) -> None:
    case = register(world)
    services.case_forward(
        actor=world.registrar, case=case, to_org=world.city_housing, assisting=[world.county_labour]
    )
    body = api_as(world.handler).get(f"/cases/{case.pk}").json()
    assert body["status"] == "routed" and body["current_org"]["id"] == world.city_housing.pk
    units = {(u["org"]["id"], u["role"], u["is_active"]) for u in body["units"]}
    assert units == {
        (world.city_bureau.pk, "lead", False),
        (world.city_housing.pk, "lead", True),
        (world.county_labour.pk, "assist", True),
    }
    assert [(e["seq"], e["kind"]) for e in body["events"]] == [(1, "registered"), (2, "forwarded")]
    assert body["events"][1]["payload"]["to_org_name"] == world.city_housing.name
    clocks = {c["name"]: c for c in body["clocks"]}
    assert clocks["route"]["state"] == "met" and clocks["accept"]["state"] == "running"
    assert set(clocks["accept"]) == {
        "name", "kind", "state", "started_on", "due_on", "ended_on", "paused_days", "extension_days", "legal_ref",
        "warnings",
    }  # fmt: skip
    actions = {a["action"]: a for a in body["allowed_actions"]}
    assert set(actions) == {
        "accept",
        "decline",
        "object",
        "add_assisting",
        "link",
        # 领导阅批 is open in every stage of an open case; the report only once there is a 批示
        "send_for_instruction",
        "instruct",
    }
    assert actions["accept"] == {
        "action": "accept",
        "label": "受理",
        "method": "POST",
        "path": f"/api/v1/cases/{case.pk}/accept",
    }
    assert actions["add_assisting"]["path"].endswith("/assisting-units")


def test_an_id_too_large_for_the_database_is_a_422_not_a_500(world: World, api_as: ApiAs) -> None:
    response = api_as(world.registrar).get(f"/cases/{2**64}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "case_id"
