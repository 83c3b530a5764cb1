"""Pages of 积案化解 campaigns: the list, a new campaign, the dashboard, the item forms, the reports."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from docx import Document
from openpyxl import load_workbook

from xinfang.leadership.models.campaigns import Campaign, CampaignItem
from xinfang.leadership.tests.test_campaign_services import (
    RECEIVED,
    TODAY,
    a_campaign,
    cases,
    progress,
    staff,
    with_items,
)
from xinfang.orgs.models import Role
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import PASSWORD, World

D = dt.date
pytestmark = pytest.mark.usefixtures("today")


@pytest.fixture
def today(freeze):  # type: ignore[no-untyped-def]
    freeze("2025-03-12 10:00")
    return TODAY


def _five(world: World) -> tuple[Campaign, list[CampaignItem]]:
    """A campaign of five cases: one resolved, one applied, one submitted, two not submitted, of
    which one (plan date 10 March) is overdue."""
    campaign = a_campaign(world)
    items = with_items(
        world, campaign, [D(2025, 3, 5), D(2025, 3, 31), D(2025, 4, 15), D(2025, 3, 10), D(2025, 5, 31)]
    )
    progress(world.handler, items[0], "submitted", D(2025, 3, 3))
    progress(world.handler, items[0], "applied", D(2025, 3, 4))
    progress(world.bureau_head, items[0], "resolved", D(2025, 3, 11))
    progress(world.handler, items[1], "submitted", D(2025, 3, 10))
    progress(world.handler, items[1], "applied", D(2025, 3, 12))
    progress(world.handler, items[2], "submitted", D(2025, 3, 12))
    return campaign, items


def _row(html: str, item: CampaignItem) -> str:
    match = re.search(rf'<tr id="item-{item.pk}"[^>]*>.*?</tr>', html, re.S)
    assert match, f"no row for item {item.pk}"
    return match.group(0)


def test_the_dashboard_of_five_cases_marks_the_overdue_one_in_red_and_downloads_both_reports(
    world: World,
) -> None:
    campaign, items = _five(world)
    client = _client(world.bureau_head)
    html = _page(client, f"/leadership/campaigns/{campaign.pk}/")
    assert "中央第三批交办信访积案" in html and "挂图作战" in html
    assert "中央第三批交办我市共5件信访积案，已办结提交3件，办结提交率60.0%" in html
    assert "化解率 20.0% / 目标 90%" in html and "未达到目标" in html
    late = _row(html, items[3])
    assert 'class="overdue"' in late and "逾期2天" in late and "记录办结提交" in late
    assert 'class="overdue"' not in _row(html, items[0]) and "详情" in _row(html, items[0])
    assert "记录实体化解" in _row(html, items[1])  # the organiser confirms
    chart = json.loads(
        re.search(r'id="campaign-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    )  # type: ignore[union-attr]
    assert chart["units"] == ["示例市住房和城乡建设局"]
    assert {s["key"]: s["data"] for s in chart["series"]} == {
        "resolved": [1],
        "applied": [1],
        "submitted": [1],
        "none": [2],
    }
    assert "campaign_dashboard.js" in html and "列入积案事项" in html

    docx = client.get(f"/leadership/campaigns/{campaign.pk}/report/?period=week&format=docx&on=2025-03-12")
    assert docx.status_code == 200
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in docx["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "化解工作进展情况通报（第3周）" in text and "办结提交率60.0％" in text
    xlsx = client.get(f"/leadership/campaigns/{campaign.pk}/report/?period=month&format=xlsx")
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["总体", "按责任单位", "按包案领导", "逾期事项", "全部事项"]
    assert book["逾期事项"].cell(row=2, column=1).value == items[3].case.number


def test_report_parameters_are_checked(world: World) -> None:
    campaign, _ = _five(world)
    client = _client(world.bureau_head)
    base = f"/leadership/campaigns/{campaign.pk}/report/"
    assert client.get(base).status_code == 200  # week, docx, today
    for query in ("?period=year", "?format=pdf", "?on=2025-13-01", "?on=2025-03-13"):
        response = client.get(base + query)
        assert response.status_code == 400, query
    assert "不能晚于今天" in client.get(base + "?on=2025-03-13").content.decode()


def test_the_list_shows_the_campaigns_a_user_may_see(world: World) -> None:
    campaign, _ = _five(world)
    html = _page(_client(world.bureau_head), "/leadership/campaigns/")
    assert campaign.name in html and "60.0%" in html and "20.0%" in html and "新建批次" in html
    unit_view = _page(_client(world.handler), "/leadership/campaigns/")
    assert campaign.name in unit_view and "新建批次" not in unit_view
    assert campaign.name not in _page(_client(world.other_clerk), "/leadership/campaigns/")
    assert _client(world.other_clerk).get(f"/leadership/campaigns/{campaign.pk}/").status_code == 404
    assert _client(world.citizen).get("/leadership/campaigns/").status_code == 403
    assert Client().get("/leadership/campaigns/").status_code == 302


def test_a_unit_sees_only_its_own_items_and_may_record_only_its_steps(world: World) -> None:
    campaign, items = _five(world)
    labour_case = with_items(world, campaign, [TODAY], unit=world.county_labour)[0]
    html = _page(_client(world.handler), f"/leadership/campaigns/{campaign.pk}/")
    assert "您看到的是本单位承担的事项" in html
    assert f'id="item-{labour_case.pk}"' not in html and f'id="item-{items[3].pk}"' in html
    assert "记录实体化解" not in html and "列入积案事项" not in html
    assert "记录办结提交" in _row(html, items[3])
    assert _client(world.handler).get(f"/leadership/campaigns/items/{labour_case.pk}/").status_code == 404


def test_creating_a_campaign_and_its_errors(world: World) -> None:
    client = _client(world.bureau_head)
    form = _page(client, "/leadership/campaigns/new/")
    assert "牵头机关：示例市信访局" in form and 'name="target_rate"' in form
    bad = client.post(
        "/leadership/campaigns/new/",
        {
            "org": world.city_bureau.pk,
            "name": "中央第三批",
            "source": "central",
            "received_on": "2025-03-01",
            "deadline": "2025-02-01",
            "target_rate": "90",
            "denominator": "all",
        },
    )
    assert bad.status_code == 200 and "完成期限不能早于交办日期" in bad.content.decode()
    empty = client.post("/leadership/campaigns/new/", {"org": world.city_bureau.pk}).content.decode()
    assert "请填写批次名称。" in empty and "请选择来源。" in empty
    done = client.post(
        "/leadership/campaigns/new/",
        {
            "org": world.city_bureau.pk,
            "name": "中央第三批",
            "source": "central",
            "received_on": "2025-02-26",
            "deadline": "2025-06-30",
            "target_rate": "92.5",
            "denominator": "due",
            "note": "",
        },
    )
    campaign = Campaign.objects.get(name="中央第三批")
    assert done.status_code == 302 and done["Location"] == f"/leadership/campaigns/{campaign.pk}/"
    assert (campaign.target_rate, campaign.denominator) == (92.5, "due")
    assert _client(world.handler).get("/leadership/campaigns/new/").status_code == 403


def test_adding_items_by_case_number(world: World) -> None:
    campaign = a_campaign(world)
    first, second = cases(world, 2)
    client = _client(world.bureau_head)
    url = f"/leadership/campaigns/{campaign.pk}/items/"
    missing = client.post(
        url, {"numbers": f"{first.number} X-NONE", "unit": world.city_housing.pk, "plan_on": "2025-04-30"}
    ).content.decode()
    assert "信访件 X-NONE 不存在或您无权查看" in missing
    early = client.post(
        url, {"numbers": first.number, "unit": world.city_housing.pk, "plan_on": "2025-01-01"}
    ).content.decode()
    assert "计划完成日期应在交办日期 2025-02-26" in early
    done = client.post(
        url,
        {
            "numbers": f"{first.number}，{second.number}",
            "unit": world.city_housing.pk,
            "leader": world.leader.pk,
            "plan_on": "2025-04-30",
        },
    )
    assert done.status_code == 302
    assert campaign.items.count() == 2 and {i.leader for i in campaign.items.all()} == {world.leader}
    again = client.post(
        url, {"numbers": first.number, "unit": world.city_housing.pk, "plan_on": "2025-04-30"}
    )
    assert "已在本批积案中" in again.content.decode()
    assert _client(world.handler).post(url, {"numbers": first.number}).status_code in (403, 404)


def test_progress_steps_from_the_dashboard_and_the_item_page(world: World) -> None:
    campaign, items = _five(world)
    item = items[3]
    unit = _client(world.handler)
    done = unit.post(
        f"/leadership/campaigns/items/{item.pk}/progress/",
        {"stage": "submitted", "on": "2025-03-12", "back": "campaign"},
    )
    assert (
        done.status_code == 302 and done["Location"] == f"/leadership/campaigns/{campaign.pk}/#item-{item.pk}"
    )
    item.refresh_from_db()
    assert item.submitted_on == TODAY
    future = unit.post(
        f"/leadership/campaigns/items/{item.pk}/progress/", {"stage": "applied", "on": "2025-03-13"}
    )
    assert future.status_code == 200 and "申请化解日期不能晚于今天" in future.content.decode()
    page = _page(unit, f"/leadership/campaigns/items/{item.pk}/")
    assert "记录申请化解" in page and "调整事项" not in page and "撤销" not in page
    refused = unit.post(
        f"/leadership/campaigns/items/{items[1].pk}/progress/", {"stage": "resolved", "on": "2025-03-12"}
    )
    assert refused.status_code == 200 and "确认实体化解" in refused.content.decode()
    organiser = _client(world.bureau_head)
    page = _page(organiser, f"/leadership/campaigns/items/{item.pk}/")
    assert "调整事项" in page and "撤销办结提交" in page and "列入清单" in page and "办结提交" in page
    empty = organiser.post(f"/leadership/campaigns/items/{item.pk}/undo/", {"reason": ""}).content.decode()
    assert "请填写撤销理由。" in empty
    undone = organiser.post(f"/leadership/campaigns/items/{item.pk}/undo/", {"reason": "误录。"})
    assert undone.status_code == 302
    item.refresh_from_db()
    assert item.submitted_on is None
    assert "误录。" in _page(organiser, f"/leadership/campaigns/items/{item.pk}/")
    moved = organiser.post(
        f"/leadership/campaigns/items/{item.pk}/edit/",
        {"unit": world.county_labour.pk, "leader": "", "plan_on": "2025-04-30", "note": "改由县人社局办理。"},
    )
    assert moved.status_code == 302
    item.refresh_from_db()
    assert (item.unit, item.leader, item.plan_on) == (world.county_labour, None, D(2025, 4, 30))
    late = organiser.post(
        f"/leadership/campaigns/items/{item.pk}/edit/",
        {"unit": world.county_labour.pk, "leader": "", "plan_on": "2025-07-01"},
    ).content.decode()
    assert "计划完成日期应在交办日期" in late


def test_a_county_campaign_reads_as_the_report_phrase(world: World) -> None:
    clerk = staff("county_clerk", "赵县信访", world.county_bureau, Role.REGISTRAR, Role.BUREAU_HEAD)
    campaign = a_campaign(world, actor=clerk, org=world.county_bureau, received_on=RECEIVED)
    html = _page(_client(clerk), f"/leadership/campaigns/{campaign.pk}/")
    assert "中央第三批交办我县共0件信访积案，已办结提交0件，办结提交率—" in html
    assert "尚未列入事项" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_draws_its_bars_under_the_policy_and_fits_a_phone(
    live_server: Any, world: World, page: Any
) -> None:
    campaign, items = _five(world)
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", world.bureau_head.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{live_server.url}/leadership/campaigns/{campaign.pk}/")
        page.wait_for_selector("#campaign-units-chart canvas")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.locator(f"#item-{items[3].pk}.overdue").count() == 1
    assert not violations
    # The weekly report, downloaded from the dashboard as a user does.
    page.set_viewport_size({"width": 1280, "height": 844})
    page.select_option("#reports select[name=period]", "week")
    with page.expect_download() as download:
        page.click("#reports button[value=docx]")
    path = download.value.path()
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "化解工作进展情况通报（第" in text and "周）" in text and campaign.name in text
