import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.leadership.reception_rules import PERIODS, Standing, period_bounds


def test_period_bounds_by_hand() -> None:
    day = dt.date(2026, 11, 18)  # a Wednesday
    assert period_bounds("week", day) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert period_bounds("month", day) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert period_bounds("quarter", day) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_bounds("year", day) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert period_bounds("month", dt.date(2028, 2, 10)) == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert period_bounds("quarter", dt.date(2026, 2, 3)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def test_an_unknown_period_is_refused() -> None:
    with pytest.raises(ValueError, match="period"):
        period_bounds("fortnight", dt.date(2026, 1, 1))


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), st.sampled_from(PERIODS))
def test_every_day_lies_in_its_period_and_periods_tile(day: dt.date, period: str) -> None:
    start, end = period_bounds(period, day)
    assert start <= day <= end
    assert period_bounds(period, start) == (start, end) == period_bounds(period, end)
    assert period_bounds(period, end + dt.timedelta(days=1))[0] == end + dt.timedelta(days=1)


def test_standing() -> None:
    assert Standing(held=1, scheduled=0, minimum=1).met
    behind = Standing(held=0, scheduled=1, minimum=2)
    assert not behind.met and not behind.on_track and behind.missing == 1
    assert Standing(held=0, scheduled=1, minimum=1).on_track


@pytest.mark.django_db
def test_a_fresh_install_ships_the_rule_of_the_three_levels() -> None:
    from xinfang.leadership.models import ReceptionRule

    rules = {r.level: (r.period, r.minimum) for r in ReceptionRule.objects.all()}
    assert rules == {"city": ("quarter", 1), "county": ("month", 1), "township": ("week", 1)}
