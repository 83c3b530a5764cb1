"""Every statutory clock of a case, derived from its events (pure: no Django, no database).

:func:`derive_clocks` folds the case's events (:class:`~xinfang.deadlines.events.ClockEvent`, in
date order) over the effective rules of its policy profile and a :class:`WorkCalendar`, as they
stand on ``today``. Nothing is stored: change the calendar or a rule and derive again.

Event kinds (full table in :mod:`xinfang.deadlines.events`):

- lifecycle: ``registered``, ``forwarded``, ``assigned``, ``accepted``, ``declined``, ``objected``,
  ``replied``, ``delivered``, ``rated``, ``review_requested``, ``review_decided``,
  ``rereview_requested``, ``rereview_decided``. Which of them start, meet or cancel which clock is
  profile data (``DeadlineRule.start_events``/``end_events``/``cancel_events``); with the shipped
  profiles: ``registered`` starts *route*; ``forwarded``/``assigned`` meet *route* and start *accept*
  and *object* (第二十二、二十三条); ``accepted`` meets *accept* and *route*, cancels *object* and
  starts *handle*; ``objected`` meets *object* and cancels *accept*; ``replied`` meets *handle*
  (第三十四条); ``delivered`` starts *review_request* and *rating*; ``review_requested`` meets
  *review_request* and starts *review_decide*; ``review_decided`` meets it and starts
  *rereview_request* (第三十五条); ``rereview_requested``/``rereview_decided`` likewise (第三十六条).
- control: ``extended``, ``paused``/``resumed``, ``hearing_started``/``hearing_ended``, ``closed``.

Rules of the fold:

- A start event starts a clock that has not started or has finished (met, cancelled); it does not
  restart an open one, so a second 转送 cannot hide a late first one. Events after ``today`` are not
  yet known and are left out; events out of date order are an error.
- An end or cancel event affects only an open clock (running or paused).
- ``extended`` adds ``payload["days"]`` (in the clock's unit) to an open clock; more than the rule's
  ``extension_limit`` in total, or more extensions than ``max_extensions``, is a ValueError
  (第三十四条: once, at most 30 days, under the national profile).
- A pause stops open *duty* clocks (or those named in ``payload["clocks"]``) that are not yet past
  due; a clock started while a pause is open is not paused. Paused from day ``p`` to the resume day
  ``r``, a calendar-day clock gains ``r - p`` calendar days and a working-day clock gains the working
  days in ``(p, r]``; its due date is the period end of ``length + extensions + paused`` units from
  the start. The clock runs again on ``r``. Hearings (听证, 第三十六条) and other pauses may overlap;
  the clock runs only when both are over. An end event during a pause closes it on that day.
- While paused, ``due_on`` is the due date if the clock resumed ``today``.

Each :class:`Clock` reports the years the calendar had to guess (weekends only) for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from xinfang.deadlines.calendar import Unit, WorkCalendar, missing_year_warnings
from xinfang.deadlines.events import (
    PAUSE_CLOSERS,
    PAUSE_OPENERS,
    ClockEvent,
    EventKind,
)
from xinfang.deadlines.profiles import DeadlineRule, RuleKind

__all__ = [
    "OPEN_STATES",
    "Clock",
    "ClockEvent",
    "ClockState",
    "EventKind",
    "derive_clocks",
    "next_due",
    "next_due_clocks",
]

ClockState = Literal["not_started", "running", "paused", "met", "met_late", "overdue", "lapsed", "cancelled"]
# still waiting for its end event, with a due date that matters to the case's next due moment
OPEN_STATES: frozenset[ClockState] = frozenset({"running", "overdue"})

_DEFAULT_EXTENDED_CLOCK = "handle"  # 第三十四条 is the extension the law names


@dataclass(frozen=True, slots=True)
class Clock:
    """One clock of a case as it stands on the day it was derived."""

    name: str
    state: ClockState
    rule: DeadlineRule
    started_on: date | None = None
    due_on: date | None = None
    ended_on: date | None = None
    # days the clock stood still, in the clock's unit (calendar days or working days)
    paused_days: int = 0
    # days added by approved extensions, in the clock's unit
    extension_days: int = 0
    missing_years: tuple[int, ...] = ()

    @property
    def unit(self) -> Unit:
        return self.rule.unit

    @property
    def kind(self) -> RuleKind:
        return self.rule.kind

    @property
    def legal_ref(self) -> str:
        return self.rule.legal_ref

    @property
    def calendar_incomplete(self) -> bool:
        return bool(self.missing_years)

    @property
    def warnings(self) -> tuple[str, ...]:
        return missing_year_warnings(self.missing_years)


def derive_clocks(
    events: Iterable[ClockEvent],
    rules: Mapping[str, DeadlineRule],
    calendar: WorkCalendar,
    *,
    today: date,
) -> tuple[Clock, ...]:
    """Every clock named in ``rules`` (in that order), derived from ``events`` as of ``today``."""
    fold = _Fold(rules, calendar)
    for event in _known_by(events, today):
        fold.apply(event)
    return tuple(_clock(rule, fold.runs.get(name), calendar, today) for name, rule in rules.items())


def next_due(clocks: Iterable[Clock]) -> date | None:
    """The earliest due date among open clocks (running, or overdue and still unmet); else None.

    Paused clocks have no due date until they resume; met, lapsed and cancelled ones are done.
    """
    return min((c.due_on for c in clocks if c.state in OPEN_STATES and c.due_on), default=None)


def next_due_clocks(clocks: Iterable[Clock]) -> tuple[Clock, ...]:
    """The open clocks due on :func:`next_due`'s date, duties before windows (else in order)."""
    clocks = tuple(clocks)
    day = next_due(clocks)
    if day is None:
        return ()
    due = [c for c in clocks if c.state in OPEN_STATES and c.due_on == day]
    return tuple(sorted(due, key=lambda c: c.kind != "duty"))


