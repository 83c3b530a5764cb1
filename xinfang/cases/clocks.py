"""The one place cases meet the statutory clocks.

Services call `case_next_due` after every action; pages and the API call `case_clocks`. Both
derive the clocks from the case's event log, the policy profile of the problem's region and the
working-day calendar (xinfang.deadlines), so nothing about periods is stored on the case except
the next due moment that queries filter on and the name of the clock due then
(`Case.next_due_clock`, see `next_due_clock`), which lets the sweep warn without deriving.

The calendar and the profiles are rows (xinfang.deadlines.models), edited in the admin and read
through a per-process snapshot that notices edits (xinfang.deadlines.selectors). A clock that
crosses a year whose holiday schedule is not loaded carries a warning (`Clock.warnings`) and is
logged here: it is computed on weekends only, never silently.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Q

from xinfang.cases.models import Case, CaseEvent
from xinfang.core.timeutil import LOCAL_TZ, local_date
from xinfang.deadlines.calendar import WorkCalendar
from xinfang.deadlines.clocks import OPEN_STATES, Clock, ClockEvent, derive_clocks, next_due, next_due_clocks
from xinfang.deadlines.profiles import PolicyProfile, profile_for_region
from xinfang.deadlines.selectors import current_calendar, current_profiles

logger = logging.getLogger(__name__)

# Case events that end every clock, in the clocks' vocabulary.
_CLOSING_KINDS = {"terminated", "refused_again"}


def work_calendar() -> WorkCalendar:
    """The holiday calendar as the database has it now (cached per process, see selectors)."""
    return current_calendar()


def profile_for(case: Case) -> PolicyProfile:
    """The profile of the problem's province (by region-code prefix), else the national one."""
    return profile_for_region(current_profiles(), case.problem_region.code)


def clock_event(kind: str, at: dt.datetime, payload: dict[str, object] | None) -> ClockEvent:
    """A case event in the clocks' vocabulary, on the Beijing day it counts from."""
    payload = payload or {}
    day = local_date(at)
    if kind == "delivered" and isinstance(payload.get("delivered_on"), str):
        # The reply may have been served before the clerk recorded it; 第三十五条 counts from service.
        day = min(day, dt.date.fromisoformat(str(payload["delivered_on"])))
    return ClockEvent(kind="closed" if kind in _CLOSING_KINDS else kind, at=day, payload=payload)


_ROUTING_KINDS = frozenset({"forwarded", "assigned"})


def clock_events(rows: Iterable[tuple[str, dt.datetime, dict[str, object] | None]]) -> list[ClockEvent]:
    """(kind, at, payload) of a case's events, in order, as the clocks see them, hop by hop.

    A case routed down the ladder (city bureau -> county bureau -> county department) has one
    event per hop; its clocks are those of the organ holding it (第二十二、二十三条):

    - a 转送 / 交办 to a petition bureau (payload ``to_bureau``) also starts the *route* clock for
      that bureau, as if it had registered the matter on that day: it must route it in its turn;
    - an onward hop (payload ``onward``: routed while 待受理 at a bureau) meets that route clock,
      closes the bureau's accept and objection periods, and starts them afresh for the new unit.
      The fold never restarts an open clock, so the hop is given as the routing event (meets
      *route*), ``closed`` (ends what the bureau had open) and the routing event again (starts
      *accept* / *object*). Nothing else is open while a case waits for acceptance.
    """
    result: list[ClockEvent] = []
    for kind, at, payload in rows:
        event = clock_event(kind, at, payload)
        result.append(event)
        if kind not in _ROUTING_KINDS or not isinstance(payload, dict):
            continue
        if payload.get("onward"):
            result += [ClockEvent(kind="closed", at=event.at), event]
        if payload.get("to_bureau"):
            result.append(ClockEvent(kind="registered", at=event.at))
    return result


def _clock_events(events: Iterable[CaseEvent]) -> list[ClockEvent]:
    return clock_events((event.kind, event.at, event.payload) for event in events)


def case_clocks(
    case: Case, *, events: Iterable[CaseEvent] | None = None, today: dt.date | None = None
) -> tuple[Clock, ...]:
    rows = list(events) if events is not None else list(case.events.order_by("seq"))
    return derive_clocks(
        _clock_events(rows), profile_for(case).rules, work_calendar(), today=today or local_date()
    )


def clock_warnings(clocks: Iterable[Clock]) -> tuple[str, ...]:
    """The calendar warnings of the clocks, each once (e.g. 2027年节假日安排未导入……)."""
    return tuple(dict.fromkeys(w for clock in clocks for w in clock.warnings))


