"""Due-soon and overdue lists, case warnings, and the 督办 endpoints (open, feedback, close, letters)."""

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
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted
from xinfang.orgs.models import User
from xinfang.supervision import services
from xinfang.supervision.models import Supervision
from xinfang.supervision.sweep import sweep
from xinfang.testing.supervision import open_supervision
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]
Freeze = Callable[[str], dt.datetime]


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.fixture
def flagged(world: World, freeze: Freeze) -> dict[str, Case]:
    """One case overdue on its route clock, one due soon, as the sweep of 16 March 2025 sees them."""
    freeze("2025-02-20 10:00")
    late = register(world, subject="老旧小区加装电梯协调")  # route due Fri 7 Mar
    freeze("2025-03-03 10:00")
    soon = register(world)  # route due Tue 18 Mar
    freeze("2025-03-16 10:00")
    sweep()
    return {"late": late, "soon": soon}


@pytest.fixture
def case(world: World, freeze: Freeze) -> Case:
    freeze("2025-03-03 10:00")
    return to_accepted(world)  # handled by 示例市住房和城乡建设局


wsgi_app = test_openapi.wsgi_app  # the fixture: Django's WSGI app inside the test transaction

OPEN_BODY = {
    "reason": "delay",
    "details": "请于期限内督促开发商维修并书面反馈。",
    "feedback_due": "2025-03-10",
}


# ---------------------------------------------------------------- lists


def test_due_soon_and_overdue_are_not_taken_for_a_case_id(
    world: World, api_as: ApiAs, flagged: dict[str, Case]
) -> None:
    api = api_as(world.registrar)
    assert ok(api.get("/cases/due-soon"))["items"][0]["id"] == flagged["soon"].pk
    assert ok(api.get("/cases/overdue"))["items"][0]["id"] == flagged["late"].pk
    assert ok(api.get(f"/cases/{flagged['soon'].pk}"))["id"] == flagged["soon"].pk
    assert api.get("/cases/due-later").status_code == 422  # still the case route, still validated


def test_the_lists_carry_the_case_row_the_clock_and_its_day(
    world: World, api_as: ApiAs, flagged: dict[str, Case]
) -> None:
    api = api_as(world.registrar)
    soon = ok(api.get("/cases/due-soon"))
    assert [row["id"] for row in soon["items"]] == [flagged["soon"].pk] and soon["next_cursor"] is None
    row = soon["items"][0]
    assert (row["clock"], row["due_on"], row["overdue"]) == ("route", "2025-03-18", False)
    assert row["clock_label"] == "交转送（登记后）" and row["number"] == flagged["soon"].number
    assert row["current_org"] == {"id": world.city_bureau.pk, "name": world.city_bureau.name}
    late = ok(api.get("/cases/overdue"))["items"]
    assert [(r["id"], r["clock"], r["due_on"]) for r in late] == [(flagged["late"].pk, "route", "2025-03-07")]


def test_the_lists_show_only_visible_cases_and_filter_by_unit(
    world: World, api_as: ApiAs, flagged: dict[str, Case]
) -> None:
    assert ok(api_as(world.other_clerk).get("/cases/due-soon"))["items"] == []
    assert ok(api_as(world.other_clerk).get("/cases/overdue"))["items"] == []
    api = api_as(world.registrar)
    assert len(ok(api.get("/cases/overdue", org_id=world.city_bureau.pk))["items"]) == 1
    assert ok(api.get("/cases/overdue", org_id=world.city_housing.pk))["items"] == []
    response = api.get("/cases/overdue", org_id=999999)
    assert response.status_code == 400 and "org_id" in errors_by_field(response)


def test_the_lists_page_by_cursor_soonest_first(world: World, api_as: ApiAs, freeze: Freeze) -> None:
    freeze("2025-02-20 10:00")
    first = register(world)
    freeze("2025-02-21 10:00")
    second = register(world)
    third = register(world)
    freeze("2025-03-16 10:00")
    sweep()
    api = api_as(world.registrar)
    page1 = ok(api.get("/cases/overdue", limit=2))
    assert [r["id"] for r in page1["items"]] == [first.pk, second.pk] and page1["next_cursor"]
    page2 = ok(api.get("/cases/overdue", limit=2, cursor=page1["next_cursor"]))
    assert [r["id"] for r in page2["items"]] == [third.pk] and page2["next_cursor"] is None
    bad = api.get("/cases/overdue", cursor="not-a-cursor")
    assert bad.status_code == 400 and "cursor" in errors_by_field(bad)
    assert api.get("/cases/due-soon", limit=0).status_code == 422


def test_a_case_lists_its_unresolved_warnings(world: World, api_as: ApiAs, flagged: dict[str, Case]) -> None:
    warnings = ok(api_as(world.registrar).get(f"/cases/{flagged['late'].pk}/warnings"))
    assert [(w["clock"], w["kind"], w["kind_label"], w["due_on"]) for w in warnings] == [
        ("route", "overdue", "已超期", "2025-03-07")
    ]
    assert warnings[0]["org"]["id"] == world.city_bureau.pk
    assert api_as(world.other_clerk).get(f"/cases/{flagged['late'].pk}/warnings").status_code == 404


