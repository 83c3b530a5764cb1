"""What staff see of the portal: online submissions in the intake queue with their 查重 result, and
the citizen's rating and appeal on the case page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from xinfang.cases import services
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.portal import submissions
from xinfang.portal.tests.helpers import OTHER_ID, citizen
from xinfang.portal.tests.test_submissions import CONTENT, submit
from xinfang.workbench.queues import home_sections

pytestmark = pytest.mark.django_db


def _queue(user: Any, key: str) -> list[Any]:
    return next(q.items for s in home_sections(user) for q in s.queues if q.key == key)


def test_online_submissions_wait_in_the_intake_queue_with_their_duplicate_check(world: Any) -> None:
    first, _ = submit(world, citizen())
    again, _ = submit(world, citizen(phone="13900139000", name="李四", id_number=OTHER_ID), token="t-2")
    keyed_in = register(world)
    queue = _queue(world.registrar, "online")
    assert {c.pk for c in queue} == {first.pk, again.pk}
    assert {c.pk for c in _queue(world.registrar, "to-route")} == {keyed_in.pk}
    notes = {c.pk: c.queue_note for c in queue}
    assert first.number in notes[again.pk] and notes[again.pk].startswith("查重：")
    client = Client()
    client.force_login(world.registrar)
    home = client.get("/").text
    assert "网上信访待处理" in home and again.number in home


def test_the_clerk_handles_an_online_submission_with_the_usual_forms(world: Any) -> None:
    case, _ = submit(world, citizen())
    client = Client()
    client.force_login(world.registrar)
    page = client.get(f"/cases/{case.pk}/")
    assert page.status_code == 200 and "网上信访" in page.text
    response = client.post(f"/cases/{case.pk}/act/forward/", {"to_org": world.city_housing.pk})
    case.refresh_from_db()
    assert response.status_code in (200, 302) and case.status == "routed", response.status_code


def test_the_citizens_rating_and_appeal_show_on_the_case_page(world: Any) -> None:
    user = citizen()
    case, _ = submit(world, user)
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    case = services.case_accept(actor=world.handler, case=case)
    case = reply_approved(actor=world.handler, case=case, reply=a_reply())
    case = services.case_deliver(actor=world.handler, case=case, method="online")
    submissions.rate(citizen=user, case=case, track="unit", value="dissatisfied", reason="墙体仍渗水")
    submissions.appeal(citizen=user, case=case, stage="review", reasons="维修不彻底", files=[])
    client = Client()
    client.force_login(world.handler)
    page = client.get(f"/cases/{case.pk}/").text
    assert "不满意" in page and "墙体仍渗水" in page and "申请复查" in page
    assert CONTENT[:10] in page