def due_moment(day: dt.date) -> dt.datetime:
    """A period ends at 24:00 of its last day, Beijing time (《民法典》第二百零三条)."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=LOCAL_TZ)


def due_day(moment: dt.datetime) -> dt.date:
    """The last day of the period that ends at `moment` (the inverse of `due_moment`)."""
    return moment.astimezone(LOCAL_TZ).date() - dt.timedelta(days=1)


def _next_due_at(case: Case, clocks: Sequence[Clock]) -> dt.datetime | None:
    day = next_due(clocks)
    warnings = clock_warnings(c for c in clocks if c.due_on == day)
    if warnings:
        logger.warning("信访件 %s 的期限按仅周末休息计算：%s", case.number, "；".join(warnings))
    return due_moment(day) if day else None


def duty_clock_names(profiles: Mapping[str, PolicyProfile] | None = None) -> frozenset[str]:
    """Clock names that are a duty in every profile that has them.

    Only such a name, stored in `Case.next_due_clock`, says "an organ's duty" without knowing the
    case's profile; a name that is a window anywhere is stored for the cases where it is one.
    """
    kinds: dict[str, set[str]] = {}
    for profile in (profiles if profiles is not None else current_profiles()).values():
        for name, rule in profile.rules.items():
            kinds.setdefault(name, set()).add(rule.kind)
    return frozenset(name for name, seen in kinds.items() if seen == {"duty"})


def next_due_clock(clocks: Sequence[Clock], duties: frozenset[str] | None = None) -> str:
    """The name stored in `Case.next_due_clock`: the clock due at the next due moment.

    A duty clock is named before a window due the same day. Blank ("not known: derive") when
    nothing is due, or when the clock due is a duty and more than one duty clock is open, since
    each of those may need a warning and one name cannot say so; also blank for a duty whose name
    is a window in another profile (not in `duties`, see `duty_clock_names`). So a stored window
    name always means "the next thing due is no organ's duty", and a blank name with a due moment
    means it is one: `overdue_q` needs no derivation. With one open duty clock named, the sweep can
    warn from the stored row alone: a duty clock stays open until an event (and so a service) ends it.
    """
    due = next_due_clocks(clocks)
    if not due:
        return ""
    first = due[0]
    if first.kind != "duty":
        return first.name
    open_duties = [c for c in clocks if c.kind == "duty" and c.state in OPEN_STATES and c.due_on]
    if len(open_duties) > 1 or (duties is not None and first.name not in duties):
        return ""
    return first.name


def case_next_due(case: Case, *, events: Iterable[CaseEvent]) -> tuple[dt.datetime | None, str]:
    """The next due moment of the case and the name of the clock due then (see `next_due_clock`)."""
    return next_due_of(case, case_clocks(case, events=events))


def next_due_of(case: Case, clocks: Sequence[Clock]) -> tuple[dt.datetime | None, str]:
    """`case_next_due` from the case's clocks derived already."""
    return _next_due_at(case, clocks), next_due_clock(clocks, duty_clock_names())


# -- overdue: an organ's duty clock past its due moment ---------------------------------------


def overdue_q(at: dt.datetime, duties: frozenset[str] | None = None) -> Q:
    """Cases with an organ's duty clock past its due moment at `at`, from the stored row alone.

    The one meaning of "overdue" (超期) for lists, pages, the API and reports; a petitioner's
    window that passed (复查, rating) is not an organ being late. `next_due_at` is the earliest open
    clock, so a duty past due keeps it in the past. The clock due then is a duty when its stored
    name is one, or when the name is blank (several duties open, see `next_due_clock`; a row
    written before the name was stored counts too, until the nightly recompute names its clock).
    A window that lapsed keeps its moment stored until the sweep re-derives the case (its next
    run), so a duty due after it is seen from then on. The sweep flags the same clocks (期限预警).
    An indexed filter: `next_due_at` first.
    """
    duties = duty_clock_names() if duties is None else duties
    return Q(next_due_at__lte=at) & (Q(next_due_clock__in=sorted(duties)) | Q(next_due_clock=""))


def is_overdue(case: Case, at: dt.datetime, duties: frozenset[str] | None = None) -> bool:
    """`overdue_q` for a case in hand (its stored `next_due_at` and `next_due_clock`)."""
    if case.next_due_at is None or case.next_due_at > at:
        return False
    return case.next_due_clock == "" or case.next_due_clock in (
        duty_clock_names() if duties is None else duties
    )


def case_next_due_at(case: Case, *, events: Iterable[CaseEvent]) -> dt.datetime | None:
    return case_next_due(case, events=events)[0]


# -- many cases at once (sweeps, recompute_due) -------------------------------------------------


@dataclass(frozen=True)
class CaseClocks:
    case: Case
    clocks: tuple[Clock, ...]
    next_due_at: dt.datetime | None
    next_due_clock: str = ""


def clocks_of_cases(cases: Sequence[Case], *, today: dt.date | None = None) -> list[CaseClocks]:
    """Every clock of each case, reading all their events in one query.

    `cases` should come with `problem_region` selected. Events are read as plain tuples (no
    model instances: a sweep may derive thousands). A case whose log the clocks cannot fold is
    logged and left out rather than stopping the batch.
    """
    today = today or local_date()
    by_case: dict[int, list[ClockEvent]] = defaultdict(list)
    rows = CaseEvent.objects.filter(case_id__in=[c.pk for c in cases]).order_by("case_id", "seq")
    for case_id, kind, at, payload in rows.values_list("case_id", "kind", "at", "payload"):
        by_case[case_id].extend(clock_events([(kind, at, payload)]))
    calendar = work_calendar()
    duties = duty_clock_names()
    result = []
    for case in cases:
        try:
            clocks = derive_clocks(by_case.get(case.pk, []), profile_for(case).rules, calendar, today=today)
        except ValueError as exc:
            logger.error("信访件 %s 的办理记录无法计算期限：%s", case.number, exc)
            continue
        result.append(CaseClocks(case, clocks, _next_due_at(case, clocks), next_due_clock(clocks, duties)))
    return result


def store_next_due_at(case: Case, next_due_at: dt.datetime | None, clock: str = "") -> bool:
    """Write a recomputed due moment (and its clock) unless a service changed the case meanwhile.

    Only the projection fields are written. The condition on `version` (every service bumps it
    under the row lock) means a service that acted after we read the case wins: it recomputed
    the moment itself. `clock` is the `next_due_clock` name; left out it is stored blank ("not
    known"), which the sweep derives. Returns whether the row was updated.
    """
    same_clock = "next_due_clock" not in case.get_deferred_fields() and case.next_due_clock == clock
    if case.next_due_at == next_due_at and same_clock:
        return False
    return bool(
        Case.objects.filter(pk=case.pk, version=case.version, next_due_at=case.next_due_at).update(
            next_due_at=next_due_at, next_due_clock=clock
        )
    )