# -- the fold --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Run:
    """The mutable state of one started clock while the events are folded."""

    rule: DeadlineRule
    started_on: date
    extension_days: int = 0
    extensions: int = 0
    paused_days: int = 0
    paused_since: date | None = None
    pause_sources: set[str] = field(default_factory=set)
    ended_on: date | None = None
    outcome: Literal["met", "cancelled"] | None = None

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    def paused_total(self, calendar: WorkCalendar, until: date) -> int:
        if self.paused_since is None:
            return self.paused_days
        return self.paused_days + _pause_length(self.rule.unit, calendar, self.paused_since, until)

    def due_on(self, calendar: WorkCalendar, until: date) -> date:
        """The due date, counting an open pause as if it ended on ``until``."""
        units = self.rule.length + self.extension_days + self.paused_total(calendar, until)
        return calendar.period_end(self.started_on, units, unit=self.rule.unit)

    def pause(self, source: str, at: date, calendar: WorkCalendar) -> None:
        if not self.is_open:
            return
        if self.paused_since is None:
            if at > self.due_on(calendar, at):
                return  # already overdue: a later pause cannot make it timely
            self.paused_since = at
        self.pause_sources.add(source)

    def resume(self, source: str, at: date, calendar: WorkCalendar) -> None:
        self.pause_sources.discard(source)
        if not self.pause_sources:
            self._close_pause(at, calendar)

    def end(self, outcome: Literal["met", "cancelled"], at: date, calendar: WorkCalendar) -> None:
        self._close_pause(at, calendar)
        self.pause_sources.clear()
        self.outcome, self.ended_on = outcome, at

    def extend(self, days: object, at: date) -> None:
        where = f"extended on {at}: clock '{self.rule.clock}'"
        limit = self.rule.extension_limit
        if limit is None:
            raise ValueError(f"{where} cannot be extended ({self.rule.legal_ref})")
        if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
            raise ValueError(
                f"extended on {at}: payload 'days' must be a positive whole number, got {days!r}"
            )
        if self.extensions >= self.rule.max_extensions:
            raise ValueError(f"{where} may be extended at most {self.rule.max_extensions} time(s)")
        if self.extension_days + days > limit:
            raise ValueError(
                f"{where}: {days} more days would exceed the extension limit of {limit} days "
                f"({self.extension_days} already granted; {self.rule.legal_ref})"
            )
        self.extensions += 1
        self.extension_days += days

    def _close_pause(self, at: date, calendar: WorkCalendar) -> None:
        if self.paused_since is not None:
            self.paused_days += _pause_length(self.rule.unit, calendar, self.paused_since, at)
            self.paused_since = None


_Outcome = Literal["met", "cancelled"]
_Ends = dict[str, tuple[tuple[str, _Outcome], ...]]  # event kind -> (clock, how it ends), in order
_Starts = dict[str, tuple[str, ...]]  # event kind -> the clocks it starts, in order
_INDEXES: dict[int, tuple[Mapping[str, DeadlineRule], _Ends, _Starts]] = {}


def _lifecycle_index(rules: Mapping[str, DeadlineRule]) -> tuple[_Ends, _Starts]:
    """For each event kind, the clocks it ends (met before cancelled, as a rule lists both) and
    those it starts, in the order of ``rules``; kept per rules object (a profile's are reused for
    every case)."""
    cached = _INDEXES.get(id(rules))
    if cached is not None and cached[0] is rules:
        return cached[1], cached[2]
    ends: dict[str, list[tuple[str, _Outcome]]] = {}
    starts: dict[str, list[str]] = {}
    for name, rule in rules.items():
        for kind in rule.end_events:
            ends.setdefault(kind, []).append((name, "met"))
        for kind in set(rule.cancel_events) - set(rule.end_events):
            ends.setdefault(kind, []).append((name, "cancelled"))
        for kind in rule.start_events:
            starts.setdefault(kind, []).append(name)
    if len(_INDEXES) > 64:  # rules built afresh each time (tests, the back office's preview)
        _INDEXES.clear()
    index = ({k: tuple(v) for k, v in ends.items()}, {k: tuple(v) for k, v in starts.items()})
    _INDEXES[id(rules)] = (rules, *index)
    return index


