"""The clocks a hearing stops (《信访工作条例》第三十六条: "听证所需时间不计算在前款规定的期限内"),
through the whole procedure: the policy profile names them (``hearing_clocks``), the session's
opening writes them into the case's ``hearing_started`` event, and the pause counts in the clock's
own unit. Worked on the shipped 2026 calendar: 国庆 1–7 October off, Sunday 20 September and
Saturday 10 October 调休 working days, 中秋 25–27 September off."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases import services as case_services
from xinfang.cases.clocks import case_clocks, profile_for, work_calendar
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register, to_accepted, to_delivered
from xinfang.core.timeutil import local_date, now
from xinfang.deadlines import selectors as deadline_selectors
from xinfang.deadlines.clocks import Clock
from xinfang.deadlines.profiles import DEFAULT_PROFILES_PATH, parse_profiles
from xinfang.leadership.models.hearings import Hearing
from xinfang.leadership.services import hearings as svc
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Level, Role, User
from xinfang.orgs.services import membership_grant
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]
SHIPPED: dict[str, Any] = json.loads(DEFAULT_PROFILES_PATH.read_text(encoding="utf-8"))
D = dt.date


def use_profiles(monkeypatch: pytest.MonkeyPatch, change: Callable[[dict[str, Any]], None]) -> None:
    """The shipped profiles with ``change`` applied to the data, as the clocks will read them
    (a test profile: the back office's rows cannot hold every field)."""
    data = copy.deepcopy(SHIPPED)
    change(data)
    profiles = parse_profiles(data, source="test")
    monkeypatch.setattr(deadline_selectors, "profiles_from_db", lambda: profiles)
    deadline_selectors.clear_cache()


def national(data: dict[str, Any]) -> dict[str, Any]:
    profile: dict[str, Any] = data["profiles"][0]
    assert profile["code"] == "national"
    return profile


def clock(case: Case, name: str) -> Clock:
    return next(c for c in case_clocks(Case.objects.get(pk=case.pk)) if c.name == name)


def hold_hearing(world: World, freeze: Freeze, case: Case, actor: User, *, start: str, end: str) -> Hearing:
    """Decide, announce for ``start``, open on ``start`` and conclude on ``end`` (Beijing times)."""
    hearing = svc.hearing_start(
        actor=actor, case=case, origin="decided", decided_on=local_date(), decision="决定举行听证"
    )
    opening = freeze(start)
    hearing = svc.hearing_announce(
        actor=actor,
        hearing=hearing,
        announced_on=local_date(),
        announcement="听证公告",
        scheduled_at=opening,
        venue="听证室",
    )
    svc.hearing_add_participant(actor=actor, hearing=hearing, role="host", name="主持人")
    svc.hearing_add_participant(actor=actor, hearing=hearing, role="petitioner", name="张三")
    hearing = svc.hearing_open(actor=actor, hearing=hearing, started_on=local_date())
    freeze(end)
    return svc.hearing_conclude(actor=actor, hearing=hearing, conclusion="听证结论", ended_on=local_date())


def rereviewing_from(world: World, freeze: Freeze) -> Case:
    """Handled and reviewed in August 2026; 复核 asked for on Tuesday 1 September 2026."""
    freeze("2026-08-03 09:00")
    case = to_delivered(world)
    case = case_services.case_review_request(actor=world.leader, case=case, reasons="对处理意见不服")
    case = case_services.case_review_decide(actor=world.leader, case=case, outcome="uphold", opinion="维持。")
    membership_grant(user=world.leader, org=world.province_gov, role=Role.LEADER)
    freeze("2026-09-01 10:00")
    return case_services.case_rereview_request(actor=world.leader, case=case, reasons="仍然不服")


# ---------------------------------------------------------------- 复核: the pause across 国庆


def test_the_clock_pause_is_exact_in_working_days_across_a_holiday(
    world: World, freeze: Freeze, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A test profile whose 复核 clock counts 30 working days.
    use_profiles(monkeypatch, lambda d: national(d)["rules"]["rereview_decide"].update(unit="workday"))
    case = rereviewing_from(world, freeze)
    before = clock(case, "rereview_decide")
    # 30 working days after Tue 1 Sep: 9 Sept days to the 14th, 20 Sep (调休) counts, 25 Sep (中秋)
    # does not, 1-7 Oct (国庆) do not, 10 Oct (调休) does: Monday 19 October.
    assert (before.unit, before.started_on, before.due_on) == ("workday", D(2026, 9, 1), D(2026, 10, 19))
    hold_hearing(world, freeze, case, world.leader, start="2026-09-29 09:30", end="2026-10-09 16:00")
    after = clock(case, "rereview_decide")
    # Paused Tue 29 Sep to Fri 9 Oct: the working days in (29 Sep, 9 Oct] are 30 Sep, 8 Oct and
    # 9 Oct; the seven days of 国庆 are no working days and add nothing.
    assert work_calendar().working_days_between(D(2026, 9, 29), D(2026, 10, 9)) == 3
    assert (after.state, after.paused_days) == ("running", 3)
    # 33 working days: Thursday 22 October, exactly three working days after the 19th.
    assert after.due_on == D(2026, 10, 22)
    assert work_calendar().working_days_between(before.due_on, after.due_on) == 3
    stored = Case.objects.get(pk=case.pk)
    assert stored.next_due_on == D(2026, 10, 22)


def test_the_clock_pause_counts_calendar_days_on_a_natural_day_clock(world: World, freeze: Freeze) -> None:
    # The national profile: 30 days (第三十六条), counted in calendar days.
    case = rereviewing_from(world, freeze)
    before = clock(case, "rereview_decide")
    # 1 Sep + 30 = Thu 1 Oct, in 国庆: the period ends on the next working day, Thursday 8 October.
    assert (before.unit, before.due_on) == ("calendar", D(2026, 10, 8))
    hold_hearing(world, freeze, case, world.leader, start="2026-09-29 09:30", end="2026-10-09 16:00")
    after = clock(case, "rereview_decide")
    # ten calendar days stood still (holidays included): 1 Sep + 40 = Sun 11 Oct, a rest day, so
    # Monday 12 October (《民法典》第二百零三条).
    assert (after.state, after.paused_days, after.due_on) == ("running", 10, D(2026, 10, 12))


def test_the_rereview_clock_stands_still_during_the_session(world: World, freeze: Freeze) -> None:
    case = rereviewing_from(world, freeze)
    hearing = svc.hearing_start(
        actor=world.leader, case=case, origin="decided", decided_on=local_date(), decision="决定听证"
    )
    hearing = svc.hearing_announce(
        actor=world.leader,
        hearing=hearing,
        announced_on=local_date(),
        announcement="公告",
        scheduled_at=now(),
        venue="听证室",
    )
    svc.hearing_add_participant(actor=world.leader, hearing=hearing, role="host", name="主持人")
    svc.hearing_add_participant(actor=world.leader, hearing=hearing, role="petitioner", name="张三")
    svc.hearing_open(actor=world.leader, hearing=hearing, started_on=local_date())
    freeze("2026-09-10 10:00")
    assert clock(case, "rereview_decide").state == "paused"
    assert Case.objects.get(pk=case.pk).next_due_at is None  # nothing else is running


# ---------------------------------------------------------------- 办理: the profile decides


def test_a_hearing_in_handling_leaves_the_handling_clock_running_under_the_national_profile(
    world: World, freeze: Freeze
) -> None:
    freeze("2026-09-01 10:00")
    case = to_accepted(world)
    before = clock(case, "handle")
    hearing = hold_hearing(
        world, freeze, case, world.handler, start="2026-09-10 09:30", end="2026-09-20 16:00"
    )
    started = Case.objects.get(pk=case.pk).events.get(kind="hearing_started")
    assert started.payload["clocks"] == ["rereview_decide"]
    after = clock(case, "handle")
    assert (after.state, after.paused_days, after.due_on) == ("running", 0, before.due_on)
    assert hearing.status == "concluded"


def test_a_hearing_in_handling_stops_the_handling_clock_where_the_profile_lists_it(
    world: World, freeze: Freeze, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_profiles(monkeypatch, lambda d: national(d).update(hearing_clocks=["handle", "rereview_decide"]))
    freeze("2026-09-01 10:00")
    case = to_accepted(world)
    before = clock(case, "handle")
    # 1 Sep + 60 = Sat 31 Oct, a rest day: Monday 2 November
    assert before.due_on == D(2026, 11, 2)
    hold_hearing(world, freeze, case, world.handler, start="2026-09-10 09:30", end="2026-09-20 16:00")
    started = Case.objects.get(pk=case.pk).events.get(kind="hearing_started")
    assert started.payload["clocks"] == ["handle", "rereview_decide"]
    after = clock(case, "handle")
    # ten days: 1 Sep + 70 = Tuesday 10 November
    assert (after.paused_days, after.due_on) == (10, D(2026, 11, 10))


def test_a_province_inherits_the_national_list_unless_it_names_its_own(
    world: World, freeze: Freeze, monkeypatch: pytest.MonkeyPatch
) -> None:
    province = org_services.region_create(
        code="330000", name="浙江省", level=Level.PROVINCE, parent=world.nation
    )
    hangzhou = org_services.region_create(code="330100", name="杭州市", level=Level.CITY, parent=province)
    freeze("2026-09-01 10:00")
    case = to_accepted(world, register(world, problem_region=hangzhou))
    assert (profile_for(case).code, profile_for(case).hearing_clocks) == ("zhejiang", ("rereview_decide",))
    # a 浙江 list of its own (a test profile: the shipped one inherits the national list)
    use_profiles(monkeypatch, lambda d: d["profiles"][1].update(hearing_clocks=["handle", "rereview_decide"]))
    national_case = to_accepted(world)
    assert profile_for(national_case).hearing_clocks == ("rereview_decide",)
    hold_hearing(world, freeze, case, world.handler, start="2026-09-10 09:30", end="2026-09-20 16:00")
    # 浙江 handles in 30 days: 1 Sep + 30 = Thu 1 Oct, in 国庆, so 8 Oct; with ten days of hearing,
    # 1 Sep + 40 = Sun 11 Oct, so Monday 12 October.
    assert (clock(case, "handle").paused_days, clock(case, "handle").due_on) == (10, D(2026, 10, 12))


# ---------------------------------------------------------------- old events replay as before


def test_a_hearing_event_stored_without_clocks_still_stops_every_duty_clock(
    world: World, freeze: Freeze
) -> None:
    freeze("2026-09-01 10:00")
    case = to_accepted(world)
    hold_hearing(world, freeze, case, world.handler, start="2026-09-10 09:30", end="2026-09-20 16:00")
    events = list(Case.objects.get(pk=case.pk).events.order_by("seq"))
    for event in events:
        if event.kind == "hearing_started":
            event.payload = {k: v for k, v in event.payload.items() if k != "clocks"}  # as written before
    old = next(c for c in case_clocks(case, events=events) if c.name == "handle")
    assert (old.paused_days, old.due_on) == (10, D(2026, 11, 10))
