from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xinfang.api.tests.conftest import Api, errors_by_field
from xinfang.cases import services
from xinfang.cases.models import ContentCategory
from xinfang.cases.tests.helpers import register
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_cursor_pagination_walks_every_case_once_newest_first_even_with_equal_times(
    world: World, api_as: ApiAs, freeze: Callable[[str], Any]
) -> None:
    freeze("2026-03-02 09:00")  # the clock stands still: all seven share registered_at
    cases = [register(world) for _ in range(7)]
    api = api_as(world.registrar)
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/cases", **params).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted((c.pk for c in cases), reverse=True)


def test_a_page_registered_later_does_not_shift_the_next_page(
    world: World, api_as: ApiAs, freeze: Callable[[str], Any]
) -> None:
    freeze("2026-03-02 09:00")
    old = [register(world) for _ in range(4)]
    api = api_as(world.registrar)
    first = api.get("/cases", limit=2).json()
    freeze("2026-03-02 10:00")
    register(world)  # newer than everything: it belongs before the first page
    second = api.get("/cases", limit=2, cursor=first["next_cursor"]).json()
    assert [i["id"] for i in second["items"]] == [old[1].pk, old[0].pk]
    assert second["next_cursor"] is None


def test_a_garbled_cursor_or_a_limit_over_100_is_refused_with_the_field(world: World, api_as: ApiAs) -> None:
    api = api_as(world.registrar)
    response = api.get("/cases", cursor="not-a-cursor")
    assert response.status_code == 400 and "游标无效" in errors_by_field(response)["cursor"]["message"]
    response = api.get("/cases", limit=101)
    assert response.status_code == 422 and errors_by_field(response)["limit"]["message"] == "不能大于 100。"


def test_the_list_filters_by_status_unit_and_category_prefix(world: World, api_as: ApiAs) -> None:
    housing = register(world)
    services.case_forward(actor=world.registrar, case=housing, to_org=world.city_housing)
    wages = register(world, category=ContentCategory.objects.get(code="040300"), subject="拖欠工资")
    api = api_as(world.registrar)
    assert _ids(api.get("/cases", status="routed")) == [housing.pk]
    assert _ids(api.get("/cases", status="registered")) == [wages.pk]
    assert _ids(api.get("/cases", unit=world.city_housing.pk)) == [housing.pk]
    assert _ids(api.get("/cases", unit=world.city_bureau.pk)) == [wages.pk]
    assert _ids(api.get("/cases", category="04")) == [wages.pk]
    assert _ids(api.get("/cases", category="040000")) == [wages.pk]  # a level-1 code names its subtree
    assert _ids(api.get("/cases", category="0301")) == [housing.pk]
    assert _ids(api.get("/cases", category="13")) == []
    response = api.get("/cases", status="lost")
    assert response.status_code == 422 and "status" in errors_by_field(response)


def test_the_list_filters_by_overdue(world: World, api_as: ApiAs, freeze: Callable[[str], Any]) -> None:
    freeze("2026-03-02 09:00")
    late = register(world)  # the bureau has 15 days to route it
    freeze("2026-04-10 09:00")
    fresh = register(world)
    api = api_as(world.registrar)
    assert _ids(api.get("/cases", overdue="true")) == [late.pk]
    assert _ids(api.get("/cases", overdue="false")) == [fresh.pk]
    row = api.get("/cases", overdue="true").json()["items"][0]
    assert row["overdue"] is True and row["next_due_at"] is not None


def test_the_list_filters_by_registration_dates_in_beijing_time(
    world: World, api_as: ApiAs, freeze: Callable[[str], Any]
) -> None:
    freeze("2026-03-01 23:30")  # Beijing date 1 March, UTC date 1 March 15:30
    march_first = register(world)
    freeze("2026-03-02 00:30")  # Beijing 2 March, still 1 March in UTC
    march_second = register(world)
    freeze("2026-03-05 12:00")
    march_fifth = register(world)
    api = api_as(world.registrar)
    assert _ids(api.get("/cases", registered_from="2026-03-02")) == [march_fifth.pk, march_second.pk]
    assert _ids(api.get("/cases", registered_to="2026-03-01")) == [march_first.pk]
    assert _ids(api.get("/cases", registered_from="2026-03-02", registered_to="2026-03-04")) == [
        march_second.pk
    ]
    assert _ids(api.get("/cases", registered_to="2999-12-31")) == [
        march_fifth.pk,
        march_second.pk,
        march_first.pk,
    ]
    response = api.get("/cases", registered_from="0001-01-01")
    assert (
        response.status_code == 422
        and "1900-01-01" in errors_by_field(response)["registered_from"]["message"]
    )


def test_the_list_shows_only_what_the_access_policy_allows(world: World, api_as: ApiAs) -> None:
    case = register(world)
    assert _ids(api_as(world.registrar).get("/cases")) == [case.pk]
    assert _ids(api_as(world.other_clerk).get("/cases")) == []
    assert _ids(api_as(world.handler).get("/cases")) == []
    services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    assert _ids(api_as(world.handler).get("/cases")) == [case.pk]


def test_list_rows_carry_no_personal_data(world: World, api_as: ApiAs) -> None:
    register(world)
    (row,) = api_as(world.registrar).get("/cases").json()["items"]
    assert "petitioners" not in row and "张三" not in str(row)
    assert row["category_code"] == "030100" and row["channel_label"] == "来访"