class _Fold:
    """Applies events one by one to the clocks' running state."""

    def __init__(self, rules: Mapping[str, DeadlineRule], calendar: WorkCalendar) -> None:
        self.rules = rules
        self.calendar = calendar
        self.runs: dict[str, _Run] = {}
        self.open_pauses: dict[str, date] = {}

    def apply(self, event: ClockEvent) -> None:
        if event.kind in PAUSE_OPENERS:
            self._pause(event, PAUSE_OPENERS[event.kind])
        elif event.kind in PAUSE_CLOSERS:
            self._resume(event, PAUSE_CLOSERS[event.kind])
        elif event.kind == EventKind.EXTENDED:
            self._extend(event)
        elif event.kind == EventKind.CLOSED:
            for run in self._open_runs():
                run.end("cancelled", event.at, self.calendar)
        else:
            self._lifecycle(event)

    def _lifecycle(self, event: ClockEvent) -> None:
        # ends and cancels first, then starts: one event may meet one clock and start the next
        ends, starts = _lifecycle_index(self.rules)
        for name, outcome in ends.get(event.kind, ()):
            run = self.runs.get(name)
            if run is not None and run.is_open:
                run.end(outcome, event.at, self.calendar)
        for name in starts.get(event.kind, ()):
            run = self.runs.get(name)
            if run is None or not run.is_open:
                self.runs[name] = _Run(rule=self.rules[name], started_on=event.at)

    def _pause(self, event: ClockEvent, source: str) -> None:
        if source in self.open_pauses:
            since = self.open_pauses[source]
            raise ValueError(f"{event.kind} on {event.at}: already paused ({source}) since {since}")
        self.open_pauses[source] = event.at
        for run in self._pause_targets(event):
            run.pause(source, event.at, self.calendar)

    def _resume(self, event: ClockEvent, source: str) -> None:
        if self.open_pauses.pop(source, None) is None:
            raise ValueError(f"{event.kind} on {event.at}: nothing to resume, no open '{source}' pause")
        for run in self.runs.values():
            if source in run.pause_sources:
                run.resume(source, event.at, self.calendar)

    def _pause_targets(self, event: ClockEvent) -> list[_Run]:
        named = event.payload.get("clocks")
        if named is None:
            return [run for run in self._open_runs() if run.rule.kind == "duty"]
        if not isinstance(named, Sequence) or isinstance(named, str) or not set(named) <= set(self.rules):
            raise ValueError(
                f"{event.kind} on {event.at}: payload 'clocks' must list clock names from "
                f"{list(self.rules)}, got {named!r}"
            )
        return [run for name in named if (run := self.runs.get(name)) is not None and run.is_open]

    def _extend(self, event: ClockEvent) -> None:
        name = event.payload.get("clock", _DEFAULT_EXTENDED_CLOCK)
        run = self.runs.get(name) if isinstance(name, str) else None
        if run is None or not run.is_open:
            raise ValueError(f"extended on {event.at}: payload 'clock' {name!r} is not a running clock")
        run.extend(event.payload.get("days"), event.at)

    def _open_runs(self) -> list[_Run]:
        return [run for run in self.runs.values() if run.is_open]


# -- helpers ---------------------------------------------------------------------------------


def _known_by(events: Iterable[ClockEvent], today: date) -> Iterable[ClockEvent]:
    """The events up to and including ``today``, checking they come in date order."""
    previous: ClockEvent | None = None
    for event in events:
        if previous is not None and event.at < previous.at:
            raise ValueError(
                f"events must be in date order: '{event.kind}' on {event.at} "
                f"follows '{previous.kind}' on {previous.at}"
            )
        previous = event
        if event.at <= today:
            yield event


def _pause_length(unit: Unit, calendar: WorkCalendar, since: date, until: date) -> int:
    if unit == "workday":
        return calendar.working_days_between(since, until)
    return (until - since).days


def _clock(rule: DeadlineRule, run: _Run | None, calendar: WorkCalendar, today: date) -> Clock:
    if run is None:
        return Clock(name=rule.clock, state="not_started", rule=rule)
    until = run.ended_on or today
    due_on = run.due_on(calendar, until)
    return Clock(
        name=rule.clock,
        state=_state(run, due_on, today),
        rule=rule,
        started_on=run.started_on,
        due_on=due_on,
        ended_on=run.ended_on,
        paused_days=run.paused_total(calendar, until),
        extension_days=run.extension_days,
        missing_years=calendar.missing_years(run.started_on, due_on),
    )


def _state(run: _Run, due_on: date, today: date) -> ClockState:
    if run.outcome == "met":
        return "met" if run.ended_on is not None and run.ended_on <= due_on else "met_late"
    if run.outcome == "cancelled":
        return "cancelled"
    if run.paused_since is not None:
        return "paused"
    if today <= due_on:
        return "running"
    return "overdue" if run.rule.kind == "duty" else "lapsed"
