from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_registrar_logs_in_through_the_browser(
    live_server: Any, world: World, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "工作人员登录"

    page.fill("input[name=username]", "registrar")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator("[role=alert]").inner_text()

    page.fill("input[name=username]", "registrar")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "工作台"
    assert "示例市信访局" in page.locator("table").inner_text()
    page.screenshot(path=str(tmp_path / "workbench.png"), full_page=True)

    page.click("text=退出登录")
    page.wait_for_url(f"{live_server.url}/login/")
