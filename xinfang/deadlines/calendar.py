"""The working-day calendar that statutory clocks count on (pure: no Django, no database).

A :class:`WorkCalendar` knows three things and nothing else:

- public-holiday dates (法定节假日 and the weekend days folded into them): days off;
- make-up working days (调休): Saturdays or Sundays the State Council declares working days;
- the years it knows completely, i.e. for which the State Council schedule has been loaded.

Every other day is a working day from Monday to Friday and a rest day on Saturday and Sunday.
For a year the calendar does not know, that weekends-only rule is all there is: the answer may be
wrong around that year's holidays, so every computation that touches such a year reports it
(:meth:`WorkCalendar.missing_years`, :class:`DueDate.calendar_incomplete`). It is never silent.

Counting rules (《民法典》第二百条至第二百零四条; no 信访 text adopts them, see DOMAIN.md §2, so
applying them is the project's reading):

- the start day is not counted (第二百零一条: 开始的当日不计入，自下一日开始计算);
- a calendar-day period whose last day is a day off ends on the next working day
  (第二百零三条: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日);
- a working-day period (e.g. 《信访工作条例》第二十三条 "五个工作日") counts only working days:
  weekends and holidays are skipped, 调休 Saturdays and Sundays are counted.

The calendar also travels as a small CSV or JSON file (date, kind ``holiday``/``workday``, name),
so that next year's schedule can be imported the day the State Council publishes it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Literal, NoReturn, cast

Unit = Literal["calendar", "workday"]
UNITS: tuple[Unit, ...] = ("calendar", "workday")

DayKind = Literal["holiday", "workday"]
DAY_KINDS: tuple[DayKind, ...] = ("holiday", "workday")

CSV_FIELDS = ("date", "kind", "name")

_ONE_DAY = timedelta(days=1)
# date.weekday() numbers Monday 0 .. Sunday 6: Saturday and Sunday are the regular rest days
# (《国务院关于职工工作时间的规定》第七条).
_FIRST_WEEKEND_DAY = 5


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """One exceptional day: a holiday (day off) or a 调休 make-up working day, with its name."""

    day: date
    kind: DayKind
    name: str = ""


@dataclass(frozen=True, slots=True)
class DueDate:
    """A computed last day of a period, with the years the calendar could not vouch for."""

    due_on: date
    missing_years: tuple[int, ...] = ()

    @property
    def calendar_incomplete(self) -> bool:
        return bool(self.missing_years)

    @property
    def warnings(self) -> tuple[str, ...]:
        return missing_year_warnings(self.missing_years)


class WorkCalendar:
    """An immutable holiday and 调休 calendar; see the module docstring for the counting rules."""

    __slots__ = ("_holidays", "_names", "_workdays", "_years")

    _holidays: frozenset[date]
    _workdays: frozenset[date]
    _years: frozenset[int]
    _names: Mapping[date, str]

    def __init__(
        self,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        years: Iterable[int] = (),
        names: Mapping[date, str] | None = None,
    ) -> None:
        holiday_set, workday_set = frozenset(holidays), frozenset(workdays)
        clash = sorted(holiday_set & workday_set)
        if clash:
            raise ValueError(f"a day cannot be both a holiday and a make-up working day: {_iso(clash)}")
        name_map = dict(names or {})
        unnamed = sorted(set(name_map) - holiday_set - workday_set)
        if unnamed:
            raise ValueError(f"names given for days that are neither holiday nor workday: {_iso(unnamed)}")
        object.__setattr__(self, "_holidays", holiday_set)
        object.__setattr__(self, "_workdays", workday_set)
        object.__setattr__(self, "_years", frozenset(years))
        object.__setattr__(self, "_names", MappingProxyType(name_map))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("WorkCalendar is immutable; build a new one")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        return self.entries() == other.entries() and self._years == other._years

    def __hash__(self) -> int:
        return hash((self.entries(), self._years))

    def __repr__(self) -> str:
        years = sorted(self._years)
        span = f"{years[0]}..{years[-1]}" if years else "none"
        return f"<WorkCalendar years={span} holidays={len(self._holidays)} workdays={len(self._workdays)}>"

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_entries(cls, entries: Iterable[CalendarEntry], *, years: Iterable[int]) -> WorkCalendar:
        entry_list = list(entries)
        return cls(
            holidays=(e.day for e in entry_list if e.kind == "holiday"),
            workdays=(e.day for e in entry_list if e.kind == "workday"),
            years=years,
            names={e.day: e.name for e in entry_list if e.name},
        )

    @classmethod
    def from_chinesecalendar(cls) -> WorkCalendar:
        """Seed from the ``chinesecalendar`` package: every year between its first and last holiday.

        The package keeps ``holidays`` and ``workdays`` dicts of date -> English festival name, and
        the ``Holiday`` enum that maps those names to Chinese. It is imported here only, so the rest
        of the core never depends on it.
        """
        import chinese_calendar  # imported here: only seeding needs the package

        chinese = {str(h.value): str(h.chinese) for h in chinese_calendar.Holiday}
        holidays = _named_days(chinese_calendar.holidays, chinese)
        workdays = _named_days(chinese_calendar.workdays, chinese)
        first, last = min(holidays).year, max(holidays).year
        return cls(
            holidays=holidays,
            workdays=workdays,
            years=range(first, last + 1),
            names={**holidays, **workdays},
        )

    def merged_with(self, other: WorkCalendar) -> WorkCalendar:
        """This calendar with each year ``other`` knows replaced by ``other``'s entries for it.

        Importing the State Council's schedule for a year replaces whatever was there for that year.
        """
        kept = [e for e in self.entries() if e.day.year not in other._years]
        return WorkCalendar.from_entries([*kept, *other.entries()], years=self._years | other._years)

    # -- queries -----------------------------------------------------------------------------

    @property
    def years(self) -> frozenset[int]:
        return self._years

    def entries(self) -> tuple[CalendarEntry, ...]:
        """Every holiday and make-up working day, in date order."""
        days = [CalendarEntry(d, "holiday", self._names.get(d, "")) for d in self._holidays]
        days += [CalendarEntry(d, "workday", self._names.get(d, "")) for d in self._workdays]
        return tuple(sorted(days, key=lambda e: e.day))

    def knows(self, year: int) -> bool:
        """Whether the State Council schedule for ``year`` is loaded."""
        return year in self._years

    def missing_years(self, start: date, end: date) -> tuple[int, ...]:
        """The years between ``start`` and ``end`` (inclusive, either order) this calendar lacks."""
        low, high = sorted((start.year, end.year))
        return tuple(y for y in range(low, high + 1) if y not in self._years)

    def is_holiday(self, day: date) -> bool:
        """A listed public holiday (a day off even if it falls Monday to Friday)."""
        return day in self._holidays

    def is_makeup_workday(self, day: date) -> bool:
        """A 调休 Saturday or Sunday that is a working day."""
        return day in self._workdays

    def name_of(self, day: date) -> str:
        """The holiday's name for a listed day (e.g. ``春节``), otherwise ``""``."""
        return self._names.get(day, "")

    def is_working_day(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < _FIRST_WEEKEND_DAY

    # -- arithmetic --------------------------------------------------------------------------

    def next_working_day(self, day: date) -> date:
        """The first working day on or after ``day`` (``day`` itself when it is a working day)."""
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself is not counted.

        ``n == 0`` gives ``start`` back unchanged (no period at all).
        """
        _require_non_negative(n)
        day = start
        while n:
            day += _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie after ``start`` up to and including ``end`` (0 if end <= start)."""
        count, day = 0, start
        while day < end:
            day += _ONE_DAY
            count += self.is_working_day(day)
        return count

    def calendar_period_end(self, start: date, n: int) -> date:
        """Last day of an ``n``-calendar-day period starting ``start`` (《民法典》第二百零一、二百零三条).

        The start day is not counted, so the period nominally ends on ``start + n``; if that day is a
        weekend or holiday (and not a 调休 working day), the period ends on the next working day.
        """
        _require_non_negative(n)
        return self.next_working_day(start + timedelta(days=n))

    def period_end(self, start: date, n: int, *, unit: Unit) -> date:
        """Last day of a period of ``n`` units, dispatching on the rule's unit."""
        if unit == "workday":
            return self.add_working_days(start, n)
        if unit == "calendar":
            return self.calendar_period_end(start, n)
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")

    def due_date(self, start: date, n: int, *, unit: Unit) -> DueDate:
        """:meth:`period_end` together with the years it had to guess (weekends only)."""
        due_on = self.period_end(start, n, unit=unit)
        return DueDate(due_on=due_on, missing_years=self.missing_years(start, due_on))


# -- file formats ----------------------------------------------------------------------------


def calendar_to_json(calendar: WorkCalendar) -> str:
    """``{"years": [...], "days": [{"date", "kind", "name"}, ...]}``, UTF-8 text, dates ISO."""
    days = [{"date": e.day.isoformat(), "kind": e.kind, "name": e.name} for e in calendar.entries()]
    return json.dumps({"years": sorted(calendar.years), "days": days}, ensure_ascii=False, indent=2)


def calendar_from_json(text: str) -> WorkCalendar:
    """Parse :func:`calendar_to_json` output; ``years`` may be left out (then: years of the days)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"calendar JSON is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("calendar JSON must be an object with 'days' (and optionally 'years')")
    rows = data.get("days")
    if not isinstance(rows, list):
        raise ValueError("calendar JSON field 'days' must be a list")
    entries = [_entry_from_row(row, where=f"days[{i}]") for i, row in enumerate(rows)]
    return WorkCalendar.from_entries(entries, years=_years_field(data.get("years"), entries))


def calendar_to_csv(calendar: WorkCalendar) -> str:
    """A ``date,kind,name`` CSV with a header row, one exceptional day per line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    writer.writerows((e.day.isoformat(), e.kind, e.name) for e in calendar.entries())
    return buffer.getvalue()


def calendar_from_csv(text: str, *, years: Iterable[int] | None = None) -> WorkCalendar:
    """Parse a ``date,kind,name`` CSV (header required, ``name`` optional).

    The calendar knows ``years`` if given, otherwise every year that has at least one row: a
    published State Council schedule always lists that year's New Year holiday.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [f for f in CSV_FIELDS[:2] if f not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"calendar CSV header lacks column(s) {missing}; expected {list(CSV_FIELDS)}")
    # line 1 is the header, so data row i sits on line i + 2
    entries = [_entry_from_row(row, where=f"line {i + 2}") for i, row in enumerate(reader)]
    return WorkCalendar.from_entries(entries, years=_years_field(years, entries))


# -- helpers ---------------------------------------------------------------------------------


def _named_days(days: Mapping[Any, Any], chinese: Mapping[str, str]) -> dict[date, str]:
    return {cast(date, d): chinese.get(str(name), str(name)) for d, name in days.items()}


def _entry_from_row(row: object, *, where: str) -> CalendarEntry:
    if not isinstance(row, dict):
        raise ValueError(f"{where}: must be an object with 'date', 'kind' and 'name'")
    raw_date, kind, name = row.get("date"), row.get("kind"), row.get("name") or ""
    if not isinstance(raw_date, str):
        _bad(where, "date", raw_date, "an ISO date (YYYY-MM-DD)")
    try:
        day = date.fromisoformat(raw_date.strip())
    except ValueError:
        _bad(where, "date", raw_date, "an ISO date (YYYY-MM-DD)")
    if kind not in DAY_KINDS:
        _bad(where, "kind", kind, " or ".join(DAY_KINDS))
    if not isinstance(name, str):
        _bad(where, "name", name, "text")
    return CalendarEntry(day=day, kind=cast(DayKind, kind), name=name.strip())


def _years_field(years: object, entries: list[CalendarEntry]) -> frozenset[int]:
    if years is None:
        return frozenset(e.day.year for e in entries)
    if not isinstance(years, Iterable) or isinstance(years, str | bytes):
        raise ValueError(f"field 'years' must be a list of years, got {years!r}")
    listed = list(years)
    if not all(isinstance(y, int) and not isinstance(y, bool) for y in listed):
        raise ValueError(f"field 'years' must be a list of whole years, got {listed!r}")
    return frozenset(listed)


def _bad(where: str, field: str, value: object, expected: str) -> NoReturn:
    raise ValueError(f"{where}: field '{field}' must be {expected}, got {value!r}")


def _require_non_negative(n: int) -> None:
    if n < 0:
        raise ValueError(f"a period cannot be negative, got {n}")


def _iso(days: Iterable[date]) -> str:
    return ", ".join(d.isoformat() for d in days)


def missing_year_warnings(years: Iterable[int]) -> tuple[str, ...]:
    return tuple(f"{y}年节假日安排未导入，按仅周末休息计算（可能不准确）" for y in years)
