"""会商研判 in the API: list, detail, record, add a task, complete and reopen it; 4xx name the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.api.tests.conftest import Api, errors_by_field
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.leadership.models import Consultation
from xinfang.orgs.models import User
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]
ApiAs = Callable[[User], Api]


@pytest.fixture
def cases(world: World, freeze: Freeze) -> list[Case]:
    freeze("2025-03-03 10:00")
    first = to_accepted(world)
    second = to_accepted(world, register(world, subject="同一小区另一栋楼墙体开裂"))
    freeze("2025-03-10 10:00")
    return [first, second]


def _body(world: World, cases: list[Case], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "held_on": "2025-03-07",
        "topic": "某小区房屋质量类案会商",
        "case_ids": [case.pk for case in cases],
        "unit_ids": [world.city_housing.pk, world.county_labour.pk],
        "chair": "王局长",
        "decision": "市住建局牵头督促开发商维修。",
        "tasks": [
            {
                "title": "督促开发商制定维修方案",
                "owner_org_id": world.city_housing.pk,
                "due_on": "2025-03-08",
            },
            {"title": "核查欠薪情况", "owner_org_id": world.county_labour.pk, "due_on": "2025-03-21"},
        ],
    }
    body.update(overrides)
    return body


def test_record_read_and_follow_the_tasks(world: World, cases: list[Case], api_as: ApiAs) -> None:
    organiser = api_as(world.registrar)
    response = organiser.post("/leadership/consultations", _body(world, cases))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["org"] == {"id": world.city_bureau.pk, "name": "示例市信访局"}
    assert {c["number"] for c in body["cases"]} == {c.number for c in cases} and body["hidden_cases"] == 0
    assert [t["title"] for t in body["tasks"]] == ["督促开发商制定维修方案", "核查欠薪情况"]
    assert [t["is_late"] for t in body["tasks"]] == [True, False]
    consultation_id = body["id"]
    assert Consultation.objects.get().pk == consultation_id

    unit = api_as(world.handler)
    listed = unit.get("/leadership/consultations").json()
    assert [item["id"] for item in listed["items"]] == [consultation_id] and listed["next_cursor"] is None
    by_case = unit.get("/leadership/consultations", case_id=cases[0].pk).json()
    assert [item["id"] for item in by_case["items"]] == [consultation_id]
    assert (
        unit.get(f"/leadership/consultations/{consultation_id}").json()["topic"] == "某小区房屋质量类案会商"
    )

    task_id = body["tasks"][0]["id"]
    done = unit.post(
        f"/leadership/consultations/tasks/{task_id}/complete",
        {"done_on": "2025-03-10", "note": "方案已报送。"},
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["done_on"], done.json()["done_by"], done.json()["is_late"]) == (
        "2025-03-10",
        "刘承办",
        False,
    )
    again = unit.post(
        f"/leadership/consultations/tasks/{task_id}/complete", {"done_on": "2025-03-10", "note": "再报。"}
    )
    assert again.status_code == 409 and errors_by_field(again)["task"]["code"] == "invalid_state"
    reopened = organiser.post(
        f"/leadership/consultations/tasks/{task_id}/reopen", {"reason": "方案未经业主确认。"}
    )
    assert reopened.status_code == 200 and reopened.json()["done_on"] is None
    assert reopened.json()["reopen_reason"] == "方案未经业主确认。"

    added = organiser.post(
        f"/leadership/consultations/{consultation_id}/tasks",
        {"title": "回访信访人", "owner_org_id": world.city_bureau.pk, "due_on": "2025-03-31"},
    )
    assert added.status_code == 201 and added.json()["owner_org"]["name"] == "示例市信访局"


def test_a_page_of_consultations_and_the_next(world: World, cases: list[Case], api_as: ApiAs) -> None:
    organiser = api_as(world.registrar)
    for day in ("2025-03-05", "2025-03-06", "2025-03-07"):
        assert (
            organiser.post(
                "/leadership/consultations", _body(world, cases, held_on=day, tasks=[])
            ).status_code
            == 201
        )
    first = organiser.get("/leadership/consultations", limit=2).json()
    assert [item["held_on"] for item in first["items"]] == ["2025-03-07", "2025-03-06"]
    rest = organiser.get("/leadership/consultations", limit=2, cursor=first["next_cursor"]).json()
    assert [item["held_on"] for item in rest["items"]] == ["2025-03-05"] and rest["next_cursor"] is None
    bad = organiser.get("/leadership/consultations", cursor="bm9wZQ")
    assert bad.status_code == 400 and "cursor" in errors_by_field(bad)


@pytest.mark.parametrize(
    ("overrides", "field", "status"),
    [
        ({"held_on": "2025-03-11"}, "held_on", 400),
        ({"topic": " "}, "topic", 400),
        ({"decision": ""}, "decision", 400),
        ({"case_ids": []}, "case_ids", 400),
        ({"case_ids": [999999]}, "case_ids[0]", 400),
        ({"unit_ids": []}, "unit_ids", 400),
        ({"unit_ids": [999999]}, "unit_ids[0]", 400),
        ({"held_on": "07/03/2025"}, "held_on", 422),
        ({"case_ids": ["1"]}, "case_ids[0]", 422),
    ],
)
def test_a_refusal_names_the_field(
    world: World, cases: list[Case], api_as: ApiAs, overrides: dict[str, Any], field: str, status: int
) -> None:
    response = api_as(world.registrar).post("/leadership/consultations", _body(world, cases, **overrides))
    assert response.status_code == status, response.json()
    assert field in errors_by_field(response), response.json()
    assert Consultation.objects.count() == 0


def test_a_task_refusal_names_the_task_and_its_field(world: World, cases: list[Case], api_as: ApiAs) -> None:
    tasks = [{"title": "核查", "owner_org_id": world.other_county_labour.pk, "due_on": "2025-03-21"}]
    response = api_as(world.registrar).post("/leadership/consultations", _body(world, cases, tasks=tasks))
    assert response.status_code == 400
    assert "未参加本次会商" in errors_by_field(response)["tasks[0].owner_org_id"]["message"]
    tasks = [{"title": "核查", "owner_org_id": world.city_housing.pk, "due_on": "2025-03-01"}]
    response = api_as(world.registrar).post("/leadership/consultations", _body(world, cases, tasks=tasks))
    assert response.status_code == 400 and "tasks[0].due_on" in errors_by_field(response)


def test_who_may_act_and_who_sees(world: World, cases: list[Case], api_as: ApiAs) -> None:
    refused = api_as(world.handler).post("/leadership/consultations", _body(world, cases))
    assert refused.status_code == 403 and "org_id" in errors_by_field(refused)
    created = api_as(world.registrar).post("/leadership/consultations", _body(world, cases)).json()
    outsider = api_as(world.other_clerk)
    assert outsider.get(f"/leadership/consultations/{created['id']}").status_code == 404
    assert outsider.get("/leadership/consultations").json()["items"] == []
    task_id = created["tasks"][1]["id"]  # county labour's
    hidden = outsider.post(
        f"/leadership/consultations/tasks/{task_id}/complete", {"done_on": "2025-03-10", "note": "x"}
    )
    assert hidden.status_code == 404
    # Housing was present but the task is county labour's.
    other_unit = api_as(world.handler).post(
        f"/leadership/consultations/tasks/{task_id}/complete", {"done_on": "2025-03-10", "note": "已办。"}
    )
    assert other_unit.status_code == 403
    early = api_as(world.registrar).post(
        f"/leadership/consultations/tasks/{task_id}/complete", {"done_on": "2025-03-01", "note": "已办。"}
    )
    assert early.status_code == 400 and "done_on" in errors_by_field(early)
    missing = api_as(world.registrar).post(
        f"/leadership/consultations/{created['id']}/tasks",
        {"title": "回访", "owner_org_id": world.other_county_labour.pk, "due_on": "2025-03-31"},
    )
    assert missing.status_code == 400 and "owner_org_id" in errors_by_field(missing)
