"""约访, 下访 and 夜访: every rule of the services, and what the selectors show to whom."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from xinfang.cases.models import Case
from xinfang.cases.presentation import event_summary
from xinfang.cases.tests.helpers import register
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.leadership.models import Appointment, FieldVisit, FieldVisitCase
from xinfang.leadership.selectors import visits as selectors
from xinfang.leadership.services import visits as services
from xinfang.leadership.tests.test_visits_setup import (
    NOW,
    TOMORROW_AT,
    Cast,
    cast,
    push,
    schedule,
    visit_down,
)
from xinfang.orgs.models import Org
from xinfang.testing.clock import beijing
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]
D = dt.date


@pytest.fixture
def c(world: World, freeze: Freeze) -> Cast:
    freeze(NOW)
    return cast(world)


def _notes(case: Case, kind: str) -> list[dict[str, object]]:
    return [event.payload for event in case.events.filter(kind=kind).order_by("seq")]


# ---------------------------------------------------------------- 约访: scheduling


def test_the_bureau_schedules_and_records_a_held_appointment(world: World, c: Cast, freeze: Freeze) -> None:
    appointment = schedule(world, c.case)
    assert (appointment.status, appointment.leader, appointment.created_by) == (
        "planned",
        world.leader,
        world.registrar,
    )
    freeze("2025-03-04 11:00")
    done = services.appointment_record(
        actor=world.registrar,
        appointment=appointment,
        status="held",
        outcome="信访人表示理解，同意等待维修方案。",
    )
    assert (done.status, done.recorded_by) == ("held", world.registrar)
    assert done.recorded_at == beijing("2025-03-04 11:00")
    [note] = _notes(c.case, "appointment_held")
    assert note == {
        "appointment": appointment.pk,
        "leader": world.leader.pk,
        "leader_name": "陈副市长",
        "outcome": "信访人表示理解，同意等待维修方案。",
        "note": "约访领导 陈副市长",
    }
    # The case's timeline writes it in words.
    event = c.case.events.get(kind="appointment_held")
    assert (
        event_summary(event.kind, event.payload)
        == "领导约访：信访人表示理解，同意等待维修方案。；约访领导 陈副市长"
    )


def test_only_a_bureau_or_government_organiser_or_the_leader_schedules(world: World, c: Cast) -> None:
    with pytest.raises(NotAllowed, match="不是信访部门或党委政府") as wrong_kind:
        schedule(world, c.case, actor=world.handler, org=world.city_housing)
    assert wrong_kind.value.field == "org"
    with pytest.raises(NotAllowed, match="可以安排约访"):
        schedule(world, c.case, actor=world.handler, org=world.city_bureau)
    # The leader in person, at his own organ: he is the leader met.
    own = schedule(world, c.case, actor=world.leader, org=world.city_gov, leader=None)
    assert own.leader == world.leader and own.org == world.city_gov
    with pytest.raises(NotAllowed, match="只能安排自己的约访") as other:
        schedule(world, c.case, actor=world.leader, org=world.city_gov, leader=c.county_leader)
    assert other.value.field == "leader"
    # A bureau invites without a leader.
    assert schedule(world, c.case, leader=None, at=TOMORROW_AT + dt.timedelta(hours=1)).leader is None


def test_the_case_must_be_visible_to_the_organiser_and_to_the_leader(world: World, c: Cast) -> None:
    far = register(world, problem_region=world.other_county)  # nothing of 青山县's
    with pytest.raises(NotAllowed, match="您无权查看信访件") as unseen:
        schedule(world, far, actor=c.county_clerk, org=world.county_bureau, leader=None)
    assert unseen.value.field == "case"
    # 青山县信访局 sees the city's case about its county; 孙县长 (青山县人民政府) does not.
    with pytest.raises(NotAllowed, match="孙县长无权查看信访件") as blind:
        schedule(world, c.case, actor=c.county_clerk, org=world.county_bureau, leader=c.county_leader)
    assert blind.value.field == "leader"
    assert (
        schedule(world, c.case, actor=c.county_clerk, org=world.county_bureau, leader=None).org
        == world.county_bureau
    )


def test_the_leader_must_lead_an_organ_whose_region_covers_the_inviting_one(world: World, c: Cast) -> None:
    with pytest.raises(ServiceError, match="孙县长不是示例市或其上级党政机关的领导") as far:
        schedule(world, c.case, leader=c.county_leader)
    assert far.value.field == "leader"
    with pytest.raises(ServiceError, match="刘承办不是示例市") as not_leader:
        schedule(world, c.case, leader=world.handler)
    assert not_leader.value.field == "leader"
    # A city leader may meet petitioners of a county bureau's matters.
    assert schedule(world, c.case, actor=c.county_clerk, org=world.county_bureau).leader == world.leader


def test_the_time_is_to_come_within_a_year_and_the_place_is_given(world: World, c: Cast) -> None:
    for bad in (beijing("2025-03-03 09:59"), dt.datetime(2025, 3, 4, 9, 30), beijing("2026-03-04 09:30")):
        with pytest.raises(ServiceError) as caught:
            schedule(world, c.case, at=bad)
        assert caught.value.field == "at"
    with pytest.raises(ServiceError, match="请填写地点") as no_place:
        schedule(world, c.case, place="  ")
    assert no_place.value.field == "place"
    with pytest.raises(ServiceError, match="约访事由不能超过") as long_purpose:
        schedule(world, c.case, purpose="事" * 257)
    assert long_purpose.value.field == "purpose"
    assert not Appointment.objects.exists()


def test_the_same_invitation_twice_is_a_conflict(world: World, c: Cast) -> None:
    first = schedule(world, c.case)
    with pytest.raises(ServiceError, match="请勿重复安排") as twice:
        schedule(world, c.case)
    assert twice.value.code == "conflict"
    services.appointment_record(actor=world.registrar, appointment=first, status="cancelled")
    assert schedule(world, c.case).status == "planned"  # planned again once cancelled


# ---------------------------------------------------------------- 约访: the result


def test_the_result_is_recorded_by_the_organiser_or_the_leader_once(
    world: World, c: Cast, freeze: Freeze
) -> None:
    appointment = schedule(world, c.case)
    freeze("2025-03-04 10:30")
    for outsider in (world.handler, c.county_clerk):
        with pytest.raises(NotAllowed, match="记录约访结果"):
            services.appointment_record(actor=outsider, appointment=appointment, status="absent")
    services.appointment_record(
        actor=world.leader, appointment=appointment, status="held", outcome="已当面答复。"
    )
    with pytest.raises(InvalidState, match="已记录为“已约见”"):
        services.appointment_record(actor=world.registrar, appointment=appointment, status="cancelled")


def test_a_held_appointment_needs_an_outcome_and_its_day(world: World, c: Cast, freeze: Freeze) -> None:
    appointment = schedule(world, c.case)
    with pytest.raises(ServiceError, match="尚未到期，只能取消") as early:
        services.appointment_record(
            actor=world.registrar, appointment=appointment, status="held", outcome="谈过了"
        )
    assert early.value.field == "status"
    freeze("2025-03-04 08:00")  # the day itself
    with pytest.raises(ServiceError, match="约访结果应为") as bad:
        services.appointment_record(actor=world.registrar, appointment=appointment, status="planned")
    assert bad.value.field == "status"
    with pytest.raises(ServiceError, match="请填写约访结果") as empty:
        services.appointment_record(
            actor=world.registrar, appointment=appointment, status="held", outcome=" "
        )
    assert empty.value.field == "outcome"
    absent = services.appointment_record(actor=world.registrar, appointment=appointment, status="absent")
    assert absent.status == "absent" and _notes(c.case, "appointment_held") == []


def test_a_cancellation_may_come_before_the_day_and_notes_nothing(world: World, c: Cast) -> None:
    appointment = schedule(world, c.case)
    done = services.appointment_record(
        actor=world.registrar, appointment=appointment, status="cancelled", outcome="信访人改期"
    )
    assert (done.status, done.outcome) == ("cancelled", "信访人改期")
    assert _notes(c.case, "appointment_held") == []


# ---------------------------------------------------------------- 下访


def test_a_visit_down_takes_its_cases_along_and_notes_each(world: World, c: Cast) -> None:
    visit = visit_down(world, [c.case, c.at_town, c.case])
    assert (visit.kind, visit.days, visit.leader, visit.created_by) == (
        "down",
        2,
        world.leader,
        world.registrar,
    )
    assert sorted(visit.items.values_list("case_id", flat=True)) == sorted([c.case.pk, c.at_town.pk])
    for case in (c.case, c.at_town):
        [note] = _notes(case, "visited_down")
        assert note == {
            "visit": visit.pk,
            "visit_kind": "down",
            "leader": world.leader.pk,
            "leader_name": "陈副市长",
            "on": "2025-03-01",
            "note": "带队领导 陈副市长，下访地点 青山县城关镇",
        }


def test_a_visit_down_is_recorded_by_an_organiser_or_the_leader_himself(world: World, c: Cast) -> None:
    with pytest.raises(NotAllowed, match="可以登记下访"):
        visit_down(world, [c.case], actor=world.handler)
    assert visit_down(world, [c.case], actor=world.leader, org=world.city_gov).org == world.city_gov
    with pytest.raises(NotAllowed, match="只能登记自己带队的下访") as other:
        visit_down(world, [c.case], actor=world.leader, org=world.city_gov, leader=c.county_leader)
    assert other.value.field == "leader"


def test_a_visit_down_needs_a_leader_within_reach(world: World, c: Cast) -> None:
    with pytest.raises(ServiceError, match="请选择带队领导"):
        visit_down(world, [c.case], leader=None)
    with pytest.raises(ServiceError, match="孙县长不是示例市") as far:
        visit_down(world, [c.case], leader=c.county_leader)
    assert far.value.field == "leader"


def test_a_visit_down_took_place_and_lasted_one_to_31_days(world: World, c: Cast) -> None:
    with pytest.raises(ServiceError, match="不能晚于今天") as future:
        visit_down(world, [c.case], on=D(2025, 3, 4))
    assert future.value.field == "on"
    with pytest.raises(ServiceError, match="下访日期") as not_a_date:
        visit_down(world, [c.case], on=dt.datetime(2025, 3, 1, 9, 0))
    assert not_a_date.value.field == "on"
    for days in (0, 32, True, "2"):
        with pytest.raises(ServiceError, match="下访天数应为 1 至 31 天") as bad:
            visit_down(world, [c.case], days=days)
        assert bad.value.field == "days"
    assert visit_down(world, [c.case], on=D(2025, 3, 3), days=1).on == D(2025, 3, 3)  # today is fine


def test_the_cases_are_seen_by_actor_and_leader_and_within_the_organs_region(world: World, c: Cast) -> None:
    with pytest.raises(ServiceError, match="请至少选择一件") as none:
        visit_down(world, [])
    assert none.value.field == "cases"
    county = {"actor": c.county_clerk, "org": world.county_bureau, "leader": c.county_leader}
    far = register(world, problem_region=world.other_county)
    with pytest.raises(NotAllowed, match="您无权查看信访件") as unseen:
        visit_down(world, [far], **county)
    assert unseen.value.field == "cases"
    # The city's case about 青山县: the county bureau sees it, 孙县长's government does not.
    with pytest.raises(NotAllowed, match="孙县长无权查看信访件") as blind:
        visit_down(world, [c.case], **county)
    assert blind.value.field == "cases"
    # The county bureau's own case about 河口县: not the county's to take down.
    with pytest.raises(ServiceError, match="问题属地不在青山县") as outside:
        visit_down(world, [c.elsewhere], **county)
    assert outside.value.field == "cases"
    assert not FieldVisit.objects.exists()
    assert visit_down(world, [c.at_town], **county).org == world.county_bureau  # 城关镇 is in 青山县


def test_the_same_visit_down_twice_is_a_conflict_and_night_is_pushed(world: World, c: Cast) -> None:
    visit_down(world, [c.case])
    with pytest.raises(ServiceError, match="请勿重复登记") as twice:
        visit_down(world, [c.at_town])
    assert twice.value.code == "conflict"
    assert FieldVisit.objects.count() == 1
    with pytest.raises(ServiceError, match="推送夜访") as night:
        visit_down(world, [c.case], kind="night")
    assert night.value.field == "kind"


def test_the_outcome_of_a_case_taken_down_once_by_the_organiser_or_leader(world: World, c: Cast) -> None:
    visit = visit_down(world, [c.case])
    item = visit.items.get()
    with pytest.raises(NotAllowed, match="记录下访化解情况"):
        services.field_visit_case_outcome(actor=world.handler, item=item, resolved=True, outcome="已化解")
    with pytest.raises(ServiceError, match="请选择是否就地化解") as unchosen:
        services.field_visit_case_outcome(actor=world.leader, item=item, resolved=None, outcome="x")  # type: ignore[arg-type]
    assert unchosen.value.field == "resolved"
    with pytest.raises(ServiceError, match="请填写化解情况") as empty:
        services.field_visit_case_outcome(actor=world.leader, item=item, resolved=False, outcome="")
    assert empty.value.field == "outcome"
    done = services.field_visit_case_outcome(
        actor=world.leader, item=item, resolved=True, outcome="开发商当场承诺维修"
    )
    assert (done.resolved, done.outcome, done.recorded_by) == (True, "开发商当场承诺维修", world.leader)
    with pytest.raises(InvalidState, match="已记录"):
        services.field_visit_case_outcome(actor=world.registrar, item=item, resolved=False, outcome="改")


# ---------------------------------------------------------------- 夜访


def test_a_night_visit_is_pushed_answered_once_and_noted(world: World, c: Cast, freeze: Freeze) -> None:
    visit = push(world, [c.at_town], participants="镇综治办")
    assert (visit.kind, visit.target_org, visit.leader, visit.days) == ("night", world.town_office, None, 1)
    item = visit.items.get()
    assert list(selectors.night_visits_awaiting(c.town_clerk)) == [item]
    assert list(selectors.night_visits_awaiting(world.registrar)) == []
    assert _notes(c.at_town, "visited_down") == []  # pushed, not yet visited
    freeze("2025-03-03 21:30")
    done = services.field_visit_feedback(
        actor=c.town_clerk, item=item, resolved=False, outcome="已入户，信访人坚持诉求"
    )
    assert (done.resolved, done.recorded_by) == (False, c.town_clerk)
    assert list(selectors.night_visits_awaiting(c.town_clerk)) == []
    [note] = _notes(c.at_town, "visited_down")
    assert note == {
        "visit": visit.pk,
        "visit_kind": "night",
        "item": item.pk,
        "resolved": False,
        "outcome": "已入户，信访人坚持诉求",
        "note": "夜访（青山县城关镇人民政府）：未化解",
    }
    with pytest.raises(InvalidState, match="已反馈"):
        services.field_visit_feedback(actor=c.town_clerk, item=item, resolved=True, outcome="再次")


def test_a_night_visit_goes_from_an_organiser_to_a_township_within_reach(world: World, c: Cast) -> None:
    with pytest.raises(NotAllowed, match="可以推送夜访"):
        push(world, [c.at_town], actor=world.handler)
    with pytest.raises(ServiceError, match="不是乡镇") as not_town:
        push(world, [c.at_town], target_org=world.county_labour)
    assert not_town.value.field == "target_org"
    Org.objects.filter(pk=c.far_town.pk).update(is_active=False)
    with pytest.raises(ServiceError, match="已停用") as inactive:
        push(world, [c.at_town], target_org=Org.objects.get(pk=c.far_town.pk))
    assert inactive.value.field == "target_org"
    Org.objects.filter(pk=c.far_town.pk).update(is_active=True)
    with pytest.raises(NotAllowed, match="不在青山县范围内") as far:
        push(world, [c.at_town], actor=c.county_clerk, org=world.county_bureau, target_org=c.far_town)
    assert far.value.field == "target_org"


def test_a_night_visit_is_for_the_coming_days(world: World, c: Cast) -> None:
    for day in (D(2025, 3, 2), D(2025, 5, 3)):
        with pytest.raises(ServiceError) as caught:
            push(world, [c.at_town], on=day)
        assert caught.value.field == "on"
    with pytest.raises(ServiceError, match="请填写地点"):
        push(world, [c.at_town], place="")


def test_pushed_cases_are_seen_by_the_bureau_and_the_township_and_not_pending_twice(
    world: World, c: Cast
) -> None:
    far = register(world, problem_region=world.other_county)
    with pytest.raises(NotAllowed, match="您无权查看信访件") as unseen:
        push(world, [far], actor=c.county_clerk, org=world.county_bureau)
    assert unseen.value.field == "cases"
    with pytest.raises(ServiceError, match="青山县城关镇人民政府无权查看信访件") as blind:
        push(world, [c.case])  # with the city's housing bureau; never sent to the township
    assert blind.value.field == "cases"
    push(world, [c.at_town])
    with pytest.raises(ServiceError, match="请勿重复推送") as twice:
        push(world, [c.at_town], on=D(2025, 3, 4))
    assert twice.value.code == "conflict"
    assert FieldVisitCase.objects.count() == 1


def test_feedback_comes_from_the_township_staff_about_a_pushed_case(world: World, c: Cast) -> None:
    item = push(world, [c.at_town]).items.get()
    with pytest.raises(
        NotAllowed, match="只有青山县城关镇人民政府的承办人或审核人或信访部门负责人可以反馈夜访情况"
    ):
        services.field_visit_feedback(actor=world.registrar, item=item, resolved=True, outcome="已化解")
    with pytest.raises(ServiceError, match="请选择是否就地化解"):
        services.field_visit_feedback(actor=c.town_clerk, item=item, resolved="yes", outcome="已化解")  # type: ignore[arg-type]
    with pytest.raises(ServiceError, match="请填写夜访情况") as empty:
        services.field_visit_feedback(actor=c.town_clerk, item=item, resolved=True, outcome=" ")
    assert empty.value.field == "outcome"
    down_item = visit_down(world, [c.case]).items.get()
    with pytest.raises(ServiceError, match="由组织机关或带队领导记录"):
        services.field_visit_feedback(actor=c.town_clerk, item=down_item, resolved=True, outcome="x")
    with pytest.raises(ServiceError, match="由承接乡镇反馈"):
        services.field_visit_case_outcome(actor=world.registrar, item=item, resolved=True, outcome="x")


# ---------------------------------------------------------------- who sees what


def test_appointments_are_seen_by_the_organ_those_above_it_its_bureau_and_the_leader(
    world: World, c: Cast
) -> None:
    city = schedule(world, c.case)
    county = schedule(
        world,
        c.case,
        actor=c.county_clerk,
        org=world.county_bureau,
        leader=None,
        at=TOMORROW_AT + dt.timedelta(hours=1),
    )
    assert set(selectors.appointments_visible_to(world.registrar)) == {
        city,
        county,
    }  # the city bureau's region
    assert set(selectors.appointments_visible_to(c.county_clerk)) == {county}
    assert set(selectors.appointments_visible_to(world.leader)) == {city, county}  # his own; city_gov above
    assert list(selectors.appointments_visible_to(world.other_clerk)) == []
    assert list(selectors.appointments_visible_to(world.citizen)) == []
    assert selectors.appointment_detail(world.handler, city.pk) is None
    assert list(selectors.upcoming_appointments(world.leader)) == [city]
    assert list(selectors.upcoming_appointments(c.county_clerk)) == [county]


def test_an_appointment_is_hidden_from_whoever_may_not_see_its_case(world: World, c: Cast) -> None:
    at_town = schedule(world, c.at_town)
    # 城关镇 is no organ above the city bureau: it sees the case, not the bureau's appointment.
    assert list(selectors.appointments_visible_to(c.town_clerk)) == []
    assert selectors.appointment_detail(world.registrar, at_town.pk) == at_town
    # 青山县人民政府 is above the county bureau, but may not read the city's case it invites about.
    county = schedule(world, c.case, actor=c.county_clerk, org=world.county_bureau, leader=None)
    assert selectors.appointment_detail(c.county_clerk, county.pk) == county
    assert selectors.appointment_detail(c.county_leader, county.pk) is None


def test_visits_are_seen_by_their_organs_and_the_township_with_the_cases_each_may_see(
    world: World, c: Cast
) -> None:
    down = visit_down(world, [c.case, c.at_town])
    night = push(world, [c.at_town])
    assert set(selectors.field_visits_visible_to(world.registrar)) == {down, night}
    assert list(selectors.field_visits_visible_to(c.town_clerk)) == [night]
    assert list(selectors.field_visits_visible_to(world.other_clerk)) == []
    assert list(selectors.field_visits_visible_to(world.registrar, kind="down")) == [down]
    counted = selectors.field_visit_detail(world.registrar, down.pk)
    assert counted is not None and (counted.item_count, counted.recorded_count) == (2, 0)
    rows = {item.case_id: item.case_seen for item in selectors.visit_items(world.registrar, down)}
    assert rows == {c.case.pk: True, c.at_town.pk: True}
    # 孙县长's government is above the county bureau: it sees the bureau's visit down, and of its
    # cases the township's (城关镇 handles it), not the city's.
    county = visit_down(
        world, [c.case, c.at_town], actor=c.county_clerk, org=world.county_bureau, on=D(2025, 3, 2)
    )
    assert county in selectors.field_visits_visible_to(c.county_leader)
    rows = {item.case_id: item.case_seen for item in selectors.visit_items(c.county_leader, county)}
    assert rows == {c.case.pk: False, c.at_town.pk: True}
    assert selectors.field_visit_item(c.county_leader, county.items.get(case=c.case).pk) is None
    item = night.items.get()
    assert selectors.field_visit_item(c.town_clerk, item.pk) == item
    assert selectors.field_visit_item(world.other_clerk, item.pk) is None
    down_item = down.items.get(case=c.case)
    assert selectors.field_visit_item(c.town_clerk, down_item.pk) is None


def test_the_case_page_lists_its_appointments_and_visits_to_whoever_sees_the_case(
    world: World, c: Cast
) -> None:
    appointment = schedule(world, c.case)
    visit = visit_down(world, [c.case])
    found = selectors.case_visits(c.county_clerk, c.case)  # the case is about 青山县
    assert found.appointments == [appointment] and [item.visit for item in found.items] == [visit]
    assert not selectors.case_visits(world.handler, c.case)  # never sent to 住建局