# ---------------------------------------------------------------- open


def test_a_bureau_opens_a_supervision(world: World, api_as: ApiAs, case: Case) -> None:
    body = ok(api_as(world.bureau_head).post(f"/cases/{case.pk}/supervisions", OPEN_BODY), 201)
    assert (body["status"], body["reason_label"], body["feedback_due"]) == ("open", "拖延", "2025-03-10")
    assert body["unit"]["id"] == world.city_housing.pk and body["opened_by_org"]["id"] == world.city_bureau.pk
    assert [e["kind"] for e in body["events"]] == ["opened"]
    assert [letter["kind"] for letter in body["letters"]] == ["reminder"]
    listed = ok(api_as(world.handler).get(f"/cases/{case.pk}/supervisions"))
    assert [s["id"] for s in listed] == [body["id"]] and "events" not in listed[0]


def test_opening_twice_is_a_conflict(world: World, api_as: ApiAs, case: Case) -> None:
    api = api_as(world.bureau_head)
    ok(api.post(f"/cases/{case.pk}/supervisions", OPEN_BODY), 201)
    response = api.post(f"/cases/{case.pk}/supervisions", OPEN_BODY)
    assert response.status_code == 409 and errors_by_field(response)["case"]["code"] == "conflict"


def test_opening_refuses_bad_input_naming_the_field(world: World, api_as: ApiAs, case: Case) -> None:
    api = api_as(world.bureau_head)
    url = f"/cases/{case.pk}/supervisions"
    response = api.post(url, {**OPEN_BODY, "reason": "lazy"})
    assert response.status_code == 422 and "reason" in errors_by_field(response)
    response = api.post(url, {**OPEN_BODY, "feedback_due": "2025-03-03"})
    assert response.status_code == 400
    assert errors_by_field(response)["feedback_due"]["message"] == "反馈期限应晚于今天。"
    response = api.post(url, {**OPEN_BODY, "details": "  "})
    assert response.status_code == 400 and "details" in errors_by_field(response)
    response = api.post(url, {**OPEN_BODY, "feedback_due": "tomorrow", "details": 3})
    assert response.status_code == 422 and {"feedback_due", "details"} <= set(errors_by_field(response))
    response = api.post(url, {**OPEN_BODY, "org_id": 999999})
    assert response.status_code == 400 and "org_id" in errors_by_field(response)


def test_only_bureau_staff_who_see_the_case_may_open(world: World, api_as: ApiAs, case: Case) -> None:
    url = f"/cases/{case.pk}/supervisions"
    for outsider in (world.handler, world.registrar):
        response = api_as(outsider).post(url, OPEN_BODY)
        assert response.status_code == 403, outsider
        assert errors_by_field(response)["org_id"]["code"] == "forbidden"
    response = api_as(world.handler).post(url, {**OPEN_BODY, "org_id": world.city_housing.pk})
    assert response.status_code == 403 and "不是信访部门" in errors_by_field(response)["org_id"]["message"]
    assert api_as(world.other_clerk).post(url, OPEN_BODY).status_code == 404
    assert api_as(world.other_clerk).get(url).status_code == 404
    assert Supervision.objects.count() == 0


# ---------------------------------------------------------------- one 督办


def test_the_detail_shows_the_log_to_those_who_see_the_case(world: World, api_as: ApiAs, case: Case) -> None:
    supervision = open_supervision(world, case)
    body = ok(api_as(world.handler).get(f"/supervisions/{supervision.pk}"))
    assert body["case"] == {"id": case.pk, "number": case.number, "subject": case.subject}
    event = body["events"][0]
    assert (event["kind"], event["kind_label"], event["org"]) == ("opened", "发起督办", "示例市信访局")
    assert api_as(world.other_clerk).get(f"/supervisions/{supervision.pk}").status_code == 404
    assert api_as(world.handler).get("/supervisions/999999").status_code == 404
    assert api_as(world.handler).get("/supervisions/0").status_code == 422


def test_the_unit_answers_and_the_bureau_closes(world: World, api_as: ApiAs, case: Case) -> None:
    supervision = open_supervision(world, case)
    url = f"/supervisions/{supervision.pk}"
    response = api_as(world.bureau_head).post(f"{url}/feedback", {"text": "已办理。"})
    assert response.status_code == 403
    response = api_as(world.handler).post(f"{url}/feedback", {"text": " "})
    assert response.status_code == 400 and "text" in errors_by_field(response)
    assert api_as(world.handler).post(f"{url}/feedback", {}).status_code == 422
    answered = ok(api_as(world.handler).post(f"{url}/feedback", {"text": "已督促开发商维修。"}))
    assert (answered["status"], answered["feedback"], answered["feedback_by"]) == (
        "answered",
        "已督促开发商维修。",
        "刘承办",
    )
    response = api_as(world.handler).post(f"{url}/feedback", {"text": "再次反馈。"})
    assert response.status_code == 409 and errors_by_field(response)["status"]["code"] == "invalid_state"
    assert api_as(world.handler).post(f"{url}/close", {"note": "办理到位。"}).status_code == 403
    closed = ok(api_as(world.bureau_head).post(f"{url}/close", {"note": "办理到位。"}))
    assert (closed["status"], closed["accountability"], closed["closed_by"]) == ("closed", False, "王局长")
    assert [e["kind"] for e in closed["events"]] == ["opened", "feedback", "closed"]
    assert api_as(world.other_clerk).post(f"{url}/feedback", {"text": "x"}).status_code == 404


