"""/leadership/appointments and /leadership/field-visits: happy paths, 4xx naming the field, 404s."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from schemathesis import GenerationMode

from xinfang.api.tests import test_openapi
from xinfang.api.tests.conftest import Api, errors_by_field
from xinfang.api.tokens import api_token_create
from xinfang.cases.tests.helpers import register
from xinfang.leadership.models import Appointment, FieldVisit
from xinfang.leadership.tests.test_visits_setup import NOW, Cast, cast, push, schedule, visit_down
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]
Freeze = Callable[[str], dt.datetime]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def refused(response: Any, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    errors = errors_by_field(response)
    assert field in errors, errors
    return errors[field]


@pytest.fixture
def c(world: World, freeze: Freeze) -> Cast:
    freeze(NOW)
    return cast(world)


def _appointment(world: World, c: Cast, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case_id": c.case.pk,
        "org_id": world.city_bureau.pk,
        "leader_id": world.leader.pk,
        "at": "2025-03-04T09:30:00+08:00",
        "place": "市信访局接待大厅",
        "purpose": "听取诉求",
    }
    body.update(overrides)
    return body


# ---------------------------------------------------------------- 约访


def test_an_appointment_is_scheduled_listed_and_recorded(
    world: World, c: Cast, api_as: ApiAs, freeze: Freeze
) -> None:
    api = api_as(world.registrar)
    made = ok(api.post("/leadership/appointments", _appointment(world, c)), 201)
    assert made["status"] == "planned" and made["leader"] == {"id": world.leader.pk, "name": "陈副市长"}
    assert made["case"]["number"] == c.case.number and made["at"].startswith("2025-03-04T01:30:00")
    assert [row["id"] for row in ok(api.get("/leadership/appointments"))["items"]] == [made["id"]]
    leader = api_as(world.leader)
    assert [row["id"] for row in ok(leader.get("/leadership/appointments", upcoming="true"))["items"]] == [
        made["id"]
    ]
    assert ok(leader.get(f"/leadership/appointments/{made['id']}"))["place"] == "市信访局接待大厅"
    freeze("2025-03-04 11:00")
    done = ok(
        leader.post(
            f"/leadership/appointments/{made['id']}/record", {"status": "held", "outcome": "已当面答复。"}
        )
    )
    assert (done["status"], done["status_label"], done["recorded_by"]) == ("held", "已约见", "陈副市长")
    assert ok(leader.get("/leadership/appointments", upcoming="true"))["items"] == []
    again = refused(
        leader.post(f"/leadership/appointments/{made['id']}/record", {"status": "cancelled"}), 409, "status"
    )
    assert again["code"] == "invalid_state"


def test_the_list_pages_with_a_cursor(world: World, c: Cast, api_as: ApiAs) -> None:
    for hour in (9, 10, 11):
        schedule(world, c.case, at=dt.datetime(2025, 3, 4, hour, tzinfo=dt.UTC))
    api = api_as(world.registrar)
    first = ok(api.get("/leadership/appointments", limit=2))
    second = ok(api.get("/leadership/appointments", limit=2, cursor=first["next_cursor"]))
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None
    assert refused(api.get("/leadership/appointments", cursor="bm9wZQ"), 400, "cursor")


def test_a_refused_appointment_names_the_field(world: World, c: Cast, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    past = refused(
        api.post("/leadership/appointments", _appointment(world, c, at="2025-03-03T09:00:00+08:00")),
        400,
        "at",
    )
    assert past["message"] == "约见时间已过，请填写今后的时间。"
    refused(api.post("/leadership/appointments", _appointment(world, c, at="2025-03-04T09:30:00")), 422, "at")
    refused(api.post("/leadership/appointments", _appointment(world, c, at=1741052000)), 422, "at")
    far = register(world, problem_region=world.other_county)
    county = api_as(c.county_clerk)
    unseen = refused(
        county.post(
            "/leadership/appointments", _appointment(world, c, case_id=far.pk, org_id=world.county_bureau.pk)
        ),
        400,
        "case_id",
    )
    assert "无权查看" in unseen["message"]
    out_of_reach = refused(
        api.post("/leadership/appointments", _appointment(world, c, leader_id=c.county_leader.pk)),
        400,
        "leader_id",
    )
    assert "孙县长不是示例市" in out_of_reach["message"]
    wrong_org = refused(
        api.post("/leadership/appointments", _appointment(world, c, org_id=world.city_housing.pk)),
        403,
        "org_id",
    )
    assert wrong_org["code"] == "forbidden"
    refused(api.post("/leadership/appointments", _appointment(world, c, place="")), 400, "place")
    assert not Appointment.objects.exists()


def test_a_held_appointment_needs_an_outcome_and_outsiders_get_404(
    world: World, c: Cast, api_as: ApiAs, freeze: Freeze
) -> None:
    appointment = schedule(world, c.case)
    outsider = api_as(world.other_clerk)
    assert outsider.get(f"/leadership/appointments/{appointment.pk}").status_code == 404
    assert (
        outsider.post(
            f"/leadership/appointments/{appointment.pk}/record", {"status": "cancelled"}
        ).status_code
        == 404
    )
    assert ok(outsider.get("/leadership/appointments"))["items"] == []
    freeze("2025-03-04 11:00")
    api = api_as(world.registrar)
    refused(api.post(f"/leadership/appointments/{appointment.pk}/record", {"status": "held"}), 400, "outcome")
    refused(
        api.post(f"/leadership/appointments/{appointment.pk}/record", {"status": "planned"}), 422, "status"
    )


# ---------------------------------------------------------------- 下访 and 夜访


def _visit(world: World, case_ids: list[int], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "down",
        "org_id": world.city_bureau.pk,
        "leader_id": world.leader.pk,
        "on": "2025-03-01",
        "days": 2,
        "place": "青山县城关镇",
        "participants": "市住建局",
        "summary": "现场查看",
        "case_ids": case_ids,
    }
    body.update(overrides)
    return body


def test_a_visit_down_is_recorded_and_its_cases_outcome_given(world: World, c: Cast, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    made = ok(api.post("/leadership/field-visits", _visit(world, [c.case.pk, c.at_town.pk])), 201)
    assert (made["kind"], made["days"], made["item_count"], made["hidden_items"]) == ("down", 2, 2, 0)
    item = next(row for row in made["items"] if row["case"]["id"] == c.case.pk)
    done = ok(
        api.post(
            f"/leadership/field-visits/items/{item['id']}/outcome", {"resolved": True, "outcome": "已化解"}
        )
    )
    assert (done["resolved"], done["recorded_by"], done["visit_id"]) == (True, "李登记", made["id"])
    listed = ok(api.get("/leadership/field-visits", kind="down"))
    assert [row["id"] for row in listed["items"]] == [made["id"]]
    assert ok(api.get(f"/leadership/field-visits/{made['id']}"))["items"][0]["resolved"] is True
    again = refused(
        api.post(
            f"/leadership/field-visits/items/{item['id']}/outcome", {"resolved": False, "outcome": "改"}
        ),
        409,
        "item",
    )
    assert again["code"] == "invalid_state"


def test_a_refused_visit_names_the_field(world: World, c: Cast, api_as: ApiAs) -> None:
    far = register(world, problem_region=world.other_county)
    county = api_as(c.county_clerk)
    body = _visit(world, [c.at_town.pk, far.pk], org_id=world.county_bureau.pk)
    assert "无权查看" in refused(county.post("/leadership/field-visits", body), 400, "case_ids[1]")["message"]
    api = api_as(world.registrar)
    refused(api.post("/leadership/field-visits", _visit(world, [c.case.pk], on="2025-03-04")), 400, "on")
    refused(api.post("/leadership/field-visits", _visit(world, [c.case.pk], days=0)), 422, "days")
    refused(api.post("/leadership/field-visits", _visit(world, [])), 422, "case_ids")
    refused(
        api.post("/leadership/field-visits", _visit(world, [c.case.pk], leader_id=None)), 400, "leader_id"
    )
    refused(
        api.post("/leadership/field-visits", _visit(world, [c.case.pk], leader_id=c.county_leader.pk)),
        400,
        "leader_id",
    )
    assert not FieldVisit.objects.exists()


def test_a_night_visit_is_pushed_and_answered_by_the_township(world: World, c: Cast, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    night = {
        "kind": "night",
        "org_id": world.city_bureau.pk,
        "target_org_id": world.town_office.pk,
        "on": "2025-03-03",
        "place": "城关镇各村",
        "case_ids": [c.at_town.pk],
    }
    assert refused(
        api.post("/leadership/field-visits", {**night, "target_org_id": world.county_labour.pk}),
        400,
        "target_org_id",
    )
    assert (
        "无权查看"
        in refused(api.post("/leadership/field-visits", {**night, "case_ids": [c.case.pk]}), 400, "case_ids")[
            "message"
        ]
    )
    refused(api.post("/leadership/field-visits", {**night, "target_org_id": None}), 400, "target_org_id")
    made = ok(api.post("/leadership/field-visits", night), 201)
    assert (made["kind"], made["target_org"]["name"], made["leader"]) == (
        "night",
        "青山县城关镇人民政府",
        None,
    )
    item_id = made["items"][0]["id"]
    town = api_as(c.town_clerk)
    assert [row["id"] for row in ok(town.get("/leadership/field-visits/awaiting"))] == [item_id]
    bureau_answer = refused(
        api.post(
            f"/leadership/field-visits/items/{item_id}/feedback", {"resolved": True, "outcome": "已化解"}
        ),
        403,
        None,
    )
    assert "反馈夜访情况" in bureau_answer["message"]
    refused(
        town.post(f"/leadership/field-visits/items/{item_id}/feedback", {"resolved": "yes", "outcome": "x"}),
        422,
        "resolved",
    )
    done = ok(
        town.post(
            f"/leadership/field-visits/items/{item_id}/feedback", {"resolved": False, "outcome": "已入户"}
        )
    )
    assert (done["resolved"], done["outcome"]) == (False, "已入户")
    assert ok(town.get("/leadership/field-visits/awaiting")) == []
    assert [row["id"] for row in ok(town.get("/leadership/field-visits"))["items"]] == [made["id"]]


def test_outsiders_get_404_for_visits_and_their_cases(world: World, c: Cast, api_as: ApiAs) -> None:
    visit = visit_down(world, [c.case])
    item = push(world, [c.at_town]).items.get()
    outsider = api_as(world.other_clerk)
    assert outsider.get(f"/leadership/field-visits/{visit.pk}").status_code == 404
    missing = outsider.post(
        f"/leadership/field-visits/items/{item.pk}/feedback", {"resolved": True, "outcome": "x"}
    )
    assert (
        missing.status_code == 404
        and missing.json()["detail"][0]["message"] == "下访件不存在，或您无权查看。"
    )
    assert ok(outsider.get("/leadership/field-visits"))["items"] == []


# ---------------------------------------------------------------- no server error on any input

wsgi_app = test_openapi.wsgi_app  # the fixture: Django's WSGI app inside the test transaction


def test_schemathesis_finds_no_server_error_here(world: World, c: Cast, wsgi_app: Any) -> None:
    """Generated requests to these operations, with real ids of an appointment, a visit and an
    item so that valid bodies reach the services, never answer 5xx."""
    appointment = schedule(world, c.case)
    item = push(world, [c.at_town]).items.get()
    visit = visit_down(world, [c.case])
    ids = {"appointment_id": appointment.pk, "visit_id": visit.pk, "item_id": item.pk}
    tokens = [api_token_create(user=user, name="schemathesis")[1] for user in (world.registrar, c.town_clerk)]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if "/leadership/appointments" in result.ok().path or "/leadership/field-visits" in result.ok().path
    ]
    assert len(operations) == 10
    until = time.monotonic() + 30.0
    sent = 0
    for number, operation in enumerate(operations):
        headers = {"Authorization": f"Bearer {tokens[number % 2]}"}
        path_parameters = {name: pk for name, pk in ids.items() if f"{{{name}}}" in operation.path}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(mode, headers=headers, path_parameters=path_parameters or None)
            sent += test_openapi._run(strategy, until=until, examples=8)
    assert sent > 40
