"""信访听证 in the API: the whole procedure, refusals as 4xx JSON naming the field, reads through
the access policy (404 for a hearing whose case the user may not see), the documents."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document

from xinfang.api.tests.conftest import Api, errors_by_field
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import to_accepted
from xinfang.leadership.models.hearings import Hearing
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]
Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def case(world: World, freeze: Freeze) -> Case:
    freeze("2026-03-02 10:00")
    return to_accepted(world)


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    body: dict[str, Any] = response.json()
    return body


def field_error(response: Any, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, response.content.decode()
    errors = errors_by_field(response)
    assert field in errors, errors
    return errors[field]


def start(api: Api, case: Case, **body: Any) -> Any:
    return api.post("/leadership/hearings", {"case_id": case.pk, **body})


def test_the_whole_procedure(world: World, api_as: ApiAs, case: Case, freeze: Freeze) -> None:
    api = api_as(world.handler)
    body = ok(
        start(api, case, origin="applied", applied_on="2026-03-02", application="申请就维修责任听证"), 201
    )
    assert (body["status"], body["origin"], body["org"]["name"]) == (
        "applied",
        "applied",
        "示例市住房和城乡建设局",
    )
    assert body["case"]["number"] == case.number and body["documents"] == []
    url = f"/leadership/hearings/{body['id']}"
    assert (
        ok(api.post(f"{url}/accept", {"decided_on": "2026-03-02", "decision": "同意"}))["status"] == "decided"
    )
    body = ok(
        api.post(
            f"{url}/announce",
            {
                "announced_on": "2026-03-02",
                "announcement": "定于3月6日举行听证",
                "scheduled_at": "2026-03-06T09:30:00",
                "venue": "市住建局三楼会议室",
            },
        )
    )
    assert body["status"] == "announced" and body["scheduled_at"].startswith("2026-03-06T")
    assert [d["kind"] for d in body["documents"]] == ["notice"]
    for role, name in [("host", "周主持"), ("petitioner", "张三"), ("lawyer", "律师丙")]:
        body = ok(api.post(f"{url}/participants", {"role": role, "name": name}))
    assert [p["role_label"] for p in body["participants"]] == ["主持人", "信访人", "律师"]
    lawyer = body["participants"][-1]["id"]
    body = ok(api.post(f"{url}/participants/{lawyer}/remove"))
    assert [p["name"] for p in body["participants"]] == ["周主持", "张三"]
    notice = api.get(f"{url}/documents/notice")
    assert notice.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(notice.streaming_content))).paragraphs)
    assert "听证通知书" in text and "张三：" in text and "主持人：周主持" in text
    freeze("2026-03-06 09:30")
    body = ok(api.post(f"{url}/open", {"started_on": "2026-03-06"}))
    assert body["status"] == "in_session" and Case.objects.get(pk=case.pk).paused
    body = ok(api.post(f"{url}/record", {"statement": "陈述", "deliberation": "评议"}))
    body = ok(api.post(f"{url}/record", {"debate": "辩论"}))
    assert (body["statement"], body["debate"], body["deliberation"], body["questioning"]) == (
        "陈述",
        "辩论",
        "评议",
        "",
    )
    body = ok(api.post(f"{url}/conclude", {"ended_on": "2026-03-06", "conclusion": "诉求合理"}))
    assert body["status"] == "concluded" and not Case.objects.get(pk=case.pk).paused
    assert [d["kind"] for d in body["documents"]] == ["notice", "conclusion"]
    body = ok(api.post(f"{url}/publish", {"published_on": "2026-03-06"}))
    assert (body["status"], body["published_on"]) == ("published", "2026-03-06")
    assert [e["kind"] for e in body["events"]][-3:] == ["recorded", "concluded", "published"]
    assert ok(api.get(url))["id"] == body["id"]


def test_the_list_is_what_the_user_may_see(world: World, api_as: ApiAs, case: Case) -> None:
    api = api_as(world.handler)
    first = ok(start(api, case, origin="decided", decided_on="2026-03-02", decision="决定听证"), 201)
    other = to_accepted(world)
    ok(start(api, other, origin="applied", applied_on="2026-03-02", application="申请"), 201)
    listed = ok(api.get("/leadership/hearings"))
    assert listed["total"] == 2 and len(listed["items"]) == 2
    assert ok(api.get("/leadership/hearings", status="decided"))["total"] == 1
    assert ok(api.get("/leadership/hearings", status="open"))["total"] == 2
    assert ok(api.get("/leadership/hearings", case_id=case.pk))["items"][0]["id"] == first["id"]
    assert ok(api.get("/leadership/hearings", limit=1, offset=1))["items"][0]["id"] == first["id"]
    outsider = api_as(world.other_clerk)
    assert ok(outsider.get("/leadership/hearings"))["total"] == 0
    missing = outsider.get(f"/leadership/hearings/{first['id']}")
    assert missing.status_code == 404 and missing.json()["detail"][0]["code"] == "not_found"
    assert (
        outsider.post(
            f"/leadership/hearings/{first['id']}/withdraw", {"withdrawn_on": "2026-03-02", "reason": "x"}
        ).status_code
        == 404
    )
    assert outsider.get(f"/leadership/hearings/{first['id']}/documents/notice").status_code == 404
    assert start(outsider, case, origin="decided", decided_on="2026-03-02", decision="x").status_code == 404
    assert field_error(api.get("/leadership/hearings", status="bogus"), 422, "status")


def test_refusals_name_the_api_field(world: World, api_as: ApiAs, case: Case) -> None:
    api = api_as(world.handler)
    error = field_error(start(api, case, origin="applied", applied_on="2026-03-02"), 400, "application")
    assert error["message"] == "请填写申请事项和理由。"
    assert field_error(start(api, case, origin="applied", application="x"), 400, "applied_on")
    assert field_error(start(api, case, origin="asked"), 422, "origin")
    assert field_error(
        start(api, case, origin="decided", decided_on="2026-13-01", decision="x"), 422, "decided_on"
    )
    assert field_error(
        start(
            api, case, origin="decided", decided_on="2026-03-02", decision="x", org_id=world.city_bureau.pk
        ),
        400,
        "org_id",
    )
    registrar = api_as(world.registrar)
    assert field_error(
        start(registrar, case, origin="decided", decided_on="2026-03-02", decision="x"), 403, "org_id"
    )
    hearing = ok(start(api, case, origin="decided", decided_on="2026-03-02", decision="决定"), 201)
    again = field_error(
        start(api, case, origin="decided", decided_on="2026-03-02", decision="x"), 409, "case_id"
    )
    assert again["code"] == "conflict"
    url = f"/leadership/hearings/{hearing['id']}"
    state = field_error(
        api.post(f"{url}/accept", {"decided_on": "2026-03-02", "decision": "同意"}), 409, "status"
    )
    assert state["code"] == "invalid_state"
    past = {
        "announced_on": "2026-03-02",
        "announcement": "公告",
        "scheduled_at": "2026-03-01T09:00",
        "venue": "会议室",
    }
    assert (
        field_error(api.post(f"{url}/announce", past), 400, "scheduled_at")["message"]
        == "听证时间不能早于今天。"
    )
    far = {**past, "scheduled_at": "3026-03-01T09:00"}
    assert field_error(api.post(f"{url}/announce", far), 422, "scheduled_at")
    assert field_error(api.post(f"{url}/announce", {**past, "venue": "会" * 129}), 422, "venue")
    ok(api.post(f"{url}/announce", {**past, "scheduled_at": "2026-03-02T15:00+08:00"}))
    assert field_error(api.post(f"{url}/participants", {"role": "judge", "name": "某"}), 422, "role")
    assert field_error(api.post(f"{url}/open", {"started_on": "2026-03-02"}), 400, "participants")
    ok(api.post(f"{url}/participants", {"role": "host", "name": "周主持"}))
    assert field_error(api.post(f"{url}/participants", {"role": "host", "name": "另一人"}), 400, "role")
    petitioner = ok(api.post(f"{url}/participants", {"role": "petitioner", "name": "张三"}))["participants"][
        -1
    ]
    ok(api.post(f"{url}/open", {"started_on": "2026-03-02"}))
    removal = field_error(api.post(f"{url}/participants/{petitioner['id']}/remove"), 409, "participant_id")
    assert "须至少保留一名信访人" in removal["message"]
    assert api.post(f"{url}/participants/999999/remove").status_code == 404
    early = field_error(
        api.post(f"{url}/conclude", {"ended_on": "2026-03-01", "conclusion": "x"}), 400, "ended_on"
    )
    assert "听证不能在开始之前结束" in early["message"]
    assert field_error(api.post(f"{url}/conclude", {"ended_on": "2026-03-02"}), 422, "conclusion")
    assert field_error(api.post(f"{url}/record", {"statement": "a\x0bb"}), 422, "statement")
    unavailable = api.get(f"{url}/documents/conclusion")
    assert unavailable.status_code == 409 and errors_by_field(unavailable)["kind"]["code"] == "invalid_state"
    assert api.get(f"{url}/documents/minutes").status_code == 404
    assert Hearing.objects.get(pk=hearing["id"]).status == "in_session"
