"""The working-day calendar: counting rules, real Chinese holidays, missing years, file formats."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.deadlines.calendar import (
    CalendarEntry,
    WorkCalendar,
    calendar_from_csv,
    calendar_from_json,
    calendar_to_csv,
    calendar_to_json,
)

CHINA = WorkCalendar.from_chinesecalendar()

# A small synthetic calendar for 2025: Wednesday 2025-10-01 to Friday 10-03 off, Saturday 10-11 worked.
OCT_HOLIDAY = [date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3)]
OCT_MAKEUP = [date(2025, 10, 11)]
SMALL = WorkCalendar(holidays=OCT_HOLIDAY, workdays=OCT_MAKEUP, years=[2025])
WEEKENDS_ONLY = WorkCalendar(years=range(2000, 2100))


def days(start: date, end: date) -> list[date]:
    """Every day from start to end inclusive."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# -- the basic rules -------------------------------------------------------------------------


def test_a_weekday_is_a_working_day_and_a_weekend_day_is_not() -> None:
    assert SMALL.is_working_day(date(2025, 9, 30))  # Tuesday
    assert not SMALL.is_working_day(date(2025, 9, 27))  # Saturday
    assert not SMALL.is_working_day(date(2025, 9, 28))  # Sunday


def test_a_holiday_on_a_weekday_is_not_a_working_day() -> None:
    assert not SMALL.is_working_day(date(2025, 10, 1))
    assert SMALL.is_holiday(date(2025, 10, 1))


def test_a_makeup_saturday_is_a_working_day() -> None:
    assert SMALL.is_working_day(date(2025, 10, 11))
    assert SMALL.is_makeup_workday(date(2025, 10, 11))


def test_next_working_day_is_the_day_itself_when_it_is_a_working_day() -> None:
    assert SMALL.next_working_day(date(2025, 9, 30)) == date(2025, 9, 30)
    assert SMALL.next_working_day(date(2025, 10, 1)) == date(2025, 10, 6)  # Wed-Fri off, then the weekend


def test_the_start_day_is_not_counted() -> None:
    monday = date(2025, 9, 22)
    assert SMALL.add_working_days(monday, 1) == date(2025, 9, 23)
    assert SMALL.calendar_period_end(monday, 1) == date(2025, 9, 23)


def test_adding_zero_working_days_gives_the_start_day_back() -> None:
    saturday = date(2025, 9, 27)
    assert SMALL.add_working_days(saturday, 0) == saturday


def test_a_negative_period_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        SMALL.add_working_days(date(2025, 9, 22), -1)
    with pytest.raises(ValueError, match="negative"):
        SMALL.calendar_period_end(date(2025, 9, 22), -1)


def test_working_day_counting_skips_holidays_and_counts_the_makeup_saturday() -> None:
    # from Tue 09-30: Mon 10-06 (1), Tue (2), Wed (3), Thu (4), Fri 10-10 (5), Sat 10-11 worked (6)
    assert SMALL.add_working_days(date(2025, 9, 30), 6) == date(2025, 10, 11)
    assert SMALL.working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 6


def test_a_calendar_period_ending_on_a_holiday_moves_to_the_next_working_day() -> None:
    # 09-26 + 5 days = Wed 10-01, a holiday; Thu, Fri off, then the weekend: Mon 10-06
    assert SMALL.calendar_period_end(date(2025, 9, 26), 5) == date(2025, 10, 6)


def test_a_calendar_period_ending_on_a_weekend_moves_to_monday() -> None:
    assert SMALL.calendar_period_end(date(2025, 9, 12), 15) == date(2025, 9, 29)  # Sat 09-27 -> Mon


def test_a_calendar_period_ending_on_a_makeup_saturday_ends_that_saturday() -> None:
    assert SMALL.calendar_period_end(date(2025, 9, 26), 15) == date(2025, 10, 11)


