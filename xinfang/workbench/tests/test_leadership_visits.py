"""Pages of 约访 and 下访 / 夜访: create, refusals on their field, results, outcomes, feedback, 404s."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from xinfang.cases.tests.helpers import register
from xinfang.leadership.models import Appointment, FieldVisit
from xinfang.leadership.tests.test_visits_setup import NOW, Cast, cast, push, schedule, visit_down
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import PASSWORD, World

Freeze = Callable[[str], dt.datetime]


def _field_error(html: str, name: str) -> str:
    """The error shown under the field ``name`` (the field's own block), "" if none."""
    match = re.search(
        rf'<div class="field has-error">\s*<label for="id_{name}">.*?<div class="field-error" role="alert">(.*?)</div>',
        html,
        re.S,
    )
    return match.group(1) if match else ""


@pytest.fixture
def c(world: World, freeze: Freeze) -> Cast:
    freeze(NOW)
    return cast(world)


# ---------------------------------------------------------------- 约访


def _appointment_form(world: World, c: Cast, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "case": c.case.number,
        "org": world.city_bureau.pk,
        "leader": world.leader.pk,
        "on": "2025-03-04",
        "time": "09:30",
        "place": "市信访局接待大厅",
        "purpose": "听取诉求",
    }
    data.update(overrides)
    return data


def test_an_appointment_is_made_from_the_case_and_shown(world: World, c: Cast) -> None:
    client = _client(world.registrar)
    form = _page(client, f"/leadership/appointments/new/?case={c.case.pk}")
    assert f'value="{c.case.number}"' in form and "陈副市长（示例市人民政府）" in form
    assert "孙县长" not in form  # a county leader does not meet a city bureau's petitioners
    response = client.post(
        f"/leadership/appointments/new/?case={c.case.pk}", _appointment_form(world, c), follow=True
    )
    appointment = Appointment.objects.get()
    assert response.redirect_chain == [(f"/leadership/appointments/{appointment.pk}/", 302)]
    page = response.content.decode()
    assert "已安排约访：2025-03-04 09:30，市信访局接待大厅。" in page
    assert "记录约访结果" in page and "陈副市长" in page
    listed = _page(client, "/leadership/appointments/")
    assert c.case.number in listed and "2025-03-04 09:30" in listed
    assert f"/leadership/appointments/{appointment.pk}/" in _page(
        _client(world.leader), "/leadership/appointments/"
    )


def test_a_refused_appointment_comes_back_with_the_error_on_its_field(world: World, c: Cast) -> None:
    client = _client(world.registrar)
    url = "/leadership/appointments/new/"
    past = client.post(url, _appointment_form(world, c, on="2025-03-03", time="08:00")).content.decode()
    assert _field_error(past, "on") == "约见时间已过，请填写今后的时间。"
    unknown = client.post(url, _appointment_form(world, c, case="NO-SUCH")).content.decode()
    assert _field_error(unknown, "case") == "信访件 NO-SUCH 不存在或您无权查看。"
    empty = client.post(url, _appointment_form(world, c, place="", time="9点")).content.decode()
    assert _field_error(empty, "place") == "请填写约见地点。"
    assert _field_error(empty, "time") == "约见时间应为“时:分”，如 09:30。"
    # 孙县长 may not read the city's case: the county clerk's choice of him is refused on the field.
    county = _client(c.county_clerk).post(
        url, _appointment_form(world, c, org=world.county_bureau.pk, leader=c.county_leader.pk)
    )
    assert (
        _field_error(county.content.decode(), "leader")
        == f"孙县长无权查看信访件 {c.case.number}，不在其职责范围内。"
    )
    assert not Appointment.objects.exists()


def test_the_result_form_refuses_a_held_without_outcome_then_records_it(
    world: World, c: Cast, freeze: Freeze
) -> None:
    appointment = schedule(world, c.case)
    freeze("2025-03-04 11:00")
    client = _client(world.leader)
    url = f"/leadership/appointments/{appointment.pk}/record/"
    html = client.post(url, {"status": "held", "outcome": ""}).content.decode()
    assert _field_error(html, "outcome") == "请填写约访结果。"
    response = client.post(url, {"status": "held", "outcome": "当面答复，信访人满意。"}, follow=True)
    page = response.content.decode()
    assert "已记录约访结果：已约见。" in page and "当面答复，信访人满意。" in page
    assert "记录约访结果</h2>" not in page
    assert c.case.events.filter(kind="appointment_held").exists()


def test_outsiders_get_404_and_citizens_no_page(world: World, c: Cast) -> None:
    appointment = schedule(world, c.case)
    outsider = _client(world.other_clerk)
    assert outsider.get(f"/leadership/appointments/{appointment.pk}/").status_code == 404
    assert (
        outsider.post(
            f"/leadership/appointments/{appointment.pk}/record/", {"status": "cancelled"}
        ).status_code
        == 404
    )
    assert outsider.get(f"/leadership/appointments/new/?case={c.case.pk}").status_code == 404
    assert appointment.pk and "没有约访" in _page(outsider, "/leadership/appointments/")
    assert _client(world.citizen).get("/leadership/appointments/").status_code == 403
    assert Client().get("/leadership/field-visits/").status_code == 302


# ---------------------------------------------------------------- 下访


def _visit_form(world: World, numbers: list[str], **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "org": world.city_bureau.pk,
        "leader": world.leader.pk,
        "on": "2025-03-01",
        "days": "2",
        "place": "青山县城关镇",
        "participants": "市住建局",
        "summary": "现场查看",
        "cases": "\n".join(numbers),
    }
    data.update(overrides)
    return data


def test_a_visit_down_is_recorded_with_its_cases_and_their_outcomes(world: World, c: Cast) -> None:
    client = _client(world.registrar)
    assert "下访天数" in _page(client, "/leadership/field-visits/new/?kind=down")
    response = client.post(
        "/leadership/field-visits/new/?kind=down",
        _visit_form(world, [c.case.number, c.at_town.number, c.case.number]),
        follow=True,
    )
    visit = FieldVisit.objects.get()
    assert response.redirect_chain == [(f"/leadership/field-visits/{visit.pk}/", 302)]
    page = response.content.decode()
    assert "已登记下访，带案 2 件。" in page and page.count("记录化解情况</button>") == 2
    item = visit.items.get(case=c.case)
    url = f"/leadership/field-visits/items/{item.pk}/outcome/"
    refused = client.post(url, {f"item{item.pk}-resolved": "", f"item{item.pk}-outcome": ""}).content.decode()
    assert _field_error(refused, f"item{item.pk}-resolved") == "请选择是否就地化解。"
    done = client.post(
        url, {f"item{item.pk}-resolved": "yes", f"item{item.pk}-outcome": "开发商当场承诺维修"}, follow=True
    ).content.decode()
    assert "就地化解" in done and "开发商当场承诺维修" in done and done.count("记录化解情况</button>") == 1
    listed = _page(client, "/leadership/field-visits/?tab=down")
    assert "陈副市长" in listed and "青山县城关镇" in listed


def test_unknown_or_invisible_numbers_and_refusals_are_shown_on_the_field(world: World, c: Cast) -> None:
    far = register(world, problem_region=world.other_county)
    client = _client(c.county_clerk)
    html = client.post(
        "/leadership/field-visits/new/?kind=down",
        _visit_form(world, [c.case.number, far.number, "BOGUS-1"], org=world.county_bureau.pk),
    ).content.decode()
    assert _field_error(html, "cases") == f"以下编号不存在或您无权查看：{far.number}、BOGUS-1。"
    refused = client.post(
        "/leadership/field-visits/new/?kind=down",
        _visit_form(world, [c.elsewhere.number], org=world.county_bureau.pk, leader=c.county_leader.pk),
    ).content.decode()
    assert "问题属地不在青山县" in _field_error(refused, "cases")
    future = client.post(
        "/leadership/field-visits/new/?kind=down",
        _visit_form(world, [c.at_town.number], org=world.county_bureau.pk, on="2025-03-04"),
    ).content.decode()
    assert _field_error(future, "on") == "下访日期不能晚于今天：下访结束后再登记。"
    assert not FieldVisit.objects.exists()


def test_an_outsider_gets_404_for_a_visit_and_its_cases(world: World, c: Cast) -> None:
    visit = visit_down(world, [c.case])
    item = visit.items.get()
    outsider = _client(world.other_clerk)
    assert outsider.get(f"/leadership/field-visits/{visit.pk}/").status_code == 404
    posted = outsider.post(
        f"/leadership/field-visits/items/{item.pk}/outcome/",
        {f"item{item.pk}-resolved": "yes", f"item{item.pk}-outcome": "x"},
    )
    assert posted.status_code == 404
    assert "没有下访记录" in _page(outsider, "/leadership/field-visits/")


# ---------------------------------------------------------------- 夜访


def test_a_night_visit_is_pushed_and_the_township_answers_from_its_tab(world: World, c: Cast) -> None:
    bureau = _client(world.registrar)
    form = _page(bureau, "/leadership/field-visits/new/?kind=night")
    assert "青山县城关镇人民政府" in form and "河口县河口镇人民政府" in form and "带队领导" not in form
    blind = bureau.post(
        "/leadership/field-visits/new/?kind=night",
        {
            "org": world.city_bureau.pk,
            "target_org": world.town_office.pk,
            "on": "2025-03-03",
            "place": "城关镇",
            "cases": c.case.number,
        },
    ).content.decode()
    assert "青山县城关镇人民政府无权查看信访件" in _field_error(blind, "cases")
    response = bureau.post(
        "/leadership/field-visits/new/?kind=night",
        {
            "org": world.city_bureau.pk,
            "target_org": world.town_office.pk,
            "on": "2025-03-03",
            "place": "城关镇",
            "cases": c.at_town.number,
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已向青山县城关镇人民政府推送夜访 1 件。" in page and "反馈夜访情况</button>" not in page
    item = FieldVisit.objects.get().items.get()
    town = _client(c.town_clerk)
    awaiting = _page(town, "/leadership/field-visits/?tab=awaiting")
    assert c.at_town.number in awaiting and f"#item-{item.pk}" in awaiting
    done = town.post(
        f"/leadership/field-visits/items/{item.pk}/feedback/",
        {f"item{item.pk}-resolved": "no", f"item{item.pk}-outcome": "已入户，信访人坚持诉求"},
        follow=True,
    ).content.decode()
    assert "已反馈信访件" in done and "未化解" in done and "已入户，信访人坚持诉求" in done
    assert "没有待反馈的夜访件" in _page(town, "/leadership/field-visits/?tab=awaiting")


def test_the_bureau_may_not_answer_for_the_township(world: World, c: Cast) -> None:
    item = push(world, [c.at_town]).items.get()
    html = (
        _client(world.registrar)
        .post(
            f"/leadership/field-visits/items/{item.pk}/feedback/",
            {f"item{item.pk}-resolved": "yes", f"item{item.pk}-outcome": "已化解"},
        )
        .content.decode()
    )
    assert "只有青山县城关镇人民政府的承办人或审核人或信访部门负责人可以反馈夜访情况。" in html
    item.refresh_from_db()
    assert item.recorded_at is None


# ---------------------------------------------------------------- a phone's width


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_pages_fit_a_phone_screen(live_server: Any, world: World, page: Any) -> None:
    c = cast(world)
    appointment = schedule(world, c.case, at=timezone.now() + dt.timedelta(days=1))
    visit = visit_down(world, [c.case, c.at_town], on=timezone.localdate())
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "registrar")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for path in (
        "/leadership/appointments/",
        f"/leadership/appointments/new/?case={c.case.pk}",
        f"/leadership/appointments/{appointment.pk}/",
        "/leadership/field-visits/",
        "/leadership/field-visits/new/?kind=down",
        "/leadership/field-visits/new/?kind=night",
        f"/leadership/field-visits/{visit.pk}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1, path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
