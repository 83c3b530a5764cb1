"""Clocks derived from case events: states, extensions, pauses, worked examples on real holidays."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.deadlines.calendar import WorkCalendar
from xinfang.deadlines.clocks import Clock, ClockEvent, derive_clocks, next_due
from xinfang.deadlines.profiles import DeadlineRule, load_profiles

CHINA = WorkCalendar.from_chinesecalendar()
PROFILES = load_profiles()
NATIONAL = PROFILES["national"].rules
ZHEJIANG = PROFILES["zhejiang"].rules
HENAN = PROFILES["henan"].rules
# Weekends only, every year known: keeps the arithmetic of the non-holiday examples easy to follow.
PLAIN = WorkCalendar(years=range(2000, 2100))


def ev(kind: str, y: int, m: int, d: int, **payload: object) -> ClockEvent:
    return ClockEvent(kind=kind, at=date(y, m, d), payload=payload)


def clocks_of(
    events: list[ClockEvent],
    today: date,
    *,
    rules: dict[str, DeadlineRule] | None = None,
    calendar: WorkCalendar = PLAIN,
) -> dict[str, Clock]:
    derived = derive_clocks(events, dict(NATIONAL) if rules is None else rules, calendar, today=today)
    return {c.name: c for c in derived}


# Mon 2025-06-02 registration, forwarded Wed 06-04, accepted Mon 06-09 (weekends-only calendar).
ROUTED = [ev("registered", 2025, 6, 2), ev("forwarded", 2025, 6, 4)]
ACCEPTED = [*ROUTED, ev("accepted", 2025, 6, 9)]


# -- starting, meeting, missing ---------------------------------------------------------------


def test_with_no_events_every_clock_has_not_started() -> None:
    clocks = clocks_of([], date(2025, 6, 1))
    assert list(clocks) == list(NATIONAL)
    assert {c.state for c in clocks.values()} == {"not_started"}
    assert clocks["route"].due_on is None


def test_registration_starts_the_route_clock_with_fifteen_calendar_days() -> None:
    route = clocks_of(ROUTED[:1], date(2025, 6, 3))["route"]
    assert (route.state, route.started_on, route.due_on) == ("running", date(2025, 6, 2), date(2025, 6, 17))
    assert route.legal_ref == "《信访工作条例》第二十二条"


def test_forwarding_meets_the_route_clock_and_starts_the_units_clocks() -> None:
    clocks = clocks_of(ROUTED, date(2025, 6, 5))
    assert (clocks["route"].state, clocks["route"].ended_on) == ("met", date(2025, 6, 4))
    # accept: 06-04 + 15 = Thu 06-19; object: 5 working days Thu, Fri, Mon, Tue, Wed 06-11
    assert (clocks["accept"].state, clocks["accept"].due_on) == ("running", date(2025, 6, 19))
    assert (clocks["object"].state, clocks["object"].due_on) == ("running", date(2025, 6, 11))
    assert clocks["object"].unit == "workday"


def test_a_clock_met_on_its_due_date_is_met_on_time() -> None:
    route = clocks_of([ev("registered", 2025, 6, 2), ev("forwarded", 2025, 6, 17)], date(2025, 7, 1))["route"]
    assert route.state == "met"


def test_a_clock_met_after_its_due_date_is_met_late() -> None:
    route = clocks_of([ev("registered", 2025, 6, 2), ev("forwarded", 2025, 6, 18)], date(2025, 7, 1))["route"]
    assert (route.state, route.due_on, route.ended_on) == ("met_late", date(2025, 6, 17), date(2025, 6, 18))


def test_an_unmet_duty_clock_is_running_on_its_due_date_and_overdue_the_day_after() -> None:
    assert clocks_of(ROUTED[:1], date(2025, 6, 17))["route"].state == "running"
    assert clocks_of(ROUTED[:1], date(2025, 6, 18))["route"].state == "overdue"


def test_an_unused_petitioner_window_lapses_rather_than_going_overdue() -> None:
    events = [*ACCEPTED, ev("replied", 2025, 7, 1), ev("delivered", 2025, 7, 2)]
    clocks = clocks_of(events, date(2025, 8, 15))
    # 07-02 + 30 = Fri 08-01; rating 07-02 + 7 = Wed 07-09
    assert (clocks["review_request"].state, clocks["review_request"].due_on) == ("lapsed", date(2025, 8, 1))
    assert (clocks["rating"].state, clocks["rating"].due_on) == ("lapsed", date(2025, 7, 9))


def test_an_objection_window_left_unused_lapses() -> None:
    assert clocks_of(ROUTED, date(2025, 6, 12))["object"].state == "lapsed"


def test_accepting_meets_acceptance_cancels_the_objection_window_and_starts_handling() -> None:
    clocks = clocks_of(ACCEPTED, date(2025, 6, 10))
    assert clocks["accept"].state == "met"
    assert (clocks["object"].state, clocks["object"].ended_on) == ("cancelled", date(2025, 6, 9))
    # 06-09 + 60 = Fri 08-08
    assert (clocks["handle"].state, clocks["handle"].due_on) == ("running", date(2025, 8, 8))


def test_objecting_meets_the_objection_window_and_cancels_acceptance() -> None:
    clocks = clocks_of([*ROUTED, ev("objected", 2025, 6, 6)], date(2025, 6, 30))
    assert clocks["object"].state == "met"
    assert clocks["accept"].state == "cancelled"
    assert clocks["handle"].state == "not_started"


def test_forwarding_again_after_an_objection_restarts_the_units_clocks() -> None:
    events = [*ROUTED, ev("objected", 2025, 6, 6), ev("forwarded", 2025, 6, 10)]
    clocks = clocks_of(events, date(2025, 6, 11))
    assert (clocks["accept"].state, clocks["accept"].started_on) == ("running", date(2025, 6, 10))
    assert (clocks["object"].state, clocks["object"].started_on) == ("running", date(2025, 6, 10))
    assert clocks["route"].ended_on == date(2025, 6, 4)  # met once, not met again


def test_a_second_forward_does_not_restart_a_running_clock() -> None:
    clocks = clocks_of([*ROUTED, ev("forwarded", 2025, 6, 18)], date(2025, 6, 20))
    assert (clocks["accept"].started_on, clocks["accept"].state) == (date(2025, 6, 4), "overdue")


def test_the_review_and_rereview_chain_runs_clock_after_clock() -> None:
    events = [
        *ACCEPTED,
        ev("replied", 2025, 7, 1),
        ev("delivered", 2025, 7, 2),
        ev("rated", 2025, 7, 3),
        ev("review_requested", 2025, 7, 20),
        ev("review_decided", 2025, 8, 15),
        ev("rereview_requested", 2025, 8, 25),
    ]
    clocks = clocks_of(events, date(2025, 9, 1))
    assert [clocks[n].state for n in ("handle", "rating", "review_request", "review_decide")] == ["met"] * 4
    assert clocks["rereview_request"].state == "met"
    # 复核 request received Mon 08-25: + 30 = Wed 09-24
    assert (clocks["rereview_decide"].state, clocks["rereview_decide"].due_on) == (
        "running",
        date(2025, 9, 24),
    )
    decided = clocks_of([*events, ev("rereview_decided", 2025, 9, 26)], date(2025, 10, 1))["rereview_decide"]
    assert decided.state == "met_late"


def test_closing_the_case_cancels_every_running_clock() -> None:
    clocks = clocks_of([*ACCEPTED, ev("closed", 2025, 6, 20)], date(2025, 9, 1))
    assert clocks["handle"].state == "cancelled"
    assert clocks["accept"].state == "met"


def test_event_kinds_the_clocks_do_not_know_are_ignored() -> None:
    noisy = [*ROUTED[:1], ev("note_added", 2025, 6, 3), ev("supervision_opened", 2025, 6, 3)]
    assert clocks_of(noisy, date(2025, 6, 4)) == clocks_of(ROUTED[:1], date(2025, 6, 4))


def test_events_after_today_are_not_yet_known() -> None:
    assert clocks_of(ROUTED, date(2025, 6, 3))["route"].state == "running"


def test_events_out_of_date_order_are_refused() -> None:
    with pytest.raises(ValueError, match="date order: 'registered' on 2025-06-02 follows 'forwarded'"):
        clocks_of(list(reversed(ROUTED)), date(2025, 6, 5))


def test_a_datetime_instead_of_a_local_date_is_refused() -> None:
    with pytest.raises(TypeError, match="local date"):
        ClockEvent(kind="registered", at=datetime(2025, 6, 2, tzinfo=UTC))


# -- extensions --------------------------------------------------------------------------------


def test_an_extension_moves_the_handling_due_date_by_its_days() -> None:
    handle = clocks_of([*ACCEPTED, ev("extended", 2025, 7, 30, days=30)], date(2025, 8, 20))["handle"]
    # 06-09 + 90 = Sun 09-07 -> Mon 09-08
    assert (handle.state, handle.due_on, handle.extension_days) == ("running", date(2025, 9, 8), 30)


def test_an_extension_beyond_the_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="exceed the extension limit of 30 days"):
        clocks_of([*ACCEPTED, ev("extended", 2025, 7, 30, days=31)], date(2025, 8, 1))


def test_a_second_extension_is_refused_under_the_national_profile() -> None:
    events = [*ACCEPTED, ev("extended", 2025, 7, 1, days=10), ev("extended", 2025, 7, 2, days=10)]
    with pytest.raises(ValueError, match="at most 1 time"):
        clocks_of(events, date(2025, 8, 1))


def test_zhejiang_allows_an_extension_of_up_to_sixty_days() -> None:
    events = [*ACCEPTED, ev("extended", 2025, 7, 1, days=60)]
    handle = clocks_of(events, date(2025, 7, 2), rules=dict(ZHEJIANG))["handle"]
    assert handle.due_on == date(2025, 9, 8)  # 06-09 + 30 + 60 = Sun 09-07 -> Mon 09-08


def test_a_clock_without_an_extension_limit_cannot_be_extended() -> None:
    with pytest.raises(ValueError, match="clock 'accept' cannot be extended"):
        clocks_of([*ROUTED, ev("extended", 2025, 6, 5, days=5, clock="accept")], date(2025, 6, 6))


def test_extending_a_clock_that_is_not_running_is_refused() -> None:
    with pytest.raises(ValueError, match="'handle' is not a running clock"):
        clocks_of([*ROUTED, ev("extended", 2025, 6, 5, days=5)], date(2025, 6, 6))


def test_an_extension_needs_a_positive_number_of_days() -> None:
    with pytest.raises(ValueError, match="payload 'days' must be a positive whole number"):
        clocks_of([*ACCEPTED, ev("extended", 2025, 7, 1, days="30")], date(2025, 7, 2))


# -- pauses ----------------------------------------------------------------------------------


def test_a_hearing_adds_its_calendar_days_to_a_calendar_day_clock() -> None:
    # A hearing_started event stored without "clocks" (written before the profile named them)
    # stops every open duty clock, as it always did: old cases keep their due dates.
    events = [*ACCEPTED, ev("hearing_started", 2025, 6, 16), ev("hearing_ended", 2025, 6, 20)]
    handle = clocks_of(events, date(2025, 6, 23))["handle"]
    # 60 + 4 paused days from 06-09 = Tue 08-12
    assert (handle.state, handle.paused_days, handle.due_on) == ("running", 4, date(2025, 8, 12))


def test_a_hearing_naming_the_rereview_clock_leaves_the_handling_clock_running() -> None:
    # What case_hearing_start writes under the national profile (第三十六条: 复核 only).
    events = [
        *ACCEPTED,
        ev("hearing_started", 2025, 6, 16, clocks=["rereview_decide"]),
        ev("hearing_ended", 2025, 6, 20),
    ]
    assert clocks_of(events[:-1], date(2025, 6, 18))["handle"].state == "running"
    handle = clocks_of(events, date(2025, 6, 23))["handle"]
    assert (handle.state, handle.paused_days, handle.due_on) == ("running", 0, date(2025, 8, 8))
    named = [
        *ACCEPTED,
        ev("hearing_started", 2025, 6, 16, clocks=["handle"]),
        ev("hearing_ended", 2025, 6, 20),
    ]
    assert clocks_of(named, date(2025, 6, 23))["handle"].due_on == date(2025, 8, 12)


def test_a_paused_clock_says_so_and_is_due_as_if_it_resumed_today() -> None:
    events = [*ACCEPTED, ev("paused", 2025, 6, 16, reason="等待信访人补充材料")]
    handle = clocks_of(events, date(2025, 6, 26))["handle"]
    assert (handle.state, handle.paused_days) == ("paused", 10)
    assert handle.due_on == date(2025, 8, 18)  # 06-09 + 70 = Mon 08-18


def test_a_pause_on_a_working_day_clock_counts_paused_working_days() -> None:
    rules = {"accept": replace(NATIONAL["accept"], length=5, unit="workday")}
    events = [*ROUTED, ev("paused", 2025, 6, 5), ev("resumed", 2025, 6, 9)]
    accept = clocks_of(events, date(2025, 6, 9), rules=rules)["accept"]
    # paused Thu 06-05 .. Mon 06-09: Fri 06-06 and Mon 06-09 are 2 working days;
    # 5 + 2 working days after Wed 06-04 = Fri 06-13
    assert (accept.paused_days, accept.due_on) == (2, date(2025, 6, 13))


def test_a_hearing_and_another_pause_may_overlap_and_the_clock_runs_when_both_end() -> None:
    events = [
        *ACCEPTED,
        ev("hearing_started", 2025, 6, 16),
        ev("paused", 2025, 6, 18),
        ev("hearing_ended", 2025, 6, 20),
    ]
    assert clocks_of(events, date(2025, 6, 21))["handle"].state == "paused"
    handle = clocks_of([*events, ev("resumed", 2025, 6, 23)], date(2025, 6, 24))["handle"]
    assert (handle.state, handle.paused_days) == ("running", 7)


def test_a_pause_stops_duty_clocks_but_not_the_petitioners_windows() -> None:
    events = [*ROUTED, ev("paused", 2025, 6, 5)]
    clocks = clocks_of(events, date(2025, 6, 6))
    assert clocks["accept"].state == "paused"
    assert clocks["object"].state == "running"


def test_a_pause_may_name_the_clocks_it_stops() -> None:
    clocks = clocks_of([*ROUTED, ev("paused", 2025, 6, 5, clocks=["object"])], date(2025, 6, 6))
    assert (clocks["accept"].state, clocks["object"].state) == ("running", "paused")


def test_a_pause_naming_an_unknown_clock_is_refused() -> None:
    with pytest.raises(ValueError, match="payload 'clocks'"):
        clocks_of([*ROUTED, ev("paused", 2025, 6, 5, clocks=["appeal"])], date(2025, 6, 6))


def test_meeting_a_paused_clock_closes_the_pause_that_day() -> None:
    events = [*ACCEPTED, ev("hearing_started", 2025, 6, 16), ev("replied", 2025, 6, 19)]
    handle = clocks_of(events, date(2025, 7, 1))["handle"]
    assert (handle.state, handle.paused_days, handle.ended_on) == ("met", 3, date(2025, 6, 19))


def test_a_pause_cannot_revive_an_overdue_clock() -> None:
    events = [*ROUTED[:1], ev("paused", 2025, 6, 20), ev("resumed", 2025, 6, 30)]
    route = clocks_of(events, date(2025, 7, 1))["route"]
    assert (route.state, route.paused_days, route.due_on) == ("overdue", 0, date(2025, 6, 17))


def test_resuming_without_a_pause_is_refused() -> None:
    with pytest.raises(ValueError, match="nothing to resume"):
        clocks_of([*ACCEPTED, ev("hearing_ended", 2025, 6, 20)], date(2025, 6, 21))


def test_pausing_twice_for_the_same_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="already paused"):
        clocks_of([*ACCEPTED, ev("paused", 2025, 6, 16), ev("paused", 2025, 6, 17)], date(2025, 6, 18))


# -- next due and missing years --------------------------------------------------------------


def test_next_due_is_the_earliest_due_date_among_open_clocks() -> None:
    assert next_due(clocks_of(ROUTED, date(2025, 6, 5)).values()) == date(2025, 6, 11)  # object window


def test_next_due_keeps_an_overdue_clock_so_the_case_stays_in_the_sweep() -> None:
    assert next_due(clocks_of(ROUTED[:1], date(2025, 7, 1)).values()) == date(2025, 6, 17)


def test_next_due_skips_paused_and_finished_clocks() -> None:
    assert next_due(clocks_of([*ROUTED, ev("objected", 2025, 6, 5)], date(2025, 6, 6)).values()) is None
    paused = clocks_of([*ACCEPTED, ev("paused", 2025, 6, 10)], date(2025, 6, 11))
    assert next_due(paused.values()) is None


def test_a_clock_reaching_into_a_year_the_calendar_does_not_know_is_flagged() -> None:
    events = [ev("accepted", 2026, 11, 20)]
    handle = clocks_of(events, date(2026, 11, 21), calendar=CHINA)["handle"]
    assert handle.missing_years == (2027,)
    assert handle.calendar_incomplete
    assert "2027" in handle.warnings[0]
    assert not clocks_of(ACCEPTED, date(2025, 6, 10), calendar=CHINA)["handle"].calendar_incomplete


# -- worked examples on the real calendar ----------------------------------------------------


def test_a_case_registered_just_before_spring_festival_2025_under_the_national_profile() -> None:
    events = [
        ev("registered", 2025, 1, 20),  # Monday
        ev("forwarded", 2025, 1, 23),
        ev("accepted", 2025, 2, 6),
        ev("hearing_started", 2025, 3, 10),
        ev("hearing_ended", 2025, 3, 14),
        ev("extended", 2025, 4, 1, days=30),
        ev("replied", 2025, 5, 9),
        ev("delivered", 2025, 5, 12),
    ]
    clocks = clocks_of(events, date(2025, 5, 20), calendar=CHINA)
    # route: 01-20 + 15 = Tue 02-04, last day of the festival (01-28..02-04) -> Wed 02-05
    assert (clocks["route"].due_on, clocks["route"].state) == (date(2025, 2, 5), "met")
    # accept: 01-23 + 15 = Fri 02-07, a working day
    assert (clocks["accept"].due_on, clocks["accept"].state) == (date(2025, 2, 7), "met")
    # object: Fri 01-24 (1), Sun 01-26 调休 (2), Mon 01-27 (3), Wed 02-05 (4), Thu 02-06 (5)
    assert (clocks["object"].due_on, clocks["object"].state) == (date(2025, 2, 6), "cancelled")
    # handle: 02-06 + 60 + 4 hearing days + 30 extension = 94 days = Sun 05-11 -> Mon 05-12
    handle = clocks["handle"]
    assert (handle.due_on, handle.paused_days, handle.extension_days, handle.state) == (
        date(2025, 5, 12),
        4,
        30,
        "met",
    )
    # review_request: 05-12 + 30 = Wed 06-11; rating: 05-12 + 7 = Mon 05-19, passed unused
    assert (clocks["review_request"].due_on, clocks["review_request"].state) == (date(2025, 6, 11), "running")
    assert (clocks["rating"].due_on, clocks["rating"].state) == (date(2025, 5, 19), "lapsed")
    assert next_due(clocks.values()) == date(2025, 6, 11)


def test_zhejiang_working_day_clocks_across_spring_festival_2025() -> None:
    events = [ev("registered", 2025, 1, 23), ev("forwarded", 2025, 2, 6)]
    clocks = clocks_of(events, date(2025, 2, 7), rules=dict(ZHEJIANG), calendar=CHINA)
    # route, 5 working days from Thu 01-23: 01-24, Sun 01-26 调休, 01-27, 02-05, 02-06: met on its last day
    assert (clocks["route"].due_on, clocks["route"].state) == (date(2025, 2, 6), "met")
    # accept, 5 working days from Thu 02-06: Fri 02-07, Sat 02-08 调休, Mon 02-10, Tue, Wed 02-12
    assert clocks["accept"].due_on == date(2025, 2, 12)


def test_a_working_day_pause_over_spring_festival_counts_the_makeup_sunday() -> None:
    events = [ev("forwarded", 2025, 1, 23), ev("paused", 2025, 1, 24), ev("resumed", 2025, 1, 27)]
    accept = clocks_of(events, date(2025, 1, 27), rules=dict(ZHEJIANG), calendar=CHINA)["accept"]
    # paused Fri 01-24 .. Mon 01-27: Sun 01-26 调休 and Mon 01-27 are 2 working days; 5 + 2 working days
    # from 01-23: 01-24, 01-26, 01-27, 02-05, 02-06, Fri 02-07, Sat 02-08 调休 (7)
    assert (accept.paused_days, accept.due_on) == (2, date(2025, 2, 8))


def test_a_five_working_day_objection_period_spanning_national_day_2024() -> None:
    forwarded = ev("forwarded", 2024, 9, 27)  # Friday
    clocks = clocks_of([forwarded], date(2024, 9, 30), calendar=CHINA)
    # Sun 09-29 调休 (1), Mon 09-30 (2), 10-01..10-07 off, Tue 10-08 (3), Wed (4), Thu 10-10 (5)
    assert clocks["object"].due_on == date(2024, 10, 10)
    # accept: 09-27 + 15 = Sat 10-12, a 调休 working day, so the period ends that Saturday
    assert clocks["accept"].due_on == date(2024, 10, 12)
    on_time = clocks_of([forwarded, ev("objected", 2024, 10, 10)], date(2024, 10, 11), calendar=CHINA)
    late = clocks_of([forwarded, ev("objected", 2024, 10, 11)], date(2024, 10, 11), calendar=CHINA)
    assert (on_time["object"].state, late["object"].state) == ("met", "met_late")


def test_henans_five_day_objection_period_over_national_day_2024_counts_calendar_days() -> None:
    clocks = clocks_of([ev("forwarded", 2024, 9, 27)], date(2024, 9, 30), rules=dict(HENAN), calendar=CHINA)
    # 09-27 + 5 = Wed 10-02, inside the holiday -> Tue 10-08
    assert clocks["object"].due_on == date(2024, 10, 8)


# -- properties ------------------------------------------------------------------------------

SPAN = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 11, 30))
WORKDAY_RULE = replace(NATIONAL["accept"], unit="workday")


@settings(max_examples=100, deadline=None)
@given(start=SPAN, n=st.integers(1, 40), data=st.data())
def test_a_pause_of_k_working_days_moves_a_working_day_due_date_by_exactly_k_working_days(
    start: date, n: int, data: st.DataObject
) -> None:
    rules = {"accept": replace(WORKDAY_RULE, length=n)}
    due_before = CHINA.add_working_days(start, n)
    paused = start + timedelta(days=data.draw(st.integers(0, (due_before - start).days)))
    resumed = paused + timedelta(days=data.draw(st.integers(0, 30)))
    events = [ClockEvent("forwarded", start), ClockEvent("paused", paused), ClockEvent("resumed", resumed)]
    accept = clocks_of(events, resumed, rules=rules, calendar=CHINA)["accept"]
    k = CHINA.working_days_between(paused, resumed)
    assert accept.paused_days == k
    assert accept.due_on == CHINA.add_working_days(due_before, k)


@settings(max_examples=100, deadline=None)
@given(
    start=SPAN,
    hearing_start=st.integers(0, 59),
    hearing_days=st.integers(0, 40),
    extension=st.integers(0, 30),
)
def test_a_calendar_day_clock_is_never_due_on_a_non_working_day(
    start: date, hearing_start: int, hearing_days: int, extension: int
) -> None:
    began = start + timedelta(days=hearing_start)
    events = [
        ClockEvent("accepted", start),
        ClockEvent("hearing_started", began),
        ClockEvent("hearing_ended", began + timedelta(days=hearing_days)),
    ]
    if extension:
        events.append(ClockEvent("extended", began + timedelta(days=hearing_days), {"days": extension}))
    handle = clocks_of(events, began + timedelta(days=hearing_days), calendar=CHINA)["handle"]
    assert handle.due_on is not None
    assert CHINA.is_working_day(handle.due_on)
    assert handle.due_on >= start + timedelta(days=60 + hearing_days + extension)