def test_period_end_dispatches_on_the_unit() -> None:
    start = date(2025, 9, 26)
    assert SMALL.period_end(start, 5, unit="calendar") == date(2025, 10, 6)
    assert SMALL.period_end(start, 5, unit="workday") == date(2025, 10, 8)  # Mon 09-29, Tue, then 10-06..08
    with pytest.raises(ValueError, match="unit"):
        SMALL.period_end(start, 5, unit="fortnight")  # type: ignore[arg-type]


def test_a_day_cannot_be_both_a_holiday_and_a_makeup_workday() -> None:
    with pytest.raises(ValueError, match="2025-10-01"):
        WorkCalendar(holidays=[date(2025, 10, 1)], workdays=[date(2025, 10, 1)], years=[2025])


def test_the_calendar_is_immutable() -> None:
    with pytest.raises(AttributeError):
        SMALL._years = frozenset()


def test_calendars_with_the_same_days_and_years_are_equal() -> None:
    again = WorkCalendar(holidays=reversed(OCT_HOLIDAY), workdays=OCT_MAKEUP, years=[2025])
    assert again == SMALL
    assert hash(again) == hash(SMALL)


# -- missing years ---------------------------------------------------------------------------


def test_a_year_the_calendar_does_not_know_falls_back_to_weekends_and_is_flagged() -> None:
    new_years_day_2026 = date(2026, 1, 1)  # a holiday in reality, but 2026 is not loaded here
    assert not SMALL.knows(2026)
    assert SMALL.is_working_day(new_years_day_2026)
    due = SMALL.due_date(date(2025, 12, 20), 15, unit="calendar")
    assert due.due_on == date(2026, 1, 5)  # Sun 01-04 -> Mon, weekends only
    assert due.calendar_incomplete
    assert due.missing_years == (2026,)
    assert "2026" in due.warnings[0]


def test_a_period_inside_a_known_year_is_not_flagged() -> None:
    due = SMALL.due_date(date(2025, 9, 26), 5, unit="workday")
    assert not due.calendar_incomplete
    assert due.warnings == ()


def test_missing_years_lists_every_unknown_year_in_the_span_in_either_order() -> None:
    assert SMALL.missing_years(date(2027, 3, 1), date(2024, 3, 1)) == (2024, 2026, 2027)


def test_importing_a_years_schedule_replaces_that_year_only() -> None:
    schedule_2025 = WorkCalendar(
        holidays=[date(2025, 10, 8)], years=[2025], names={date(2025, 10, 8): "国庆节"}
    )
    schedule_2026 = WorkCalendar(holidays=[date(2026, 1, 1)], years=[2026])
    merged = SMALL.merged_with(schedule_2025).merged_with(schedule_2026)
    assert merged.years == {2025, 2026}
    assert not merged.is_holiday(date(2025, 10, 1))
    assert merged.is_holiday(date(2025, 10, 8))
    assert merged.name_of(date(2025, 10, 8)) == "国庆节"
    assert merged.is_holiday(date(2026, 1, 1))


# -- the real calendar (chinesecalendar 1.11.0) ----------------------------------------------


def test_the_seeded_calendar_knows_every_year_the_package_covers() -> None:
    assert CHINA.years == frozenset(range(2004, 2027))
    assert CHINA.missing_years(date(2025, 12, 1), date(2027, 1, 31)) == (2027,)


def test_the_seeded_calendar_has_the_2025_spring_festival_with_its_makeup_days() -> None:
    assert all(CHINA.is_holiday(d) for d in days(date(2025, 1, 28), date(2025, 2, 4)))
    assert CHINA.is_makeup_workday(date(2025, 1, 26))  # Sunday
    assert CHINA.is_makeup_workday(date(2025, 2, 8))  # Saturday
    assert CHINA.name_of(date(2025, 1, 28)) == "春节"
    assert CHINA.is_working_day(date(2025, 1, 27))
    assert CHINA.is_working_day(date(2025, 2, 5))


