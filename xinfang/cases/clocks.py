"""The one place cases meet the statutory clocks.

Services call `case_next_due_at` after every action; pages and the API call `case_clocks`. Both
derive the clocks from the case's event log, the policy profile of the problem's region and the
working-day calendar (xinfang.deadlines), so nothing about periods is stored on the case except
the next due moment that queries filter on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from xinfang.cases.models import Case, CaseEvent
from xinfang.core.timeutil import LOCAL_TZ, local_date
from xinfang.deadlines.calendar import WorkCalendar
from xinfang.deadlines.clocks import Clock, ClockEvent, derive_clocks, next_due
from xinfang.deadlines.profiles import PolicyProfile, load_profiles, profile_for_region

# Case events that end every clock, in the clocks' vocabulary.
_CLOSING_KINDS = {"terminated", "refused_again"}


@lru_cache(maxsize=1)
def _profiles() -> dict[str, PolicyProfile]:
    return dict(load_profiles())


@lru_cache(maxsize=1)
def work_calendar() -> WorkCalendar:
    return WorkCalendar.from_chinesecalendar()


def profile_for(case: Case) -> PolicyProfile:
    return profile_for_region(_profiles(), case.problem_region.code)


def _clock_events(events: Iterable[CaseEvent]) -> list[ClockEvent]:
    result = []
    for event in events:
        kind = "closed" if event.kind in _CLOSING_KINDS else event.kind
        result.append(ClockEvent(kind=kind, at=local_date(event.at), payload=event.payload or {}))
    return result


def case_clocks(
    case: Case, *, events: Iterable[CaseEvent] | None = None, today: dt.date | None = None
) -> tuple[Clock, ...]:
    rows = list(events) if events is not None else list(case.events.order_by("seq"))
    return derive_clocks(
        _clock_events(rows), profile_for(case).rules, work_calendar(), today=today or local_date()
    )


def due_moment(day: dt.date) -> dt.datetime:
    """A period ends at 24:00 of its last day, Beijing time (《民法典》第二百零三条)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ)


def case_next_due_at(case: Case, *, events: Iterable[CaseEvent]) -> dt.datetime | None:
    day = next_due(case_clocks(case, events=events))
    return due_moment(day) if day else None
