"""Writes of the calendar and the rule tables: seeding, importing a year's schedule.

Case due moments are not touched here; after a change run ``manage.py recompute_due --all-open``
(or let the nightly job do it) so stored ``next_due_at`` values follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from xinfang.deadlines.calendar import WorkCalendar
from xinfang.deadlines.models import NO_HEARING_CLOCKS, CalendarDay, CalendarYear, DataVersion
from xinfang.deadlines.profiles import CLOCK_NAMES, STATUTORY_HEARING_CLOCKS
from xinfang.deadlines.profiles import PolicyProfile as PureProfile
from xinfang.deadlines.selectors import clear_cache

# A published schedule has 7 holidays (元旦 … 国庆) of 1-8 days each: far fewer days is a sign of
# a truncated file, reported as a warning by the import.
MIN_HOLIDAY_DAYS = 20


@dataclass(frozen=True)
class ImportReport:
    years: tuple[int, ...]
    holidays: int
    workdays: int
    replaced: int
    warnings: tuple[str, ...]


def calendar_problems(calendar: WorkCalendar) -> list[str]:
    """Rows a State Council schedule cannot contain (the parser already checked their form)."""
    problems = []
    for entry in calendar.entries():
        if entry.day.year not in calendar.years:
            problems.append(f"{entry.day}：不在导入的年份 {sorted(calendar.years)} 内")
        if entry.kind == "workday" and entry.day.weekday() < 5:
            problems.append(
                f"{entry.day}：调休上班日应为周六或周日，这一天是周{'一二三四五'[entry.day.weekday()]}"
            )
    return problems


def calendar_warnings(calendar: WorkCalendar) -> list[str]:
    warnings = []
    for year in sorted(calendar.years):
        count = sum(1 for e in calendar.entries() if e.day.year == year and e.kind == "holiday")
        if count < MIN_HOLIDAY_DAYS:
            warnings.append(
                f"{year}年只有 {count} 个放假日，少于通常的 {MIN_HOLIDAY_DAYS} 个，请核对文件是否完整"
            )
    return warnings


@transaction.atomic
def calendar_import(calendar: WorkCalendar, *, source: str) -> ImportReport:
    """Replace every year ``calendar`` knows with its entries, and mark those years complete."""
    problems = calendar_problems(calendar)
    if problems:
        raise ValueError("；".join(problems))
    years = sorted(calendar.years)
    replaced, _ = CalendarDay.objects.filter(date__year__in=years).delete()
    write_calendar(calendar, day_model=CalendarDay, year_model=CalendarYear, source=source)
    _changed()
    entries = calendar.entries()
    return ImportReport(
        years=tuple(years),
        holidays=sum(e.kind == "holiday" for e in entries),
        workdays=sum(e.kind == "workday" for e in entries),
        replaced=replaced,
        warnings=tuple(calendar_warnings(calendar)),
    )


def write_calendar(calendar: WorkCalendar, *, day_model: Any, year_model: Any, source: str) -> None:
    """Insert the entries and year rows (models passed in, so a migration can use its own)."""
    day_model.objects.bulk_create(
        [day_model(date=e.day, kind=e.kind, name=e.name[:32]) for e in calendar.entries()], batch_size=500
    )
    for year in sorted(calendar.years):
        year_model.objects.update_or_create(year=year, defaults={"complete": True, "source": source})


def write_profiles(profiles: Mapping[str, PureProfile], *, profile_model: Any, rule_model: Any) -> None:
    """One row per profile and one per rule the profile sets itself (parents first)."""
    rows: dict[str, Any] = {}
    pending = dict(profiles)
    has_clocks = any(f.name == "hearing_clocks" for f in profile_model._meta.get_fields())
    while pending:
        for code, profile in list(pending.items()):
            if profile.parent is not None and profile.parent not in rows:
                continue
            rows[code] = profile_model.objects.create(
                code=code,
                name=profile.name,
                parent=rows[profile.parent] if profile.parent else None,
                regions=",".join(profile.regions),
                # the seed migration writes rows before the column existed (deadlines 0003)
                **({"hearing_clocks": _own_hearing_clocks(profile, profiles)} if has_clocks else {}),
            )
            del pending[code]
    for code, profile in profiles.items():
        for clock in CLOCK_NAMES:
            if clock in profile.overrides:
                rule = profile.rules[clock]
                rule_model.objects.create(
                    profile=rows[code],
                    clock=clock,
                    start_events=",".join(rule.start_events),
                    end_events=",".join(rule.end_events),
                    cancel_events=",".join(rule.cancel_events),
                    length=rule.length,
                    unit=rule.unit,
                    kind=rule.kind,
                    extension_limit=rule.extension_limit,
                    max_extensions=rule.max_extensions,
                    legal_ref=rule.legal_ref,
                    note=rule.note,
                )


def _own_hearing_clocks(profile: PureProfile, profiles: Mapping[str, PureProfile]) -> str:
    """The row's text for the clocks a hearing stops: empty where the parent's (or, for a root,
    the statute's) list holds, so that a change to the parent reaches the child."""
    inherited = profiles[profile.parent].hearing_clocks if profile.parent else STATUTORY_HEARING_CLOCKS
    if profile.hearing_clocks == inherited:
        return ""
    return ",".join(profile.hearing_clocks) or NO_HEARING_CLOCKS


def calendar_year_mark_missing(*, year: int, source: str = "") -> None:
    """Record that ``year``'s schedule is not (yet) known: its clocks count weekends only and warn."""
    CalendarYear.objects.update_or_create(year=year, defaults={"complete": False, "source": source})


def _changed() -> None:
    DataVersion.bump()
    transaction.on_commit(clear_cache)
    clear_cache()
