"""The hall, its stationed units and duty rota: every rule of the services (each refusal too), and
the reads (the rota, the attendance report, the dashboard)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from xinfang.cases.tests.helpers import register
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Org, OrgKind, Role, User
from xinfang.reception.models import (
    DutyRole,
    DutyShift,
    Hall,
    JointOutcome,
    JointReception,
    Lawyer,
    LawyerConsultation,
    StationedUnit,
    Ticket,
    TicketStatus,
)
from xinfang.reception.selectors import halls as selectors
from xinfang.reception.selectors.halls import ShiftTimes, attendance_tally
from xinfang.reception.services import halls as services
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.testing.clock import beijing
from xinfang.testing.world import PASSWORD, World

D = dt.date
T = dt.time
Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-10 08:00")  # a Monday
    return build_hall_world(world)


def _staff(username: str, org: Org, role: str = Role.HANDLER) -> User:
    user = org_services.staff_user_create(username=username, full_name=username, password=PASSWORD)
    org_services.membership_grant(user=user, org=org, role=role)
    return user


def _org(world: World, name: str, **fields: object) -> Org:
    values: dict[str, object] = {
        "region": world.county,
        "kind": OrgKind.FUNCTIONAL,
        "parent": world.county_gov,
    }
    values.update(fields)
    return org_services.org_create(name=name, **values)  # type: ignore[arg-type]


def _create(actor: User, org: Org, **overrides: object) -> Hall:
    fields: dict[str, object] = {
        "actor": actor,
        "org": org,
        "name": "综合接待大厅",
        "address": "青山县人民路2号",
        "opens_at": T(9, 0),
        "closes_at": T(17, 0),
        "grace_minutes": 5,
        "ticket_prefix": "b",
    }
    fields.update(overrides)
    return services.hall_create(**fields)  # type: ignore[arg-type]


def _shift(hw: HallWorld, org: Org) -> DutyShift:
    return DutyShift.objects.get(hall=hw.hall, org=org)


# ---------------------------------------------------------------- hall_create / hall_update


def test_a_bureau_clerk_creates_a_hall(world: World, hw: HallWorld) -> None:
    hall = _create(hw.clerk, world.county_bureau)
    assert (hall.org, hall.name, hall.address) == (world.county_bureau, "综合接待大厅", "青山县人民路2号")
    assert (hall.opens_at, hall.closes_at, hall.grace_minutes, hall.ticket_prefix) == (T(9), T(17), 5, "B")
    assert hall.is_active


def test_a_city_bureau_creates_a_county_hall_and_a_one_stop_centre_hosts_one(
    world: World, hw: HallWorld
) -> None:
    assert _create(world.registrar, world.county_bureau).org == world.county_bureau
    centre = _org(world, "青山县群众信访诉求综合服务中心", kind=OrgKind.ONE_STOP_CENTRE)
    clerk = _staff("centre_clerk", centre, Role.REGISTRAR)
    assert _create(clerk, centre, name="信访超市").org == centre
    assert services.may_host_hall(world.registrar, centre)
    assert [o.name for o in selectors.hall_host_orgs(clerk)] == ["青山县群众信访诉求综合服务中心"]
    hosts = {o.name for o in selectors.hall_host_orgs(world.registrar)}
    assert {"示例市信访局", "青山县信访局", "青山县群众信访诉求综合服务中心"} <= hosts
    assert selectors.hall_host_orgs(world.other_clerk) == []
    assert selectors.hall_host_orgs(world.citizen) == []


def test_a_hall_needs_a_bureau_or_centre_that_is_active(world: World, hw: HallWorld) -> None:
    with pytest.raises(ServiceError, match="不是信访部门或综合服务中心") as exc:
        _create(world.registrar, world.county_labour)
    assert exc.value.field == "org"
    closed = _org(world, "青山县旧信访接待中心", kind=OrgKind.ONE_STOP_CENTRE)
    closed.is_active = False
    closed.save()
    with pytest.raises(ServiceError, match="已停用") as exc:
        _create(world.registrar, closed)
    assert exc.value.field == "org"
    with pytest.raises(ServiceError, match="请选择大厅所属机构"):
        _create(world.registrar, None)  # type: ignore[arg-type]


def test_only_its_staff_or_those_over_it_create_a_hall(world: World, hw: HallWorld) -> None:
    for outsider in (world.other_clerk, hw.labour_leader, world.handler):
        with pytest.raises(NotAllowed) as exc:
            _create(outsider, world.county_bureau)
        assert exc.value.field == "org"
    assert Hall.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "  "}, "name", "请填写大厅名称"),
        ({"name": "厅" * 65}, "name", "不能超过 64 个字"),
        ({"name": "青山县群众来访接待大厅"}, "name", "已有名为"),
        ({"address": "路" * 201}, "address", "不能超过 200 个字"),
        ({"opens_at": "09:00"}, "opens_at", "请填写接待开始时间"),
        ({"closes_at": None}, "closes_at", "请填写接待结束时间"),
        ({"closes_at": T(9, 0)}, "closes_at", "应晚于开始时间"),
        ({"closes_at": T(8, 0)}, "closes_at", "应晚于开始时间"),
        ({"grace_minutes": -1}, "grace_minutes", "0 至 120"),
        ({"grace_minutes": 121}, "grace_minutes", "0 至 120"),
        ({"grace_minutes": "5"}, "grace_minutes", "分钟数"),
        ({"closes_at": T(10, 0), "grace_minutes": 60}, "grace_minutes", "不能长于整个接待时间"),
        ({"ticket_prefix": ""}, "ticket_prefix", "英文字母"),
        ({"ticket_prefix": "ABC"}, "ticket_prefix", "英文字母"),
        ({"ticket_prefix": "1"}, "ticket_prefix", "英文字母"),
    ],
)
def test_bad_hall_input_is_refused_on_its_field(
    world: World, hw: HallWorld, overrides: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ServiceError, match=message) as exc:
        _create(hw.clerk, world.county_bureau, **overrides)
    assert exc.value.field == field
    assert Hall.objects.count() == 1


def test_updating_a_hall_keeps_what_is_not_given(world: World, hw: HallWorld) -> None:
    hall = services.hall_update(actor=hw.clerk, hall=hw.hall, closes_at=T(18, 0), is_active=False)
    hall.refresh_from_db()
    assert (hall.name, hall.opens_at, hall.closes_at, hall.is_active) == (
        "青山县群众来访接待大厅",
        T(8, 30),
        T(18, 0),
        False,
    )
    hall = services.hall_update(
        actor=world.registrar, hall=hw.hall, name="青山县群众来访接待大厅", ticket_prefix="c", is_active=True
    )
    assert (hall.ticket_prefix, hall.is_active) == ("C", True)


def test_updating_refuses_a_taken_name_bad_hours_and_outsiders(world: World, hw: HallWorld) -> None:
    _create(hw.clerk, world.county_bureau)
    with pytest.raises(ServiceError, match="已有名为") as exc:
        services.hall_update(actor=hw.clerk, hall=hw.hall, name="综合接待大厅")
    assert exc.value.field == "name"
    with pytest.raises(ServiceError) as exc:
        services.hall_update(actor=hw.clerk, hall=hw.hall, opens_at=T(18, 0))
    assert exc.value.field == "closes_at"
    with pytest.raises(ServiceError) as exc:
        services.hall_update(actor=hw.clerk, hall=hw.hall, is_active="yes")  # type: ignore[arg-type]
    assert exc.value.field == "is_active"
    with pytest.raises(NotAllowed):
        services.hall_update(actor=hw.labour_leader, hall=hw.hall, name="别的名字")
    hw.hall.refresh_from_db()
    assert hw.hall.name == "青山县群众来访接待大厅" and hw.hall.opens_at == T(8, 30)


# ---------------------------------------------------------------- stationed units


def test_a_unit_is_stationed_at_a_window(world: World, hw: HallWorld) -> None:
    land = _org(world, "青山县自然资源局")
    unit = services.hall_station_unit(
        actor=hw.clerk, hall=hw.hall, org=land, window=" 5号窗口 ", since=D(2025, 3, 10)
    )
    assert (unit.org, unit.window, unit.since, unit.until) == (land, "5号窗口", D(2025, 3, 10), None)
    # The town (under the county) may be stationed too; the city bureau's registrar may do it.
    town = services.hall_station_unit(
        actor=world.registrar, hall=hw.hall, org=world.town_office, since=D(2025, 3, 1)
    )
    assert town.window == ""
    assert [u.org for u in selectors.stationed_units(hw.hall)] == [
        world.county_labour,
        hw.housing,
        land,
        world.town_office,
    ]
    assert land not in [u.org for u in selectors.stationed_units(hw.hall, D(2025, 3, 9))]


def test_stationing_refuses_the_host_a_unit_already_there_an_inactive_one_and_one_from_elsewhere(
    world: World, hw: HallWorld
) -> None:
    cases = [
        (world.county_bureau, ServiceError, "是大厅的所属机构"),
        (world.county_labour, InvalidState, "已进驻"),
        (world.other_county_labour, ServiceError, "不在青山县范围内"),
        (world.city_housing, ServiceError, "不在青山县范围内"),
    ]
    closed = _org(world, "青山县已撤销局")
    closed.is_active = False
    closed.save()
    cases.append((closed, ServiceError, "已停用"))
    for org, error, message in cases:
        with pytest.raises(error, match=message) as exc:
            services.hall_station_unit(actor=hw.clerk, hall=hw.hall, org=org, since=D(2025, 3, 10))
        assert exc.value.field == "org"
    with pytest.raises(ServiceError, match="请选择驻厅单位"):
        services.hall_station_unit(actor=hw.clerk, hall=hw.hall, org=None, since=D(2025, 3, 10))  # type: ignore[arg-type]
    assert StationedUnit.objects.count() == 2


def test_stationing_checks_the_date_the_window_the_actor_and_the_hall(world: World, hw: HallWorld) -> None:
    land = _org(world, "青山县自然资源局")
    with pytest.raises(ServiceError, match="请填写进驻日期") as exc:
        services.hall_station_unit(actor=hw.clerk, hall=hw.hall, org=land, since="2025-03-10")  # type: ignore[arg-type]
    assert exc.value.field == "since"
    with pytest.raises(ServiceError, match="窗口不能超过") as exc:
        services.hall_station_unit(
            actor=hw.clerk, hall=hw.hall, org=land, window="窗" * 33, since=D(2025, 3, 10)
        )
    assert exc.value.field == "window"
    with pytest.raises(NotAllowed) as exc:
        services.hall_station_unit(actor=hw.labour_leader, hall=hw.hall, org=land, since=D(2025, 3, 10))
    assert exc.value.field == "hall"
    services.hall_update(actor=hw.clerk, hall=hw.hall, is_active=False)
    with pytest.raises(ServiceError, match="已停用") as exc:
        services.hall_station_unit(actor=hw.clerk, hall=hw.hall, org=land, since=D(2025, 3, 10))
    assert exc.value.field == "hall"


def test_a_unit_withdraws_and_may_come_back_after_its_last_day(world: World, hw: HallWorld) -> None:
    housing = StationedUnit.objects.get(hall=hw.hall, org=hw.housing)
    _shift(hw, hw.housing).delete()
    gone = services.hall_withdraw_unit(actor=hw.clerk, stationed=housing, until=D(2025, 3, 9))
    assert gone.until == D(2025, 3, 9)
    assert hw.housing not in [u.org for u in selectors.stationed_units(hw.hall)]
    with pytest.raises(InvalidState, match="已于 2025-03-09 撤出"):
        services.hall_withdraw_unit(actor=hw.clerk, stationed=housing, until=D(2025, 3, 10))
    with pytest.raises(ServiceError, match="应晚于该日") as exc:
        services.hall_station_unit(actor=hw.clerk, hall=hw.hall, org=hw.housing, since=D(2025, 3, 9))
    assert exc.value.field == "since"
    back = services.hall_station_unit(
        actor=hw.clerk, hall=hw.hall, org=hw.housing, window="6号窗口", since=D(2025, 3, 10)
    )
    assert back.until is None
    assert [u.pk for u in selectors.stationed_history(hw.hall)][-1] == housing.pk


def test_withdrawing_refuses_a_date_before_since_later_shifts_and_outsiders(
    world: World, hw: HallWorld
) -> None:
    labour = StationedUnit.objects.get(hall=hw.hall, org=world.county_labour)
    with pytest.raises(ServiceError, match="不能早于进驻日期") as exc:
        services.hall_withdraw_unit(actor=hw.clerk, stationed=labour, until=D(2023, 12, 31))
    assert exc.value.field == "until"
    with pytest.raises(ServiceError, match="请填写撤出日期"):
        services.hall_withdraw_unit(actor=hw.clerk, stationed=labour, until=None)  # type: ignore[arg-type]
    with pytest.raises(ServiceError, match="还有 1 个排班（最早 2025-03-10）") as exc:
        services.hall_withdraw_unit(actor=hw.clerk, stationed=labour, until=D(2025, 3, 9))
    assert exc.value.field == "until"
    with pytest.raises(NotAllowed):
        services.hall_withdraw_unit(actor=hw.labour_leader, stationed=labour, until=D(2025, 3, 10))
    labour.refresh_from_db()
    assert labour.until is None
    assert services.hall_withdraw_unit(actor=hw.clerk, stationed=labour, until=D(2025, 3, 10)).until == D(
        2025, 3, 10
    )


# ---------------------------------------------------------------- the rota


def test_scheduling_a_shift_with_and_without_an_account(world: World, hw: HallWorld) -> None:
    deputy = _staff("labour_deputy", world.county_labour)
    deputy.full_name = "吴值班"
    deputy.save()
    shift = services.duty_schedule(
        actor=hw.clerk,
        hall=hw.hall,
        org=world.county_labour,
        on=D(2025, 3, 11),
        role=DutyRole.STAFF,
        person="",
        user=deputy,
        phone="0571-8888 0000",
    )
    assert (shift.person, shift.user, shift.phone, shift.role, shift.created_by) == (
        "吴值班",
        deputy,
        "0571-8888 0000",
        "staff",
        hw.clerk,
    )
    plain = services.duty_schedule(
        actor=world.registrar,
        hall=hw.hall,
        org=hw.housing,
        on=D(2025, 3, 10),
        role=DutyRole.STAFF,
        person=" 陈值班 ",
    )
    assert (plain.person, plain.user) == ("陈值班", None)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"on": D(2025, 3, 9)}, "on", "不能早于今天"),
        ({"on": "2025-03-11"}, "on", "请填写值班日期"),
        ({"role": "boss"}, "role", "请选择值班职责"),
        ({"person": ""}, "person", "请填写值班人员姓名"),
        ({"person": "名" * 65}, "person", "不能超过 64 个字"),
        ({"phone": "call me"}, "phone", "只能包含数字"),
        ({"phone": "1" * 33}, "phone", "不能超过 32 个字符"),
        ({"person": "郑科长", "on": D(2025, 3, 10)}, "person", "已有青山县人力资源和社会保障局的排班"),
    ],
)
def test_bad_shift_input_is_refused_on_its_field(
    world: World, hw: HallWorld, overrides: dict[str, object], field: str, message: str
) -> None:
    fields: dict[str, object] = {
        "actor": hw.clerk,
        "hall": hw.hall,
        "org": world.county_labour,
        "on": D(2025, 3, 11),
        "role": DutyRole.STAFF,
        "person": "吴值班",
    }
    fields.update(overrides)
    with pytest.raises(ServiceError, match=message) as exc:
        services.duty_schedule(**fields)  # type: ignore[arg-type]
    assert exc.value.field == field
    assert DutyShift.objects.count() == 2


def test_a_shift_needs_the_unit_stationed_that_day_and_its_own_account(world: World, hw: HallWorld) -> None:
    labour = StationedUnit.objects.get(hall=hw.hall, org=world.county_labour)
    labour.until = D(2025, 3, 12)
    labour.save()
    land = _org(world, "青山县自然资源局")
    services.hall_station_unit(actor=hw.clerk, hall=hw.hall, org=land, since=D(2025, 3, 20))
    for org, day in (
        (world.county_labour, D(2025, 3, 13)),
        (land, D(2025, 3, 19)),
        (world.town_office, D(2025, 3, 11)),
    ):
        with pytest.raises(ServiceError, match="未进驻") as exc:
            services.duty_schedule(
                actor=hw.clerk, hall=hw.hall, org=org, on=day, role=DutyRole.STAFF, person="某人"
            )
        assert exc.value.field == "org"
    assert services.duty_schedule(
        actor=hw.clerk, hall=hw.hall, org=land, on=D(2025, 3, 20), role=DutyRole.LEADER, person="某人"
    )
    with pytest.raises(ServiceError, match="不是青山县人力资源和社会保障局的工作人员") as exc:
        services.duty_schedule(
            actor=hw.clerk,
            hall=hw.hall,
            org=world.county_labour,
            on=D(2025, 3, 11),
            role=DutyRole.STAFF,
            person="冯科长",
            user=hw.housing_leader,
        )
    assert exc.value.field == "user"
    with pytest.raises(ServiceError, match="账号无效"):
        services.duty_schedule(
            actor=hw.clerk,
            hall=hw.hall,
            org=world.county_labour,
            on=D(2025, 3, 11),
            role=DutyRole.STAFF,
            person="张",
            user=world.citizen,
        )
    # The same account once per unit and day, whatever name is typed.
    with pytest.raises(ServiceError, match="已有") as exc:
        services.duty_schedule(
            actor=hw.clerk,
            hall=hw.hall,
            org=world.county_labour,
            on=D(2025, 3, 10),
            role=DutyRole.STAFF,
            person="郑某",
            user=hw.labour_leader,
        )
    assert exc.value.field == "person"
    with pytest.raises(ServiceError, match="请选择驻厅单位"):
        services.duty_schedule(
            actor=hw.clerk, hall=hw.hall, org=None, on=D(2025, 3, 11), role=DutyRole.STAFF, person="某"
        )  # type: ignore[arg-type]


def test_only_the_hall_staff_schedule_and_only_in_an_open_hall(world: World, hw: HallWorld) -> None:
    args = {
        "hall": hw.hall,
        "org": world.county_labour,
        "on": D(2025, 3, 11),
        "role": DutyRole.STAFF,
        "person": "吴",
    }
    for outsider in (hw.labour_leader, world.other_clerk):
        with pytest.raises(NotAllowed) as exc:
            services.duty_schedule(actor=outsider, **args)  # type: ignore[arg-type]
        assert exc.value.field == "hall"
    services.hall_update(actor=hw.clerk, hall=hw.hall, is_active=False)
    with pytest.raises(ServiceError, match="已停用"):
        services.duty_schedule(actor=hw.clerk, **args)  # type: ignore[arg-type]


def test_a_week_follows_the_working_days_and_skips_what_is_there(
    world: World, hw: HallWorld, freeze: Freeze
) -> None:
    # 2025-04-27 (a Sunday) is a make-up working day before 劳动节.
    made = services.duty_schedule_week(
        actor=hw.clerk,
        hall=hw.hall,
        org=hw.housing,
        week_start=D(2025, 4, 23),
        role=DutyRole.LEADER,
        person="冯科长",
        user=hw.housing_leader,
    )
    assert [s.on for s in made] == [D(2025, 4, d) for d in (21, 22, 23, 24, 25, 27)]
    assert all(s.user == hw.housing_leader for s in made)
    # 清明节: 2025-04-04 (a Friday) is a holiday.
    qingming = services.duty_schedule_week(
        actor=hw.clerk,
        hall=hw.hall,
        org=hw.housing,
        week_start=D(2025, 3, 31),
        role=DutyRole.STAFF,
        person="陈值班",
        weekdays=(1, 3, 5),
    )
    assert [s.on for s in qingming] == [D(2025, 3, 31), D(2025, 4, 2)]
    again = services.duty_schedule_week(
        actor=hw.clerk,
        hall=hw.hall,
        org=hw.housing,
        week_start=D(2025, 3, 31),
        role=DutyRole.STAFF,
        person="陈值班",
    )
    assert [s.on for s in again] == [D(2025, 4, 1), D(2025, 4, 3)]
    # This week, today (Monday) has the labour leader already; the days before today are skipped too.
    freeze("2025-03-12 08:00")
    week = services.duty_schedule_week(
        actor=hw.clerk,
        hall=hw.hall,
        org=world.county_labour,
        week_start=D(2025, 3, 10),
        role=DutyRole.LEADER,
        person="郑科长",
        user=hw.labour_leader,
    )
    assert [s.on for s in week] == [D(2025, 3, 12), D(2025, 3, 13), D(2025, 3, 14)]


def test_a_week_with_nothing_left_and_bad_weekdays_are_refused(world: World, hw: HallWorld) -> None:
    with pytest.raises(ServiceError, match="本周没有可为郑科长排班的日期") as exc:
        services.duty_schedule_week(
            actor=hw.clerk,
            hall=hw.hall,
            org=world.county_labour,
            week_start=D(2025, 3, 3),
            role=DutyRole.LEADER,
            person="郑科长",
        )
    assert exc.value.field == "week_start"
    for weekdays in ((), (0,), (8,), (True,)):
        with pytest.raises(ServiceError, match="请选择星期一至星期日") as exc:
            services.duty_schedule_week(
                actor=hw.clerk,
                hall=hw.hall,
                org=world.county_labour,
                week_start=D(2025, 3, 17),
                role=DutyRole.LEADER,
                person="郑",
                weekdays=weekdays,
            )
        assert exc.value.field == "weekdays"
    with pytest.raises(ServiceError, match="请填写排班周"):
        services.duty_schedule_week(
            actor=hw.clerk,
            hall=hw.hall,
            org=world.county_labour,
            week_start=None,
            role=DutyRole.LEADER,
            person="郑",  # type: ignore[arg-type]
        )
    with pytest.raises(NotAllowed):
        services.duty_schedule_week(
            actor=hw.housing_leader,
            hall=hw.hall,
            org=hw.housing,
            week_start=D(2025, 3, 17),
            role=DutyRole.LEADER,
            person="冯",
        )
    assert DutyShift.objects.count() == 2


def test_a_shift_is_cancelled_before_it_starts_only(world: World, hw: HallWorld, freeze: Freeze) -> None:
    later = services.duty_schedule(
        actor=hw.clerk, hall=hw.hall, org=hw.housing, on=D(2025, 3, 11), role=DutyRole.STAFF, person="陈"
    )
    with pytest.raises(NotAllowed):
        services.duty_cancel(actor=hw.housing_leader, shift=later)
    services.duty_cancel(actor=hw.clerk, shift=later)
    assert not DutyShift.objects.filter(pk=later.pk).exists()
    with pytest.raises(ServiceError, match="不存在或已取消"):
        services.duty_cancel(actor=hw.clerk, shift=later)
    labour = _shift(hw, world.county_labour)
    services.duty_check_in(actor=hw.labour_leader, shift=labour)
    with pytest.raises(InvalidState, match="已于 08:00 到岗"):
        services.duty_cancel(actor=hw.clerk, shift=labour)
    freeze("2025-03-11 08:00")
    with pytest.raises(InvalidState, match="已过去的排班不能取消"):
        services.duty_cancel(actor=hw.clerk, shift=_shift(hw, hw.housing))


# ---------------------------------------------------------------- check-in and check-out


def test_the_person_on_duty_checks_in_and_out(world: World, hw: HallWorld, freeze: Freeze) -> None:
    shift = _shift(hw, world.county_labour)
    assert services.may_check_in(hw.labour_leader, shift) and services.may_check_in(hw.clerk, shift)
    assert not services.may_check_in(hw.housing_leader, shift)
    came = services.duty_check_in(actor=hw.labour_leader, shift=shift)
    assert came.checked_in_at == beijing("2025-03-10 08:00")
    freeze("2025-03-10 17:45")
    left = services.duty_check_out(actor=hw.labour_leader, shift=shift)
    assert left.checked_out_at == beijing("2025-03-10 17:45")
    with pytest.raises(InvalidState, match="已于 08:00 到岗，不能重复登记"):
        services.duty_check_in(actor=hw.labour_leader, shift=shift)
    with pytest.raises(InvalidState, match="已于 17:45 离岗，不能重复登记"):
        services.duty_check_out(actor=hw.labour_leader, shift=shift)


def test_the_hall_staff_record_it_for_the_person_at_an_earlier_time(
    world: World, hw: HallWorld, freeze: Freeze
) -> None:
    freeze("2025-03-10 10:00")
    shift = _shift(hw, hw.housing)
    services.duty_check_in(actor=hw.clerk, shift=shift, at=beijing("2025-03-10 08:50"))
    assert shift.pk and DutyShift.objects.get(pk=shift.pk).checked_in_at == beijing("2025-03-10 08:50")
    with pytest.raises(ServiceError, match="不能早于到岗时间（08:50）") as exc:
        services.duty_check_out(actor=hw.clerk, shift=shift, at=beijing("2025-03-10 08:40"))
    assert exc.value.field == "at"
    services.duty_check_out(actor=world.registrar, shift=shift, at=beijing("2025-03-10 09:30"))


def test_check_in_refusals(world: World, hw: HallWorld, freeze: Freeze) -> None:
    shift = _shift(hw, world.county_labour)
    with pytest.raises(NotAllowed) as exc:
        services.duty_check_in(actor=hw.housing_leader, shift=shift)
    assert exc.value.field == "shift"
    with pytest.raises(InvalidState, match="尚未登记到岗"):
        services.duty_check_out(actor=hw.labour_leader, shift=shift)
    with pytest.raises(ServiceError, match="不能晚于现在") as exc:
        services.duty_check_in(actor=hw.clerk, shift=shift, at=beijing("2025-03-10 08:30"))
    assert exc.value.field == "at"
    with pytest.raises(ServiceError, match="请填写到岗时间"):
        services.duty_check_in(actor=hw.clerk, shift=shift, at=dt.datetime(2025, 3, 10, 7, 0))
    with pytest.raises(InvalidState, match="只能在当天到岗"):
        services.duty_check_in(actor=hw.clerk, shift=shift, at=beijing("2025-03-09 23:50"))
    tomorrow = services.duty_schedule(
        actor=hw.clerk,
        hall=hw.hall,
        org=world.county_labour,
        on=D(2025, 3, 11),
        role=DutyRole.LEADER,
        person="郑科长",
        user=hw.labour_leader,
    )
    with pytest.raises(InvalidState, match="2025-03-11 的，只能在当天到岗"):
        services.duty_check_in(actor=hw.labour_leader, shift=tomorrow)
    services.duty_check_in(actor=hw.labour_leader, shift=shift)
    freeze("2025-03-11 08:10")
    with pytest.raises(InvalidState, match="只能在当天离岗"):
        services.duty_check_out(actor=hw.labour_leader, shift=shift)
    # A shift without an account is checked in by the hall's staff only.
    plain = services.duty_schedule(
        actor=hw.clerk, hall=hw.hall, org=hw.housing, on=D(2025, 3, 11), role=DutyRole.STAFF, person="陈"
    )
    with pytest.raises(NotAllowed):
        services.duty_check_in(actor=hw.housing_leader, shift=plain)
    assert services.duty_check_in(actor=hw.clerk, shift=plain).checked_in_at is not None


def test_the_hall_staff_note_a_reason(world: World, hw: HallWorld) -> None:
    shift = _shift(hw, hw.housing)
    assert (
        services.duty_note_absence(actor=hw.clerk, shift=shift, note=" 请假（病假） ").note == "请假（病假）"
    )
    with pytest.raises(ServiceError, match="请填写说明") as exc:
        services.duty_note_absence(actor=hw.clerk, shift=shift, note="")
    assert exc.value.field == "note"
    with pytest.raises(ServiceError, match="不能超过 200 个字"):
        services.duty_note_absence(actor=hw.clerk, shift=shift, note="假" * 201)
    with pytest.raises(NotAllowed):
        services.duty_note_absence(actor=hw.housing_leader, shift=shift, note="公出")
    shift.refresh_from_db()
    assert shift.note == "请假（病假）"


# ---------------------------------------------------------------- reads


def test_who_sees_the_hall_and_its_shifts(world: World, hw: HallWorld) -> None:
    assert selectors.hall_for(hw.clerk, hw.hall.pk) == hw.hall
    assert selectors.hall_for(hw.labour_leader, hw.hall.pk) == hw.hall
    assert selectors.hall_for(world.other_clerk, hw.hall.pk) is None
    assert selectors.hall_for(world.citizen, hw.hall.pk) is None
    assert list(selectors.halls_for(world.registrar)) == [hw.hall]
    shift = _shift(hw, world.county_labour)
    assert selectors.shift_for(hw.housing_leader, shift.pk) == shift
    assert selectors.shift_for(world.other_clerk, shift.pk) is None
    unit = StationedUnit.objects.get(hall=hw.hall, org=hw.housing)
    assert selectors.stationed_for(hw.clerk, unit.pk) == unit
    assert selectors.stationed_for(world.other_clerk, unit.pk) is None
    assert selectors.may_run(hw.clerk, hw.hall) and not selectors.may_run(hw.labour_leader, hw.hall)
    assert selectors.own_orgs(hw.labour_leader) == {world.county_labour.pk}


def test_the_rota_lists_every_day_and_unit_with_its_shifts(world: World, hw: HallWorld) -> None:
    services.duty_schedule(
        actor=hw.clerk, hall=hw.hall, org=hw.housing, on=D(2025, 3, 10), role=DutyRole.STAFF, person="陈值班"
    )
    days = selectors.rota(hw.hall, D(2025, 3, 10), D(2025, 3, 11))
    assert [d.day for d in days] == [D(2025, 3, 10), D(2025, 3, 11)]
    monday = {u.org: [s.person for s in u.shifts] for u in days[0].units}
    assert monday == {world.county_labour: ["郑科长"], hw.housing: ["冯科长", "陈值班"]}
    assert [u.window for u in days[0].units] == ["3号窗口", "4号窗口"]
    assert days[0].shift_count == 3 and all(u.has_leader for u in days[0].units)
    assert [u.shifts for u in days[1].units] == [[], []]


def test_the_attendance_arithmetic() -> None:
    def s(on: int, came: str | None = None, left: str | None = None, noted: bool = False) -> ShiftTimes:
        day = D(2025, 3, on)
        parse = lambda t: dt.datetime.combine(day, T.fromisoformat(t)) if t else None  # noqa: E731
        return ShiftTimes(on=day, checked_in=parse(came), checked_out=parse(left), noted=noted)

    tally = attendance_tally(
        [
            s(3, "08:30", "17:30"),  # on time, full day
            s(3, "08:41", "17:30"),  # 迟到 (after 08:40)
            s(4, "08:40", "17:29"),  # within the grace; 早退
            s(4),  # 缺岗
            s(5, noted=True),  # 缺岗 with a reason
            s(5, "09:00"),  # 迟到, 未登记离岗
            s(10),  # today, not yet come: not 缺岗
            s(10, "08:20"),  # today, here
            s(11),  # tomorrow
        ],
        today=D(2025, 3, 10),
        opens_at=T(8, 30),
        closes_at=T(17, 30),
        grace_minutes=10,
    )
    assert (tally.scheduled, tally.due, tally.present, tally.absent, tally.absent_noted) == (9, 7, 5, 2, 1)
    assert (tally.late, tally.early, tally.no_check_out) == (2, 1, 1)
    assert tally.present_rate.text() == "71.4%" and tally.absent_rate.text() == "28.6%"
    assert tally.late_rate.text() == "40.0%" and tally.early_rate.text() == "20.0%"
    empty = attendance_tally(
        [], today=D(2025, 3, 10), opens_at=T(8, 30), closes_at=T(17, 30), grace_minutes=0
    )
    assert empty.present_rate.text() == "—" and empty.present_rate.value is None
    assert (tally + empty) == tally


def test_the_month_report_per_unit(world: World, hw: HallWorld, freeze: Freeze) -> None:
    freeze("2025-03-03 08:00")
    for day in (3, 4, 5):
        services.duty_schedule(
            actor=hw.clerk,
            hall=hw.hall,
            org=world.county_labour,
            on=D(2025, 3, day),
            role=DutyRole.STAFF,
            person="吴值班",
        )
    services.duty_schedule(
        actor=hw.clerk, hall=hw.hall, org=hw.housing, on=D(2025, 3, 3), role=DutyRole.LEADER, person="冯科长"
    )
    labour_3, labour_4, _labour_5 = DutyShift.objects.filter(person="吴值班").order_by("on")
    freeze("2025-03-03 08:55")
    services.duty_check_in(actor=hw.clerk, shift=labour_3)  # 迟到
    freeze("2025-03-03 16:00")
    services.duty_check_out(actor=hw.clerk, shift=labour_3)  # 早退
    freeze("2025-03-04 08:25")
    services.duty_check_in(actor=hw.clerk, shift=labour_4)
    services.duty_note_absence(
        actor=hw.clerk, shift=DutyShift.objects.get(org=hw.housing, on=D(2025, 3, 3)), note="公出"
    )
    freeze("2025-03-10 09:00")
    services.duty_check_in(
        actor=hw.labour_leader, shift=DutyShift.objects.get(org=world.county_labour, on=D(2025, 3, 10))
    )
    report = selectors.attendance_report(hw.hall, 2025, 3)
    assert report.title == "青山县群众来访接待大厅2025年3月驻厅单位值班考勤"
    rows = {row.org: row for row in report.rows}
    labour, housing = rows[world.county_labour].tally, rows[hw.housing].tally
    assert rows[world.county_labour].window == "3号窗口"
    # labour: 3rd late + early, 4th here (never checked out), 5th absent, 10th (today) late.
    assert (
        labour.scheduled,
        labour.due,
        labour.present,
        labour.absent,
        labour.late,
        labour.early,
        labour.no_check_out,
    ) == (4, 4, 3, 1, 2, 1, 1)
    # housing: the 3rd absent with a reason; today's leader not yet come is not absent.
    assert (housing.scheduled, housing.due, housing.present, housing.absent, housing.absent_noted) == (
        2,
        1,
        0,
        1,
        1,
    )
    assert report.total.scheduled == 6 and report.total.absent == 2
    assert report.leaders.scheduled == 3 and report.staff.scheduled == 3
    only = selectors.attendance_report(hw.hall, 2025, 3, orgs=[hw.housing.pk])
    assert [row.org for row in only.rows] == [hw.housing]
    assert selectors.attendance_report(hw.hall, 2025, 2).rows[0].tally.scheduled == 0
    assert selectors.month_bounds(2025, 12) == (D(2025, 12, 1), D(2026, 1, 1))


def _ticket(
    hw: HallWorld, serial: int, *, day: D, issued: str, called: str | None = None, **fields: object
) -> Ticket:
    return Ticket.objects.create(
        hall=hw.hall,
        day=day,
        serial=serial,
        number=f"A{serial:03d}",
        issued_at=beijing(issued),
        issued_by=hw.clerk,
        called_at=beijing(called) if called else None,
        **fields,
    )


def test_the_dashboard(world: World, hw: HallWorld, freeze: Freeze) -> None:
    freeze("2025-03-03 10:00")
    case = register(world)
    other = register(world, subject="另一件事")
    freeze("2025-03-10 11:00")
    today = D(2025, 3, 10)
    _ticket(
        hw,
        1,
        day=today,
        issued="2025-03-10 08:30",
        called="2025-03-10 08:40",
        status=TicketStatus.SERVED,
        window_org=world.county_labour,
        window="3号窗口",
        case=case,
        headcount=3,
    )
    _ticket(
        hw,
        2,
        day=today,
        issued="2025-03-10 08:35",
        called="2025-03-10 09:05",
        status=TicketStatus.CALLED,
        window_org=hw.housing,
        window="4号窗口",
    )
    _ticket(hw, 3, day=today, issued="2025-03-10 10:00")
    _ticket(
        hw,
        4,
        day=D(2025, 3, 3),
        issued="2025-03-03 09:00",
        called="2025-03-03 09:10",
        status=TicketStatus.SERVED,
        window="1号窗口",
        case=other,
    )
    _ticket(
        hw, 5, day=D(2025, 2, 28), issued="2025-02-28 09:00", called="2025-02-28 09:10", window_org=hw.housing
    )
    for outcome, at in (
        (JointOutcome.ON_SPOT, "2025-03-04 10:00"),
        (JointOutcome.ASSIGNED, "2025-03-05 10:00"),
        (JointOutcome.PENDING, "2025-03-06 10:00"),  # under way: outside the rate
        (JointOutcome.ON_SPOT, "2025-02-27 10:00"),
    ):
        JointReception.objects.create(
            hall=hw.hall,
            case=case if outcome == JointOutcome.ASSIGNED else other,
            convened_at=beijing(at),
            convened_by=hw.clerk,
            lead_org=world.county_labour,
            outcome=outcome,
        )
    lawyer = Lawyer.objects.create(
        hall=hw.hall, name="钱律师", firm="青山律师事务所", licence_number="13301200010001"
    )
    for persons, at in ((2, "2025-03-05 10:00"), (1, "2025-03-07 10:00"), (4, "2025-02-26 10:00")):
        LawyerConsultation.objects.create(
            lawyer=lawyer,
            hall=hw.hall,
            at=beijing(at),
            persons=persons,
            topic="劳动合同",
            advice="申请仲裁",
            recorded_by=hw.clerk,
        )
    freeze("2025-03-10 08:45")
    services.duty_check_in(actor=hw.labour_leader, shift=_shift(hw, world.county_labour))
    freeze("2025-03-10 11:00")

    board = selectors.hall_dashboard(hw.hall, today)
    assert (board.tickets, board.persons, board.waiting, board.called, board.served) == (3, 5, 1, 2, 1)
    assert board.average_wait == dt.timedelta(minutes=20) and board.longest_wait == dt.timedelta(minutes=30)
    assert selectors.minutes(board.average_wait) == "20 分钟" and selectors.minutes(None) == "—"
    windows = [(w.label, w.org, w.called, w.cases) for w in board.windows]
    assert windows == [
        ("3号窗口", world.county_labour, 1, 1),
        ("4号窗口", hw.housing, 1, 0),
        ("1号窗口", None, 1, 1),
    ]
    assert (board.joint_batches, board.joint_on_spot, board.joint_on_spot_rate.text()) == (3, 1, "50.0%")
    assert (board.lawyer_batches, board.lawyer_persons) == (2, 3)
    duty = {row.shift.org: row for row in board.duty}
    assert duty[world.county_labour].late and duty[world.county_labour].shift.checked_in_at is not None
    assert duty[hw.housing].shift.checked_in_at is None and board.duty_present == 1
    empty = selectors.hall_dashboard(hw.hall, D(2025, 4, 1))
    assert (empty.tickets, empty.average_wait, empty.joint_on_spot_rate.text(), empty.lawyer_persons) == (
        0,
        None,
        "—",
        0,
    )
