"""信访简报 in the browser: a clerk writes one and chooses a 典型案例, the bureau head issues it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from xinfang.bulletins.models import Bulletin, Status
from xinfang.bulletins.tests.helpers import shipped_templates
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import category, register
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    folder = Path(os.environ.get("XINFANG_SCREENSHOTS", str(tmp_path)))
    page.screenshot(path=str(folder / f"bulletins-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_brief_is_written_with_a_notable_case_and_issued(
    live_server: Any, world: World, page: Any, tmp_path: Path
) -> None:
    category("030100")  # the transactional test flushed the code table and the templates
    shipped_templates()
    base = live_server.url
    people = [PetitionerInput(name="孙七", id_number="", phone="", address="青山县幸福路7号")]
    case = register(world, subject="孙七反映小区漏水", petitioners=people)

    _login(page, base, "registrar")
    page.click("nav.topnav >> text=信访简报")
    page.click("text=编写信访简报")
    page.select_option("select[name=period]", "this_month")
    page.click("button:has-text('生成草稿')")
    page.wait_for_selector(".messages .success")
    assert "一、本期信访情况" in page.locator("textarea[name=body]").input_value()
    page.fill("input[name=case_number]", case.number)
    page.fill("textarea[name=note]", "孙七表示满意")
    page.click("button:has-text('选为典型案例')")
    page.wait_for_selector(".messages .success")
    notable = page.locator("#notable").inner_text()
    assert "青山县群众孙*反映小区漏水" in notable and "孙七" not in notable
    assert case.number in page.locator("textarea[name=body]").input_value()
    _shot(page, tmp_path, "draft")
    page.click("text=退出登录")

    _login(page, base, "bureau_head")
    bulletin = Bulletin.objects.get()
    page.goto(f"{base}/bulletins/{bulletin.pk}/")
    page.click("button:has-text('签发')")
    page.wait_for_selector(".messages .success")
    assert "第1期" in page.locator(".messages").inner_text()
    _shot(page, tmp_path, "issued")
    with page.expect_download() as download:
        page.click("text=下载 Word（.docx）")
    assert download.value.suggested_filename.endswith("第1期.docx")
    page.goto(f"{base}/bulletins/")
    _shot(page, tmp_path, "archive")
    bulletin.refresh_from_db()
    assert bulletin.status == Status.ISSUED and bulletin.number == 1
