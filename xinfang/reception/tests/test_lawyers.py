"""律师参与接访: the lawyers of a hall (add, update, deactivate), each consultation with its rules
(rota, time, persons, case seen, ticket of the hall), the step on the case, and the selectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import category, register
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import LOCAL_TZ
from xinfang.reception.models import Lawyer, LawyerConsultation, Ticket
from xinfang.reception.selectors.lawyers import (
    consultation_visible_cases,
    hall_consultations,
    hall_lawyers,
    lawyer_figures,
    lawyer_hall_for,
    lawyer_rota,
    month_bounds,
    week_start,
)
from xinfang.reception.services.lawyers import (
    lawyer_add,
    lawyer_consultation_record,
    lawyer_deactivate,
    lawyer_update,
    parse_weekdays,
    weekdays_text,
)
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]
LICENCE = "13301201810123456"
LICENCE_2 = "13301201510654321"


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-12 15:00")  # a Wednesday
    return build_hall_world(world)


def add(hw: HallWorld, **overrides: Any) -> Lawyer:
    fields: dict[str, Any] = {
        "actor": hw.clerk,
        "hall": hw.hall,
        "name": "赵明",
        "firm": "青山正义律师事务所",
        "licence_number": LICENCE,
        "phone": "13900139000",
    }
    fields.update(overrides)
    return lawyer_add(**fields)


def consult(hw: HallWorld, lawyer: Lawyer, **overrides: Any) -> LawyerConsultation:
    fields: dict[str, Any] = {
        "actor": hw.clerk,
        "lawyer": lawyer,
        "at": at("2025-03-12 10:00"),
        "persons": 3,
        "topic": "拖欠工资如何维权",
        "advice": "可向劳动人事争议仲裁委员会申请仲裁，仲裁时效一年。",
    }
    fields.update(overrides)
    return lawyer_consultation_record(**fields)


# ---------------------------------------------------------------- the lawyers


def test_adding_a_lawyer_keeps_the_rota_of_wednesday_and_friday(hw: HallWorld) -> None:
    lawyer = add(hw)
    assert (lawyer.hall, lawyer.name, lawyer.firm, lawyer.licence_number) == (
        hw.hall,
        "赵明",
        "青山正义律师事务所",
        LICENCE,
    )
    assert lawyer.weekdays == "3,5" and lawyer.weekday_numbers == [3, 5] and lawyer.is_active
    assert lawyer.phone == "13900139000"


def test_an_overseeing_bureau_may_add_a_lawyer(world: World, hw: HallWorld) -> None:
    assert add(hw, actor=world.registrar).hall == hw.hall


@pytest.mark.parametrize("who", ["labour_leader", "other_clerk", "point_clerk"])
def test_only_the_hall_staff_keep_the_lawyers(world: World, hw: HallWorld, who: str) -> None:
    actor = getattr(hw, who, None) or getattr(world, who)
    with pytest.raises(NotAllowed, match="只有青山县信访局或其上级信访部门的工作人员可以管理接访律师") as exc:
        add(hw, actor=actor)
    assert exc.value.field == "hall" and not Lawyer.objects.exists()


def test_a_closed_hall_takes_no_lawyer(hw: HallWorld) -> None:
    hw.hall.is_active = False
    hw.hall.save()
    with pytest.raises(ServiceError, match="已停用") as exc:
        add(hw)
    assert exc.value.field == "hall"


@pytest.mark.parametrize(
    ("value", "stored"),
    [("5,3", "3,5"), ("3，5、5", "3,5"), ([1, 7], "1,7"), ("2", "2"), (" 4 , 6 ", "4,6")],
)
def test_the_weekdays_are_stored_sorted_once_each(hw: HallWorld, value: Any, stored: str) -> None:
    assert add(hw, weekdays=value).weekdays == stored


@pytest.mark.parametrize("value", ["", "0", "8", "3,x", "周三", []])
def test_weekdays_must_be_one_to_seven(hw: HallWorld, value: Any) -> None:
    with pytest.raises(ServiceError) as exc:
        add(hw, weekdays=value)
    assert exc.value.field == "weekdays"
    assert "接访日" in exc.value.message


def test_weekdays_text() -> None:
    assert weekdays_text(parse_weekdays("5,3")) == "每周三、五"
    assert weekdays_text([7]) == "每周日"


@pytest.mark.parametrize("number", ["1330120181012345", "133012018101234567", "1330120181012345X", "abc"])
def test_the_licence_number_is_17_digits(hw: HallWorld, number: str) -> None:
    with pytest.raises(ServiceError, match="应为 17 位数字（本系统只核对位数和数字，不核验证号真伪）") as exc:
        add(hw, licence_number=number)
    assert exc.value.field == "licence_number"


def test_the_licence_number_is_normalised(hw: HallWorld) -> None:
    assert add(hw, licence_number="1330 1201 8101 23456").licence_number == LICENCE


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", " ", "请填写律师姓名"),
        ("firm", "", "请填写律师事务所"),
        ("licence_number", "", "请填写律师执业证号"),
        ("name", "名" * 65, "不能超过 64 个字"),
        ("phone", "12", "联系电话应为 7 至 15 位数字"),
    ],
)
def test_the_lawyer_fields_are_checked(hw: HallWorld, field: str, value: str, message: str) -> None:
    with pytest.raises(ServiceError, match=message) as exc:
        add(hw, **{field: value})
    assert exc.value.field == field


def test_a_licence_number_is_registered_once_per_hall(world: World, hw: HallWorld) -> None:
    add(hw)
    with pytest.raises(ServiceError, match=f"执业证号 {LICENCE} 已登记为本大厅的接访律师（赵明") as exc:
        add(hw, name="另一人")
    assert exc.value.field == "licence_number"


def test_updating_a_lawyer(hw: HallWorld) -> None:
    lawyer = add(hw)
    updated = lawyer_update(
        actor=hw.clerk,
        lawyer=lawyer,
        name="赵大明",
        firm="青山明理律师事务所",
        licence_number=LICENCE_2,
        phone="",
        weekdays="1,3",
    )
    lawyer.refresh_from_db()
    assert (lawyer.name, lawyer.firm, lawyer.licence_number, lawyer.phone, lawyer.weekdays) == (
        "赵大明",
        "青山明理律师事务所",
        LICENCE_2,
        "",
        "1,3",
    )
    assert updated.pk == lawyer.pk


def test_updating_keeps_the_rules(world: World, hw: HallWorld) -> None:
    lawyer = add(hw)
    other = add(hw, name="钱亮", licence_number=LICENCE_2)
    fields = {"name": "钱亮", "firm": "所", "licence_number": LICENCE, "weekdays": "3"}
    with pytest.raises(ServiceError, match="已登记为本大厅的接访律师") as exc:
        lawyer_update(actor=hw.clerk, lawyer=other, **fields)
    assert exc.value.field == "licence_number"
    # its own number is not a clash
    lawyer_update(actor=hw.clerk, lawyer=lawyer, **fields)
    with pytest.raises(NotAllowed):
        lawyer_update(actor=world.other_clerk, lawyer=lawyer, **fields)
    with pytest.raises(ServiceError) as exc:
        lawyer_update(actor=hw.clerk, lawyer=lawyer, **{**fields, "weekdays": "9"})
    assert exc.value.field == "weekdays"


def test_deactivating_a_lawyer_once(world: World, hw: HallWorld) -> None:
    lawyer = add(hw)
    with pytest.raises(NotAllowed):
        lawyer_deactivate(actor=hw.labour_leader, lawyer=lawyer)
    assert not lawyer_deactivate(actor=hw.clerk, lawyer=lawyer).is_active
    with pytest.raises(InvalidState, match="已不在接访名单中"):
        lawyer_deactivate(actor=hw.clerk, lawyer=lawyer)


# ---------------------------------------------------------------- a consultation


def test_recording_a_consultation_on_a_rota_day(hw: HallWorld) -> None:
    lawyer = add(hw)
    c = consult(hw, lawyer, category=category("040100"), legal_aid_referred=True)
    assert (c.hall, c.lawyer, c.persons, c.topic, c.legal_aid_referred, c.off_rota_reason) == (
        hw.hall,
        lawyer,
        3,
        "拖欠工资如何维权",
        True,
        "",
    )
    assert c.recorded_by == hw.clerk and c.case is None and c.category.code == "040100"


def test_a_day_off_the_rota_needs_a_reason(hw: HallWorld) -> None:
    lawyer = add(hw)
    with pytest.raises(
        ServiceError, match=r"2025-03-11（星期二）不是赵明律师的接访日（每周三、五），请说明"
    ) as exc:
        consult(hw, lawyer, at=at("2025-03-11 10:00"))
    assert exc.value.field == "off_rota_reason"
    c = consult(hw, lawyer, at=at("2025-03-11 10:00"), off_rota_reason="群体来访，临时请律师到场")
    assert c.off_rota_reason == "群体来访，临时请律师到场"
    with pytest.raises(ServiceError, match="不能超过 200 个字") as exc:
        consult(hw, lawyer, at=at("2025-03-11 10:00"), off_rota_reason="因" * 201)
    assert exc.value.field == "off_rota_reason"


def test_the_rota_day_is_the_beijing_date(hw: HallWorld) -> None:
    lawyer = add(hw)
    # 2025-03-11 23:30 UTC is Wednesday 07:30 in Beijing
    c = consult(hw, lawyer, at=dt.datetime(2025, 3, 11, 23, 30, tzinfo=dt.UTC))
    assert c.off_rota_reason == ""


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        ("2025-03-12 15:01", "不能晚于现在"),
        ("2025-02-07 10:00", "只能登记 30 日以内"),
    ],
)
def test_the_time_is_past_and_recent(hw: HallWorld, moment: str, message: str) -> None:
    lawyer = add(hw, weekdays="1,2,3,4,5,6,7")
    with pytest.raises(ServiceError, match=message) as exc:
        consult(hw, lawyer, at=at(moment))
    assert exc.value.field == "at"
    assert consult(hw, lawyer, at=at("2025-02-10 10:00")).pk  # 30 days back is allowed


@pytest.mark.parametrize("value", [None, "2025-03-12", dt.datetime(2025, 3, 12, 10, 0), dt.date(2025, 3, 12)])
def test_the_time_must_be_an_aware_moment(hw: HallWorld, value: Any) -> None:
    with pytest.raises(ServiceError, match="请填写咨询时间") as exc:
        consult(hw, add(hw), at=value)
    assert exc.value.field == "at"


@pytest.mark.parametrize("persons", [0, -1, 1000, True, "3", 2.5])
def test_persons_are_1_to_999(hw: HallWorld, persons: Any) -> None:
    with pytest.raises(ServiceError, match="接待人次应为 1 至 999") as exc:
        consult(hw, add(hw), persons=persons)
    assert exc.value.field == "persons"


@pytest.mark.parametrize(
    ("field", "message"), [("topic", "请填写咨询事项"), ("advice", "请填写律师给出的法律意见")]
)
def test_topic_and_advice_are_required(hw: HallWorld, field: str, message: str) -> None:
    with pytest.raises(ServiceError, match=message) as exc:
        consult(hw, add(hw), **{field: "  "})
    assert exc.value.field == field


def test_an_inactive_lawyer_or_category_is_refused(hw: HallWorld) -> None:
    lawyer = add(hw)
    stopped = category("040100")
    stopped.is_active = False
    stopped.save()
    with pytest.raises(ServiceError, match="已停用") as exc:
        consult(hw, lawyer, category=stopped)
    assert exc.value.field == "category"
    lawyer_deactivate(actor=hw.clerk, lawyer=lawyer)
    with pytest.raises(ServiceError, match="已不在接访名单中") as exc:
        consult(hw, lawyer)
    assert exc.value.field == "lawyer"


def test_only_the_hall_staff_record_and_only_at_an_open_hall(world: World, hw: HallWorld) -> None:
    lawyer = add(hw)
    with pytest.raises(NotAllowed, match="可以登记律师接访"):
        consult(hw, lawyer, actor=hw.labour_leader)
    hw.hall.is_active = False
    hw.hall.save()
    lawyer.refresh_from_db()
    with pytest.raises(ServiceError, match="已停用"):
        consult(hw, lawyer)
    assert not LawyerConsultation.objects.exists()


def test_a_consultation_about_a_case_is_a_step_of_the_case(world: World, hw: HallWorld) -> None:
    case = register(world)  # about 青山县: the county bureau sees it
    c = consult(hw, add(hw), case=case, legal_aid_referred=True)
    assert c.case == case
    event = case.events.get(kind="lawyer_consulted")
    assert event.org == world.county_bureau and event.actor == hw.clerk
    assert event.payload == {
        "consultation": c.pk,
        "lawyer_name": "赵明",
        "firm": "青山正义律师事务所",
        "persons": 3,
        "topic": "拖欠工资如何维权",
        "legal_aid_referred": True,
        "note": "赵明律师（青山正义律师事务所）接待 3 人次，咨询：拖欠工资如何维权；已引导申请法律援助",
    }


def test_a_case_the_clerk_may_not_see_is_refused(world: World, hw: HallWorld) -> None:
    case = register(world, problem_region=world.other_county)
    with pytest.raises(NotAllowed, match="无权查看信访件") as exc:
        consult(hw, add(hw), case=case)
    assert exc.value.field == "case"
    assert not LawyerConsultation.objects.exists()
    assert not case.events.filter(kind="lawyer_consulted").exists()


def _ticket(hw: HallWorld, *, case: Case | None = None, hall: Any = None) -> Ticket:
    return Ticket.objects.create(
        hall=hall or hw.hall,
        day=dt.date(2025, 3, 12),
        serial=Ticket.objects.count() + 1,
        number=f"A{Ticket.objects.count() + 1:03d}",
        issued_at=at("2025-03-12 09:00"),
        issued_by=hw.clerk,
        case=case,
    )


def test_a_ticket_of_the_hall_is_linked_and_brings_its_case(world: World, hw: HallWorld) -> None:
    lawyer = add(hw)
    plain = _ticket(hw)
    assert consult(hw, lawyer, ticket=plain).ticket == plain
    case = register(world)
    c = consult(hw, lawyer, ticket=_ticket(hw, case=case))
    assert c.case == case and case.events.filter(kind="lawyer_consulted").count() == 1


def test_a_ticket_of_another_hall_is_refused(world: World, hw: HallWorld) -> None:
    from xinfang.reception.models import Hall

    other = Hall.objects.create(org=world.city_bureau, name="示例市来访接待大厅")
    with pytest.raises(ServiceError, match="不是青山县群众来访接待大厅的排队号") as exc:
        consult(hw, add(hw), ticket=_ticket(hw, hall=other))
    assert exc.value.field == "ticket"


# ---------------------------------------------------------------- the selectors


def test_the_hall_is_seen_by_its_staff_and_stationed_units_only(world: World, hw: HallWorld) -> None:
    assert lawyer_hall_for(hw.clerk, hw.hall.pk) == hw.hall
    assert lawyer_hall_for(hw.labour_leader, hw.hall.pk) == hw.hall
    assert lawyer_hall_for(world.other_clerk, hw.hall.pk) is None


def test_the_lawyers_and_the_week_rota(hw: HallWorld) -> None:
    zhao = add(hw)
    qian = add(hw, name="钱亮", licence_number=LICENCE_2, weekdays="1,5")
    sun = add(hw, name="孙红", licence_number="13301201910000001", weekdays="5")
    lawyer_deactivate(actor=hw.clerk, lawyer=sun)
    consult(hw, zhao)
    listed = list(hall_lawyers(hw.hall))
    assert listed == [zhao, qian, sun]  # on the rota first, in the order added
    assert [lawyer.consultation_count for lawyer in listed] == [1, 0, 0]
    assert list(hall_lawyers(hw.hall, active_only=True)) == [zhao, qian]
    assert week_start(dt.date(2025, 3, 12)) == dt.date(2025, 3, 10)
    rota = lawyer_rota(hw.hall, dt.date(2025, 3, 12))
    assert [(d.day.day, d.label, [x.name for x in d.lawyers]) for d in rota] == [
        (10, "星期一", ["钱亮"]),
        (11, "星期二", []),
        (12, "星期三", ["赵明"]),
        (13, "星期四", []),
        (14, "星期五", ["赵明", "钱亮"]),
        (15, "星期六", []),
        (16, "星期日", []),
    ]


def test_the_consultations_of_a_month_and_their_figures(world: World, hw: HallWorld) -> None:
    zhao = add(hw)
    qian = add(hw, name="钱亮", licence_number=LICENCE_2)
    wages = category("040100")
    consult(hw, zhao, persons=3, category=wages, legal_aid_referred=True)
    consult(hw, zhao, persons=1, at=at("2025-03-05 09:00"), category=wages)
    consult(hw, qian, persons=5, at=at("2025-03-07 09:00"))
    consult(hw, qian, persons=2, at=at("2025-03-11 09:00"), off_rota_reason="调班")
    # February: not in March's figures (the month is Beijing's: 03-01 00:30 is March)
    consult(hw, qian, persons=9, at=at("2025-02-28 23:30"))
    consult(hw, qian, persons=4, at=at("2025-03-01 00:30"), off_rota_reason="周六加班")
    march = hall_consultations(hw.hall, 2025, 3)
    assert march.count() == 5
    assert march.first().at == at("2025-03-12 10:00")
    figures = lawyer_figures(march)
    assert (figures.batches, figures.persons, figures.legal_aid, figures.off_rota) == (5, 15, 1, 2)
    assert [(r["lawyer__name"], r["batches"], r["persons"], r["legal_aid"]) for r in figures.by_lawyer] == [
        ("钱亮", 3, 11, 0),
        ("赵明", 2, 4, 1),
    ]
    assert [(r["category__name"], r["batches"], r["persons"]) for r in figures.by_category] == [
        (wages.name, 2, 4),
        ("未分类", 3, 11),
    ]
    empty = lawyer_figures(hall_consultations(hw.hall, 2025, 4))
    assert (empty.batches, empty.persons, empty.by_lawyer, empty.by_category) == (0, 0, [], [])
    assert month_bounds(2025, 12)[1] == at("2026-01-01 00:00")


def test_only_the_cases_the_user_sees_are_linked(world: World, hw: HallWorld) -> None:
    case = register(world)
    c = consult(hw, add(hw), case=case)
    assert consultation_visible_cases(hw.clerk, [c]) == {case.pk}
    assert consultation_visible_cases(world.other_clerk, [c]) == set()
    assert consultation_visible_cases(hw.clerk, []) == set()
