"""The assessment ranking page in a browser: the bar chart is drawn under the CSP, and the 通报
downloads as a Word file."""

from __future__ import annotations

from typing import Any

import pytest

from xinfang.testing.world import PASSWORD, World
from xinfang.workbench.tests.test_assessment_pages import build_cases, build_scheme, shipped_notice_templates

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/assessment_ranking.png"


@pytest.mark.django_db(transaction=True)  # the live server sees committed rows
def test_the_ranking_draws_its_chart_and_downloads_the_notice(
    page: Any, live_server: Any, world: World
) -> None:
    shipped_notice_templates()
    build_cases(world, year=2025)
    scheme = build_scheme(world, year=2025)  # a past year: every period has begun, 全年 is shown
    problems: list[str] = []  # a CSP refusal or a script error shows in the console
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    missing: list[str] = []
    page.on(
        "response", lambda r: missing.append(r.url) if r.status >= 400 and "favicon" not in r.url else None
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", world.bureau_head.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click("text=目标考核")  # the nav link, then the scheme in the list
    page.click(f"text={scheme.name}")
    page.wait_for_selector("#as-chart canvas")
    assert "period=year" in page.url
    assert page.locator("#as-chart canvas").count() >= 1
    box = page.locator("#as-chart").bounding_box()
    assert box and box["height"] >= 140 and box["width"] > 400
    assert page.locator("#as-ranking tbody tr").count() == 3
    assert page.locator(".tab.active").inner_text() == "全年"
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.select_option("#as-template", label="考核结果通报（标准）")
    with page.expect_download() as info:
        page.click("#as-notice button[type=submit]")
    download = info.value
    assert download.suggested_filename == "2025年全年考核结果通报.docx"
    import docx

    with open(download.path(), "rb") as file:  # the download's temporary name has no extension
        document = docx.Document(file)
    assert any("青山县人力资源和社会保障局" in p.text for p in document.paragraphs)
    assert not [text for text in problems if "Failed to load resource" not in text], problems
    assert not missing, missing