def test_the_seeded_calendar_has_national_day_2024_with_its_makeup_days() -> None:
    assert all(CHINA.is_holiday(d) for d in days(date(2024, 10, 1), date(2024, 10, 7)))
    assert CHINA.is_makeup_workday(date(2024, 9, 29))  # Sunday
    assert CHINA.is_makeup_workday(date(2024, 10, 12))  # Saturday
    assert CHINA.name_of(date(2024, 10, 1)) == "国庆节"


def test_fifteen_days_from_just_before_spring_festival_2025_end_after_the_holiday() -> None:
    # registered Mon 2025-01-20; +15 days = Tue 02-04, the last holiday day -> Wed 02-05
    assert CHINA.calendar_period_end(date(2025, 1, 20), 15) == date(2025, 2, 5)
    # registered Fri 2025-01-17; +15 days = Sat 02-01, inside the holiday (02-01..02-04) -> Wed 02-05
    assert CHINA.calendar_period_end(date(2025, 1, 17), 15) == date(2025, 2, 5)


def test_five_working_days_across_spring_festival_2025_count_the_makeup_sunday() -> None:
    # from Thu 2025-01-23: Fri 01-24 (1), Sun 01-26 调休 (2), Mon 01-27 (3),
    # 01-28..02-04 off, Wed 02-05 (4), Thu 02-06 (5)
    assert CHINA.add_working_days(date(2025, 1, 23), 5) == date(2025, 2, 6)


def test_five_working_days_from_the_last_festival_day_count_the_makeup_saturday() -> None:
    # from Tue 2025-02-04 (a holiday): Wed 02-05 (1), Thu (2), Fri (3), Sat 02-08 调休 (4), Mon 02-10 (5);
    # a naive weekday count would say Tue 02-11
    assert CHINA.add_working_days(date(2025, 2, 4), 5) == date(2025, 2, 10)


def test_five_working_days_across_national_day_2024() -> None:
    # from Fri 2024-09-27: Sat off, Sun 09-29 调休 (1), Mon 09-30 (2), 10-01..10-07 off,
    # Tue 10-08 (3), Wed (4), Thu 10-10 (5)
    assert CHINA.add_working_days(date(2024, 9, 27), 5) == date(2024, 10, 10)


def test_fifteen_days_ending_in_national_day_2024_move_to_the_first_day_back() -> None:
    # from Fri 2024-09-20: +15 = Sat 10-05, a holiday; 10-06 and 10-07 too -> Tue 10-08
    assert CHINA.calendar_period_end(date(2024, 9, 20), 15) == date(2024, 10, 8)


def test_fifteen_days_ending_on_the_national_day_makeup_saturday_end_that_day() -> None:
    # from Fri 2024-09-27: +15 = Sat 10-12, a 调休 working day
    assert CHINA.calendar_period_end(date(2024, 9, 27), 15) == date(2024, 10, 12)


def test_sixty_days_ending_on_national_day_2024_move_past_the_whole_holiday() -> None:
    # accepted Fri 2024-08-02: to 08-31 is 29 days, to 09-30 is 59, 10-01 is day 60 -> Tue 10-08
    assert CHINA.calendar_period_end(date(2024, 8, 2), 60) == date(2024, 10, 8)


# -- file formats ----------------------------------------------------------------------------


def test_the_calendar_survives_a_json_round_trip() -> None:
    assert calendar_from_json(calendar_to_json(CHINA)) == CHINA


def test_the_calendar_survives_a_csv_round_trip() -> None:
    assert calendar_from_csv(calendar_to_csv(CHINA), years=CHINA.years) == CHINA


def test_a_csv_schedule_for_next_year_knows_the_years_it_lists() -> None:
    text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n"
    calendar = calendar_from_csv(text)
    assert calendar.years == {2027}
    assert calendar.entries() == (
        CalendarEntry(date(2027, 1, 1), "holiday", "元旦"),
        CalendarEntry(date(2027, 2, 6), "workday", "春节"),
    )


def test_a_csv_with_a_bad_date_names_the_line_and_field() -> None:
    with pytest.raises(ValueError, match=r"line 3: field 'date' must be an ISO date"):
        calendar_from_csv("date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,\n")


