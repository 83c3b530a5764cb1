"""The queue at the desk: numbers of the day, the 诉求单 and its people, calling to a window (in a
bureau's hall and in a one-stop centre), 过号 and 接待完毕, the case registered in one step, and the
reads of the board and of one ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.db import IntegrityError, transaction

from xinfang.cases import pii
from xinfang.cases.models import Case, Status
from xinfang.cases.tests.helpers import ID_NUMBER, category
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError, ServiceErrors
from xinfang.orgs.models import Role
from xinfang.reception.models import Hall, StationedUnit, Ticket, TicketPerson, TicketStatus
from xinfang.reception.selectors.queue import (
    hall_for,
    hall_queue,
    halls_run_by,
    stationed_units_on,
    ticket_for,
    ticket_people,
    tickets_served_by,
)
from xinfang.reception.services import (
    ticket_call,
    ticket_fill_form,
    ticket_finish,
    ticket_issue,
    ticket_register_case,
    ticket_skip,
)
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.reception.tests.queue_helpers import (
    PHONE,
    a_person,
    build_centre,
    filled_ticket,
    registered_case,
    staff,
)
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-10 09:00")
    return build_hall_world(world)


def _fill(hw: HallWorld, ticket: Ticket, **overrides: object) -> Ticket:
    fields: dict[str, object] = {
        "actor": hw.clerk,
        "ticket": ticket,
        "people": [a_person()],
        "subject": "停车位纠纷",
        "request": "请求退还车位款。",
    }
    fields.update(overrides)
    return ticket_fill_form(**fields)  # type: ignore[arg-type]


# ---------------------------------------------------------------- 取号


def test_numbers_run_per_hall_and_beijing_day(hw: HallWorld, world: World, freeze: Freeze) -> None:
    first = ticket_issue(actor=hw.clerk, hall=hw.hall)
    second = ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=6)
    assert (first.number, second.number) == ("A001", "A002")
    assert second.headcount == 6 and second.status == TicketStatus.WAITING
    assert first.day == dt.date(2025, 3, 10) and first.issued_by == hw.clerk
    other = Hall.objects.create(org=world.county_bureau, name="青山县信访局二楼接待室", ticket_prefix="C")
    assert ticket_issue(actor=hw.clerk, hall=other).number == "C001"
    # 00:30 Beijing is still the 10th in UTC, and a new day at the hall.
    freeze("2025-03-11 00:30")
    assert ticket_issue(actor=hw.clerk, hall=hw.hall).number == "A001"


def test_the_serial_is_unique_per_hall_and_day(hw: HallWorld) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.create(
            hall=hw.hall,
            day=ticket.day,
            serial=ticket.serial,
            number="A001",
            issued_at=ticket.issued_at,
            issued_by=hw.clerk,
        )


def test_only_the_halls_staff_issue_numbers(hw: HallWorld, world: World) -> None:
    for outsider in (world.other_clerk, hw.labour_leader, hw.point_clerk):
        with pytest.raises(NotAllowed, match="可以取号") as caught:
            ticket_issue(actor=outsider, hall=hw.hall)
        assert caught.value.field == "hall"
    # A bureau above the hall's region may run it.
    assert ticket_issue(actor=world.registrar, hall=hw.hall).number == "A001"


def test_a_closed_hall_or_a_bad_headcount_is_refused(hw: HallWorld) -> None:
    for bad in (0, -1, 100001, True):
        with pytest.raises(ServiceError, match="来访人数应为") as caught:
            ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=bad)  # type: ignore[arg-type]
        assert caught.value.field == "headcount"
    hw.hall.is_active = False
    hw.hall.save()
    with pytest.raises(ServiceError, match="已停用"):
        ticket_issue(actor=hw.clerk, hall=hw.hall)
    assert not Ticket.objects.exists()


# ---------------------------------------------------------------- 诉求单


def test_the_form_is_stored_with_its_people_encrypted(hw: HallWorld, world: World) -> None:
    ticket = filled_ticket(hw, world)
    person = TicketPerson.objects.get(ticket=ticket)
    assert "赵大姐" not in person.name_enc and PHONE not in person.phone_enc
    assert (person.name, person.phone, person.id_number) == ("赵大姐", PHONE, ID_NUMBER)
    assert not person.is_representative
    assert ticket.subject == "小区停车位被开发商违规出售" and ticket.units_involved == "县住建局、县人社局"
    assert ticket.category == category("030100") and ticket.problem_region == world.county
    assert ticket.form_filled_at is not None


def test_filling_again_replaces_the_people(hw: HallWorld, world: World) -> None:
    ticket = filled_ticket(hw, world, headcount=2)
    _fill(hw, ticket, people=[a_person(name="钱先生", id_number=""), a_person(name="孙女士", phone="")])
    names = [p.name for p in ticket_people(ticket)]
    assert names == ["钱先生", "孙女士"]
    ticket.refresh_from_db()
    assert ticket.subject == "停车位纠纷" and ticket.facts == "" and ticket.category is None


def test_a_group_names_its_representatives(hw: HallWorld, world: World) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=30)
    people = [a_person(name=f"代表{i}", id_number="") for i in range(5)]
    _fill(hw, ticket, people=people)
    assert all(p.is_representative for p in ticket_people(ticket))  # 第二十条
    small = ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=2)
    _fill(hw, small, people=[a_person(), a_person(name="钱先生", id_number="", is_representative=True)])
    assert [p.is_representative for p in ticket_people(small)] == [False, True]


def test_the_people_are_checked_like_petitioners(hw: HallWorld, settings: object) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=10)
    with pytest.raises(ServiceError, match="请至少填写一名来访人") as caught:
        _fill(hw, ticket, people=[])
    assert caught.value.field == "people"
    with pytest.raises(ServiceError, match="至多填写 5 名来访人"):
        _fill(hw, ticket, people=[a_person(name=f"甲{i}", id_number="") for i in range(6)])
    one = ticket_issue(actor=hw.clerk, hall=hw.hall)
    with pytest.raises(ServiceError, match="多于来访人数 1"):
        _fill(hw, one, people=[a_person(), a_person(name="钱先生", id_number="")])
    with pytest.raises(ServiceErrors) as many:
        _fill(
            hw,
            ticket,
            people=[
                a_person(name=" ", phone="12ab"),
                a_person(name="钱先生", id_number="110105194912310021"),
            ],
        )
    fields = {error.field for error in many.value.errors}
    assert fields == {"people[0].name", "people[0].phone", "people[1].id_number"}
    with pytest.raises(ServiceErrors) as long:
        _fill(hw, ticket, people=[a_person(name="长" * 51, address="址" * 201)])
    assert {error.field for error in long.value.errors} == {"people[0].name", "people[0].address"}
    settings.XINFANG_MAX_REPRESENTATIVES = 2  # type: ignore[attr-defined]
    with pytest.raises(ServiceError, match="代表人数不得超过 2 人"):
        _fill(
            hw,
            ticket,
            people=[a_person(name=f"甲{i}", id_number="", is_representative=True) for i in range(3)],
        )
    assert not TicketPerson.objects.exists()


def test_the_form_needs_its_subject_and_request(hw: HallWorld, world: World) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall)
    for field, overrides in (
        ("subject", {"subject": "  "}),
        ("request", {"request": ""}),
        ("subject", {"subject": "题" * 201}),
        ("facts", {"facts": "事" * 20001}),
        ("units_involved", {"units_involved": "单" * 201}),
    ):
        with pytest.raises(ServiceError) as caught:
            _fill(hw, ticket, **overrides)
        assert caught.value.field == field
    stale = category("030100")
    stale.is_active = False
    stale.save()
    with pytest.raises(ServiceError, match="已停用") as caught:
        _fill(hw, ticket, category=stale)
    assert caught.value.field == "category"


def test_only_who_serves_the_ticket_fills_it(hw: HallWorld, world: World) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall)
    for outsider in (world.other_clerk, hw.labour_leader):
        with pytest.raises(NotAllowed, match="可以填写诉求单"):
            _fill(hw, ticket, actor=outsider)
    # Once called to the labour bureau's window, its staff take the form down.
    ticket_call(actor=hw.clerk, ticket=ticket, window_org=hw.labour)
    assert _fill(hw, ticket, actor=hw.labour_leader).form_filled_at is not None
    with pytest.raises(NotAllowed):
        _fill(hw, ticket, actor=hw.housing_leader)


def test_the_form_cannot_change_once_registered(hw: HallWorld, world: World) -> None:
    ticket, _ = registered_case(hw, world)
    with pytest.raises(InvalidState, match="不能再修改诉求单"):
        _fill(hw, ticket)


# ---------------------------------------------------------------- 叫号、过号、接待完毕


def test_calling_records_the_wait_and_a_recall_keeps_it(hw: HallWorld, freeze: Freeze) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall)
    freeze("2025-03-10 09:25")
    called = ticket_call(actor=hw.clerk, ticket=ticket, window_org=hw.labour)
    assert called.status == TicketStatus.CALLED and called.window == "3号窗口"  # the unit's window
    assert called.window_org == hw.labour and called.waited == dt.timedelta(minutes=25)
    freeze("2025-03-10 09:40")
    again = ticket_call(actor=hw.clerk, ticket=ticket, window="1号窗口")
    assert again.window == "1号窗口" and again.window_org is None
    assert again.waited == dt.timedelta(minutes=25)  # the wait ended at the first call


def test_a_call_needs_a_window_of_a_unit_stationed_today(hw: HallWorld, world: World) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall)
    with pytest.raises(ServiceError, match="请填写窗口") as caught:
        ticket_call(actor=hw.clerk, ticket=ticket, window=" ")
    assert caught.value.field == "window"
    with pytest.raises(ServiceError, match="不能超过 32 个字"):
        ticket_call(actor=hw.clerk, ticket=ticket, window="窗" * 33)
    with pytest.raises(ServiceError, match="今天未在青山县群众来访接待大厅驻厅") as caught:
        ticket_call(actor=hw.clerk, ticket=ticket, window="5号窗口", window_org=world.city_housing)
    assert caught.value.field == "window_org"
    StationedUnit.objects.filter(hall=hw.hall, org=hw.housing).update(until=dt.date(2025, 3, 9))
    with pytest.raises(ServiceError, match="今天未在"):
        ticket_call(actor=hw.clerk, ticket=ticket, window_org=hw.housing)
    StationedUnit.objects.filter(hall=hw.hall, org=hw.housing).update(until=dt.date(2025, 3, 10))
    assert ticket_call(actor=hw.clerk, ticket=ticket, window_org=hw.housing).window == "4号窗口"


def test_a_one_stop_centre_calls_to_a_stationed_units_window(hw: HallWorld, world: World) -> None:
    centre = build_centre(world, hw)
    ticket = ticket_issue(actor=centre.clerk, hall=centre.hall)
    assert ticket.number == "B001"
    with pytest.raises(ServiceError, match="请选择接待的驻厅单位") as caught:
        ticket_call(actor=centre.clerk, ticket=ticket, window="6号窗口")
    assert caught.value.field == "window_org"
    called = ticket_call(actor=centre.clerk, ticket=ticket, window_org=hw.labour)
    assert (called.window, called.window_org) == ("6号窗口", hw.labour)


def test_what_cannot_be_called(hw: HallWorld, world: World, freeze: Freeze) -> None:
    left = ticket_skip(actor=hw.clerk, ticket=ticket_issue(actor=hw.clerk, hall=hw.hall))
    with pytest.raises(InvalidState, match="已过号，请来访人重新取号"):
        ticket_call(actor=hw.clerk, ticket=left, window="1号窗口")
    served, _ = registered_case(hw, world)
    with pytest.raises(InvalidState, match="已接待完毕"):
        ticket_call(actor=hw.clerk, ticket=served, window="1号窗口")
    yesterday = ticket_issue(actor=hw.clerk, hall=hw.hall)
    freeze("2025-03-11 09:00")
    with pytest.raises(InvalidState, match="只能叫当天的号"):
        ticket_call(actor=hw.clerk, ticket=yesterday, window="1号窗口")
    with pytest.raises(NotAllowed, match="可以叫号"):
        ticket_call(actor=hw.labour_leader, ticket=ticket_issue(actor=hw.clerk, hall=hw.hall), window="3")


def test_skip_and_finish(hw: HallWorld) -> None:
    waiting = ticket_issue(actor=hw.clerk, hall=hw.hall)
    with pytest.raises(InvalidState, match="尚未叫号，请先叫号"):
        ticket_finish(actor=hw.clerk, ticket=waiting)
    ticket_call(actor=hw.clerk, ticket=waiting, window_org=hw.labour)
    # The unit at whose window the visitor sits ends the reception.
    done = ticket_finish(actor=hw.labour_leader, ticket=waiting)
    assert done.status == TicketStatus.SERVED and done.served_at is not None
    with pytest.raises(InvalidState, match="不能过号"):
        ticket_skip(actor=hw.clerk, ticket=done)
    with pytest.raises(InvalidState, match="不能结束接待"):
        ticket_finish(actor=hw.clerk, ticket=done)
    other = ticket_issue(actor=hw.clerk, hall=hw.hall)
    with pytest.raises(NotAllowed, match="可以过号"):
        ticket_skip(actor=hw.labour_leader, ticket=other)
    with pytest.raises(NotAllowed, match="可以结束接待"):
        ticket_finish(actor=hw.housing_leader, ticket=other)
    assert ticket_skip(actor=hw.clerk, ticket=other).status == TicketStatus.LEFT


# ---------------------------------------------------------------- 登记为信访件


def test_the_form_becomes_a_case_in_one_step(hw: HallWorld, world: World) -> None:
    ticket, case = registered_case(hw, world, headcount=2)
    assert ticket.case == case and ticket.status == TicketStatus.SERVED and ticket.served_at is not None
    assert case.registered_org == world.county_bureau and case.channel == "visit"
    assert case.status == Status.REGISTERED and case.headcount == 2
    assert case.subject == "小区停车位被开发商违规出售"
    assert case.content == (
        "请求责令开发商退还违规出售的车位款并恢复公共车位。\n开发商将规划为公共区域的车位出售，住建部门和人社部门互相推诿。"
    )
    assert case.category == category("030100") and case.problem_region == world.county
    assert case.received_on == ticket.day and case.via_proper_ladder
    (petitioner,) = case.petitioners.all()
    assert (petitioner.name, petitioner.phone, petitioner.id_number) == ("赵大姐", PHONE, ID_NUMBER)


def test_what_the_clerk_changes_at_registration_wins(hw: HallWorld, world: World) -> None:
    ticket = filled_ticket(hw, world)
    case = ticket_register_case(
        actor=hw.clerk,
        ticket=ticket,
        nature="suggestion",
        category=category("030100"),
        subject="关于小区公共车位管理的建议",
        content="建议规范公共车位管理。",
        problem_region=world.town,
        via_proper_ladder=False,
    )
    assert (case.nature, case.subject, case.content) == (
        "suggestion",
        "关于小区公共车位管理的建议",
        "建议规范公共车位管理。",
    )
    assert case.problem_region == world.town and not case.via_proper_ladder


def test_registration_is_refused_without_a_form_twice_or_after_skipping(hw: HallWorld, world: World) -> None:
    bare = ticket_issue(actor=hw.clerk, hall=hw.hall)
    with pytest.raises(InvalidState, match="请先填写诉求单"):
        ticket_register_case(actor=hw.clerk, ticket=bare, nature="appeal")
    ticket, _ = registered_case(hw, world)
    with pytest.raises(InvalidState, match="不能重复登记"):
        ticket_register_case(actor=hw.clerk, ticket=ticket, nature="appeal")
    skipped = ticket_skip(actor=hw.clerk, ticket=filled_ticket(hw, world))
    with pytest.raises(InvalidState, match="已过号"):
        ticket_register_case(actor=hw.clerk, ticket=skipped, nature="appeal")
    assert Case.objects.count() == 1


def test_registration_needs_a_category_and_region_and_a_valid_nature(hw: HallWorld, world: World) -> None:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall)
    _fill(hw, ticket)
    with pytest.raises(ServiceError, match="请选择内容分类") as caught:
        ticket_register_case(actor=hw.clerk, ticket=ticket, nature="appeal")
    assert caught.value.field == "category"
    with pytest.raises(ServiceError, match="请选择问题属地") as caught:
        ticket_register_case(actor=hw.clerk, ticket=ticket, nature="appeal", category=category("030100"))
    assert caught.value.field == "problem_region"
    with pytest.raises(ServiceError, match="信访性质") as caught:
        ticket_register_case(
            actor=hw.clerk,
            ticket=ticket,
            nature="bad",
            category=category("030100"),
            problem_region=world.county,
        )
    assert caught.value.field == "nature"
    ticket.refresh_from_db()
    assert ticket.case is None and ticket.status == TicketStatus.WAITING


def test_a_group_is_registered_with_its_representatives(hw: HallWorld, world: World) -> None:
    people = [a_person(name="代表甲", id_number=""), a_person(name="代表乙", id_number="", phone="")]
    _, case = registered_case(hw, world, headcount=12, people=people)
    assert case.headcount == 12
    assert sorted((p.name, p.is_representative) for p in case.petitioners.all()) == [
        ("代表乙", True),
        ("代表甲", True),
    ]


def test_a_one_stop_centre_registers_at_the_receiving_unit(hw: HallWorld, world: World) -> None:
    centre = build_centre(world, hw)
    ticket = ticket_issue(actor=centre.clerk, hall=centre.hall)
    _fill(hw, ticket, actor=centre.clerk, category=category("030100"), problem_region=world.county)
    ticket_call(actor=centre.clerk, ticket=ticket, window_org=hw.labour)
    # The centre's own clerk holds no registering role at the unit: the case service refuses.
    with pytest.raises(NotAllowed, match="青山县人力资源和社会保障局"):
        ticket_register_case(actor=centre.clerk, ticket=ticket, nature="appeal")
    case = ticket_register_case(actor=hw.labour_leader, ticket=ticket, nature="appeal")
    assert case.registered_org == hw.labour and case.current_org == hw.labour


def test_a_one_stop_centre_ticket_not_yet_at_a_unit_cannot_be_registered(hw: HallWorld, world: World) -> None:
    centre = build_centre(world, hw)
    ticket = ticket_issue(actor=centre.clerk, hall=centre.hall)
    _fill(hw, ticket, actor=centre.clerk, category=category("030100"), problem_region=world.county)
    with pytest.raises(ServiceError, match="请先叫号到该单位的窗口") as caught:
        ticket_register_case(actor=centre.clerk, ticket=ticket, nature="appeal")
    assert caught.value.field == "window_org"


def test_an_outsider_cannot_register_from_a_ticket(hw: HallWorld, world: World) -> None:
    ticket = filled_ticket(hw, world)
    with pytest.raises(NotAllowed, match="可以登记信访件"):
        ticket_register_case(actor=world.other_clerk, ticket=ticket, nature="appeal")
    # A bureau above runs the hall but registers only where it holds a role: the case service says so.
    with pytest.raises(NotAllowed, match="青山县信访局"):
        ticket_register_case(actor=world.registrar, ticket=ticket, nature="appeal")


# ---------------------------------------------------------------- reads


def test_the_board_groups_the_day_with_waits_and_masked_names(
    hw: HallWorld, world: World, freeze: Freeze
) -> None:
    first = filled_ticket(hw, world)
    second = ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=3)
    third = ticket_issue(actor=hw.clerk, hall=hw.hall)
    fourth = ticket_issue(actor=hw.clerk, hall=hw.hall)
    freeze("2025-03-10 09:10")
    ticket_call(actor=hw.clerk, ticket=first, window="1号窗口")
    freeze("2025-03-10 09:30")
    ticket_call(actor=hw.clerk, ticket=second, window="2号窗口")
    ticket_finish(actor=hw.clerk, ticket=second)
    ticket_skip(actor=hw.clerk, ticket=fourth)
    board = hall_queue(hw.hall)
    assert [t.number for t in board.waiting] == [third.number]
    assert [t.number for t in board.called] == [first.number]
    assert [t.number for t in board.served] == [second.number]
    assert [t.number for t in board.left] == [fourth.number]
    assert board.issued == 4 and board.average_wait_minutes == 20  # 10 and 30 minutes
    assert board.waiting[0].wait_minutes == 30 and board.called[0].wait_minutes == 10
    assert board.left[0].wait_minutes is None
    assert board.called[0].first_name_masked == "赵**" and board.waiting[0].first_name_masked == ""
    assert hall_queue(hw.hall, day=dt.date(2025, 3, 9)).issued == 0


def test_a_ticket_is_seen_by_who_serves_it(hw: HallWorld, world: World) -> None:
    ticket = filled_ticket(hw, world)
    assert ticket_for(hw.clerk, ticket.pk) == ticket
    assert ticket_for(world.registrar, ticket.pk) == ticket  # the bureau above runs the hall too
    assert ticket_for(hw.labour_leader, ticket.pk) is None  # stationed: sees the board, not the form
    assert ticket_for(world.other_clerk, ticket.pk) is None
    assert ticket_for(world.citizen, ticket.pk) is None
    other = Hall.objects.create(org=world.county_bureau, name="青山县信访局二楼接待室")
    assert ticket_for(hw.clerk, ticket.pk, hall=other) is None
    assert tickets_served_by(hw.labour_leader, hw.hall) == set()
    ticket_call(actor=hw.clerk, ticket=ticket, window_org=hw.labour)
    assert ticket_for(hw.labour_leader, ticket.pk) == ticket
    assert tickets_served_by(hw.labour_leader, hw.hall) == {ticket.pk}
    assert tickets_served_by(hw.clerk, hw.hall) == {ticket.pk}
    people = ticket_people(ticket)
    assert [(p.name, p.phone, p.masked) for p in people] == [("赵大姐", PHONE, False)]


def test_the_halls_a_user_runs_and_the_units_stationed_today(hw: HallWorld, world: World) -> None:
    assert halls_run_by(hw.clerk) == [hw.hall] and halls_run_by(hw.labour_leader) == []
    assert hall_for(hw.labour_leader, hw.hall.pk) == hw.hall
    assert hall_for(world.other_clerk, hw.hall.pk) is None
    assert [u.org for u in stationed_units_on(hw.hall)] == [hw.labour, hw.housing]
    StationedUnit.objects.filter(org=hw.housing).update(since=dt.date(2025, 3, 11))
    assert [u.org for u in stationed_units_on(hw.hall)] == [hw.labour]
    clerk = staff("qs_desk2", "许登记", world.county_bureau, Role.HANDLER)
    assert halls_run_by(clerk) == [hw.hall]
    assert pii.mask_name("赵大姐") == "赵**"
