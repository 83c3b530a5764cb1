"""The report facts of a case (`CaseFact`): derived from its events, stored in its transaction.

Reports count these narrow, indexed rows and never read the event log. Each column is defined
once, here, from the case's registration facts (the `Case` row, written once at registration and
never changed by a service), its events and the clocks derived from them, with the definitions of
`xinfang.cases.expressions` (集体访, 越级访, 进京访, the channel groups) and of the replay (status,
links). The full table of columns: docs/development.md, "Fact rows".

- `store_facts` writes one case's row; `services._core.project` calls it after every event, with
  the events it has already read, so an action costs one more statement (INSERT at registration,
  UPDATE afterwards) and no read.
- `rebuild_facts` writes the rows of many cases (the data migration, `rebuild_case_facts`).
- `fact_differences` compares a stored row with the recomputed one (`verify_events`).

Some columns depend on configuration as well as on the events: the clocks' due dates on the
working-day calendar and the deadline profiles, `is_collective` on XINFANG_COLLECTIVE_THRESHOLD.
After editing those, run `manage.py rebuild_case_facts` (verify_events names such rows).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Min, OuterRef, Q, Subquery

from xinfang.cases.categories import level1_code
from xinfang.cases.clocks import clock_event, work_calendar
from xinfang.cases.clocks import clock_events as derive_clock_events
from xinfang.cases.expressions import BEIJING_VISIT, COLLECTIVE, SKIP_LEVEL, channel_group_of
from xinfang.cases.models import Case, CaseFact, Channel
from xinfang.cases.replay import EventLike, Projection, ReplayError, replay
from xinfang.cases.vocabulary import Clock, EventKind
from xinfang.core.timeutil import local_date
from xinfang.deadlines.clocks import Clock as DerivedClock
from xinfang.deadlines.clocks import derive_clocks
from xinfang.deadlines.profiles import profile_for_region
from xinfang.deadlines.selectors import current_profiles

# The columns that follow other cases' events (their links to this case), not this case's own:
# kept by `refresh_first_repeats`, checked by `verify_events` on their own.
LINKED_FIELDS = ("first_repeat_on",)
# The columns of a fact row derived from the case's own row and events (attribute names: `_id`
# for a foreign key), in the model's order; not those the database computes from them (`codes`).
FACT_FIELDS: tuple[str, ...] = tuple(
    field.attname
    for field in CaseFact._meta.concrete_fields
    if not field.primary_key
    and field.attname not in LINKED_FIELDS
    and not isinstance(field, models.GeneratedField)
)
# Columns that follow configuration as well as the events (see the module docstring).
CONFIGURED_FIELDS = frozenset(
    {"route_due_on", "accept_due_on", "handle_due_on", "rating_due_on", "is_collective"}
)

# The events after which the matter counts as 办结: the reply served on the petitioner (送达), or a
# conclusion without one (不予受理, 不再受理, 终结, and 复核意见, which is final).
CLOSING_KINDS = frozenset(
    {
        EventKind.DELIVERED,
        EventKind.DECLINED,
        EventKind.REFUSED_AGAIN,
        EventKind.TERMINATED,
        EventKind.REREVIEW_DECIDED,
    }
)
_REPLY_KINDS = frozenset({EventKind.REPLIED, EventKind.ANSWERED})
_MET = frozenset({"met", "met_late"})


@dataclass(frozen=True)
class CaseInput:
    """What a case's facts need from its row, named as on `Case` so the report conditions
    (`expressions.COLLECTIVE` ...) hold on it as they do on the case."""

    pk: int
    channel: str
    nature: str
    category_id: int
    problem_region_id: int
    problem_region_path: str
    problem_region_code: str
    registered_org_id: int
    registered_level: str
    outside_level: str
    received_on: dt.date
    headcount: int
    via_proper_ladder: bool

    @classmethod
    def of(cls, case: Case) -> CaseInput:
        """From a case whose problem region is loaded (the services' locked case is)."""
        region = case.problem_region
        return cls(
            pk=case.pk,
            channel=case.channel,
            nature=case.nature,
            category_id=case.category_id,
            problem_region_id=region.pk,
            problem_region_path=region.path,
            problem_region_code=region.code,
            registered_org_id=case.registered_org_id,
            registered_level=case.registered_level,
            outside_level=case.outside_level,
            received_on=case.received_on,
            headcount=case.headcount,
            via_proper_ladder=case.via_proper_ladder,
        )


# What a case written before a registration fact existed has for it (a migration's rebuild).
_CASE_DEFAULTS = {"outside_level": ""}

# The `Case` values behind a CaseInput, in its field order (for values_list over many cases).
CASE_INPUT_VALUES = (
    "pk",
    "channel",
    "nature",
    "category_id",
    "problem_region_id",
    "problem_region__path",
    "problem_region__code",
    "registered_org_id",
    "registered_level",
    "outside_level",
    "received_on",
    "headcount",
    "via_proper_ladder",
)


def territory_q(region_path: str, *, prefix: str = "") -> Q:
    """Facts whose problem region is the region with `region_path` or lies under it (属地).

    `prefix` names the relation from the queried model (``"report_fact__"`` on `Case`). An indexed
    prefix range: PostgreSQL uses the pattern index of `problem_region_path`.
    """
    return Q(**{f"{prefix}problem_region_path__startswith": region_path})


def _day(event: EventLike | None) -> dt.date | None:
    return None if event is None else local_date(event.at)


def _payload(event: EventLike | None) -> Mapping[str, Any]:
    payload = getattr(event, "payload", None)
    return payload if isinstance(payload, Mapping) else {}


def _text(event: EventLike | None, key: str) -> str:
    value = _payload(event).get(key)
    return value if isinstance(value, str) else ""


def fact_clocks(case: CaseInput, events: Sequence[EventLike]) -> dict[str, DerivedClock]:
    """The case's clocks as its events leave them, on the calendar and profile in force.

    Derived "as of" the day of the last event, so the row is a function of the events (and the
    configuration) and not of the day it is written; a clock in a pause has no due date until it
    resumes, so it is stored without one. A log the clocks cannot fold gives no clock dates.
    """
    return fact_clocks_as_of(case, events)[1]


def fact_clocks_as_of(
    case: CaseInput, events: Sequence[EventLike]
) -> tuple[dt.date | None, dict[str, DerivedClock]]:
    """`fact_clocks` and the day they are derived as of (the last day the clocks see in the log;
    None for an empty log)."""
    # Hop by hop, as the case's clocks are (a case routed down the ladder restarts them per hop).
    clock_events = derive_clock_events((e.kind, e.at, _payload(e) or {}) for e in events)
    if not clock_events:
        return None, {}
    day = max(e.at for e in clock_events)
    rules = profile_for_region(current_profiles(), case.problem_region_code).rules
    try:
        clocks = derive_clocks(clock_events, rules, work_calendar(), today=day)
    except ValueError:
        return day, {}
    return day, {clock.name: clock for clock in clocks}


def _due(clock: DerivedClock | None) -> dt.date | None:
    if clock is None or clock.state in {"not_started", "paused"}:
        return None
    return clock.due_on


def _met_on(clock: DerivedClock | None) -> dt.date | None:
    return clock.ended_on if clock is not None and clock.state in _MET else None


def fact_values(
    case: CaseInput,
    events: Iterable[EventLike],
    projection: Projection | None = None,
    *,
    clocks: Mapping[str, DerivedClock] | None = None,
) -> dict[str, Any]:
    """The fact row of a case (column attribute name → value) from its row and its whole log.

    `projection`: the replay of `events` when the caller has it; ReplayError if the log cannot
    be replayed. `clocks`: `fact_clocks` of the case when the caller has them.
    """
    events = list(events)
    state = replay(events) if projection is None else projection
    first: dict[str, EventLike] = {}
    ratings: dict[str, EventLike] = {}
    closing: dt.date | None = None
    for event in events:
        first.setdefault(event.kind, event)
        if event.kind == EventKind.RATED:
            ratings.setdefault(_text(event, "track"), event)
        if closing is None and event.kind in CLOSING_KINDS:
            # a reply served before the clerk recorded it was served that day (as the clocks count)
            closing = clock_event(event.kind, event.at, dict(_payload(event))).at
    clocks = fact_clocks(case, events) if clocks is None else clocks
    accepted = first.get(EventKind.ACCEPTED)
    answered = first.get(EventKind.ANSWERED)
    reply = next((e for e in events if e.kind in _REPLY_KINDS), None)
    handled_by = accepted or answered
    declined = first.get(EventKind.DECLINED) or first.get(EventKind.REFUSED_AGAIN)
    bureau, unit = ratings.get("bureau"), ratings.get("unit")
    category_code = _text(events[0], "category") if events else ""
    return {
        "received_on": state.received_on or case.received_on,
        "registered_on": _day(events[0]) if events else None,
        "problem_region_id": case.problem_region_id,
        "problem_region_path": case.problem_region_path,
        "registered_org_id": case.registered_org_id,
        "registered_level": case.registered_level,
        "channel": case.channel,
        "channel_group": channel_group_of(case.channel),
        "nature": case.nature,
        "category_id": case.category_id,
        "category_l1": level1_code(category_code) if category_code else "",
        "category_l2": f"{category_code[:4]}00" if category_code[2:4] not in {"", "00"} else "",
        "headcount": case.headcount,
        "is_collective": COLLECTIVE.holds(case),
        "is_skip_level": SKIP_LEVEL.holds(case),
        "is_beijing_visit": BEIJING_VISIT.holds(case),
        # an imported visit counts at the level of the outside organ that registered it
        "visit_level": (case.outside_level or case.registered_level) if case.channel == Channel.VISIT else "",
        "is_repeat": state.repeat_of_id is not None,
        "repeat_of_id": state.repeat_of_id,
        "duplicate_of_id": state.duplicate_of_id,
        "status": state.status,
        "route_due_on": _due(clocks.get(Clock.ROUTE)),
        "accepted_by_bureau_on": _met_on(clocks.get(Clock.ROUTE)),
        "accept_due_on": _due(clocks.get(Clock.ACCEPT)),
        "accepted_by_unit_on": _day(accepted),
        "accepted_on": min((d for d in (_day(accepted), _day(answered)) if d), default=None),
        "responsible_org_id": getattr(handled_by, "org_id", None),
        "handle_due_on": _due(clocks.get(Clock.HANDLE)),
        "replied_on": _day(reply),
        "reply_outcome": _text(reply, "outcome"),
        "closed_on": closing,
        "declined": declined.kind if declined is not None else "",
        "declined_reason": _text(first.get(EventKind.DECLINED), "legal_channel"),
        "review_requested_on": _day(first.get(EventKind.REVIEW_REQUESTED)),
        "review_outcome": _text(first.get(EventKind.REVIEW_DECIDED), "outcome"),
        "rereview_requested_on": _day(first.get(EventKind.REREVIEW_REQUESTED)),
        "rereview_outcome": _text(first.get(EventKind.REREVIEW_DECIDED), "outcome"),
        "terminated_on": _day(first.get(EventKind.TERMINATED)),
        "termination_reason": _text(first.get(EventKind.TERMINATED), "reason"),
        "rating_due_on": _due(clocks.get(Clock.RATING)),
        "bureau_rating": _text(bureau, "value"),
        "bureau_rated_on": _day(bureau),
        "unit_rating": _text(unit, "value"),
        "unit_rated_on": _day(unit),
    }


def store_facts(case: Case, events: Sequence[EventLike], projection: Projection, *, first: bool) -> None:
    """Write the fact row of `case` after an event: one statement, in the caller's transaction.

    `first`: the case's first projection (registration), which has no row yet.
    """
    values = fact_values(CaseInput.of(case), events, projection)
    if first or not CaseFact.objects.filter(pk=case.pk).update(**values):
        # also a case written before fact rows existed, if it was not rebuilt
        CaseFact(case_id=case.pk, **values).save(force_insert=True)
    if events and events[-1].kind in _LINK_KINDS:
        # This case became (or stopped being) a repeat of another, or a duplicate: the earlier
        # cases it names keep their first repeat's date (one more statement, on links only).
        refresh_first_repeats(_link_targets(events))


# The events that set a case's repeat_of / duplicate_of (replay): a link, a 不再受理 of a repeat.
_LINK_KINDS = frozenset({EventKind.LINKED, EventKind.REFUSED_AGAIN})


def _link_targets(events: Sequence[EventLike]) -> set[int]:
    """Every case the case's link events ever named as the earlier one of a repeat."""
    targets = set()
    for event in events:
        if event.kind == EventKind.LINKED and event.payload.get("kind") == "repeat":
            targets.add(int(event.payload["target"]))
        elif event.kind == EventKind.REFUSED_AGAIN and event.payload.get("earlier") is not None:
            targets.add(int(event.payload["earlier"]))
    return targets


def first_repeats() -> Subquery:
    """`CaseFact.first_repeat_on` computed from the repeats' rows, for the row in `OuterRef`."""
    return Subquery(
        CaseFact.objects.filter(repeat_of_id=OuterRef("case_id"), duplicate_of__isnull=True)
        .order_by()
        .values("repeat_of_id")
        .annotate(first=Min("received_on"))
        .values("first")[:1]
    )


def refresh_first_repeats(case_ids: Iterable[int] | None) -> int:
    """Recompute `first_repeat_on` of the cases `case_ids` (None: every case): two statements.
    Only the cases some repeat points at get the subquery; the others (most of an archive) only
    lose a date they should no longer carry, so a whole rebuild writes the rows that change."""
    rows = CaseFact.objects.all()
    if case_ids is not None:
        ids = sorted(set(case_ids))
        if not ids:
            return 0
        rows = rows.filter(case_id__in=ids)
    targets = CaseFact.objects.filter(repeat_of__isnull=False, duplicate_of__isnull=True).values(
        "repeat_of_id"
    )
    repeated = rows.filter(case_id__in=targets).update(first_repeat_on=first_repeats())
    cleared = (
        rows.filter(first_repeat_on__isnull=False).exclude(case_id__in=targets).update(first_repeat_on=None)
    )
    return repeated + cleared


def fact_differences(stored: Mapping[str, Any], derived: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """(column, stored value, recomputed value) for every column that differs."""
    return [
        (name, stored.get(name), derived.get(name))
        for name in FACT_FIELDS
        if stored.get(name) != derived.get(name)
    ]


def fact_label(name: str) -> str:
    """The Chinese name of a column (its verbose name)."""
    field = next(f for f in CaseFact._meta.concrete_fields if f.attname == name)
    return str(field.verbose_name)


@dataclass
class Rebuilt:
    cases: int = 0
    failed: int = 0  # cases whose log cannot be replayed (verify_events names them)


def rebuild_facts(
    *,
    case_model: Any = Case,
    event_model: Any = None,
    fact_model: Any = CaseFact,
    case_ids: Sequence[int] | None = None,
    chunk: int = 2000,
) -> Rebuilt:
    """Rewrite the fact rows of `case_ids` (default: every case), one chunk per transaction.

    Each chunk's cases are locked (on PostgreSQL) while their rows are rewritten, so a service
    acting meanwhile waits and then writes its own row. Takes the model classes so that the data
    migration can pass its historical ones.
    """
    if event_model is None:
        from xinfang.cases.models import CaseEvent

        event_model = CaseEvent
    result = Rebuilt()
    # A migration's historical model has the columns of its time: later ones are filled by the
    # migration that adds them.
    columns = {field.attname for field in fact_model._meta.concrete_fields}
    # ... and its case model too: a column added later takes its default.
    case_columns = {n for f in case_model._meta.concrete_fields for n in (f.name, f.attname)} | {"pk"}
    present = [v for v in CASE_INPUT_VALUES if v.split("__")[0] in case_columns]
    names = [
        name
        for name, v in zip(CaseInput.__dataclass_fields__, CASE_INPUT_VALUES, strict=True)
        if v in present
    ]
    cases = case_model.objects.order_by("pk")
    if case_ids is not None:
        cases = cases.filter(pk__in=list(case_ids))
    last = 0
    while True:
        with transaction.atomic():
            batch = list(
                cases.select_for_update(of=("self",)).filter(pk__gt=last).values_list(*present)[:chunk]
            )
            if not batch:
                break
            inputs = [CaseInput(**{**_CASE_DEFAULTS, **dict(zip(names, row, strict=True))}) for row in batch]
            last = inputs[-1].pk
            by_case: dict[int, list[_Row]] = {case.pk: [] for case in inputs}
            rows = event_model.objects.filter(case_id__in=list(by_case)).order_by("case_id", "seq")
            for case_id, kind, org_id, at, payload in rows.values_list(
                "case_id", "kind", "org_id", "at", "payload"
            ).iterator(chunk_size=chunk):
                by_case[case_id].append(_Row(kind, org_id, at, payload))
            facts = []
            for case in inputs:
                try:
                    values = fact_values(case, by_case[case.pk])
                    facts.append(
                        fact_model(case_id=case.pk, **{k: v for k, v in values.items() if k in columns})
                    )
                except ReplayError:
                    result.failed += 1
            # a case whose log cannot be replayed keeps the row it has
            fact_model.objects.filter(case_id__in=[fact.case_id for fact in facts]).delete()
            fact_model.objects.bulk_create(facts, batch_size=1000)
            result.cases += len(facts)
    if fact_model is CaseFact:  # a migration's historical model fills its own columns
        _refresh_after_rebuild(case_ids)
    return result


def _refresh_after_rebuild(case_ids: Sequence[int] | None) -> None:
    """The rebuilt rows' first repeats, and those of the cases they are repeats of."""
    if case_ids is None:
        refresh_first_repeats(None)
        return
    targets = CaseFact.objects.filter(case_id__in=list(case_ids), repeat_of_id__isnull=False)
    refresh_first_repeats({*case_ids, *targets.values_list("repeat_of_id", flat=True)})


@dataclass(frozen=True)
class _Row:
    kind: str
    org_id: int | None
    at: dt.datetime
    payload: Any
