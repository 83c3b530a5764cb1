"""A clock computed without a year's holiday schedule says so in the API, as on the case page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from xinfang.api.tests.conftest import Api
from xinfang.cases.tests.helpers import register
from xinfang.deadlines.models import CalendarYear, DataVersion
from xinfang.orgs.models import User
from xinfang.testing.world import World

ApiAs = Callable[[User], Api]
MISSING_2025 = "2025年节假日安排未导入，按仅周末休息计算（可能不准确）"


def _without_the_2025_schedule() -> None:
    CalendarYear.objects.filter(year=2025).update(complete=False)
    DataVersion.bump()


def test_the_case_detail_carries_the_calendar_warning_of_each_clock(
    world: World, api_as: ApiAs, freeze: Callable[[str], dt.datetime]
) -> None:
    _without_the_2025_schedule()
    freeze("2025-01-24 16:00")
    case = register(world)
    body = api_as(world.registrar).get(f"/cases/{case.pk}").json()
    clocks = {clock["name"]: clock for clock in body["clocks"]}
    assert clocks["route"]["state"] == "running" and clocks["route"]["warnings"] == [MISSING_2025]
    assert clocks["review_decide"]["warnings"] == []  # not started: nothing computed yet
    page = api_as(world.registrar).client
    page.force_login(world.registrar)
    assert MISSING_2025 in page.get(f"/cases/{case.pk}/").content.decode()  # the same as the page


def test_the_case_warnings_list_the_open_clocks_calendar_warnings(
    world: World, api_as: ApiAs, freeze: Callable[[str], dt.datetime]
) -> None:
    _without_the_2025_schedule()
    freeze("2025-01-24 16:00")
    case = register(world)
    response = api_as(world.registrar).get(f"/cases/{case.pk}/warnings")
    assert response.status_code == 200
    route = next(row for row in response.json() if row["clock"] == "route")
    assert route == {
        "clock": "route",
        "clock_label": "交转送（登记后）",
        "kind": "calendar",
        "kind_label": "节假日安排未导入",
        "due_on": route["due_on"],
        "org": None,
        "created_at": None,
        "message": MISSING_2025,
    }
    assert route["due_on"] is not None


def test_with_the_schedule_loaded_there_is_no_calendar_warning(
    world: World, api_as: ApiAs, freeze: Callable[[str], dt.datetime]
) -> None:
    freeze("2025-01-24 16:00")
    case = register(world)
    assert api_as(world.registrar).get(f"/cases/{case.pk}/warnings").json() == []
    body = api_as(world.registrar).get(f"/cases/{case.pk}").json()
    assert all(clock["warnings"] == [] for clock in body["clocks"])


def test_the_openapi_document_declares_the_clock_warnings(api_as: ApiAs, world: World) -> None:
    spec = api_as(world.registrar).get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert schemas["ClockOut"]["properties"]["warnings"]["type"] == "array"
    assert "warnings" in schemas["ClockOut"]["required"]
    assert "message" in schemas["WarningOut"]["properties"]
