"""Pages of 领导接访日 and 包案: scheduling, registering a visitor at the day, attaching a case,
closing; taking a case on, progress, 已化解; refusals on the form; 404 for outsiders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.leadership.models import Ownership, ReceptionDay, ReceptionVisit
from xinfang.leadership.services import ownership as ownership_services
from xinfang.leadership.tests.test_reception import schedule
from xinfang.orgs.models import Membership, Role
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import World
from xinfang.workbench.tests.test_actions_pages import _registration

Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def day(world: World, freeze: Freeze) -> ReceptionDay:
    freeze("2025-03-03 10:00")
    return schedule(world)


def test_a_bureau_head_schedules_a_day_and_a_refusal_comes_back_on_the_form(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-03-03 10:00")
    client = _client(world.bureau_head)
    form = _page(client, "/leadership/reception-days/new/")
    assert "陈副市长（示例市人民政府）" in form
    post = Membership.objects.get(user=world.leader, role=Role.LEADER)
    data: dict[str, Any] = {
        "org": world.city_bureau.pk,
        "leader": post.pk,
        "leader_title": "副市长",
        "starts_at": "2025-03-10T09:00",
        "ends_at": "2025-03-10T08:00",
        "place": "示例市群众来访接待中心",
        "topics": "住房保障",
        "published": "on",
    }
    refused = client.post("/leadership/reception-days/new/", data)
    assert refused.status_code == 200 and "结束时间应晚于开始时间" in refused.content.decode()
    assert not ReceptionDay.objects.exists()
    done = client.post("/leadership/reception-days/new/", {**data, "ends_at": "2025-03-10T12:00"})
    day = ReceptionDay.objects.get()
    assert done["Location"] == f"/leadership/reception-days/{day.pk}/"
    assert (day.leader, day.published, day.starts_at.hour) == (
        world.leader,
        True,
        1,
    )  # 09:00 Beijing is 01:00 UTC
    listing = _page(client, "/leadership/reception-days/")
    assert "陈副市长（副市长）" in listing and "2025-03-10 09:00" in listing


def test_a_visitor_is_registered_at_the_day_and_an_existing_case_attached(
    world: World, day: ReceptionDay, freeze: Freeze
) -> None:
    freeze("2025-03-10 09:20")
    client = _client(world.bureau_head)
    page = _page(client, f"/leadership/reception-days/{day.pk}/")
    assert f"/cases/new/?reception_day={day.pk}" in page
    form = _page(client, f"/cases/new/?reception_day={day.pk}")
    assert "登记后记入本次接访" in form and "接访结果" in form
    people = [{"name": "赵四", "phone": "13900139000"}]
    missing = client.post("/cases/new/", _registration(world, *people, reception_day=day.pk))
    assert missing.status_code == 200 and "请选择接访结果" in missing.content.decode()
    assert not Case.objects.exists()
    done = client.post(
        "/cases/new/",
        _registration(
            world, *people, reception_day=day.pk, **{"rv-outcome": "assigned", "rv-note": "一周内答复"}
        ),
    )
    assert done["Location"] == f"/leadership/reception-days/{day.pk}/"
    visit = ReceptionVisit.objects.get()
    assert (visit.registered_here, visit.outcome, visit.note, visit.case.channel) == (
        True,
        "assigned",
        "一周内答复",
        "visit",
    )

    earlier = register(world, subject="老旧小区加装电梯")
    unknown = client.post(
        f"/leadership/reception-days/{day.pk}/receive/",
        {"number": "NOPE", "outcome": "solved", "headcount": "1"},
    )
    assert unknown.status_code == 400 and "没有编号为 NOPE 的信访件" in unknown.content.decode()
    client.post(
        f"/leadership/reception-days/{day.pk}/receive/",
        {"number": earlier.number, "outcome": "explained", "headcount": "2"},
    )
    page = _page(client, f"/leadership/reception-days/{day.pk}/")
    assert earlier.number in page and visit.case.number in page and "当场登记" in page
    assert "接访登记（2 批）" in page
    closed = client.post(f"/leadership/reception-days/{day.pk}/close/", {"summary": "接待 2 批 3 人。"})
    assert closed.status_code == 302
    day.refresh_from_db()
    assert day.status == "held"
    assert "已接访" in _page(client, f"/leadership/reception-days/{day.pk}/")


def test_an_outsider_gets_404_and_a_day_not_open_cannot_register(world: World, day: ReceptionDay) -> None:
    outsider = _client(world.other_clerk)
    assert outsider.get(f"/leadership/reception-days/{day.pk}/").status_code == 404
    assert outsider.get(f"/cases/new/?reception_day={day.pk}").status_code == 404
    assert "尚未到来" in _page(_client(world.bureau_head), f"/leadership/reception-days/{day.pk}/")


def test_a_leader_takes_a_case_records_progress_and_marks_it_resolved(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    client = _client(world.leader)
    form = _page(client, f"/leadership/ownerships/new/?case={case.pk}")
    assert case.number in form and case.subject in form
    post = Membership.objects.get(user=world.leader, role=Role.LEADER)
    data = {
        "leader": post.pk,
        "leader_title": "副市长",
        "numbers": f"{case.number}\nXF-NOT-THERE",
        "title": case.subject,
        "started_on": "2025-03-03",
        "target_on": "2025-04-30",
        "plan": "约谈开发商，一个月内完成维修。",
    }
    refused = client.post("/leadership/ownerships/new/", data)
    assert refused.status_code == 200 and "没有编号为 XF-NOT-THERE 的信访件" in refused.content.decode()
    done = client.post("/leadership/ownerships/new/", {**data, "numbers": case.number})
    ownership = Ownership.objects.get()
    assert done["Location"] == f"/leadership/ownerships/{ownership.pk}/"
    client.post(f"/leadership/ownerships/{ownership.pk}/progress/", {"text": "已约谈开发商。"})
    no_word = client.post(
        f"/leadership/ownerships/{ownership.pk}/resolve/",
        {"resolved_on": "2025-03-03", "evidence": "维修完成。"},
    )
    assert no_word.status_code == 400 and "须有信访人的确认或评价" in no_word.content.decode()
    client.post(
        f"/leadership/ownerships/{ownership.pk}/resolve/",
        {
            "resolved_on": "2025-03-03",
            "evidence": "维修完成。",
            "petitioner_confirmed": "on",
            "petitioner_rating": "满意",
        },
    )
    ownership.refresh_from_db()
    assert ownership.state == "resolved"
    page = _page(client, f"/leadership/ownerships/{ownership.pk}/")
    assert "已化解" in page and "化解进展" in page and "重新启动化解" in page
    listing = _page(client, "/leadership/ownerships/?tab=resolved")
    assert "100.0%" in listing and case.subject in listing
    assert _client(world.other_clerk).get(f"/leadership/ownerships/{ownership.pk}/").status_code == 404


def test_the_case_page_and_the_leaders_home_show_the_ownership(world: World, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    ownership_services.ownership_take(
        actor=world.leader,
        leader=world.leader,
        org=world.city_gov,
        cases=[case],
        title="住房质量",
        started_on=dt.date(2025, 3, 3),
        target_on=dt.date(2025, 3, 31),
        plan="督促维修。",
        leader_title="副市长",
    )
    schedule(world)
    case_page = _page(_client(world.registrar), f"/cases/{case.pk}/")
    assert "包案领导" in case_page and "陈副市长（副市长）" in case_page
    home = _page(_client(world.leader), "/")
    assert (
        "我的包案" in home and "住房质量" in home and "下次接访" in home and "示例市群众来访接待中心" in home
    )
    hub = _page(_client(world.bureau_head), "/leadership/")
    assert "领导接访日" in hub and "领导包案" in hub
