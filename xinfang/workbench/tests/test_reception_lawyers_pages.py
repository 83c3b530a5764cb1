"""Pages of 律师参与接访: the lawyers with the week's rota and the add form, the edit form, the
deactivation, the consultation form (from a case or a ticket) and the month's records with their
figures; a refusal on its field, a 403 for who sees the hall but does not run it, a 404 for others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases.tests.helpers import category, register
from xinfang.core.timeutil import LOCAL_TZ
from xinfang.reception.models import Hall, Lawyer, LawyerConsultation, Ticket
from xinfang.reception.services.lawyers import lawyer_add, lawyer_consultation_record
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.testing.pages import page_text as _page
from xinfang.testing.pages import signed_in as _client
from xinfang.testing.world import PASSWORD, World

Freeze = Callable[[str], dt.datetime]
LICENCE = "13301201810123456"


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-12 15:00")  # a Wednesday
    return build_hall_world(world)


@pytest.fixture
def lawyer(hw: HallWorld) -> Lawyer:
    return lawyer_add(
        actor=hw.clerk, hall=hw.hall, name="赵明", firm="青山正义律师事务所", licence_number=LICENCE
    )


def _url(hw: HallWorld, tail: str = "") -> str:
    return f"/reception/halls/{hw.hall.pk}/lawyers/{tail}"


def _lawyer_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "钱亮",
        "firm": "青山明理律师事务所",
        "licence_number": "13301201510654321",
        "phone": "13900139000",
        "weekdays": ["3", "5"],
    }
    data.update(overrides)
    return data


def _consultation_form(lawyer: Lawyer, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "lawyer": str(lawyer.pk),
        "at": "2025-03-12T10:00",
        "persons": "3",
        "category": "040100",
        "topic": "拖欠工资如何维权",
        "advice": "可向劳动人事争议仲裁委员会申请仲裁。",
        "legal_aid_referred": "on",
        "off_rota_reason": "",
        "case_number": "",
        "ticket": "",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- the lawyers and the rota


def test_the_list_shows_the_rota_the_lawyers_and_the_add_form(hw: HallWorld, lawyer: Lawyer) -> None:
    category("040100")
    page = _page(_client(hw.clerk), _url(hw))
    assert "青山县群众来访接待大厅 · 律师参与接访" in page
    assert "本周轮值（3月10日—3月16日）" in page
    assert '3月12日 星期三 <span class="badge badge-due_soon">今天</span>' in page
    assert page.count("赵明（青山正义律师事务所）") == 2  # Wednesday and Friday
    assert LICENCE in page and "每周三、五" in page
    assert 'name="weekdays" value="3"' in page and "添加接访律师" in page
    assert f'action="/reception/halls/{hw.hall.pk}/lawyers/{lawyer.pk}/deactivate/"' in page
    assert 'name="viewport"' in page and 'class="grid"' in page  # the phone layout's table wrapper


def test_the_rota_of_another_week(hw: HallWorld, lawyer: Lawyer) -> None:
    page = _page(_client(hw.clerk), _url(hw, "?week=2025-03-19"))
    assert "本周轮值（3月17日—3月23日）" in page and "今天" not in page
    assert "本周轮值（3月10日" in _page(_client(hw.clerk), _url(hw, "?week=nonsense"))


def test_a_stationed_unit_sees_the_rota_without_the_forms(hw: HallWorld, lawyer: Lawyer) -> None:
    client = _client(hw.labour_leader)
    page = _page(client, _url(hw))
    assert "赵明（青山正义律师事务所）" in page
    assert "添加接访律师" not in page and "移出名单" not in page and "登记律师接访" not in page
    assert client.post(_url(hw), _lawyer_form()).status_code == 403
    assert client.get(_url(hw, f"{lawyer.pk}/edit/")).status_code == 403
    assert client.get(_url(hw, "consultations/new/")).status_code == 403
    assert Lawyer.objects.count() == 1


def test_an_outsider_gets_404_and_a_citizen_403(world: World, hw: HallWorld, lawyer: Lawyer) -> None:
    client = _client(world.other_clerk)
    for tail in ("", f"{lawyer.pk}/edit/", "consultations/", "consultations/new/"):
        assert client.get(_url(hw, tail)).status_code == 404
    assert client.post(_url(hw, f"{lawyer.pk}/deactivate/")).status_code == 404
    assert client.get("/reception/halls/999999/lawyers/").status_code == 404
    assert _client(world.citizen).get(_url(hw)).status_code == 403


def test_adding_a_lawyer(hw: HallWorld) -> None:
    client = _client(hw.clerk)
    response = client.post(_url(hw), _lawyer_form(weekdays=["5", "1"]), follow=True)
    assert response.redirect_chain == [(_url(hw), 302)]
    assert "已将钱亮律师（青山明理律师事务所）列入接访名单，每周一、五接访。" in response.content.decode()
    assert Lawyer.objects.get().weekdays == "1,5"


def test_adding_a_lawyer_with_a_bad_licence_shows_the_error_on_its_field(hw: HallWorld) -> None:
    response = _client(hw.clerk).post(_url(hw), _lawyer_form(licence_number="12345"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "律师执业证号应为 17 位数字（本系统只核对位数和数字，不核验证号真伪）。" in page
    assert '<details class="sv-opener" id="add-lawyer" open>' in page
    assert 'value="12345"' in page and not Lawyer.objects.exists()


def test_adding_without_a_weekday_is_refused_by_the_form(hw: HallWorld) -> None:
    data = _lawyer_form()
    del data["weekdays"]
    page = _client(hw.clerk).post(_url(hw), data).content.decode()
    assert "请至少选择一个接访日（星期几）。" in page and not Lawyer.objects.exists()


def test_editing_a_lawyer(hw: HallWorld, lawyer: Lawyer) -> None:
    client = _client(hw.clerk)
    page = _page(client, _url(hw, f"{lawyer.pk}/edit/"))
    assert 'value="赵明"' in page and f'value="{LICENCE}"' in page
    assert 'value="3" id="id_weekdays_2" checked' in page or ('value="3"' in page and "checked" in page)
    response = client.post(
        _url(hw, f"{lawyer.pk}/edit/"),
        _lawyer_form(name="赵明", licence_number=LICENCE, weekdays=["2"]),
        follow=True,
    )
    assert response.redirect_chain == [(_url(hw), 302)]
    assert "已保存赵明律师的信息。" in response.content.decode()
    lawyer.refresh_from_db()
    assert (lawyer.firm, lawyer.weekdays, lawyer.phone) == ("青山明理律师事务所", "2", "13900139000")


def test_editing_with_an_error_and_a_lawyer_of_another_hall(
    world: World, hw: HallWorld, lawyer: Lawyer
) -> None:
    client = _client(hw.clerk)
    response = client.post(_url(hw, f"{lawyer.pk}/edit/"), _lawyer_form(phone="12"))
    assert response.status_code == 200 and "律师联系电话应为 7 至 15 位数字。" in response.content.decode()
    other = Hall.objects.create(org=world.city_bureau, name="示例市来访接待大厅")
    stranger = lawyer_add(actor=world.registrar, hall=other, name="孙红", firm="所", licence_number=LICENCE)
    assert client.get(_url(hw, f"{stranger.pk}/edit/")).status_code == 404


def test_deactivating_a_lawyer(hw: HallWorld, lawyer: Lawyer) -> None:
    client = _client(hw.clerk)
    assert client.get(_url(hw, f"{lawyer.pk}/deactivate/")).status_code == 405
    response = client.post(_url(hw, f"{lawyer.pk}/deactivate/"), follow=True)
    assert response.redirect_chain == [(_url(hw), 302)]
    assert "已将赵明律师移出接访名单" in response.content.decode()
    lawyer.refresh_from_db()
    assert not lawyer.is_active
    again = client.post(_url(hw, f"{lawyer.pk}/deactivate/"), follow=True).content.decode()
    assert "赵明律师已不在接访名单中。" in again


def test_a_stationed_unit_may_not_deactivate(hw: HallWorld, lawyer: Lawyer) -> None:
    page = _client(hw.labour_leader).post(_url(hw, f"{lawyer.pk}/deactivate/"), follow=True).content.decode()
    assert "可以管理接访律师" in page
    lawyer.refresh_from_db()
    assert lawyer.is_active


# ---------------------------------------------------------------- a consultation


def test_the_consultation_form(hw: HallWorld, lawyer: Lawyer) -> None:
    category("040100")
    page = _page(_client(hw.clerk), _url(hw, "consultations/new/"))
    assert "赵明（青山正义律师事务所，每周三、五）" in page
    assert 'type="datetime-local"' in page and 'value="2025-03-12T15:00"' in page
    assert 'name="off_rota_reason"' in page and 'name="case_number"' in page


def test_the_form_without_lawyers_says_to_add_one(hw: HallWorld) -> None:
    page = _page(_client(hw.clerk), _url(hw, "consultations/new/"))
    assert "本大厅尚无在岗的接访律师" in page and 'name="topic"' not in page


def test_recording_a_consultation(hw: HallWorld, lawyer: Lawyer) -> None:
    category("040100")
    client = _client(hw.clerk)
    response = client.post(_url(hw, "consultations/new/"), _consultation_form(lawyer), follow=True)
    assert response.redirect_chain == [(_url(hw, "consultations/"), 302)]
    assert "已登记赵明律师接访 1 批次 3 人次。" in response.content.decode()
    c = LawyerConsultation.objects.get()
    assert (c.persons, c.category.code, c.legal_aid_referred) == (3, "040100", True)
    assert c.at == dt.datetime(2025, 3, 12, 10, 0, tzinfo=LOCAL_TZ)


def test_a_day_off_the_rota_without_a_reason_is_refused_on_its_field(hw: HallWorld, lawyer: Lawyer) -> None:
    category("040100")
    client = _client(hw.clerk)
    response = client.post(_url(hw, "consultations/new/"), _consultation_form(lawyer, at="2025-03-11T10:00"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2025-03-11（星期二）不是赵明律师的接访日（每周三、五），请说明非接访日接访的原因。" in page
    assert "登记未完成" in page and not LawyerConsultation.objects.exists()
    ok = client.post(
        _url(hw, "consultations/new/"),
        _consultation_form(lawyer, at="2025-03-11T10:00", off_rota_reason="调班"),
    )
    assert ok.status_code == 302 and LawyerConsultation.objects.get().off_rota_reason == "调班"


def test_the_form_checks_its_own_fields(hw: HallWorld, lawyer: Lawyer) -> None:
    category("040100")
    page = (
        _client(hw.clerk)
        .post(_url(hw, "consultations/new/"), _consultation_form(lawyer, persons="0", at="昨天", topic=""))
        .content.decode()
    )
    assert "接待人次应为 1 至 999 之间的整数。" in page
    assert "咨询时间应为“年-月-日 时:分”。" in page and "请填写咨询事项。" in page


def test_a_consultation_from_a_case_is_written_on_the_case(
    world: World, hw: HallWorld, lawyer: Lawyer
) -> None:
    case = register(world)  # 030100, about 青山县
    client = _client(hw.clerk)
    page = _page(client, _url(hw, f"consultations/new/?case={case.pk}"))
    assert f'value="{case.number}"' in page and 'value="小区住房质量问题长期未解决"' in page
    assert '<option value="030100" selected>' in page
    data = _consultation_form(lawyer, case_number=case.number, category="030100")
    response = client.post(_url(hw, f"consultations/new/?case={case.pk}"), data, follow=True)
    assert response.redirect_chain == [(f"/cases/{case.pk}/", 302)]
    assert f"已登记赵明律师接访 1 批次 3 人次，并记入信访件 {case.number}。" in response.content.decode()
    assert case.events.filter(kind="lawyer_consulted").count() == 1


def test_a_case_the_clerk_may_not_see_is_not_found(world: World, hw: HallWorld, lawyer: Lawyer) -> None:
    category("040100")
    hidden = register(world, problem_region=world.other_county)
    client = _client(hw.clerk)
    page = _page(client, _url(hw, f"consultations/new/?case={hidden.pk}"))
    assert hidden.number not in page
    response = client.post(
        _url(hw, "consultations/new/"), _consultation_form(lawyer, case_number=hidden.number)
    )
    assert f"信访件 {hidden.number} 不存在或您无权查看。" in response.content.decode()
    assert not LawyerConsultation.objects.exists()


def test_a_consultation_from_a_ticket(hw: HallWorld, lawyer: Lawyer) -> None:
    category("040100")
    ticket = Ticket.objects.create(
        hall=hw.hall,
        day=dt.date(2025, 3, 12),
        serial=1,
        number="A001",
        headcount=4,
        issued_at=dt.datetime(2025, 3, 12, 9, 0, tzinfo=LOCAL_TZ),
        issued_by=hw.clerk,
        subject="工资拖欠",
    )
    client = _client(hw.clerk)
    page = _page(client, _url(hw, f"consultations/new/?ticket={ticket.pk}"))
    assert "排队号 A001（2025-03-12，4 人）" in page
    assert f'name="ticket" value="{ticket.pk}"' in page and 'name="persons" value="4"' in page
    response = client.post(_url(hw, "consultations/new/"), _consultation_form(lawyer, ticket=str(ticket.pk)))
    assert response.status_code == 302 and LawyerConsultation.objects.get().ticket == ticket
    bad = client.post(_url(hw, "consultations/new/"), _consultation_form(lawyer, ticket="999999"))
    assert "排队号不是本大厅的排队号。" in bad.content.decode()


# ---------------------------------------------------------------- the month's records


def test_the_months_records_and_figures(world: World, hw: HallWorld, lawyer: Lawyer) -> None:
    wages = category("040100")
    visible = register(world)
    hidden = register(world, problem_region=world.other_county)

    def record(**kw: Any) -> LawyerConsultation:
        fields: dict[str, Any] = {
            "actor": world.registrar,  # the city bureau oversees the hall and sees both cases
            "lawyer": lawyer,
            "at": dt.datetime(2025, 3, 12, 10, 0, tzinfo=LOCAL_TZ),
            "persons": 2,
            "topic": "工资",
            "advice": "申请仲裁",
        }
        fields.update(kw)
        return lawyer_consultation_record(**fields)

    record(case=visible, category=wages, legal_aid_referred=True)
    record(case=hidden, persons=5, at=dt.datetime(2025, 3, 11, 9, 0, tzinfo=LOCAL_TZ), off_rota_reason="调班")
    record(at=dt.datetime(2025, 2, 26, 9, 0, tzinfo=LOCAL_TZ), persons=9)
    client = _client(hw.clerk)
    page = _page(client, _url(hw, "consultations/"))
    assert "律师接访记录：2025年3月" in page
    assert '<div class="hint">接访批次</div><div class="stat">2</div>' in page
    assert '<div class="hint">接待人次</div><div class="stat">7</div>' in page
    assert '<div class="hint">引导申请法律援助</div><div class="stat">1</div>' in page
    assert f'<a href="/cases/{visible.pk}/">{visible.number}</a>' in page
    assert hidden.number not in page and "无权查看" in page
    assert "非接访日说明：调班" in page and wages.name in page and "未分类" in page
    assert "?month=2025-02" in page and "?month=2025-04" in page
    february = _page(client, _url(hw, "consultations/?month=2025-02"))
    assert "律师接访记录：2025年2月" in february and '<div class="stat">9</div>' in february
    assert "律师接访记录：2025年3月" in _page(client, _url(hw, "consultations/?month=2025-13"))
    # a stationed unit reads the records too
    assert "律师接访记录" in _page(_client(hw.labour_leader), _url(hw, "consultations/"))


# ---------------------------------------------------------------- a phone's width


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_lawyer_pages_fit_a_phone_screen(live_server: Any, world: World, page: Any) -> None:
    category("040100")
    hw = build_hall_world(world)
    lawyer = lawyer_add(
        actor=hw.clerk, hall=hw.hall, name="赵明", firm="青山正义律师事务所", licence_number=LICENCE
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "qs_desk")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    for tail in ("", f"{lawyer.pk}/edit/", "consultations/new/", "consultations/"):
        page.goto(f"{live_server.url}{_url(hw, tail)}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, tail
