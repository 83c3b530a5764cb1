"""A returning visitor: found on the list by ID number, their earlier matters shown as the clerk
types the number at registration, and the list exported to .xlsx."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from xinfang.cases.tests.helpers import ID_NUMBER, category, register
from xinfang.testing.world import PASSWORD, World

pytestmark = pytest.mark.browser


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_a_clerk_finds_a_returning_visitor_and_exports_the_list(
    live_server: Any, world: World, page: Any, tmp_path: Path
) -> None:
    category("030100")  # the transactional test flushed the code table; reload it
    earlier = register(world)
    base = live_server.url
    _login(page, base, "registrar")

    # The list's one search box takes the ID number and says how it searched.
    page.goto(f"{base}/cases/")
    page.fill("input[name=q]", ID_NUMBER)
    page.click("form#case-filters button[type=submit]")
    page.wait_for_url(f"{base}/cases/?*")
    assert page.locator("table.grid tbody tr").count() == 1
    assert earlier.number in page.locator("table.grid").inner_text()
    assert "按身份证号码查找" in page.content()

    # The export downloads the current filter as .xlsx.
    with page.expect_download() as info:
        page.click("a.export-link")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "export.xlsx"
    download.save_as(str(path))
    rows = list(load_workbook(io.BytesIO(path.read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][0] == "信访件编号" and [r[0] for r in rows[1:]] == [earlier.number]

    # At registration, typing the ID number shows the person's earlier matter, whatever the wording.
    page.goto(f"{base}/cases/new/")
    panel = page.locator("#person-matters")
    assert panel.is_hidden()
    page.fill("input[name='p-0-name']", "张三")
    page.fill("input[name='p-0-id_number']", ID_NUMBER[:10])
    assert panel.is_hidden()
    page.fill("input[name='p-0-id_number']", ID_NUMBER)
    panel.wait_for(state="visible")
    text = panel.inner_text()
    assert earlier.number in text and "待交转" in text and "示例市信访局" in text