def test_an_unanswered_supervision_closes_only_recommending_accountability(
    world: World, api_as: ApiAs, case: Case, freeze: Freeze
) -> None:
    supervision = open_supervision(world, case)
    api = api_as(world.bureau_head)
    url = f"/supervisions/{supervision.pk}/close"
    response = api.post(url, {"note": "未反馈。"})
    assert response.status_code == 409 and errors_by_field(response)["status"]["code"] == "invalid_state"
    freeze("2025-03-11 09:00")
    sweep()
    assert ok(api.get(f"/supervisions/{supervision.pk}"))["status"] == "overdue"
    assert api.post(url, {"note": "逾期未反馈。"}).status_code == 409
    assert api.post(url, {"note": "逾期未反馈。", "recommend_accountability": "maybe"}).status_code == 422
    closed = ok(api.post(url, {"note": "逾期未反馈。", "recommend_accountability": True}))
    assert (closed["status"], closed["accountability"]) == ("closed", True)
    assert [letter["kind"] for letter in closed["letters"]] == ["reminder", "accountability"]


def test_letters_list_and_download(world: World, api_as: ApiAs, case: Case, freeze: Freeze) -> None:
    supervision = open_supervision(world, case)
    api = api_as(world.handler)
    base = f"/supervisions/{supervision.pk}/letters"
    listed = ok(api.get(base))
    assert listed == [{"kind": "reminder", "title": "督办提醒函", "url": f"/api/v1{base}/reminder"}]
    response = api.get(f"{base}/reminder")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert "attachment" in response["Content-Disposition"]
    response = api.get(f"{base}/accountability")
    assert response.status_code == 409 and errors_by_field(response)["kind"]["code"] == "invalid_state"
    response = api.get(f"{base}/summons")
    assert response.status_code == 404 and errors_by_field(response)["kind"]["code"] == "not_found"
    assert api.get(f"{base}/NOT%20A%20KIND").status_code == 422
    assert api_as(world.other_clerk).get(f"{base}/reminder").status_code == 404
    assert api_as(world.other_clerk).get(base).status_code == 404
    freeze("2025-03-11 09:00")
    sweep()
    assert [item["kind"] for item in ok(api.get(base))] == ["reminder", "accountability"]
    assert api.get(f"{base}/accountability").status_code == 200


def test_every_supervision_endpoint_needs_a_token(anonymous: Api, case: Case) -> None:
    for path in ("/cases/due-soon", "/cases/overdue", f"/cases/{case.pk}/warnings", "/supervisions/1"):
        assert anonymous.get(path).status_code == 401, path
    assert anonymous.post(f"/cases/{case.pk}/supervisions", OPEN_BODY).status_code == 401


# ---------------------------------------------------------------- fuzzing with real 督办


def test_schemathesis_finds_no_server_error_on_real_supervisions(
    world: World, case: Case, freeze: Freeze, wsgi_app: Any
) -> None:
    """test_openapi.py fuzzes every operation with random ids; this one aims at existing 督办 and
    cases with warnings, in each state, so generated bodies reach the services."""
    open_one = open_supervision(world, case)
    answered = open_supervision(world, to_accepted(world))
    services.supervision_feedback(actor=world.handler, supervision=answered, text="已办理。")
    overdue_one = open_supervision(world, to_accepted(world), feedback_due=dt.date(2025, 3, 5))
    freeze("2025-03-16 10:00")
    sweep()
    seeded = [open_one.pk, answered.pk, overdue_one.pk]
    tokens = [api_token_create(user=u, name="fuzz")[1] for u in (world.bureau_head, world.handler)]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if "supervision" in result.ok().path
        or "warnings" in result.ok().path
        or "due-soon" in result.ok().path
    ]
    assert len(operations) >= 9
    sent = 0
    for number, operation in enumerate(operations):
        headers = {"Authorization": f"Bearer {tokens[number % 2]}"}
        if "{supervision_id}" in operation.path:
            params = [{"supervision_id": pk} for pk in seeded]
        elif "{case_id}" in operation.path:
            params = [{"case_id": case.pk}]
        else:
            params = [{}]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_parameters in params:
                strategy = operation.as_strategy(
                    mode, headers=headers, path_parameters=path_parameters or None
                )
                sent += test_openapi._run(strategy, until=time.monotonic() + 2.0, examples=5)
    assert sent > 50
