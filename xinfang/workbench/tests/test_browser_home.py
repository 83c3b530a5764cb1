"""A handler logs in and finds the new case in 待受理 and its notice behind the bell."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from xinfang.cases import services
from xinfang.cases.tests.helpers import register
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_a_handler_sees_the_new_case_in_the_queue_and_the_bell(
    live_server: Any, world: World, page: Any, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("XF_SCREENSHOTS", tmp_path))
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    base = live_server.url
    _login(page, base, "handler")
    queue = page.locator("#queue-to-accept")
    assert queue.locator(".badge-count").inner_text() == "1"
    assert case.number in queue.inner_text()
    assert page.locator("a.bell .bell-count").inner_text() == "1"
    page.screenshot(path=str(shots / "home-handler.png"), full_page=True)

    page.click("a.bell")
    page.wait_for_url(f"{base}/notifications/")
    notice = page.locator(".notice.unread")
    assert case.number in notice.inner_text() and "新到信访件" in notice.inner_text()
    page.screenshot(path=str(shots / "notifications.png"), full_page=True)
    notice.locator("button:has-text('查看')").click()
    page.wait_for_url(f"{base}/cases/{case.pk}/")
    assert page.locator("a.bell .bell-count").count() == 0  # read once followed

    page.goto(f"{base}/")
    page.click(f"#queue-to-accept >> text={case.number}")
    page.wait_for_url(f"{base}/cases/{case.pk}/")


@pytest.mark.django_db(transaction=True)
def test_the_bureau_heads_home(live_server: Any, world: World, page: Any, tmp_path: Path) -> None:
    shots = Path(os.environ.get("XF_SCREENSHOTS", tmp_path))
    register(world)
    services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    _login(page, live_server.url, "bureau_head")
    assert page.locator("#queue-overdue-units").count() == 1 and page.locator("#queue-week").count() == 1
    page.screenshot(path=str(shots / "home-bureau-head.png"), full_page=True)
    page.context.clear_cookies()
    _login(page, live_server.url, "registrar")
    assert page.locator("#queue-to-route .badge-count").inner_text() == "1"
    page.screenshot(path=str(shots / "home-registrar.png"), full_page=True)
