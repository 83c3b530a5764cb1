"""积案化解 campaigns in the API: list, detail with figures, create, items, progress, undo, reports."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from xinfang.api.tests.conftest import Api, errors_by_field
from xinfang.leadership.models.campaigns import Campaign, CampaignItem
from xinfang.leadership.tests.test_campaign_services import (
    TODAY,
    a_campaign,
    cases,
    progress,
    with_items,
)
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]
D = dt.date


@pytest.fixture(autouse=True)
def today(freeze):  # type: ignore[no-untyped-def]
    freeze("2025-03-12 10:00")
    return TODAY


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def _five(world: World) -> tuple[Campaign, list[CampaignItem]]:
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


CREATE = {
    "name": "中央第三批交办信访积案",
    "source": "central",
    "received_on": "2025-02-26",
    "deadline": "2025-06-30",
    "target_rate": 90,
    "denominator": "all",
    "note": "按周、月、季进度计划推进。",
}


def test_create_a_campaign_and_its_refusals(world: World, api_as: ApiAs) -> None:
    head = api_as(world.bureau_head)
    body = ok(head.post("/leadership/campaigns", CREATE), 201)
    assert body["org"] == {"id": world.city_bureau.pk, "name": "示例市信访局"}
    assert (body["source_label"], body["target_rate"], body["denominator_label"]) == (
        "中央交办",
        90.0,
        "列入清单的全部事项",
    )
    assert body["figures"]["total"] == 0 and body["figures"]["resolved_rate"] is None
    assert body["figures"]["resolved_rate_text"] == "—" and body["items"] == []
    twice = head.post("/leadership/campaigns", CREATE)
    assert twice.status_code == 409 and errors_by_field(twice)["name"]["code"] == "conflict"
    late = head.post("/leadership/campaigns", {**CREATE, "name": "二", "deadline": "2025-02-01"})
    assert late.status_code == 400 and "deadline" in errors_by_field(late)
    assert head.post("/leadership/campaigns", {**CREATE, "name": "三", "target_rate": 101}).status_code == 422
    assert head.post("/leadership/campaigns", {**CREATE, "name": "四", "source": "county"}).status_code == 422
    refused = api_as(world.handler).post("/leadership/campaigns", {**CREATE, "name": "五"})
    assert refused.status_code == 403 and "org_id" in errors_by_field(refused)
    wrong = api_as(world.handler).post("/leadership/campaigns", {**CREATE, "org_id": world.city_bureau.pk})
    assert wrong.status_code == 403


def test_the_detail_has_the_figures_units_leaders_progress_and_items(world: World, api_as: ApiAs) -> None:
    campaign, items = _five(world)
    body = ok(api_as(world.bureau_head).get(f"/leadership/campaigns/{campaign.pk}"))
    figures = body["figures"]
    assert (
        figures["total"],
        figures["submitted"],
        figures["applied"],
        figures["resolved"],
        figures["overdue"],
    ) == (5, 3, 2, 1, 1)
    assert (figures["submitted_rate"], figures["submitted_rate_text"]) == (0.6, "60.0%")
    assert figures["resolved_rate_text"] == "20.0%"
    assert body["headline"].startswith("中央第三批交办我市共5件信访积案，已办结提交3件，办结提交率60.0％")
    assert [u["label"] for u in body["units"]] == ["示例市住房和城乡建设局"]
    assert body["leaders"][0]["label"] == "陈副市长"
    assert body["week"] == {
        "period": "week",
        "label": "第3周",
        "start": "2025-03-10",
        "until": "2025-03-12",
        "submitted": 2,
        "applied": 1,
        "resolved": 1,
    }
    late = next(i for i in body["items"] if i["id"] == items[3].pk)
    assert (late["overdue"], late["days_overdue"], late["stage"]) == (True, 2, "none")
    earlier = ok(api_as(world.bureau_head).get(f"/leadership/campaigns/{campaign.pk}", on="2025-03-09"))
    assert earlier["figures"]["submitted"] == 1 and earlier["week"]["label"] == "第2周"
    future = api_as(world.bureau_head).get(f"/leadership/campaigns/{campaign.pk}", on="2025-03-13")
    assert future.status_code == 400 and "on" in errors_by_field(future)


def test_the_list_and_who_sees_what(world: World, api_as: ApiAs) -> None:
    campaign, _ = _five(world)
    with_items(world, campaign, [TODAY], unit=world.county_labour)
    listed = ok(api_as(world.bureau_head).get("/leadership/campaigns"))
    assert listed["count"] == 1 and listed["items"][0]["figures"]["total"] == 6
    unit = ok(api_as(world.handler).get("/leadership/campaigns"))
    assert unit["items"][0]["figures"]["total"] == 5  # only the housing bureau's own items
    assert ok(api_as(world.other_clerk).get("/leadership/campaigns")) == {"items": [], "count": 0}
    hidden = api_as(world.other_clerk).get(f"/leadership/campaigns/{campaign.pk}")
    assert hidden.status_code == 404
    assert api_as(world.other_clerk).get(f"/leadership/campaigns/{campaign.pk}/report").status_code == 404


def test_adding_items_all_or_nothing_with_the_row_named(world: World, api_as: ApiAs) -> None:
    campaign = a_campaign(world)
    first, second = cases(world, 2)
    head = api_as(world.bureau_head)
    url = f"/leadership/campaigns/{campaign.pk}/items"
    row = {
        "case_id": first.pk,
        "unit_id": world.city_housing.pk,
        "leader_id": world.leader.pk,
        "plan_on": "2025-04-30",
    }
    bad_unit = head.post(
        url, {"items": [row, {**row, "case_id": second.pk, "unit_id": world.province_gov.pk}]}
    )
    assert bad_unit.status_code == 400 and "items[1].unit_id" in errors_by_field(bad_unit)
    bad_leader = head.post(url, {"items": [{**row, "leader_id": world.handler.pk}]})
    assert "items[0].leader_id" in errors_by_field(bad_leader)
    unseen = head.post(url, {"items": [{**row, "case_id": 999999}]})
    assert unseen.status_code == 400 and "items[0].case_id" in errors_by_field(unseen)
    assert head.post(url, {"items": []}).status_code == 422
    assert campaign.items.count() == 0
    body = ok(head.post(url, {"items": [row, {**row, "case_id": second.pk, "leader_id": None}]}), 201)
    assert len(body["items"]) == 2
    again = head.post(url, {"items": [row]})
    assert again.status_code == 409 and errors_by_field(again)["items[0].case_id"]["code"] == "conflict"
    assert api_as(world.handler).post(url, {"items": [row]}).status_code == 403  # a unit with items
    assert api_as(world.other_clerk).post(url, {"items": [row]}).status_code == 404


def test_progress_undo_and_update_of_an_item(world: World, api_as: ApiAs) -> None:
    _, items = _five(world)
    item = items[3]
    unit, head = api_as(world.handler), api_as(world.bureau_head)
    base = f"/leadership/campaigns/items/{item.pk}"
    body = ok(unit.post(f"{base}/progress", {"stage": "submitted", "on": "2025-03-12", "note": "已办结。"}))
    assert (body["submitted_on"], body["stage"], body["note"]) == ("2025-03-12", "submitted", "已办结。")
    assert [e["kind"] for e in body["events"]] == ["added", "submitted"]
    out_of_order = unit.post(f"{base}/progress", {"stage": "resolved", "on": "2025-03-12"})
    assert out_of_order.status_code == 403  # 实体化解 only by the organ
    skipped = head.post(f"{base}/progress", {"stage": "resolved", "on": "2025-03-12"})
    assert skipped.status_code == 409 and skipped.json()["detail"][0]["code"] == "invalid_state"
    future = unit.post(f"{base}/progress", {"stage": "applied", "on": "2025-03-13"})
    assert future.status_code == 400 and "on" in errors_by_field(future)
    assert unit.post(f"{base}/progress", {"stage": "closed", "on": "2025-03-12"}).status_code == 422
    assert unit.post(f"{base}/undo", {"reason": "误录。"}).status_code == 403
    undone = ok(head.post(f"{base}/undo", {"reason": "误录。"}))
    assert undone["submitted_on"] is None and undone["events"][-1]["kind"] == "undone"
    moved = ok(
        head.post(
            f"{base}/update",
            {"unit_id": world.county_labour.pk, "leader_id": None, "plan_on": "2025-04-30", "note": ""},
        )
    )
    assert moved["unit"]["name"] == "青山县人力资源和社会保障局" and moved["leader"] is None
    bad = head.post(f"{base}/update", {"unit_id": world.province_gov.pk, "plan_on": "2025-04-30"})
    assert bad.status_code == 400 and "unit_id" in errors_by_field(bad)
    assert api_as(world.handler).get(base).status_code == 404  # no longer the housing bureau's item
    assert (
        api_as(world.other_clerk)
        .post(f"{base}/progress", {"stage": "submitted", "on": "2025-03-12"})
        .status_code
        == 404
    )


def test_the_report_files(world: World, api_as: ApiAs) -> None:
    campaign, _ = _five(world)
    head = api_as(world.bureau_head)
    docx = head.get(
        f"/leadership/campaigns/{campaign.pk}/report", period="week", format="docx", on="2025-03-12"
    )
    assert docx.status_code == 200 and docx["Content-Type"].endswith("wordprocessingml.document")
    content = b"".join(docx.streaming_content)
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "化解工作进展情况通报（第3周）" in text
    xlsx = head.get(f"/leadership/campaigns/{campaign.pk}/report", period="month", format="xlsx")
    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert book.sheetnames == ["总体", "按责任单位", "按包案领导", "逾期事项", "全部事项"]
    assert head.get(f"/leadership/campaigns/{campaign.pk}/report", format="pdf").status_code == 422
    assert head.get(f"/leadership/campaigns/{campaign.pk}/report", on="2025-03-13").status_code == 400
