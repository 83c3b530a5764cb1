"""Each role's queues in a browser: the handler's 办理中 and 待送达, the approver's 待审批 (opened
to decide), the registrar's 异议退回 and the statistician's way to the statistics."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.cases import services
from xinfang.cases.tests.helpers import a_reply, category, register, to_accepted
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _queue(page: Any, key: str) -> tuple[str, str]:
    queue = page.locator(f"#queue-{key}")
    return queue.locator(".badge-count").inner_text(), queue.inner_text()


@pytest.mark.django_db(transaction=True)
def test_each_role_finds_its_work_on_its_home(live_server: Any, world: World, page: Any) -> None:
    category("030100")  # the transactional test flushed the code table; reload it
    in_hand = to_accepted(world)
    drafted = services.case_submit_reply_for_approval(
        actor=world.handler, case=to_accepted(world), reply=a_reply()
    )
    replied = services.case_approve_reply(
        actor=world.approver,
        case=services.case_submit_reply_for_approval(
            actor=world.handler, case=to_accepted(world), reply=a_reply()
        ),
    )
    objected = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    objected = services.case_object(actor=world.handler, case=objected, reasons="不属于本单位职责范围。")
    base = live_server.url

    _login(page, base, "handler")
    count, text = _queue(page, "in-progress")
    # 办理中 holds the accepted cases, the one whose draft waits for approval too.
    assert count == "2" and in_hand.number in text and drafted.number in text
    count, text = _queue(page, "to-deliver")
    assert count == "1" and replied.number in text

    _login(page, base, "approver")
    count, text = _queue(page, "approvals")
    assert count == "1" and drafted.number in text and "处理意见书" in text
    page.click(f"#queue-approvals >> text={drafted.number}")
    page.wait_for_url(f"{base}/cases/{drafted.pk}/*")
    assert page.locator("[data-action=approve_reply]").count() == 1

    _login(page, base, "registrar")
    count, text = _queue(page, "returned")
    assert count == "1" and objected.number in text

    statistician = staff_user_create(username="stats", full_name="赵统计", password=PASSWORD)
    membership_grant(user=statistician, org=world.city_bureau, role=Role.STATS_VIEWER)
    _login(page, base, "stats")
    page.click("a.button:has-text('进入统计分析')")
    page.wait_for_url(f"{base}/statistics/*")
    assert "统计分析" in page.title() or "统计分析" in page.locator("h1").inner_text()
