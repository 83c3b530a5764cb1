"""GET /api/v1/statistics/units and /statistics/months (xinfang.statistics.tables)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xinfang.api.tests.conftest import Api, errors_by_field, intake_body
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import User
from xinfang.testing.world import World


def _registered(world: World, api_as: Callable[[User], Api], count: int) -> list[int]:
    clerk = api_as(world.registrar)
    ids = []
    for n in range(count):
        response = clerk.post(
            "/cases", intake_body(world, subject=f"住房问题第{n}件"), **{"Idempotency-Key": f"st-{n}"}
        )
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    return ids


def _period(world: World, **extra: Any) -> dict[str, Any]:
    today = local_date()
    return {"org_id": world.city_bureau.pk, "start": f"{today:%Y-%m-01}", "end": f"{today:%Y-%m-%d}", **extra}


def test_the_units_table_counts_each_matter_by_its_unit_and_state(
    world: World, api_as: Callable[[User], Api]
) -> None:
    first, *_ = _registered(world, api_as, 3)
    forwarded = api_as(world.registrar).act(first, "forward", {"to_org_id": world.county_bureau.pk})
    assert forwarded.status_code == 200, forwarded.content
    response = api_as(world.bureau_head).get("/statistics/units", **_period(world))
    assert response.status_code == 200, response.content
    table = response.json()
    assert table["title"] == "各责任单位办理情况" and table["org_name"] == world.city_bureau.name
    assert table["total"] == 3 and table["totals"]["registered"] == 2 and table["totals"]["routed"] == 1
    assert [row["label"] for row in table["rows"]] == ["未交办"]  # no unit has accepted one yet
    assert ("registered", "待交转") in {(c["key"], c["label"]) for c in table["columns"]}


def test_the_months_table_counts_the_months_by_category(world: World, api_as: Callable[[User], Api]) -> None:
    _registered(world, api_as, 2)
    response = api_as(world.bureau_head).get("/statistics/months", **_period(world))
    assert response.status_code == 200, response.content
    table = response.json()
    today = local_date()
    assert [row["key"] for row in table["rows"]] == [f"{today:%Y-%m}"]
    assert table["total"] == 2 and len(table["columns"]) == 1
    assert table["columns"][0]["label"] not in ("", "未分类")


def test_another_organs_figures_are_refused(world: World, api_as: Callable[[User], Api]) -> None:
    response = api_as(world.other_clerk).get("/statistics/units", **_period(world))
    assert response.status_code == 403
    assert "无权查看该机构的统计数据" in errors_by_field(response)["org_id"]["message"]


def test_a_period_that_ends_before_it_starts_or_is_too_long_is_refused(
    world: World, api_as: Callable[[User], Api]
) -> None:
    head = api_as(world.bureau_head)
    backwards = head.get("/statistics/units", **_period(world, start="2026-03-01", end="2026-02-01"))
    assert backwards.status_code == 400 and "截止日期" in errors_by_field(backwards)["end"]["message"]
    long = head.get("/statistics/months", **_period(world, start="2010-01-01", end="2026-02-01"))
    assert long.status_code == 400 and "60 个月" in errors_by_field(long)["end"]["message"]
    garbled = head.get("/statistics/months", **_period(world, start="soon"))
    assert garbled.status_code == 422
