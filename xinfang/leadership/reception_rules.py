"""How often leaders must receive visitors, as arithmetic (pure: no Django).

The rule of a level says "at least ``minimum`` reception days each week / month / quarter / year"
(reports: "市、县、镇三级党政领导干部分别每季、每月、每周接待群众不少于1次"). A period is a calendar
period containing the day asked about: the week from Monday, the month, the quarter, the year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PERIODS = ("week", "month", "quarter", "year")
PERIOD_NAMES = {"week": "本周", "month": "本月", "quarter": "本季度", "year": "本年"}


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the ``period`` that contains ``day``."""
    if period == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if period == "month":
        start = day.replace(day=1)
        return start, _month_end(start)
    if period == "quarter":
        first_month = 3 * ((day.month - 1) // 3) + 1
        start = day.replace(month=first_month, day=1)
        return start, _month_end(start.replace(month=first_month + 2))
    if period == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    raise ValueError(f"period must be one of {PERIODS}, got {period!r}")


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


@dataclass(frozen=True)
class Standing:
    """A leader against the rule in one period: held and still scheduled reception days."""

    held: int
    scheduled: int
    minimum: int

    @property
    def met(self) -> bool:
        return self.held >= self.minimum

    @property
    def on_track(self) -> bool:
        """Met, or enough days still scheduled in the period to meet it."""
        return self.held + self.scheduled >= self.minimum

    @property
    def missing(self) -> int:
        return max(0, self.minimum - self.held - self.scheduled)
