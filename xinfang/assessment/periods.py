"""The periods a scheme is scored over: the quarters, the first half and the whole of its year."""

from __future__ import annotations

import calendar
import datetime as dt

# Key, label: the order the page offers them in.
PERIODS: dict[str, str] = {
    "q1": "第一季度",
    "q2": "第二季度",
    "q3": "第三季度",
    "q4": "第四季度",
    "h1": "上半年",
    "year": "全年",
}


class UnknownPeriod(ValueError):
    pass


def period_dates(year: int, period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of `period` of `year` (both inclusive)."""
    if period == "year":
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if period == "h1":
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    if period in ("q1", "q2", "q3", "q4"):
        first = 3 * (int(period[1]) - 1) + 1
        last = first + 2
        return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    raise UnknownPeriod(f"没有这个考核期间：{period}")


def counted_span(year: int, period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days a period's figures count: the period, cut at `today` while it runs."""
    start, end = period_dates(year, period)
    return start, min(end, today)


def period_label(year: int, period: str) -> str:
    if period not in PERIODS:
        raise UnknownPeriod(f"没有这个考核期间：{period}")
    return f"{year}年{PERIODS[period]}"


def started_periods(year: int, today: dt.date) -> list[str]:
    """The periods of `year` that have begun by `today`: there is nothing to score before."""
    return [key for key in PERIODS if period_dates(year, key)[0] <= today]


def default_period(year: int, today: dt.date) -> str:
    """The latest quarter that has ended by `today` (the one a bureau is assessing), else the
    current one; the whole year once it is over."""
    if period_dates(year, "year")[1] < today:
        return "year"
    ended = [key for key in ("q1", "q2", "q3", "q4") if period_dates(year, key)[1] < today]
    if ended:
        return ended[-1]
    started = [key for key in ("q1", "q2", "q3", "q4") if period_dates(year, key)[0] <= today]
    return started[-1] if started else "q1"
