"""A refusal because of the case's state or phase is a 409 ``invalid_state``, not a fault of the input."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from django.test import Client

from xinfang.api.tests.conftest import Api, errors_by_field, reply_body
from xinfang.cases import services
from xinfang.cases.models import CaseEvent
from xinfang.cases.tests.helpers import register, to_accepted, to_delivered
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


def _kinds(case_id: int) -> list[str]:
    return list(CaseEvent.objects.filter(case_id=case_id).order_by("seq").values_list("kind", flat=True))


def test_a_reply_while_a_hearing_is_open_is_a_409_on_the_status(world: World, api_as: ApiAs) -> None:
    case = services.case_hearing_start(actor=world.handler, case=to_accepted(world), note="组织听证")
    response = api_as(world.handler).act(case.pk, "reply", reply_body())
    assert response.status_code == 409
    assert response.json() == {
        "detail": [
            {"field": "status", "message": "听证尚未结束，不能出具处理意见书。", "code": "invalid_state"}
        ]
    }
    ended = api_as(world.handler).act(to_accepted(world).pk, "hearing-end", {"conclusion": "无听证"})
    assert ended.status_code == 409 and errors_by_field(ended)["status"]["code"] == "invalid_state"
    assert _kinds(case.pk)[-1] == "hearing_started"


def test_a_review_request_after_the_window_is_a_409_naming_the_window_and_its_end(
    world: World, api_as: ApiAs, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-03-03 10:00")
    case = to_delivered(world)
    freeze("2025-04-15 10:00")
    response = api_as(world.leader).act(case.pk, "review-request", {"reasons": "对处理意见不服"})
    assert response.status_code == 409, response.content.decode()
    (item,) = response.json()["detail"]
    assert item["field"] is None and item["code"] == "invalid_state"
    assert item["message"].startswith("已超过收到处理意见书之日起三十日的复查申请期限（第三十五条）")
    assert re.search(r"期限已于 2025-04-0\d 届满。$", item["message"]), item["message"]
    assert _kinds(case.pk)[-1] == "delivered"


def test_the_staff_form_shows_a_lapsed_window_above_the_form_not_on_the_reasons(
    world: World, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-03-03 10:00")
    case = to_delivered(world, register(world))
    freeze("2025-04-15 10:00")
    client = Client()
    client.force_login(world.leader)
    response = client.post(f"/cases/{case.pk}/act/review_request/", {"reasons": "对处理意见不服"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "reasons" not in form.errors
    assert form.non_field_errors()[0].startswith("已超过收到处理意见书之日起三十日的复查申请期限")
