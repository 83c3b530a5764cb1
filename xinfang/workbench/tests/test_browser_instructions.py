"""领导阅批 in the browser: sent by the bureau head, instructed by the leader, reported by the unit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from xinfang.cases.models import InstructionState
from xinfang.cases.tests.helpers import category, to_accepted
from xinfang.core.timeutil import local_date
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _logout(page: Any, base: str) -> None:
    page.click("text=退出登录")
    page.wait_for_url(f"{base}/login/")


@pytest.mark.django_db(transaction=True)
def test_a_case_is_sent_instructed_and_reported_back(
    live_server: Any, world: World, page: Any, tmp_path: Path
) -> None:
    category("030100")  # the transactional test flushed the code table; reload it
    base = live_server.url
    case = to_accepted(world)
    due = local_date() + dt.timedelta(days=7)

    # The bureau head presents the case to 陈副市长.
    _login(page, base, "bureau_head")
    page.goto(f"{base}/cases/{case.pk}/")
    page.click("a[data-action=send_for_instruction]")
    page.select_option("select[name=leader]", str(world.leader.pk))
    page.fill("textarea[name=note]", "群众反映强烈，请领导阅示。")
    page.click("button:has-text('确认呈送领导阅批')")
    page.wait_for_selector(".messages .success")
    assert "待阅批" in page.locator("#instructions").inner_text()
    _logout(page, base)

    # The leader finds it on the home page and writes the 批示 with a date.
    _login(page, base, "leader")
    queue = page.locator("#queue-instructions-to-read")
    assert case.number in queue.inner_text()
    queue.locator(f"text={case.number}").click()
    page.click("a[data-action=instruct]")
    page.fill("textarea[name=text]", "请市住建局抓紧核查，依法依规解决。")
    page.fill("input[name=due_on]", due.isoformat())
    page.screenshot(path=str(tmp_path / "instruct.png"), full_page=True)
    page.click("button:has-text('确认领导批示')")
    page.wait_for_selector(".messages .success")
    panel = page.locator("#instructions").inner_text()
    assert "请市住建局抓紧核查" in panel and "待落实" in panel and due.isoformat() in panel
    page.goto(f"{base}/")
    assert case.number in page.locator("#queue-instructions-followed").inner_text()
    _logout(page, base)

    # The handler of the unit sees it in its queue and reports back.
    _login(page, base, "handler")
    queue = page.locator("#queue-instructions-to-carry-out")
    assert case.number in queue.inner_text() and f"落实期限 {due.isoformat()}" in queue.inner_text()
    queue.locator(f"text={case.number}").click()
    page.click("a[data-action=report_on_instruction]")
    page.click("button:has-text('确认报告批示落实情况')")  # nothing written: refused on the page
    assert "请填写落实情况" in page.locator(".field-error").first.inner_text()
    page.fill("textarea[name=text]", "已督促开发商完成墙体维修，信访人表示认可。")
    page.click("button:has-text('确认报告批示落实情况')")
    page.wait_for_selector(".messages .success")
    panel = page.locator("#instructions").inner_text()
    assert "已落实" in panel and "已督促开发商完成墙体维修" in panel
    assert page.locator("a[data-action=report_on_instruction]").count() == 0
    page.screenshot(path=str(tmp_path / "reported.png"), full_page=True)
    assert case.instructions.get().state == InstructionState.REPORTED
