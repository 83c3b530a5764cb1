"""Pages of the grass-roots points: the list with the month's figures and 上报待登记, a point's talks
with filters and the new-talk form, one talk with the forms of each step (调解 start / conclude /
回访, 就地化解, 上报, 登记为信访件 → the case's page); errors on their fields, 404 for outsiders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import category
from xinfang.core.timeutil import LOCAL_TZ, local_date
from xinfang.orgs import services as org_services
from xinfang.orgs.models import OrgKind
from xinfang.reception.models import Mediation, MediationOutcome, Talk, TalkStatus
from xinfang.reception.services.grassroots import (
    mediation_start,
    talk_escalate,
    talk_register,
    talk_resolve,
)
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import PASSWORD, World

D = dt.date
Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-10 09:00")
    category("030100")
    return build_hall_world(world)


def _talk(hw: HallWorld, **overrides: Any) -> Talk:
    fields: dict[str, Any] = {
        "actor": hw.point_clerk,
        "point": hw.point,
        "name": "王大妈",
        "phone": "13700137000",
        "headcount": 2,
        "subject": "邻里宅基地界址纠纷",
        "content": "与邻居因宅基地界址发生争执。",
    }
    fields.update(overrides)
    return talk_register(**fields)


def _mediate(hw: HallWorld, talk: Talk) -> Mediation:
    return mediation_start(
        actor=hw.point_clerk,
        talk=talk,
        parties="王大妈；李某",
        mediator="孙调解员",
        started_on=local_date(),
    )


def _talk_url(talk: Talk, tail: str = "") -> str:
    return f"/reception/points/talks/{talk.pk}/{tail}"


# ---------------------------------------------------------------- the list


def test_the_list_shows_the_points_with_the_months_figures(world: World, hw: HallWorld) -> None:
    station = org_services.org_create(
        name="城关镇综治中心工作站",
        region=world.town,
        kind=OrgKind.TOWNSHIP_STATION,
        parent=world.town_office,
    )
    talk = _talk(hw)
    talk_resolve(actor=hw.point_clerk, talk=talk, resolution="和解", confirmation="本人签字")
    _talk(hw, headcount=3)
    page = _page(_client(hw.town_clerk), "/reception/points/")
    assert "基层服务点：2025年3月" in page
    assert f'<a href="/reception/points/{hw.point.pk}/">城关镇东村村级服务点</a>' in page
    assert "村级服务点 · 青山县城关镇人民政府" in page and station.name in page
    assert "<td>2</td><td>5</td><td>0</td><td>0</td>" in page  # 件数, 人次, 调解, 成功
    assert "<td>—</td><td>1</td><td>0</td><td>100.0%</td>" in page
    assert "<th>合计</th><th>2</th><th>5</th>" in page
    assert "上报待登记" not in page
    assert "?month=2025-02" in page and "?month=2025-04" in page
    assert "基层服务点：2025年2月" in _page(_client(hw.town_clerk), "/reception/points/?month=2025-02")


def test_the_list_of_an_outsider_is_empty_and_a_citizen_is_refused(world: World, hw: HallWorld) -> None:
    page = _page(_client(world.other_clerk), "/reception/points/")
    assert "您没有服务的基层服务点。" in page and hw.point.name not in page
    assert _client(world.citizen).get("/reception/points/").status_code == 403


def test_the_escalated_matters_wait_for_the_receiving_organ(world: World, hw: HallWorld) -> None:
    talk = _talk(hw)
    talk_escalate(actor=hw.point_clerk, talk=talk, to_org=world.town_office, reason="需镇政府处理")
    page = _page(_client(hw.town_clerk), "/reception/points/")
    assert (
        "上报待登记" in page
        and f'<a href="/reception/points/talks/{talk.pk}/">邻里宅基地界址纠纷</a>' in page
    )
    assert "王**（2 人）" in page and "王大妈" not in page
    assert "上报待登记" not in _page(_client(hw.clerk), "/reception/points/")  # another organ's


# ---------------------------------------------------------------- a point


def test_a_points_talks_masked_with_filters(hw: HallWorld) -> None:
    first = _talk(hw, received_at=dt.datetime(2025, 2, 27, 10, 0, tzinfo=LOCAL_TZ), subject="二月的事")
    second = _talk(hw, subject="三月的事")
    talk_resolve(actor=hw.point_clerk, talk=second, resolution="已解释", confirmation="电话确认")
    client = _client(hw.point_clerk)
    url = f"/reception/points/{hw.point.pk}/"
    page = _page(client, url)
    assert "二月的事" in page and "三月的事" in page
    assert "王**" in page and "137****7000" in page and "王大妈" not in page and "13700137000" not in page
    assert "登记群众说事" in page and 'type="datetime-local"' in page and 'value="2025-03-10T09:00"' in page
    resolved = _page(client, url + "?status=resolved")
    assert "三月的事" in resolved and "二月的事" not in resolved
    february = _page(client, url + "?month=2025-02")
    assert "二月的事" in february and "三月的事" not in february
    assert "没有符合条件的说事记录。" in _page(client, url + "?status=escalated")
    assert "二月的事" in _page(client, url + "?month=bad&status=nonsense")  # an invalid filter is ignored
    assert first.pk


def test_registering_a_talk(hw: HallWorld) -> None:
    client = _client(hw.point_clerk)
    data = {
        "name": "刘老伯",
        "phone": "13600136000",
        "address": "东村5组",
        "headcount": "1",
        "received_at": "2025-03-10T08:30",
        "category": "030100",
        "subject": "自来水管破裂无人维修",
        "content": "村口自来水管破裂一周。",
    }
    response = client.post(f"/reception/points/{hw.point.pk}/", data, follow=True)
    talk = Talk.objects.get()
    assert response.redirect_chain == [(_talk_url(talk), 302)]
    assert "已登记刘**反映的“自来水管破裂无人维修”。" in response.content.decode()
    assert (talk.name, talk.phone, talk.category.code) == ("刘老伯", "13600136000", "030100")
    assert talk.received_at == dt.datetime(2025, 3, 10, 8, 30, tzinfo=LOCAL_TZ)


def test_registering_with_errors(hw: HallWorld) -> None:
    client = _client(hw.point_clerk)
    data = {
        "name": "刘老伯",
        "phone": "12",
        "headcount": "1",
        "received_at": "2025-03-10T08:30",
        "subject": "事",
    }
    page = client.post(f"/reception/points/{hw.point.pk}/", data).content.decode()
    assert "登记未完成" in page and "请填写具体情况。" in page
    data["content"] = "内容"
    response = client.post(f"/reception/points/{hw.point.pk}/", data)
    assert response.status_code == 200
    assert "联系电话应为 7 至 15 位数字。" in response.content.decode() and not Talk.objects.exists()
    data.update(phone="", received_at="2025-03-10T10:00")
    assert "接待时间不能晚于现在。" in client.post(f"/reception/points/{hw.point.pk}/", data).content.decode()


def test_a_point_of_no_concern_is_404(world: World, hw: HallWorld) -> None:
    client = _client(world.other_clerk)
    assert client.get(f"/reception/points/{hw.point.pk}/").status_code == 404
    assert client.post(f"/reception/points/{hw.point.pk}/", {"name": "x"}).status_code == 404
    assert (
        _client(hw.clerk).get(f"/reception/points/{world.town_office.pk}/").status_code == 404
    )  # not a point


def test_a_closed_point_shows_its_talks_without_the_form(hw: HallWorld) -> None:
    _talk(hw)
    hw.point.is_active = False
    hw.point.save()
    client = _client(hw.town_clerk)  # the point's own staff lose it with it
    page = _page(client, f"/reception/points/{hw.point.pk}/")
    assert "已停用" in page and "登记群众说事" not in page and "邻里宅基地界址纠纷" in page
    assert client.post(f"/reception/points/{hw.point.pk}/", {"name": "x"}).status_code == 403


# ---------------------------------------------------------------- a talk


def test_the_talk_page_offers_mediation_resolution_and_escalation(hw: HallWorld) -> None:
    talk = _talk(hw)
    page = _page(_client(hw.point_clerk), _talk_url(talk))
    assert "王大妈（2 人）" in page and "13700137000" in page
    assert "开始调解" in page and "登记就地化解" in page and "上报</summary>" in page
    assert "青山县城关镇人民政府" in page and "青山县信访局" in page
    assert "登记为信访件</h2>" not in page


def test_an_outsider_gets_404_on_every_talk_page(world: World, hw: HallWorld) -> None:
    talk = _talk(hw)
    mediation = _mediate(hw, talk)
    client = _client(world.other_clerk)
    assert client.get(_talk_url(talk)).status_code == 404
    for url in (
        _talk_url(talk, "mediations/"),
        _talk_url(talk, "resolve/"),
        _talk_url(talk, "escalate/"),
        _talk_url(talk, "register-case/"),
        f"/reception/points/mediations/{mediation.pk}/conclude/",
        f"/reception/points/mediations/{mediation.pk}/follow-up/",
        "/reception/points/mediations/999999/conclude/",
    ):
        assert client.post(url, {}).status_code == 404, url
    assert _client(hw.point_clerk).get(_talk_url(talk, "resolve/")).status_code == 405


def test_starting_concluding_and_following_up_a_mediation(freeze: Freeze, hw: HallWorld) -> None:
    talk = _talk(hw)
    client = _client(hw.point_clerk)
    response = client.post(
        _talk_url(talk, "mediations/"),
        {"parties": "王大妈；李某", "mediator": "孙调解员", "started_on": "2025-03-10"},
        follow=True,
    )
    assert response.redirect_chain == [(_talk_url(talk), 302)]
    page = response.content.decode()
    assert "已开始调解，调解员：孙调解员。" in page and "登记调解结果" in page
    assert "登记就地化解</summary>" not in page  # not while the mediation runs
    mediation = Mediation.objects.get()
    url = f"/reception/points/mediations/{mediation.pk}/conclude/"
    missing = client.post(
        url, {"outcome": "agreed", "concluded_on": "2025-03-10", "follow_up_on": "2025-03-20"}
    )
    assert missing.status_code == 200 and "请填写调解协议内容（第三十三条）。" in missing.content.decode()
    response = client.post(
        url,
        {
            "outcome": "agreed",
            "agreement": "以原围墙为界。",
            "concluded_on": "2025-03-10",
            "follow_up_on": "2025-03-20",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已登记调解达成协议，请于 2025-03-20 回访协议履行情况。" in page
    assert (
        "已达成调解协议，回访确认协议履行后登记就地化解。" in page and "登记回访（应于 2025-03-20）" in page
    )
    mediation.refresh_from_db()
    assert mediation.outcome == MediationOutcome.AGREED
    follow = f"/reception/points/mediations/{mediation.pk}/follow-up/"
    assert "请填写回访情况。" in client.post(follow, {"note": ""}).content.decode()
    freeze("2025-03-20 10:00")
    client = _client(hw.point_clerk)  # ten days on: a new session (SESSION_COOKIE_AGE is 8 hours)
    page = client.post(follow, {"note": "协议已履行。"}, follow=True).content.decode()
    assert "已登记调解回访情况。" in page and "2025-03-20：协议已履行。" in page
    again = client.post(follow, {"note": "再次"}).content.decode()
    assert "该调解已于 2025-03-20 回访。" in again


def test_a_failed_mediation_and_the_state_errors(hw: HallWorld) -> None:
    talk = _talk(hw)
    mediation = _mediate(hw, talk)
    client = _client(hw.point_clerk)
    page = client.post(
        _talk_url(talk, "mediations/"), {"parties": "甲乙", "mediator": "孙", "started_on": "2025-03-10"}
    ).content.decode()
    assert "该事项正在调解中，请先登记调解结果再开始新的调解。" in page
    response = client.post(
        f"/reception/points/mediations/{mediation.pk}/conclude/",
        {"outcome": "failed", "concluded_on": "2025-03-10"},
        follow=True,
    )
    assert "已登记调解不成，可再次调解、就地化解或上报。" in response.content.decode()
    assert Talk.objects.get().status == TalkStatus.OPEN
    bad_date = client.post(
        _talk_url(talk, "mediations/"), {"parties": "甲乙", "mediator": "孙", "started_on": "2025-03-11"}
    ).content.decode()
    assert "调解日期不能晚于今天：请在调解开始后登记。" in bad_date


def test_resolving_on_the_spot(hw: HallWorld) -> None:
    talk = _talk(hw)
    client = _client(hw.point_clerk)
    page = client.post(
        _talk_url(talk, "resolve/"), {"resolution": "双方和解。", "confirmation": ""}
    ).content.decode()
    assert "请填写群众确认方式。" in page
    response = client.post(
        _talk_url(talk, "resolve/"), {"resolution": "双方和解。", "confirmation": "本人签字"}, follow=True
    )
    page = response.content.decode()
    assert "已登记就地化解（群众确认：本人签字）。" in page and "开始调解" not in page
    assert Talk.objects.get().status == TalkStatus.RESOLVED
    again = client.post(
        _talk_url(talk, "resolve/"), {"resolution": "再", "confirmation": "电话确认"}
    ).content.decode()
    assert "该事项已就地化解，不能再办理。" in again


def test_escalating_then_registering_the_case(world: World, hw: HallWorld) -> None:
    talk = _talk(hw)
    client = _client(hw.point_clerk)
    page = client.post(
        _talk_url(talk, "escalate/"), {"to_org": str(world.town_office.pk), "reason": ""}
    ).content.decode()
    assert "请填写上报理由。" in page
    wrong = client.post(
        _talk_url(talk, "escalate/"), {"to_org": str(world.county_labour.pk), "reason": "需处理"}
    )
    assert "选择一个有效的选项" in wrong.content.decode() or "Select a valid choice" in wrong.content.decode()
    response = client.post(
        _talk_url(talk, "escalate/"),
        {"to_org": str(world.town_office.pk), "reason": "需镇政府处理"},
        follow=True,
    )
    page = response.content.decode()
    assert "已上报青山县城关镇人民政府，待其登记为信访件。" in page and "待青山县城关镇人民政府登记" in page
    assert "登记为信访件</h2>" not in page  # the point's clerk is no registrar of the township
    refused = client.post(_talk_url(talk, "register-case/"), {}, follow=True).content.decode()
    assert "该事项不是上报本机关待登记的事项，或您不是本机关的登记人员。" in refused

    town = _client(hw.town_clerk)
    page = _page(town, _talk_url(talk))
    assert "登记为信访件</h2>" in page and 'value="邻里宅基地界址纠纷"' in page
    assert f'<option value="{world.town.code}" selected>' in page
    data = {
        "nature": "appeal",
        "category": "030100",
        "subject": "邻里宅基地界址纠纷",
        "content": "与邻居因宅基地界址发生争执，村里调解不成。",
        "problem_region": world.town.code,
    }
    assert (
        "请选择内容分类。"
        in town.post(_talk_url(talk, "register-case/"), {**data, "category": ""}).content.decode()
    )
    assert (
        "请填写主要内容。"
        in town.post(_talk_url(talk, "register-case/"), {**data, "content": " "}).content.decode()
    )
    response = town.post(_talk_url(talk, "register-case/"), data, follow=True)
    case = Case.objects.get()
    assert response.redirect_chain == [(f"/cases/{case.pk}/", 302)]
    assert f"已将城关镇东村村级服务点上报的事项登记为信访件 {case.number}。" in response.content.decode()
    assert case.events.filter(kind="escalated_from_point").exists()
    page = _page(town, _talk_url(talk))
    assert f'<a href="/cases/{case.pk}/">{case.number}</a>' in page and "登记为信访件</h2>" not in page
    # the point's clerk does not see the township's case: no link, only that it was registered
    point_page = _page(client, _talk_url(talk))
    assert case.number not in point_page and "已登记" in point_page


# ---------------------------------------------------------------- a phone's width


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_points_pages_fit_a_phone_screen(live_server: Any, world: World, page: Any) -> None:
    category("030100")
    hw = build_hall_world(world)
    talk = _talk(hw, subject="邻里宅基地界址纠纷，涉及多户村民的宅基地确权和围墙拆除问题")
    _mediate(hw, talk)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "dongcun")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path in ("/reception/points/", f"/reception/points/{hw.point.pk}/", _talk_url(talk)):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
