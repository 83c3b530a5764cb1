"""Pages of the queue at the desk and of 联合接访: the board (取号、叫号、过号、接待完毕), the 诉求单 on a
tablet, the ticket with its printable form and the one-step registration, convening the stationed
units, attendance, the conclusion and a hall's list with its figures; each page's GET, its POST
that works, its POST with an error on the field, and 404 for whoever may not see the record."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from docx import Document

from xinfang.cases.models import Case, Status
from xinfang.cases.tests.helpers import category
from xinfang.reception.models import JointOutcome, JointReception, Ticket, TicketStatus
from xinfang.reception.services import (
    joint_convene,
    joint_record_attendance,
    ticket_call,
    ticket_issue,
)
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.reception.tests.queue_helpers import PHONE, build_centre, filled_ticket, registered_case
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import PASSWORD, World

Freeze = Callable[[str], dt.datetime]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-10 09:00")
    return build_hall_world(world)


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _q(hw: HallWorld, rest: str = "") -> str:
    return f"/reception/halls/{hw.hall.pk}/queue/{rest}"


def _people(rows: list[dict[str, str]]) -> dict[str, str]:
    data = {
        "people-TOTAL_FORMS": "5",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "5",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"people-{index}-{name}"] = value
    return data


def _form_data(world: World, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subject": "小区停车位被开发商违规出售",
        "request": "请求退还车位款。",
        "facts": "开发商出售公共车位。",
        "units_involved": "县住建局、县人社局",
        "category": "030100",
        "problem_region": world.county.code,
        **_people([{"name": "赵大姐", "phone": PHONE, "address": "城关镇幸福路1号"}]),
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- the halls and the board


def test_the_queue_home_goes_to_the_only_hall_or_lists_them(hw: HallWorld, world: World) -> None:
    response = _client(hw.clerk).get("/reception/queue/")
    assert response.status_code == 302 and response.url == _q(hw)
    page = _page(_client(world.other_clerk), "/reception/queue/")
    assert "您所在的机构没有接访大厅" in page


def test_the_board_shows_the_day_with_its_buttons(hw: HallWorld, world: World) -> None:
    first = filled_ticket(hw, world)
    ticket_call(actor=hw.clerk, ticket=first, window_org=hw.labour)
    ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=6)
    page = _page(_client(hw.clerk), _q(hw))
    assert "青山县群众来访接待大厅 · 今日排队" in page and "workbench/reception/queue.css" in page
    assert "A001" in page and "A002" in page and "赵**" in page and "赵大姐" not in page
    assert f'action="{_q(hw, "issue/")}"' in page and "下载空白诉求单" in page
    assert f'action="{_q(hw, f"{first.pk}/call/")}"' in page and "接待完毕" in page and "过号" in page
    assert "3号窗口 · 青山县人力资源和社会保障局" in page  # the call form's unit choices
    # A stationed unit sees the board, opens only the ticket at its window, and has no desk buttons.
    unit = _page(_client(hw.labour_leader), _q(hw))
    assert "A002" in unit and "取号</h2>" not in unit and "/call/" not in unit
    assert f'href="{_q(hw, f"{first.pk}/")}"' in unit and "/skip/" not in unit
    assert _client(world.other_clerk).get(_q(hw)).status_code == 404


def test_taking_a_number_opens_its_form(hw: HallWorld, world: World) -> None:
    client = _client(hw.clerk)
    response = client.post(_q(hw, "issue/"), {"headcount": "3"}, follow=True)
    ticket = Ticket.objects.get()
    assert response.redirect_chain == [(_q(hw, f"{ticket.pk}/form/"), 302)]
    assert "已取号 A001（3 人），请填写诉求单。" in response.content.decode()
    bad = client.post(_q(hw, "issue/"), {"headcount": "0"})
    assert bad.status_code == 200 and "来访人数至少为 1。" in bad.content.decode()
    assert Ticket.objects.count() == 1
    assert _client(world.other_clerk).post(_q(hw, "issue/"), {"headcount": "1"}).status_code == 404
    # Seeing the hall is not running it: the service refuses a stationed unit, on the form.
    refused = _client(hw.labour_leader).post(_q(hw, "issue/"), {"headcount": "1"})
    assert refused.status_code == 200 and "可以取号" in refused.content.decode()


def test_calling_skipping_and_finishing(hw: HallWorld, world: World) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall)
    client = _client(hw.clerk)
    response = client.post(
        _q(hw, f"{ticket.pk}/call/"), {"window_org": hw.labour.pk, "window": ""}, follow=True
    )
    assert response.redirect_chain == [(_q(hw), 302)]
    assert "请 A001 号到 3号窗口（青山县人力资源和社会保障局） 办理。" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED and ticket.window_org == hw.labour
    response = client.post(_q(hw, f"{ticket.pk}/finish/"), follow=True)
    assert "A001 接待完毕。" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SERVED
    # A refusal comes back on the board.
    again = client.post(_q(hw, f"{ticket.pk}/skip/"))
    assert again.status_code == 200 and "不能过号" in again.content.decode()
    other = ticket_issue(actor=hw.clerk, hall=hw.hall)
    bad = client.post(_q(hw, f"{other.pk}/call/"), {"window_org": "", "window": ""})
    assert bad.status_code == 200 and "请填写窗口。" in bad.content.decode()
    assert "open" in bad.content.decode().split(f'id="ticket-{other.pk}"')[1].split("</tr>")[0]
    unfinished = client.post(_q(hw, f"{other.pk}/finish/"))
    assert "尚未叫号，请先叫号。" in unfinished.content.decode()
    assert "A002 已过号。" in client.post(_q(hw, f"{other.pk}/skip/"), follow=True).content.decode()
    outsider = _client(world.other_clerk)
    for step in ("call/", "skip/", "finish/"):
        assert outsider.post(_q(hw, f"{other.pk}/{step}")).status_code == 404


def test_a_one_stop_centre_needs_the_unit_on_the_call(hw: HallWorld, world: World) -> None:
    centre = build_centre(world, hw)
    ticket = ticket_issue(actor=centre.clerk, hall=centre.hall)
    url = f"/reception/halls/{centre.hall.pk}/queue/{ticket.pk}/call/"
    page = _client(centre.clerk).post(url, {"window": "6号窗口"}).content.decode()
    assert "请选择接待的驻厅单位" in page and "请选择驻厅单位" in page


def test_the_blank_form_downloads(hw: HallWorld, world: World) -> None:
    response = _client(hw.clerk).get(_q(hw, "form-blank.docx"))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "群众来访诉求单" in text and "青山县群众来访接待大厅" in text
    assert _client(world.other_clerk).get(_q(hw, "form-blank.docx")).status_code == 404


# ---------------------------------------------------------------- the 诉求单 on a tablet


def test_the_tablet_form_has_five_people_rows_in_one_column(hw: HallWorld) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=8)
    page = _page(_client(hw.clerk), _q(hw, f"{ticket.pk}/form/"))
    assert 'class="tablet-form"' in page and "workbench/reception/queue.css" in page
    assert page.count('class="person-row') == 5 and 'name="people-4-name"' in page
    assert "8 人来访属集体访，请推选不超过 5 名代表填写（第二十条）" in page
    assert 'name="people-0-is_representative"' not in page  # a group's people are its representatives
    assert 'name="subject"' in page and 'name="category"' in page


def test_filling_the_form_and_filling_it_again(hw: HallWorld, world: World) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=2)
    client = _client(hw.clerk)
    response = client.post(_q(hw, f"{ticket.pk}/form/"), _form_data(world), follow=True)
    assert response.redirect_chain == [(_q(hw, f"{ticket.pk}/"), 302)]
    page = response.content.decode()
    assert "已保存 A001 的诉求单，请来访人核对后签字。" in page
    assert "赵大姐" in page and PHONE in page and "请求退还车位款。" in page
    ticket.refresh_from_db()
    assert ticket.category == category("030100") and ticket.problem_region == world.county
    # The form shows what was written, to correct it.
    again = _page(client, _q(hw, f"{ticket.pk}/form/"))
    assert (
        'value="赵大姐"' in again and f'value="{PHONE}"' in again and "请求退还车位款。</textarea>" in again
    )
    rows = [{"name": "钱先生"}, {"name": "孙女士", "phone": "13900139000"}]
    client.post(_q(hw, f"{ticket.pk}/form/"), _form_data(world, **_people(rows)))
    assert [p.name for p in ticket.people.order_by("pk")] == ["钱先生", "孙女士"]


def test_a_refused_form_shows_the_error_on_its_row(hw: HallWorld, world: World) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall)
    client = _client(hw.clerk)
    bad_phone = _form_data(world, **_people([{"name": "赵大姐", "phone": "12ab"}]))
    page = client.post(_q(hw, f"{ticket.pk}/form/"), bad_phone).content.decode()
    assert "联系电话应为 7 至 15 位数字。" in page and "row-error" in page and "诉求单未保存" in page
    two = _form_data(world, **_people([{"name": "赵大姐"}, {"name": "钱先生"}]))
    page = client.post(_q(hw, f"{ticket.pk}/form/"), two).content.decode()
    assert "填写了 2 名来访人，多于来访人数 1" in page
    page = client.post(_q(hw, f"{ticket.pk}/form/"), _form_data(world, subject="")).content.decode()
    assert "请填写诉求事项。" in page and 'value="赵大姐"' in page  # what was typed stays
    page = client.post(
        _q(hw, f"{ticket.pk}/form/"),
        _form_data(world, **{"people-0-name": "", "people-0-phone": "", "people-0-address": ""}),
    ).content.decode()
    assert "请至少填写一名来访人的姓名。" in page
    ticket.refresh_from_db()
    assert ticket.form_filled_at is None


def test_the_form_is_the_desks_and_the_receiving_units(hw: HallWorld, world: World) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall)
    unit = _client(hw.labour_leader)
    assert unit.get(_q(hw, f"{ticket.pk}/form/")).status_code == 404
    assert _client(world.other_clerk).get(_q(hw, f"{ticket.pk}/form/")).status_code == 404
    ticket_call(actor=hw.clerk, ticket=ticket, window_org=hw.labour)
    assert unit.get(_q(hw, f"{ticket.pk}/form/")).status_code == 200
    assert _client(hw.housing_leader).get(_q(hw, f"{ticket.pk}/")).status_code == 404


# ---------------------------------------------------------------- the ticket and its case


def test_the_ticket_page_offers_the_printable_form_and_the_registration(hw: HallWorld, world: World) -> None:
    ticket = filled_ticket(hw, world)
    client = _client(hw.clerk)
    page = _page(client, _q(hw, f"{ticket.pk}/"))
    assert "诉求单 · A001" in page and "赵大姐" in page and PHONE in page
    assert f'href="{_q(hw, f"{ticket.pk}/form.docx")}"' in page and "空白诉求单" in page
    assert f'action="{_q(hw, f"{ticket.pk}/register/")}"' in page
    assert 'value="小区停车位被开发商违规出售"' in page  # the registration prefilled from the form
    assert "请求责令开发商退还违规出售的车位款并恢复公共车位。\n开发商将规划为公共区域的车位出售" in page
    download = client.get(_q(hw, f"{ticket.pk}/form.docx"))
    assert download.status_code == 200 and download["Content-Type"] == DOCX
    cells = [c.text for t in Document(io.BytesIO(download.content)).tables for r in t.rows for c in r.cells]
    assert any(PHONE in text for text in cells)
    outsider = _client(world.other_clerk)
    assert outsider.get(_q(hw, f"{ticket.pk}/")).status_code == 404
    assert outsider.get(_q(hw, f"{ticket.pk}/form.docx")).status_code == 404
    assert _client(hw.labour_leader).get(_q(hw, f"{ticket.pk}/form.docx")).status_code == 404


def test_registering_the_case_in_one_step(hw: HallWorld, world: World) -> None:
    ticket = filled_ticket(hw, world, headcount=2)
    client = _client(hw.clerk)
    data = {
        "nature": "appeal",
        "category": "030100",
        "problem_region": world.county.code,
        "subject": "小区停车位被违规出售",
        "content": "请求退还车位款。",
        "via_proper_ladder": "on",
    }
    bad = client.post(_q(hw, f"{ticket.pk}/register/"), {**data, "subject": ""})
    assert bad.status_code == 200 and "请填写标题。" in bad.content.decode()
    response = client.post(_q(hw, f"{ticket.pk}/register/"), data)
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/"
    assert case.subject == "小区停车位被违规出售" and case.headcount == 2 and case.channel == "visit"
    page = _page(client, response.url)
    assert f"已将 A001 的诉求单登记为信访件 {case.number}。" in page
    detail = _page(client, _q(hw, f"{ticket.pk}/"))
    assert f'已登记为信访件 <a href="/cases/{case.pk}/">{case.number}</a>' in detail
    assert f"/reception/joint/new/?case={case.pk}&amp;ticket={ticket.pk}" in detail
    assert f'action="{_q(hw, f"{ticket.pk}/register/")}"' not in detail
    twice = client.post(_q(hw, f"{ticket.pk}/register/"), data)
    assert twice.status_code == 200 and "不能重复登记" in twice.content.decode()
    # The form cannot change any more: its page says so and goes back to the ticket.
    response = client.get(_q(hw, f"{ticket.pk}/form/"), follow=True)
    assert "诉求单不能再修改" in response.content.decode()
    assert _client(world.other_clerk).post(_q(hw, f"{ticket.pk}/register/"), data).status_code == 404


# ---------------------------------------------------------------- 联合接访


def _convene_data(hw: HallWorld, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "lead_org": hw.labour.pk,
        "plan": "人社局牵头，住建局核查规划。",
        "assist-TOTAL_FORMS": "1",
        "assist-INITIAL_FORMS": "0",
        "assist-MIN_NUM_FORMS": "0",
        "assist-MAX_NUM_FORMS": "8",
        "assist-0-org": hw.housing.pk,
        "assist-0-task": "核查车位规划",
    }
    data.update(overrides)
    return data


def test_convening_from_the_ticket(hw: HallWorld, world: World) -> None:
    ticket, case = registered_case(hw, world)
    client = _client(hw.clerk)
    url = f"/reception/joint/new/?case={case.pk}&ticket={ticket.pk}"
    page = _page(client, url)
    assert "组织联合接访" in page and case.number in page and "青山县群众来访接待大厅" in page
    assert "3号窗口" in page and 'name="assist-0-task"' in page
    bad = client.post(url, _convene_data(hw, **{"assist-0-task": ""}))
    assert bad.status_code == 200
    assert (
        "请填写青山县住房和城乡建设局承担的任务。" in bad.content.decode()
        and "row-error" in bad.content.decode()
    )
    same = client.post(url, _convene_data(hw, **{"assist-0-org": hw.labour.pk}))
    assert "已是牵头单位" in same.content.decode()
    none = client.post(url, _convene_data(hw, **{"assist-0-org": "", "assist-0-task": ""}))
    assert "至少需要一个配合单位" in none.content.decode()
    assert not JointReception.objects.exists()
    response = client.post(url, _convene_data(hw), follow=True)
    joint = JointReception.objects.get()
    assert response.redirect_chain == [(f"/reception/joint/{joint.pk}/", 302)]
    assert "已召集联合接访：牵头单位青山县人力资源和社会保障局，配合单位 1 个。" in response.content.decode()
    assert joint.ticket == ticket


def test_who_may_open_the_convening_form(hw: HallWorld, world: World) -> None:
    _, case = registered_case(hw, world)
    assert _client(world.other_clerk).get(f"/reception/joint/new/?case={case.pk}").status_code == 404
    assert _client(hw.clerk).get("/reception/joint/new/?case=x").status_code == 404
    assert _client(hw.clerk).get(f"/reception/joint/new/?case={case.pk}&ticket=999999").status_code == 404
    # The city handler sees nothing of the county's desk: the case is not theirs either.
    assert _client(world.handler).get(f"/reception/joint/new/?case={case.pk}").status_code == 404
    # The city's leader sees the case (the government oversees the organs under it) but runs no hall.
    forbidden = _client(world.leader).get(f"/reception/joint/new/?case={case.pk}")
    assert forbidden.status_code == 403 and "可以组织联合接访" in forbidden.content.decode()
    lookup = _page(_client(hw.clerk), "/reception/joint/new/")
    assert 'name="number"' in lookup
    found = _client(hw.clerk).get(f"/reception/joint/new/?number={case.number}")
    assert found.status_code == 302 and found.url == f"/reception/joint/new/?case={case.pk}"
    missing = _page(_client(hw.clerk), "/reception/joint/new/?number=XF-NONE")
    assert "信访件 XF-NONE 不存在或您无权查看。" in missing
    assert _client(hw.labour_leader).get(f"/reception/joint/new/?case={case.pk}").status_code == 404


def test_attendance_and_the_conclusion_on_the_spot(hw: HallWorld, world: World) -> None:
    ticket, case = registered_case(hw, world)
    joint = joint_convene(
        actor=hw.clerk,
        hall=hw.hall,
        case=case,
        lead_org=hw.labour,
        assisting=[(hw.housing, "核查车位规划")],
        ticket=ticket,
    )
    client = _client(hw.clerk)
    url = f"/reception/joint/{joint.pk}/"
    page = _page(client, url)
    assert "郑科长" in page and "冯科长" in page and "核查车位规划" in page and "未到场" in page
    assert f'action="/reception/joint/{joint.pk}/attendance/"' in page and 'name="reply_legal_basis"' in page
    assert "请求责令开发商退还违规出售的车位款并恢复公共车位。</textarea>" in page  # the reply's request
    early = client.post(
        f"{url}conclude/",
        {
            "outcome": "on_spot",
            "note": "现场答复。",
            "reply_outcome": "support",
            "reply_request": "退还车位款。",
            "reply_facts": "属实。",
            "reply_reasons": "应予支持。",
            "reply_legal_basis": "《物权法》",
        },
    )
    assert "人员未到场，不能现场解决" in early.content.decode()
    response = client.post(
        f"{url}attendance/", {"org": hw.labour.pk, "attendee": "郑科长", "attended": "1"}, follow=True
    )
    assert (
        response.redirect_chain == [(url, 302)]
        and "已登记青山县人力资源和社会保障局到场：郑科长。" in response.content.decode()
    )
    absent = client.post(
        f"{url}attendance/", {"org": hw.housing.pk, "attendee": "", "attended": "0"}, follow=True
    )
    assert "已登记青山县住房和城乡建设局未到场。" in absent.content.decode()
    long = client.post(f"{url}attendance/", {"org": hw.housing.pk, "attendee": "名" * 65, "attended": "1"})
    assert long.status_code == 200 and "64" in long.content.decode()
    assert (
        client.post(f"{url}attendance/", {"org": world.city_housing.pk, "attended": "1"}).status_code == 404
    )
    missing_basis = client.post(
        f"{url}conclude/",
        {
            "outcome": "on_spot",
            "note": "现场答复。",
            "reply_outcome": "support",
            "reply_request": "退还。",
            "reply_facts": "属实。",
            "reply_reasons": "应予支持。",
            "reply_legal_basis": "",
        },
    )
    assert (
        missing_basis.status_code == 200 and "信访处理意见书应写明法律依据" in missing_basis.content.decode()
    )
    response = client.post(
        f"{url}conclude/",
        {
            "outcome": "on_spot",
            "note": "当场答复，开发商承诺恢复公共车位。",
            "reply_outcome": "support",
            "reply_request": "退还车位款。",
            "reply_facts": "开发商出售公共车位属实。",
            "reply_reasons": "应予恢复。",
            "reply_legal_basis": "《中华人民共和国民法典》第二百七十五条",
            "reply_tags": ["solved"],
        },
        follow=True,
    )
    assert response.redirect_chain == [(url, 302)]
    page = response.content.decode()
    assert "联合接访已结束：现场解决。" in page and "当场答复" in page
    assert f'action="/reception/joint/{joint.pk}/conclude/"' not in page  # concluded: no forms
    case.refresh_from_db()
    assert case.status == Status.REPLIED
    answered = case.events.get(kind="answered")
    assert answered.payload["reasons"].startswith(
        "经牵头单位青山县人力资源和社会保障局会同青山县住房和城乡建设局现场研究，"
    )
    timeline = _page(client, f"/cases/{case.pk}/")
    assert "联合接访：青山县群众来访接待大厅，牵头单位青山县人力资源和社会保障局" in timeline
    again = client.post(f"{url}conclude/", {"outcome": "forwarded", "note": "再转。"})
    assert again.status_code == 200 and "不能再修改" in again.content.decode()


def test_assigning_from_the_page(hw: HallWorld, world: World) -> None:
    _, case = registered_case(hw, world)
    joint = joint_convene(
        actor=hw.clerk, hall=hw.hall, case=case, lead_org=hw.labour, assisting=[(hw.housing, "核查")]
    )
    client = _client(hw.clerk)
    url = f"/reception/joint/{joint.pk}/conclude/"
    bad = client.post(url, {"outcome": "assigned", "note": "交人社局办理。", "report_due": ""})
    assert bad.status_code == 200 and "交办须填写办结报告期限" in bad.content.decode()
    client.post(url, {"outcome": "assigned", "note": "交人社局办理。", "report_due": "2025-04-10"})
    joint.refresh_from_db()
    case.refresh_from_db()
    assert joint.outcome == JointOutcome.ASSIGNED and case.current_org == hw.labour


def test_the_joint_reception_page_is_a_404_for_an_outsider(hw: HallWorld, world: World) -> None:
    _, case = registered_case(hw, world)
    joint = joint_convene(
        actor=hw.clerk, hall=hw.hall, case=case, lead_org=hw.labour, assisting=[(hw.housing, "核查")]
    )
    outsider = _client(world.other_clerk)
    assert outsider.get(f"/reception/joint/{joint.pk}/").status_code == 404
    assert outsider.post(f"/reception/joint/{joint.pk}/attendance/", {"org": hw.labour.pk}).status_code == 404
    assert (
        outsider.post(f"/reception/joint/{joint.pk}/conclude/", {"outcome": "forwarded"}).status_code == 404
    )
    # The city bureau oversees the county's hall and its cases.
    assert _client(world.registrar).get(f"/reception/joint/{joint.pk}/").status_code == 200


def test_the_list_with_the_months_figures(hw: HallWorld, world: World) -> None:
    _, case = registered_case(hw, world)
    joint = joint_convene(
        actor=hw.clerk, hall=hw.hall, case=case, lead_org=hw.labour, assisting=[(hw.housing, "核查")]
    )
    joint_record_attendance(actor=hw.clerk, joint=joint, org=hw.labour, attendee="郑科长")
    client = _client(hw.clerk)
    client.post(
        f"/reception/joint/{joint.pk}/conclude/",
        {
            "outcome": "on_spot",
            "note": "现场答复。",
            "reply_outcome": "explain",
            "reply_request": "退还。",
            "reply_facts": "属实。",
            "reply_reasons": "解释。",
            "reply_legal_basis": "《民法典》",
        },
    )
    page = _page(client, f"/reception/joint/?hall={hw.hall.pk}&month=2025-03")
    assert "青山县群众来访接待大厅 · 2025年3月" in page
    assert "联合接访批次<strong>1</strong>" in page and "现场解决数<strong>1</strong>" in page
    assert "现场化解率<strong>100.0%</strong>" in page and case.number in page
    february = _page(client, f"/reception/joint/?hall={hw.hall.pk}&month=2025-02")
    assert "本月没有联合接访" in february and "现场化解率<strong>—</strong>" in february
    wrong = _page(client, f"/reception/joint/?hall={hw.hall.pk}&month=2025-13")
    assert "月份应为“年-月”" in wrong and "2025年3月" in wrong
    assert _page(client, "/reception/joint/").count(case.number) == 1  # the first hall by default
    assert _client(world.other_clerk).get(f"/reception/joint/?hall={hw.hall.pk}").status_code == 404
    assert "您所在的机构没有接访大厅" in _page(_client(world.other_clerk), "/reception/joint/")


def test_the_tablet_page_at_phone_and_tablet_widths_uses_one_column(hw: HallWorld) -> None:
    """The layout itself is CSS (workbench/reception/queue.css): one column, no fixed widths."""
    from django.contrib.staticfiles import finders

    path = finders.find("workbench/reception/queue.css")
    assert path is not None
    with open(path, encoding="utf-8") as file:
        css = file.read()
    assert ".tablet-form { max-width: 1024px" in css and "@media (max-width: 600px)" in css
    assert "grid-template-columns" not in css.split("/* 联合接访")[0]  # no columns on the tablet form


# ---------------------------------------------------------------- in a browser, on a phone and a tablet


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_desk_pages_fit_a_phone_and_a_tablet(live_server: Any, world: World, page: Any) -> None:
    hw = build_hall_world(world)
    ticket, case = registered_case(hw, world)
    waiting = ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=6)
    joint = joint_convene(
        actor=hw.clerk, hall=hw.hall, case=case, lead_org=hw.labour, assisting=[(hw.housing, "核查车位规划")]
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", hw.clerk.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    paths = (
        _q(hw),
        _q(hw, f"{waiting.pk}/form/"),
        _q(hw, f"{ticket.pk}/"),
        f"/reception/joint/new/?case={case.pk}&ticket={ticket.pk}",
        f"/reception/joint/{joint.pk}/",
        f"/reception/joint/?hall={hw.hall.pk}",
    )
    for width in (390, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)
    # The tablet form: one column of large inputs, as wide as the screen allows.
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}{_q(hw, f'{waiting.pk}/form/')}")
    name = page.locator("input[name=people-0-name]").bounding_box()
    subject = page.locator("input[name=subject]").bounding_box()
    assert name["height"] >= 48 and name["width"] >= 280 and abs(name["x"] - subject["x"]) < 20
    page.fill("input[name=people-0-name]", "代表甲")
    page.fill("input[name=people-0-phone]", "13900139000")
    page.fill("input[name=subject]", "停车位纠纷")
    page.fill("textarea[name=request]", "请求退还车位款。")
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}{_q(hw, f'{waiting.pk}/')}")
    assert "代表甲" in page.content() and "13900139000" in page.content()
    # 现场解决 shows the reply; 交办 the report date.
    page.goto(f"{live_server.url}/reception/joint/{joint.pk}/")
    assert page.locator("textarea[name=reply_legal_basis]").is_visible()
    assert not page.locator("input[name=report_due]").is_visible()
    page.select_option("select[name=outcome]", "assigned")
    assert page.locator("input[name=report_due]").is_visible()
    assert not page.locator("textarea[name=reply_legal_basis]").is_visible()
