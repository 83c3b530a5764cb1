"""Pages of the reception hall: the list, the hall's form, its page (dashboard, units, today's duty
with the check-in buttons), stationing and withdrawing a unit, the rota with its schedule form, the
shift steps, and the month's attendance with its .xlsx; a 404 for whoever may not see the hall."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.test import Client
from openpyxl import load_workbook

from xinfang.orgs import services as org_services
from xinfang.orgs.models import OrgKind
from xinfang.reception.models import DutyRole, DutyShift, Hall, StationedUnit, Ticket, TicketStatus
from xinfang.reception.services import halls as services
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.testing.clock import beijing
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World

D = dt.date
Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-10 08:00")  # a Monday
    return build_hall_world(world)


def _messages(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def _shift(hw: HallWorld, org: object) -> DutyShift:
    return DutyShift.objects.get(hall=hw.hall, org=org, on=D(2025, 3, 10))


def _hall_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "综合接待大厅",
        "address": "青山县人民路2号",
        "opens_at": "09:00",
        "closes_at": "17:00",
        "grace_minutes": "5",
        "ticket_prefix": "B",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- list and form


def test_the_list_shows_the_halls_the_user_sees(world: World, hw: HallWorld) -> None:
    page = _page(_client(hw.clerk), "/reception/halls/")
    assert "青山县群众来访接待大厅" in page and "2 个" in page and "设立接访大厅" in page
    unit_page = _page(_client(hw.labour_leader), "/reception/halls/")
    assert "青山县群众来访接待大厅" in unit_page and "设立接访大厅" not in unit_page
    assert "青山县群众来访接待大厅" not in _page(_client(world.other_clerk), "/reception/halls/")


def test_creating_a_hall(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    page = _page(client, "/reception/halls/new/")
    assert "所属机构：青山县信访局" in page and 'type="time"' in page and 'value="08:30"' in page
    response = client.post("/reception/halls/new/", _hall_data(org=world.county_bureau.pk), follow=True)
    hall = Hall.objects.get(name="综合接待大厅")
    assert response.redirect_chain == [(f"/reception/halls/{hall.pk}/", 302)]
    assert "已设立接访大厅“综合接待大厅”，请安排驻厅单位。" in _messages(response)
    assert (hall.opens_at, hall.grace_minutes, hall.ticket_prefix) == (dt.time(9), 5, "B")


def test_a_refused_hall_comes_back_on_its_field(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    response = client.post(
        "/reception/halls/new/", _hall_data(org=world.county_bureau.pk, name="青山县群众来访接待大厅")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "青山县信访局已有名为“青山县群众来访接待大厅”的接访大厅。"
    ]
    response = client.post("/reception/halls/new/", _hall_data(org=world.county_bureau.pk, closes_at="08:00"))
    assert "应晚于开始时间" in response.context["form"].errors["closes_at"][0]
    response = client.post("/reception/halls/new/", _hall_data(org=world.county_bureau.pk, ticket_prefix="1"))
    assert "英文字母" in response.context["form"].errors["ticket_prefix"][0]
    assert Hall.objects.count() == 1


def test_who_may_not_create_a_hall_is_told_so(world: World, hw: HallWorld) -> None:
    response = _client(hw.labour_leader).get("/reception/halls/new/")
    assert response.status_code == 403 and "可以设立接访大厅" in response.content.decode()
    assert _client(world.citizen).get("/reception/halls/new/").status_code == 403


def test_editing_a_hall(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    url = f"/reception/halls/{hw.hall.pk}/edit/"
    assert 'value="青山县群众来访接待大厅"' in _page(client, url)
    response = client.post(url, _hall_data(name="青山县来访接待大厅", is_active=""), follow=True)
    assert "已保存接访大厅“青山县来访接待大厅”。" in _messages(response)
    hw.hall.refresh_from_db()
    assert (hw.hall.name, hw.hall.is_active, hw.hall.closes_at) == ("青山县来访接待大厅", False, dt.time(17))
    response = client.post(url, _hall_data(grace_minutes="121"))
    assert response.context["form"].errors["grace_minutes"] == ["迟到宽限应在 0 至 120 分钟之间。"]
    assert _client(hw.labour_leader).get(url).status_code == 403
    assert _client(world.other_clerk).get(url).status_code == 404


# ---------------------------------------------------------------- the hall's page


def test_the_hall_page_shows_the_dashboard_units_and_duty(
    world: World, hw: HallWorld, freeze: Freeze
) -> None:
    Ticket.objects.create(
        hall=hw.hall,
        day=D(2025, 3, 10),
        serial=1,
        number="A001",
        issued_at=beijing("2025-03-10 08:30"),
        called_at=beijing("2025-03-10 08:42"),
        issued_by=hw.clerk,
        status=TicketStatus.CALLED,
        window="3号窗口",
        window_org=world.county_labour,
    )
    freeze("2025-03-10 08:50")
    services.duty_check_in(actor=hw.labour_leader, shift=_shift(hw, world.county_labour))
    freeze("2025-03-10 11:00")
    page = _page(_client(hw.clerk), f"/reception/halls/{hw.hall.pk}/")
    assert "今日排队（2025-03-10）" in page and "12 分钟" in page
    assert "郑科长" in page and "08:50" in page and "迟到" in page
    assert "到岗 1 / 2 人" in page
    assert "登记到岗" in page and "登记离岗" in page and "撤出" in page and "安排驻厅单位" in page
    assert "3号窗口" in page and "现场化解率" in page
    assert f"/reception/halls/{hw.hall.pk}/lawyers/" in page


def test_a_person_on_duty_sees_the_hall_and_their_own_button_only(world: World, hw: HallWorld) -> None:
    page = _page(_client(hw.labour_leader), f"/reception/halls/{hw.hall.pk}/")
    labour, housing = _shift(hw, world.county_labour), _shift(hw, hw.housing)
    assert f"/reception/halls/shifts/{labour.pk}/check-in/" in page and "我已到岗" in page
    assert f"/reception/halls/shifts/{housing.pk}/check-in/" not in page
    assert "安排驻厅单位" not in page and "<summary>撤出</summary>" not in page


def test_an_outsider_gets_a_404_for_the_hall_and_its_pages(world: World, hw: HallWorld) -> None:
    client = _client(world.other_clerk)
    shift = _shift(hw, world.county_labour)
    unit = StationedUnit.objects.get(hall=hw.hall, org=hw.housing)
    for url in (
        f"/reception/halls/{hw.hall.pk}/",
        f"/reception/halls/{hw.hall.pk}/rota/",
        f"/reception/halls/{hw.hall.pk}/attendance/",
        f"/reception/halls/{hw.hall.pk}/units/new/",
        f"/reception/halls/units/{unit.pk}/withdraw/",
        f"/reception/halls/shifts/{shift.pk}/note/",
        "/reception/halls/999999/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/reception/halls/shifts/{shift.pk}/check-in/",
        f"/reception/halls/shifts/{shift.pk}/check-out/",
        f"/reception/halls/shifts/{shift.pk}/cancel/",
    ):
        assert client.post(url).status_code == 404, url
    assert _client(world.citizen).get(f"/reception/halls/{hw.hall.pk}/").status_code == 403
    assert Client().get(f"/reception/halls/{hw.hall.pk}/").status_code == 302  # to the login


# ---------------------------------------------------------------- stationed units


def test_stationing_a_unit(world: World, hw: HallWorld) -> None:
    land = org_services.org_create(
        name="青山县自然资源局", region=world.county, kind=OrgKind.FUNCTIONAL, parent=world.county_gov
    )
    client = _client(hw.clerk)
    url = f"/reception/halls/{hw.hall.pk}/units/new/"
    page = _page(client, url)
    assert "青山县自然资源局" in page and "河口县人力资源和社会保障局" not in page
    assert f'value="{world.county_labour.pk}"' not in page  # already there
    response = client.post(url, {"org": land.pk, "window": "5号窗口", "since": "2025-03-10"}, follow=True)
    assert response.redirect_chain == [(f"/reception/halls/{hw.hall.pk}/", 302)]
    assert "青山县自然资源局已进驻青山县群众来访接待大厅（5号窗口）。" in _messages(response)
    assert StationedUnit.objects.filter(hall=hw.hall, org=land, until__isnull=True).exists()


def test_stationing_errors_come_back_on_the_form(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    url = f"/reception/halls/{hw.hall.pk}/units/new/"
    response = client.post(url, {"org": world.town_office.pk, "window": "窗" * 33, "since": "2025-03-10"})
    assert response.status_code == 200 and "window" in response.context["form"].errors
    response = client.post(url, {"org": world.other_county_labour.pk, "since": "2025-03-10"})
    assert "org" in response.context["form"].errors  # not offered: outside the county
    response = client.post(url, {"org": world.town_office.pk, "since": ""})
    assert response.context["form"].errors["since"] == ["请填写进驻日期。"]
    assert _client(hw.labour_leader).get(url).status_code == 403


def test_withdrawing_a_unit(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    unit = StationedUnit.objects.get(hall=hw.hall, org=hw.housing)
    url = f"/reception/halls/units/{unit.pk}/withdraw/"
    assert "撤出驻厅单位：青山县住房和城乡建设局" in _page(client, url)
    response = client.post(url, {"until": "2025-03-09"})
    assert response.status_code == 200
    assert "还有 1 个排班" in response.context["form"].errors["until"][0]
    response = client.post(url, {"until": "2025-03-10"}, follow=True)
    assert "青山县住房和城乡建设局已撤出青山县群众来访接待大厅，最后一天为 2025-03-10。" in _messages(
        response
    )
    unit.refresh_from_db()
    assert unit.until == D(2025, 3, 10)
    response = client.post(url, {"until": "2025-03-11"})
    assert "已于 2025-03-10 撤出" in response.content.decode()
    assert _client(hw.housing_leader).post(url, {"until": "2025-03-10"}).status_code == 403


# ---------------------------------------------------------------- the rota


def test_the_rota_of_a_week(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    page = _page(client, f"/reception/halls/{hw.hall.pk}/rota/")
    assert "2025-03-10 至 2025-03-16" in page and "3月10日 周一" in page and "今天" in page
    assert "郑科长" in page and "冯科长" in page and "未排班" in page
    assert 'name="days"' in page and 'value="2025-03-14"' in page
    later = _page(client, f"/reception/halls/{hw.hall.pk}/rota/?week=2025-03-19")
    assert "2025-03-17 至 2025-03-23" in later
    assert "2025-03-10 至 2025-03-16" in _page(client, f"/reception/halls/{hw.hall.pk}/rota/?week=2025-13-99")
    unit_page = _page(_client(hw.labour_leader), f"/reception/halls/{hw.hall.pk}/rota/")
    assert 'name="days"' not in unit_page and "我已到岗" in unit_page


def test_scheduling_one_day_and_several(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    url = f"/reception/halls/{hw.hall.pk}/rota/"
    data = {
        "week": "2025-03-10",
        "org": hw.housing.pk,
        "role": DutyRole.STAFF,
        "person": "陈值班",
        "phone": "13900000000",
    }
    response = client.post(url, {**data, "days": ["2025-03-11"]}, follow=True)
    assert response.redirect_chain == [(f"{url}?week=2025-03-10", 302)]
    assert "已排班：2025-03-11 青山县住房和城乡建设局 值班人员 陈值班。" in _messages(response)
    assert "未排带班领导" in response.content.decode()  # the 11th: housing has staff but no leader
    response = client.post(
        url, {**data, "days": ["2025-03-10", "2025-03-11", "2025-03-12", "2025-03-13"]}, follow=True
    )
    assert "已为陈值班排班 3 天，跳过 1 天（已过去、节假日、未进驻或已排班）。" in _messages(response)
    assert DutyShift.objects.filter(person="陈值班").count() == 4
    response = client.post(
        url,
        {
            "week": "2025-03-10",
            "org": world.county_labour.pk,
            "role": DutyRole.LEADER,
            "user": hw.labour_leader.pk,
            "days": ["2025-03-12"],
        },
        follow=True,
    )
    assert "已排班：2025-03-12 青山县人力资源和社会保障局 带班领导 郑科长。" in _messages(response)


def test_scheduling_errors_come_back_on_the_form(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    url = f"/reception/halls/{hw.hall.pk}/rota/"
    base = {"week": "2025-03-10", "org": world.county_labour.pk, "role": DutyRole.STAFF}
    response = client.post(url, {**base, "person": "郑科长", "days": ["2025-03-10"]})
    assert response.status_code == 200
    assert "已有青山县人力资源和社会保障局的排班" in response.context["form"].errors["person"][0]
    response = client.post(url, {**base, "user": hw.housing_leader.pk, "days": ["2025-03-11"]})
    assert "不是青山县人力资源和社会保障局的工作人员" in response.context["form"].errors["user"][0]
    response = client.post(url, {**base, "person": "吴", "days": []})
    assert response.context["form"].errors["days"] == ["请至少选择一天。"]
    response = client.post(url, {**base, "person": "吴", "days": ["2025-03-20"]})
    assert response.context["form"].errors["days"]  # not a day of this week
    response = client.post(
        url,
        {
            "week": "2025-03-03",
            "org": world.county_labour.pk,
            "role": DutyRole.STAFF,
            "person": "吴",
            "days": ["2025-03-03", "2025-03-04"],
        },
    )
    assert "本周没有可为吴排班的日期" in response.context["form"].errors["days"][0]
    assert DutyShift.objects.count() == 2
    assert (
        _client(hw.labour_leader).post(url, {**base, "person": "吴", "days": ["2025-03-11"]}).status_code
        == 403
    )


# ---------------------------------------------------------------- the shift steps


def test_checking_in_and_out_by_the_person_on_duty(world: World, hw: HallWorld, freeze: Freeze) -> None:
    client = _client(hw.labour_leader)
    shift = _shift(hw, world.county_labour)
    response = client.post(f"/reception/halls/shifts/{shift.pk}/check-in/", {"time": "07:00"}, follow=True)
    assert response.redirect_chain == [(f"/reception/halls/{hw.hall.pk}/", 302)]
    assert "郑科长已到岗（08:00）。" in _messages(response)  # the person's own time is now
    response = client.post(f"/reception/halls/shifts/{shift.pk}/check-in/", follow=True)
    assert "郑科长已于 08:00 到岗，不能重复登记。" in _messages(response)
    freeze("2025-03-10 17:40")
    client = _client(hw.labour_leader)  # a new login: the morning's session has run out
    rota = f"/reception/halls/{hw.hall.pk}/rota/"
    response = client.post(f"/reception/halls/shifts/{shift.pk}/check-out/", {"next": rota}, follow=True)
    assert response.redirect_chain == [(rota, 302)]
    assert "郑科长已离岗（17:40）。" in _messages(response)
    other = _shift(hw, hw.housing)
    response = client.post(
        f"/reception/halls/shifts/{other.pk}/check-in/", {"next": "https://evil.example/"}, follow=True
    )
    assert response.redirect_chain == [(f"/reception/halls/{hw.hall.pk}/", 302)]
    assert any("只有值班人员本人" in m for m in _messages(response))
    other.refresh_from_db()
    assert other.checked_in_at is None
    assert client.get(f"/reception/halls/shifts/{shift.pk}/check-in/").status_code == 405


def test_the_hall_staff_record_a_check_in_at_an_earlier_time(
    world: World, hw: HallWorld, freeze: Freeze
) -> None:
    freeze("2025-03-10 10:00")
    client = _client(hw.clerk)
    shift = _shift(hw, hw.housing)
    response = client.post(f"/reception/halls/shifts/{shift.pk}/check-in/", {"time": "08:25"}, follow=True)
    assert "冯科长已到岗（08:25）。" in _messages(response)
    response = client.post(f"/reception/halls/shifts/{shift.pk}/check-out/", {"time": "8点"}, follow=True)
    assert "时间应为“时:分”，如 08:30。" in _messages(response)
    response = client.post(f"/reception/halls/shifts/{shift.pk}/check-out/", {"time": "08:00"}, follow=True)
    assert "离岗时间不能早于到岗时间（08:25）。" in _messages(response)


def test_cancelling_a_shift(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    shift = _shift(hw, hw.housing)
    response = client.post(f"/reception/halls/shifts/{shift.pk}/cancel/", follow=True)
    assert "已取消 2025-03-10 青山县住房和城乡建设局 冯科长 的排班。" in _messages(response)
    assert not DutyShift.objects.filter(pk=shift.pk).exists()
    labour = _shift(hw, world.county_labour)
    response = _client(hw.labour_leader).post(f"/reception/halls/shifts/{labour.pk}/cancel/", follow=True)
    assert any("可以取消排班" in m for m in _messages(response))
    assert DutyShift.objects.filter(pk=labour.pk).exists()


def test_noting_a_reason(world: World, hw: HallWorld) -> None:
    client = _client(hw.clerk)
    shift = _shift(hw, hw.housing)
    url = f"/reception/halls/shifts/{shift.pk}/note/"
    assert "登记值班说明" in _page(client, url)
    response = client.post(url, {"note": "请假"}, follow=True)
    assert response.redirect_chain == [(f"/reception/halls/{hw.hall.pk}/rota/?week=2025-03-10", 302)]
    assert "已登记 2025-03-10 冯科长 的说明。" in _messages(response)
    assert "请假" in response.content.decode()
    response = client.post(url, {"note": ""})
    assert response.status_code == 200 and response.context["form"].errors["note"] == [
        "请填写说明（如请假、公出）。"
    ]
    response = client.post(url, {"note": "假" * 201})
    assert response.context["form"].errors["note"]
    assert _client(hw.housing_leader).get(url).status_code == 403


# ---------------------------------------------------------------- attendance


def _month_of_work(world: World, hw: HallWorld, freeze: Freeze) -> None:
    freeze("2025-03-03 08:00")
    for day in (3, 4):
        services.duty_schedule(
            actor=hw.clerk,
            hall=hw.hall,
            org=world.county_labour,
            on=D(2025, 3, day),
            role=DutyRole.STAFF,
            person="吴值班",
        )
    freeze("2025-03-03 09:00")
    services.duty_check_in(actor=hw.clerk, shift=DutyShift.objects.get(person="吴值班", on=D(2025, 3, 3)))
    freeze("2025-03-10 12:00")


def test_the_attendance_page_and_its_xlsx(world: World, hw: HallWorld, freeze: Freeze) -> None:
    _month_of_work(world, hw, freeze)
    client = _client(hw.clerk)
    url = f"/reception/halls/{hw.hall.pk}/attendance/"
    page = _page(client, url + "?month=2025-03")
    assert "青山县群众来访接待大厅2025年3月驻厅单位值班考勤" in page
    assert "青山县人力资源和社会保障局" in page and "青山县住房和城乡建设局" in page
    assert "50.0%" in page and "100.0%" in page  # labour: 1 of 2 due came; the one who came was late
    assert "?month=2025-02" in page and "?month=2025-04" in page
    assert "2025年3月" in _page(client, url + "?month=2025-13")  # a bad month is this month
    response = client.get(url + "?month=2025-03&download=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "青山县群众来访接待大厅2025年3月驻厅单位值班考勤"
    assert rows[2][:4] == ("驻厅单位", "窗口", "排班人次", "应到人次")
    labour = next(r for r in rows if r[0] == "青山县人力资源和社会保障局")
    assert labour[1:10] == ("3号窗口", 3, 2, 1, 1, 0, 1, 0, 1) and labour[10] == 0.5
    housing = next(r for r in rows if r[0] == "青山县住房和城乡建设局")
    assert housing[10] == "—"  # nobody due yet: today's leader may still come
    assert [r[0] for r in rows[-3:]] == ["合计", "其中：带班领导", "其中：值班人员"]


def test_a_unit_sees_its_own_rows_only(world: World, hw: HallWorld, freeze: Freeze) -> None:
    _month_of_work(world, hw, freeze)
    page = _page(_client(hw.housing_leader), f"/reception/halls/{hw.hall.pk}/attendance/?month=2025-03")
    assert (
        "青山县住房和城乡建设局" in page
        and "青山县人力资源和社会保障局" not in page
        and "仅显示本单位" in page
    )


def test_a_one_stop_centre_has_its_own_dashboard(world: World, hw: HallWorld) -> None:
    centre = org_services.org_create(
        name="青山县群众信访诉求综合服务中心",
        region=world.county,
        kind=OrgKind.ONE_STOP_CENTRE,
        parent=world.county_gov,
    )
    clerk = org_services.staff_user_create(username="centre", full_name="钟中心", password="Centre-Pass-2026")
    org_services.membership_grant(user=clerk, org=centre, role="registrar")
    client = _client(clerk)
    response = client.post("/reception/halls/new/", _hall_data(org=centre.pk, name="信访超市"), follow=True)
    hall = Hall.objects.get(org=centre)
    services.hall_station_unit(
        actor=clerk, hall=hall, org=world.county_labour, window="劳动保障窗口", since=D(2025, 3, 10)
    )
    page = _page(client, f"/reception/halls/{hall.pk}/")
    assert "青山县群众信访诉求综合服务中心（综合服务中心）" in page and "劳动保障窗口" in page
    assert response.redirect_chain == [(f"/reception/halls/{hall.pk}/", 302)]
    assert "信访超市" in _page(client, "/reception/halls/")
    # The labour bureau's staff see the centre's hall too (their unit is stationed there).
    assert "信访超市" in _page(_client(hw.labour_leader), "/reception/halls/")
