"""The case list's search, filters, order, .xlsx export and 批量转送; the registration panel's JSON."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import ID_NUMBER, register
from xinfang.orgs.models import Role
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World


def _numbers(response: Any, *cases: Case) -> list[str]:
    page = response.content.decode()
    return [c.number for c in cases if c.number in page]


def test_the_search_box_finds_a_returning_visitor(world: World) -> None:
    case = register(world)
    other = register(
        world,
        subject="工资拖欠问题",
        content="拖欠农民工工资。",
        petitioners=[PetitionerInput(name="李四", phone="13900139000")],
    )
    client = _client(world.registrar)
    for q in (ID_NUMBER, "13800138000", "张三", case.query_code, "墙体开裂"):
        response = client.get("/cases/", {"q": q})
        assert _numbers(response, case, other) == [case.number], q
    assert "按身份证号码查找" in client.get("/cases/", {"q": ID_NUMBER}).content.decode()


def test_a_clerk_of_another_county_cannot_find_a_case_by_id_number(world: World) -> None:
    case = register(world)
    response = _client(world.other_clerk).get("/cases/", {"q": ID_NUMBER})
    assert response.status_code == 200 and _numbers(response, case) == []


def test_the_list_filters_by_unit_channel_category_and_dates(world: World, freeze: Any) -> None:
    freeze("2025-03-10 09:00")
    letter = register(world, channel="letter", received_on=dt.date(2025, 3, 1))
    routed = services.case_forward(
        actor=world.registrar,
        case=register(world, received_on=dt.date(2025, 3, 8)),
        to_org=world.city_housing,
    )
    client = _client(world.registrar)
    assert _numbers(client.get("/cases/", {"unit": world.city_housing.pk}), letter, routed) == [routed.number]
    assert _numbers(client.get("/cases/", {"channel": "letter"}), letter, routed) == [letter.number]
    assert _numbers(client.get("/cases/", {"received_from": "2025-03-05"}), letter, routed) == [routed.number]
    assert _numbers(client.get("/cases/", {"received_to": "2025-03-05"}), letter, routed) == [letter.number]
    in_03 = _numbers(client.get("/cases/", {"category": "030000"}), letter, routed)
    assert set(in_03) == {letter.number, routed.number}
    assert _numbers(client.get("/cases/", {"category": "040000"}), letter, routed) == []


def test_a_bad_filter_is_named_in_chinese_and_the_others_still_apply(world: World) -> None:
    letter = register(world, channel="letter")
    visit = register(world)
    response = _client(world.registrar).get(
        "/cases/", {"channel": "letter", "received_from": "2025-13-01", "unit": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "输入一个有效的日期" in page
    assert "选择一个有效的选项" in page
    assert letter.number in page and visit.number not in page
    ranged = _client(world.registrar).get(
        "/cases/", {"received_from": "2025-03-05", "received_to": "2025-03-01"}
    )
    assert "信访日期止不能早于信访日期起。" in ranged.content.decode()


def test_columns_sort_by_received_date(world: World, freeze: Any) -> None:
    freeze("2025-03-10 09:00")
    older = register(world, received_on=dt.date(2025, 3, 1))
    newer = register(world, received_on=dt.date(2025, 3, 9))
    later_registered_but_older = register(world, received_on=dt.date(2025, 2, 1))
    client = _client(world.registrar)
    page = client.get("/cases/", {"sort": "received"}).content.decode()
    assert page.index(later_registered_but_older.number) < page.index(older.number) < page.index(newer.number)
    page = client.get("/cases/", {"sort": "-received"}).content.decode()
    assert page.index(newer.number) < page.index(older.number) < page.index(later_registered_but_older.number)
    assert "sort=-received" in page or "sort=received" in page  # the header links keep the order


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return list(book.active.iter_rows(values_only=True))


def test_the_export_holds_the_current_filter_unmasked_for_the_registering_clerk(world: World) -> None:
    case = register(world)
    register(world, subject="工资拖欠问题", content="拖欠农民工工资。", channel="letter")
    rows = _sheet(_client(world.registrar).get("/cases/export/", {"channel": "visit"}))
    assert rows[0][0] == "信访件编号" and len(rows) == 2
    assert rows[1][0] == case.number and rows[1][1] == case.query_code
    assert rows[1][11] == "张三" and rows[1][12] == "13800138000"


def test_the_export_masks_petitioners_for_a_statistics_clerk(world: World) -> None:
    case = register(world)
    statistician = staff_user_create(username="stats", full_name="统计员", password="Stats-Pass-2026")
    membership_grant(user=statistician, org=world.city_bureau, role=Role.STATS_VIEWER)
    rows = _sheet(_client(statistician).get("/cases/export/"))
    assert [r[0] for r in rows[1:]] == [case.number]
    assert rows[1][11] == "张*" and rows[1][12] == "138****8000" and not rows[1][1]
    flat = " ".join(str(v) for r in rows for v in r)
    assert "张三" not in flat and "13800138000" not in flat and case.query_code not in flat


def test_the_export_of_another_county_clerk_is_empty(world: World) -> None:
    register(world)
    assert len(_sheet(_client(world.other_clerk).get("/cases/export/"))) == 1


def test_bulk_forward_reports_each_case(world: World) -> None:
    first, second = register(world), register(world)
    already = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    foreign = register(world)
    response = _client(world.registrar).post(
        "/cases/bulk-forward/",
        {
            "case": [first.pk, second.pk, already.pk, 999999],
            "to_org": world.city_housing.pk,
            "note": "请办理",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "成功 2 件，未转送 2 件" in page
    assert "不能转送" in page and "信访件不存在或您无权查看。" in page
    for case in (first, second):
        case.refresh_from_db()
        assert case.current_org_id == world.city_housing.pk and case.status == "routed"
    foreign.refresh_from_db()
    assert foreign.status == "registered"


def test_bulk_forward_refuses_cases_outside_the_policy_and_an_empty_choice(world: World) -> None:
    case = register(world)
    response = _client(world.other_clerk).post(
        "/cases/bulk-forward/", {"case": [case.pk], "to_org": world.city_housing.pk}
    )
    assert "信访件不存在或您无权查看。" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "registered"
    empty = _client(world.registrar).post(
        "/cases/bulk-forward/", {"to_org": world.city_housing.pk}, follow=True
    )
    assert "请先勾选要转送的信访件。" in empty.content.decode()


def test_person_matters_lists_a_person_s_cases_under_the_policy(world: World) -> None:
    case = register(world)
    answer = _client(world.registrar).post("/cases/person-matters/", {"id_number": ID_NUMBER.lower()})
    assert answer.status_code == 200
    matters = answer.json()["matters"]
    assert [m["number"] for m in matters] == [case.number]
    assert matters[0]["status"] == "待交转" and matters[0]["unit"] == "示例市信访局"
    assert "张三" not in answer.content.decode()  # no personal data in the answer
    assert (
        _client(world.other_clerk).post("/cases/person-matters/", {"phone": "13800138000"}).json()["matters"]
        == []
    )


def test_person_matters_names_a_bad_number(world: World) -> None:
    answer = _client(world.registrar).post("/cases/person-matters/", {"id_number": "110105194912310021"})
    assert answer.status_code == 400 and "校验位" in answer.json()["errors"]["id_number"]
    assert _client(world.registrar).get("/cases/person-matters/").status_code == 405
    assert _client(world.citizen).post("/cases/person-matters/", {"phone": "13800138000"}).status_code == 403
