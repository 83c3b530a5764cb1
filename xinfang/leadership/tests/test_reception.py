"""领导接访日: scheduling, recording visits (new and existing cases), closing, and every refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.services import PetitionerInput, case_forward
from xinfang.cases.tests.helpers import category, register
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.leadership.models import ReceptionDay, ReceptionVisit
from xinfang.leadership.services import reception as services
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role, User
from xinfang.testing.clock import beijing
from xinfang.testing.world import PASSWORD, World

D = dt.date
Freeze = Callable[[str], dt.datetime]


def county_leader(world: World) -> User:
    user = org_services.staff_user_create(username="qs_leader", full_name="孔副县长", password=PASSWORD)
    org_services.membership_grant(user=user, org=world.county_gov, role=Role.LEADER)
    return user


def schedule(world: World, **overrides: Any) -> ReceptionDay:
    fields: dict[str, Any] = {
        "actor": world.bureau_head,
        "org": world.city_bureau,
        "leader": world.leader,
        "leader_org": world.city_gov,
        "leader_title": "副市长",
        "starts_at": beijing("2025-03-10 09:00"),
        "ends_at": beijing("2025-03-10 12:00"),
        "place": "示例市群众来访接待中心",
        "topics": "住房保障、征地拆迁",
    }
    fields.update(overrides)
    return services.reception_day_schedule(**fields)


def registration(world: World, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "nature": "appeal",
        "category": category("030100"),
        "subject": "安置房迟迟未交付",
        "content": "拆迁安置房约定2024年底交付，至今未交付，请求领导督促。",
        "problem_region": world.county,
        "petitioners": [PetitionerInput(name="赵四", phone="13900139000")],
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def day(world: World, freeze: Freeze) -> ReceptionDay:
    freeze("2025-03-03 10:00")
    return schedule(world)


def test_a_bureau_schedules_a_leaders_day(world: World, day: ReceptionDay) -> None:
    assert (day.status, day.leader, day.leader_org, day.published) == (
        "scheduled",
        world.leader,
        world.city_gov,
        True,
    )
    assert day.topics == "住房保障、征地拆迁"


def test_only_the_organising_staff_of_a_bureau_or_government_may_schedule(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-03-03 10:00")
    with pytest.raises(NotAllowed, match="不是信访部门或党委政府"):
        schedule(world, actor=world.handler, org=world.city_housing)
    with pytest.raises(NotAllowed, match="示例市信访局"):
        schedule(world, actor=world.other_clerk)


def test_the_leader_must_be_a_leader_of_the_organ_and_the_place_within_reach(
    world: World, freeze: Freeze
) -> None:
    freeze("2025-03-03 10:00")
    with pytest.raises(ServiceError, match="不是示例市人民政府的领导") as exc:
        schedule(world, leader=world.handler)
    assert exc.value.field == "leader"
    # A county leader receives in the county, not at the city's reception centre.
    with pytest.raises(ServiceError, match="辖区内") as exc:
        schedule(world, leader=county_leader(world), leader_org=world.county_gov)
    assert exc.value.field == "leader"
    # A city leader may receive at a county's bureau (下沉接访).
    down = schedule(world, org=world.county_bureau, actor=world.bureau_head, place="青山县信访局")
    assert down.org == world.county_bureau


def test_times_must_be_ahead_in_order_and_not_clash(world: World, day: ReceptionDay) -> None:
    with pytest.raises(ServiceError, match="结束时间应晚于开始时间") as exc:
        schedule(world, ends_at=beijing("2025-03-11 08:00"), starts_at=beijing("2025-03-11 09:00"))
    assert exc.value.field == "ends_at"
    with pytest.raises(ServiceError, match="已过") as exc:
        schedule(world, starts_at=beijing("2025-03-01 09:00"), ends_at=beijing("2025-03-01 11:00"))
    assert exc.value.field == "starts_at"
    with pytest.raises(ServiceError, match="不超过 12 小时"):
        schedule(world, starts_at=beijing("2025-03-12 09:00"), ends_at=beijing("2025-03-13 09:00"))
    with pytest.raises(ServiceError, match="该时段已安排接访"):
        schedule(world, starts_at=beijing("2025-03-10 11:00"), ends_at=beijing("2025-03-10 15:00"))
    with pytest.raises(ServiceError, match="请填写接访地点"):
        schedule(
            world, place="  ", starts_at=beijing("2025-03-17 09:00"), ends_at=beijing("2025-03-17 11:00")
        )
    assert ReceptionDay.objects.count() == 1


def test_no_visit_is_recorded_before_the_day(world: World, day: ReceptionDay) -> None:
    with pytest.raises(InvalidState, match="尚未开始"):
        services.reception_register_visit(
            actor=world.bureau_head, day=day, outcome="assigned", registration=registration(world)
        )


def test_a_new_visitor_is_registered_as_a_case_of_the_receiving_organ(
    world: World, day: ReceptionDay, freeze: Freeze
) -> None:
    freeze("2025-03-10 09:30")
    visit, registered = services.reception_register_visit(
        actor=world.bureau_head,
        day=day,
        outcome="assigned",
        note="请住建局一周内答复。",
        registration=registration(world),
    )
    case = registered.case
    assert (case.channel, case.registered_org, case.status) == ("visit", world.city_bureau, "registered")
    assert (visit.registered_here, visit.outcome, visit.day) == (True, "assigned", day)
    event = case.events.get(kind="received_by_leader")
    assert event.payload["leader"] == "陈副市长"
    assert event.payload["outcome_name"] == "交办"


def test_a_refused_registration_leaves_nothing_behind(
    world: World, day: ReceptionDay, freeze: Freeze
) -> None:
    freeze("2025-03-10 09:30")
    with pytest.raises(ServiceError) as exc:
        services.reception_register_visit(
            actor=world.bureau_head, day=day, outcome="assigned", registration=registration(world, subject="")
        )
    assert exc.value.field == "subject"
    with pytest.raises(ServiceError, match="接访结果应为") as exc:
        services.reception_register_visit(
            actor=world.bureau_head, day=day, outcome="shrugged", registration=registration(world)
        )
    assert exc.value.field == "outcome"
    assert (Case.objects.count(), ReceptionVisit.objects.count()) == (0, 0)


def test_an_existing_case_is_attached_once_and_must_be_within_the_leaders_sight(
    world: World, day: ReceptionDay, freeze: Freeze
) -> None:
    freeze("2025-03-10 09:30")
    case = register(world)
    visit = services.reception_receive_case(
        actor=world.bureau_head, day=day, case=case, outcome="explained", headcount=2
    )
    assert (visit.registered_here, visit.headcount) == (False, 2)
    with pytest.raises(ServiceError, match="已在本次接访中登记") as exc:
        services.reception_receive_case(actor=world.bureau_head, day=day, case=case, outcome="solved")
    assert exc.value.code == "conflict"

    # A county leader's day: a matter of the other county is outside the leader's reach.
    leader = county_leader(world)
    county_day = schedule(
        world,
        org=world.county_bureau,
        leader=leader,
        leader_org=world.county_gov,
        place="青山县信访局",
        starts_at=beijing("2025-03-10 14:00"),
        ends_at=beijing("2025-03-10 17:00"),
    )
    elsewhere = case_forward(
        actor=world.registrar,
        case=register(world, problem_region=world.other_county, subject="河口县工资拖欠"),
        to_org=world.other_county_labour,
    )
    with pytest.raises(NotAllowed, match="孔副县长无权查看"):
        services.reception_receive_case(
            actor=world.bureau_head, day=county_day, case=elsewhere, outcome="explained"
        )


def test_only_the_leader_or_the_organising_staff_record_visits(
    world: World, day: ReceptionDay, freeze: Freeze
) -> None:
    freeze("2025-03-10 09:30")
    case = register(world)
    with pytest.raises(NotAllowed, match="只有接访领导"):
        services.reception_receive_case(actor=world.handler, day=day, case=case, outcome="solved")
    visit = services.reception_receive_case(actor=world.leader, day=day, case=case, outcome="solved")
    assert visit.recorded_by == world.leader


def test_closing_the_day_needs_a_summary_and_ends_the_recording(
    world: World, day: ReceptionDay, freeze: Freeze
) -> None:
    with pytest.raises(InvalidState, match="尚未到来"):
        services.reception_day_close(actor=world.bureau_head, day=day, summary="接待 2 批。")
    freeze("2025-03-10 12:10")
    with pytest.raises(ServiceError, match="请填写接访情况小结"):
        services.reception_day_close(actor=world.bureau_head, day=day, summary=" ")
    held = services.reception_day_close(
        actor=world.bureau_head, day=day, summary="接待来访群众 2 批 3 人次。"
    )
    assert held.status == "held"
    with pytest.raises(InvalidState, match="已结束"):
        services.reception_receive_case(
            actor=world.bureau_head, day=held, case=register(world), outcome="solved"
        )


def test_a_day_with_visits_cannot_be_cancelled_one_without_can(
    world: World, day: ReceptionDay, freeze: Freeze
) -> None:
    with pytest.raises(ServiceError, match="请填写取消原因"):
        services.reception_day_cancel(actor=world.bureau_head, day=day, reason="")
    later = schedule(world, starts_at=beijing("2025-03-17 09:00"), ends_at=beijing("2025-03-17 11:00"))
    cancelled = services.reception_day_cancel(actor=world.bureau_head, day=later, reason="领导外出开会")
    assert cancelled.status == "cancelled"
    freeze("2025-03-10 09:30")
    services.reception_receive_case(actor=world.bureau_head, day=day, case=register(world), outcome="solved")
    with pytest.raises(InvalidState, match="已登记来访"):
        services.reception_day_cancel(actor=world.bureau_head, day=day, reason="改期")


def test_a_scheduled_day_may_be_moved_but_not_into_a_clash(world: World, day: ReceptionDay) -> None:
    schedule(world, starts_at=beijing("2025-03-17 09:00"), ends_at=beijing("2025-03-17 11:00"))
    with pytest.raises(ServiceError, match="该时段已安排接访"):
        services.reception_day_update(
            actor=world.bureau_head,
            day=day,
            starts_at=beijing("2025-03-17 10:00"),
            ends_at=beijing("2025-03-17 12:00"),
            place="示例市群众来访接待中心",
        )
    moved = services.reception_day_update(
        actor=world.bureau_head,
        day=day,
        starts_at=beijing("2025-03-18 09:00"),
        ends_at=beijing("2025-03-18 11:00"),
        place="示例市信访局一楼",
    )
    assert (moved.place, moved.starts_at) == ("示例市信访局一楼", beijing("2025-03-18 09:00"))


def test_who_sees_the_schedule_and_the_visits(world: World, day: ReceptionDay, freeze: Freeze) -> None:
    from xinfang.leadership.selectors.reception import (
        day_visits,
        published_schedule,
        reception_days_visible_to,
    )

    assert list(reception_days_visible_to(world.leader)) == [day]
    assert list(reception_days_visible_to(world.registrar)) == [day]  # the receiving bureau
    assert list(reception_days_visible_to(world.other_clerk)) == []
    assert list(reception_days_visible_to(world.citizen)) == []
    assert list(published_schedule()) == [day]
    freeze("2025-03-10 09:30")
    services.reception_receive_case(actor=world.bureau_head, day=day, case=register(world), outcome="solved")
    assert day_visits(world.registrar, day).count() == 1
    assert day_visits(world.handler, day).count() == 0  # the unit does not see a case not routed to it
    freeze("2025-03-10 12:30")
    assert list(published_schedule()) == []  # over


def test_leaders_behind_the_rule_of_their_level_are_flagged(
    world: World, day: ReceptionDay, freeze: Freeze
) -> None:
    from xinfang.leadership.models import ReceptionRule
    from xinfang.leadership.selectors.reception import reception_figures, reception_standings

    ReceptionRule.objects.update_or_create(level="city", defaults={"period": "quarter", "minimum": 2})
    ReceptionRule.objects.update_or_create(level="county", defaults={"period": "month", "minimum": 1})
    leader = county_leader(world)
    standings = {s.leader.username: s for s in reception_standings(world.bureau_head, today=D(2025, 3, 3))}
    assert set(standings) == {"leader", "qs_leader"}
    city = standings["leader"]
    assert (city.start, city.end, city.period_name) == (D(2025, 1, 1), D(2025, 3, 31), "本季度")
    assert (city.standing.held, city.standing.scheduled, city.standing.missing) == (0, 1, 1)
    assert standings["qs_leader"].standing.missing == 1
    assert not reception_standings(world.other_clerk, today=D(2025, 3, 3))
    freeze("2025-03-10 09:30")
    services.reception_receive_case(
        actor=world.bureau_head, day=day, case=register(world), outcome="solved", headcount=3
    )
    services.reception_day_close(actor=world.bureau_head, day=day, summary="接待 1 批 3 人。")
    city = next(
        s for s in reception_standings(world.bureau_head, today=D(2025, 3, 10)) if s.leader == world.leader
    )
    assert (city.standing.held, city.standing.met) == (1, False)
    assert reception_figures(ReceptionDay.objects.all()) == reception_figures(
        ReceptionDay.objects.filter(leader=world.leader)
    )
    figures = reception_figures(ReceptionDay.objects.all())
    assert (figures.days, figures.batches, figures.people) == (1, 1, 3)
    assert leader.username == "qs_leader"