def test_a_csv_with_a_bad_kind_names_the_line_and_field() -> None:
    with pytest.raises(ValueError, match=r"line 2: field 'kind' must be holiday or workday, got 'rest'"):
        calendar_from_csv("date,kind\n2027-01-01,rest\n")


def test_a_csv_without_the_header_is_refused() -> None:
    with pytest.raises(ValueError, match="header"):
        calendar_from_csv("2027-01-01,holiday,元旦\n")


def test_json_with_a_bad_row_names_the_row_and_field() -> None:
    with pytest.raises(ValueError, match=r"days\[0\]: field 'date'"):
        calendar_from_json('{"days": [{"date": 20270101, "kind": "holiday"}]}')


def test_json_with_bad_years_is_refused() -> None:
    with pytest.raises(ValueError, match="'years'"):
        calendar_from_json('{"years": "2027", "days": []}')


# -- properties ------------------------------------------------------------------------------

SPAN = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
PERIOD = st.integers(min_value=0, max_value=120)


@st.composite
def calendars(draw: st.DrawFn) -> WorkCalendar:
    """Random holiday runs (like real festivals) and random make-up Saturdays or Sundays."""
    runs = draw(st.lists(st.tuples(SPAN, st.integers(1, 9)), max_size=8))
    holidays = {start + timedelta(days=i) for start, length in runs for i in range(length)}
    weekend = draw(st.lists(SPAN.filter(lambda d: d.weekday() >= 5), max_size=6))
    return WorkCalendar(holidays=holidays, workdays=set(weekend) - holidays, years=range(2024, 2027))


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), start=SPAN, n=PERIOD)
def test_a_calendar_day_due_date_is_never_a_non_working_day(
    calendar: WorkCalendar, start: date, n: int
) -> None:
    due = calendar.calendar_period_end(start, n)
    nominal = start + timedelta(days=n)
    assert calendar.is_working_day(due)
    assert due >= nominal
    assert not any(calendar.is_working_day(d) for d in days(nominal, due - timedelta(days=1)))


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), start=SPAN, n=PERIOD, k=PERIOD)
def test_k_more_working_days_move_a_working_day_due_date_by_exactly_k_working_days(
    calendar: WorkCalendar, start: date, n: int, k: int
) -> None:
    due = calendar.add_working_days(start, n)
    later = calendar.add_working_days(start, n + k)
    assert later == calendar.add_working_days(due, k)
    assert calendar.working_days_between(due, later) == k


@settings(max_examples=150, deadline=None)
@given(start=SPAN, n=PERIOD)
def test_with_no_holidays_working_day_arithmetic_agrees_with_a_naive_weekday_count(
    start: date, n: int
) -> None:
    due = WEEKENDS_ONLY.add_working_days(start, n)
    weekdays_counted = sum(1 for d in days(start + timedelta(days=1), due) if d.weekday() < 5)
    assert weekdays_counted == n
    assert n == 0 or due.weekday() < 5


@settings(max_examples=150, deadline=None)
@given(
    calendar=calendars(),
    starts=st.lists(SPAN, min_size=2, max_size=2),
    ns=st.lists(PERIOD, min_size=2, max_size=2),
)
def test_add_working_days_is_monotonic(calendar: WorkCalendar, starts: list[date], ns: list[int]) -> None:
    (s1, s2), (n1, n2) = sorted(starts), sorted(ns)
    assert calendar.add_working_days(s1, n1) <= calendar.add_working_days(s1, n2)
    assert calendar.add_working_days(s1, n1) <= calendar.add_working_days(s2, n1)
    if n1 < n2:
        assert calendar.add_working_days(s1, n1) < calendar.add_working_days(s1, n2)


@settings(max_examples=150, deadline=None)
@given(calendar=calendars(), start=SPAN, n=PERIOD)
def test_working_days_between_counts_back_what_add_working_days_added(
    calendar: WorkCalendar, start: date, n: int
) -> None:
    assert calendar.working_days_between(start, calendar.add_working_days(start, n)) == n
