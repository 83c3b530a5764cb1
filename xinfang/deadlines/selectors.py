"""Reads of the calendar and the rules: the pure objects built from the tables, cached per process.

Building a :class:`WorkCalendar` from ~1,000 rows takes a few milliseconds, and services need it
after every action, so each process keeps one snapshot. It is reused while :class:`DataVersion`
(bumped by every save or delete, see :mod:`.signals`) is unchanged; the version is read at most
every ``XINFANG_DEADLINE_RECHECK_SECONDS`` (default 30), so another process's admin edit is seen
within that time. The process that made the edit drops its snapshot at once.

Empty tables (a database that was never seeded, or flushed by a test) fall back to the shipped
sources, the ``chinesecalendar`` package and ``data/profiles.json``, and say so in the log: the
answer is then the shipped one, never a silent weekends-only guess.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from xinfang.deadlines.calendar import CalendarEntry, WorkCalendar, missing_year_warnings
from xinfang.deadlines.models import CalendarDay, CalendarYear, DataVersion, DeadlineRule
from xinfang.deadlines.models import PolicyProfile as ProfileRow
from xinfang.deadlines.profiles import PolicyProfile, load_profiles, parse_profiles

logger = logging.getLogger(__name__)


@dataclass
class _Snapshot:
    version: int
    calendar: WorkCalendar
    profiles: Mapping[str, PolicyProfile]
    checked_at: float


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _recheck_seconds() -> float:
    return float(getattr(settings, "XINFANG_DEADLINE_RECHECK_SECONDS", 30))


def clear_cache() -> None:
    """Forget the snapshot: the next read rebuilds it from the tables."""
    global _snapshot
    with _lock:
        _snapshot = None


def _current() -> _Snapshot:
    global _snapshot
    snap = _snapshot
    clock = time.monotonic()
    if snap is not None and clock - snap.checked_at < _recheck_seconds():
        return snap
    version = DataVersion.current()
    if snap is not None and snap.version == version:
        snap.checked_at = clock
        return snap
    fresh = _Snapshot(version, calendar_from_db(), profiles_from_db(), clock)
    with _lock:
        _snapshot = fresh
    return fresh


def current_calendar() -> WorkCalendar:
    return _current().calendar


def current_profiles() -> Mapping[str, PolicyProfile]:
    return _current().profiles


# -- builders (uncached) ------------------------------------------------------------------------


def calendar_from_db() -> WorkCalendar:
    """The calendar in the tables; the years marked complete are the ones it knows."""
    years = list(CalendarYear.objects.values_list("year", "complete"))
    days = list(CalendarDay.objects.values_list("date", "kind", "name"))
    if not years and not days:
        logger.warning("节假日表为空（未初始化？），暂用 chinesecalendar 内置数据")
        return WorkCalendar.from_chinesecalendar()
    entries = [CalendarEntry(day=d, kind=k, name=n) for d, k, n in days]
    return WorkCalendar.from_entries(entries, years=[y for y, complete in years if complete])


def profiles_from_db() -> dict[str, PolicyProfile]:
    """The profiles in the tables, validated by the same parser as ``data/profiles.json``."""
    rows = list(ProfileRow.objects.select_related("parent").order_by("pk"))
    if not rows:
        logger.warning("期限方案表为空（未初始化？），暂用 data/profiles.json")
        return load_profiles()
    rules: dict[int, dict[str, object]] = {row.pk: {} for row in rows}
    for rule in DeadlineRule.objects.all():
        rules[rule.profile_id][rule.clock] = rule.as_spec()
    data = {
        "profiles": [
            {
                "code": row.code,
                "name": row.name,
                "parent": row.parent.code if row.parent else None,
                "regions": list(row.region_prefixes),
                "rules": rules[row.pk],
                # left empty: inherited (the national profile: the statute's 复核 clock)
                **({} if (clocks := row.hearing_clock_names) is None else {"hearing_clocks": list(clocks)}),
            }
            for row in rows
        ]
    }
    return parse_profiles(data, source="期限方案表")


# Clocks started today can end this far ahead (60 days + a 60-day extension, with holidays).
LOOKAHEAD = timedelta(days=130)


def calendar_gaps(today: date) -> tuple[str, ...]:
    """Warnings for the years a clock started today may reach whose schedule is not loaded."""
    return missing_year_warnings(current_calendar().missing_years(today, today + LOOKAHEAD))
