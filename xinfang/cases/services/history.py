"""Entering history in bulk: many already-concluded (or half-handled) matters in one transaction.

`case_enter_history` writes what registering each record and then linking, forwarding, accepting,
replying (recorded=True), serving, rating (imported=True) and terminating it through the one-step
services would write, each at its historic moment (a `HistoricRecord`), but with a few statements
per batch instead of some forty per case: the historic import of an archive
(xinfang.statistics.importer) enters a hundred thousand rows in minutes.

The same rules, the same rows. Every step is checked with the services' own checks (the
transitions table, the roles, `reply_payload`, the rating values and window, the termination
reasons with the 复查 window's clock), under `pinned_now` of the step's moment, so a record the
services would refuse is refused here with the same message and field, and nothing of it is
written. What is written is what the services write: the case with its projection (checked against
`replay` of its events, as `project()` checks it), petitioners encrypted as at registration, the
units, the hash-chained events (seq 1..n, `last_event_hash`), the access rows, the fact rows (and
the first repeat of each linked earlier case), the ratings, and the 文号 the forward, acceptance and
reply take from their organ's counters, in the order the one-step services would take them.

Not fired: ``on_case_event`` and the other per-event ``post_save`` receivers (rows are inserted in
bulk): history is not news, so nobody is notified of it; the document numbers they would give are
given here. ``on_cases_laid_out`` replaces ``on_case_registered`` for the duplicate index: its rows
(the band keys) are laid out with the cases' and written with them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from xinfang.cases.access import access_rows
from xinfang.cases.clocks import case_clocks, case_next_due, next_due_of
from xinfang.cases.documents.numbers import SERIES_BY_EVENT, format_number
from xinfang.cases.facts import CaseInput, fact_clocks_as_of, fact_values, refresh_first_repeats
from xinfang.cases.hooks import Table, on_cases_laid_out
from xinfang.cases.models import (
    Case,
    CaseAccess,
    CaseEvent,
    CaseFact,
    CaseUnit,
    Channel,
    ContentCategory,
    DocumentCounter,
    DocumentNumber,
    Nature,
    Petitioner,
    Rating,
    Status,
)
from xinfang.cases.replay import FIELD_LABELS, PROJECTED_FIELDS, ReplayError, differences, replay
from xinfang.cases.services._core import (
    BUREAU_ROLES,
    DECIDING_ROLES,
    GENESIS_HASH,
    UNIT_ROLES,
    ProjectionDrift,
    chain_key,
    check_transition,
    event_digest,
    require_role,
)
from xinfang.cases.services.appeals import (
    REASON_NOT_IN_SOURCE,
    REASON_REQUIRED,
    TERMINATION_REASONS,
)
from xinfang.cases.services.registration import (
    REGISTER_ROLES,
    PetitionerInput,
    _check_petitioners,
    _check_received_on,
    _petitioner_row,
    _without_control_characters,
    random_query_codes,
)
from xinfang.cases.services.replies import DELIVERY_METHODS, ReplyInput, reply_payload
from xinfang.cases.services.routing import _check_reach, _check_target, in_routing_reach
from xinfang.cases.vocabulary import Action, Clock, EventKind
from xinfang.core.bulk import insert_rows
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now, pinned_now
from xinfang.core.validation import MAX_CONTENT, MAX_HEADCOUNT, MAX_SUBJECT, required_text
from xinfang.orgs.models import Level, Org, Region, Role, User
from xinfang.orgs.selectors import user_memberships

# What the package xinfang.cases.services re-exports.
__all__ = [
    "HistoricRecord",
    "HistoryWrites",
    "IdBlocks",
    "TargetNotEntered",
    "case_enter_history",
    "lay_out_history",
    "write_history",
]

# The values the checks accept, once (a choices class builds its list on every `.values`).
_CHANNELS = frozenset(Channel.values)
_NATURES = frozenset(Nature.values)
_LEVELS = frozenset(Level.values)
_TRACKS = frozenset(Rating.Track.values)
_VALUES = frozenset(Rating.Value.values)
_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})  # exactly: not an enum's member


@dataclass(frozen=True)
class HistoricRecord:
    """One matter of an archive and the moments of its steps (aware; each later than the one before).

    `repeat_of`: the earlier matter it repeats, a case already here or the index of an earlier
    record of the same call. `unit`: forwarded there at `forwarded_at`. The reply (recorded after
    the fact) at `replied_at`, served on `delivered_on` (recorded at `delivered_at`); `ratings`:
    (track, value, moment) as the source system took them; `closed_at`: 终结, as the petitioner
    let the 复查 window pass when it has at that moment, else as having accepted the opinion.
    """

    org: Org
    channel: str
    nature: str
    category: ContentCategory
    subject: str
    content: str
    problem_region: Region
    petitioners: tuple[PetitionerInput, ...]
    received_on: dt.date
    registered_at: dt.datetime
    headcount: int = 1
    via_proper_ladder: bool = True
    outside_level: str = ""
    repeat_of: Case | int | None = None
    linked_at: dt.datetime | None = None
    unit: Org | None = None
    forwarded_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    reply: ReplyInput | None = None
    replied_at: dt.datetime | None = None
    delivery_method: str = "other"
    delivered_on: dt.date | None = None
    delivered_at: dt.datetime | None = None
    ratings: tuple[tuple[str, str, dt.datetime], ...] = ()
    closed_at: dt.datetime | None = None


class TargetNotEntered(ServiceError):
    """The record repeats an earlier record of the same call that was refused."""

    def __init__(self, index: int) -> None:
        super().__init__("所重复的信访件未能登记。", field="target")
        self.index = index


@dataclass(slots=True)
class _Event:
    """An event as `append_event` writes it (the fields of `CaseEvent`), and `replay`, the clocks
    and the facts read it, without a model instance."""

    kind: str
    actor_id: int | None
    org: Org | None
    at: dt.datetime
    payload: Any
    pk: int = 0
    case_id: int = 0
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""

    @property
    def org_id(self) -> int | None:
        return None if self.org is None else self.org.pk


@dataclass(slots=True)
class _Unit:
    org: Org
    since: dt.datetime
    is_active: bool = True


@dataclass(slots=True)
class _Rating:
    track: str
    org: Org
    value: str
    reason: str
    rated_at: dt.datetime


@dataclass
class _Draft:
    """A record checked and laid out in memory, before its rows are written."""

    case: Case
    petitioners: list[PetitionerInput]
    events: list[_Event] = field(default_factory=list)
    units: list[_Unit] = field(default_factory=list)
    ratings: list[_Rating] = field(default_factory=list)
    target: Case | _Draft | None = None
    clocks: dict[str, Any] | None = None  # `_final_clocks`, once the log is complete


class _Roles:
    """The actor's posts, read once: the same question as `permissions.holds_role`."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.held = (
            set() if actor.is_citizen else set(user_memberships(actor).values_list("org_id", "role"))  # type: ignore[misc]
        )

    def holds(self, org: Org, roles: Sequence[str]) -> bool:
        return any((org.pk, role) in self.held for role in roles)

    def require(self, org: Org, roles: Sequence[str], action: Action) -> None:
        if not self.holds(org, roles):
            require_role(self.actor, org, roles, action)  # raises the services' own refusal


def case_enter_history(*, actor: User, records: Sequence[HistoricRecord]) -> list[Case | ServiceError]:
    """Enter `records` in one transaction; for each, in order, the case written or why it was
    refused (a refused record writes nothing; the others are still written)."""
    with transaction.atomic():
        results, writes = lay_out_history(actor=actor, records=records)
        if writes is not None:
            write_history(writes)
        return results


@dataclass
class HistoryWrites:
    """The rows one call enters, laid out with their ids but not yet written (`write_history`).

    Plain rows per table, so that they can be laid out in one process and written in another
    (statistics.importer lays out the next batches while the last one is written)."""

    tables: list[Table]  # (model, fields, rows), in the order they are written
    numbered: list[tuple[int, int, str, Org, int]]  # (case, event, kind, issuer, year) of each 文号
    targets: set[int]  # the earlier cases whose first repeat may have changed


class IdBlocks:
    """Ids taken ahead in blocks, each block in a short transaction of its own (`_reserve_ids`):
    for laying out history outside the transaction that writes it."""

    def __init__(self, block: int = 20_000) -> None:
        self.block = block
        self.free: dict[Any, list[int]] = {}

    def take(self, model: Any, count: int) -> list[int]:
        free = self.free.setdefault(model, [])
        if len(free) < count:
            with transaction.atomic():
                free += _reserve_ids(model, max(count - len(free), self.block))
        taken, self.free[model] = free[:count], free[count:]
        return taken

    def release(self) -> None:
        """Give back the ids taken and not used, where nobody has taken ids after them (SQLite:
        the next case's number then follows on; a PostgreSQL sequence keeps its gaps)."""
        if connection.vendor != "sqlite":
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for model, free in self.free.items():
                if free:
                    cursor.execute(
                        "UPDATE sqlite_sequence SET seq = %s WHERE name = %s AND seq = %s",
                        [free[0] - 1, model._meta.db_table, free[-1]],
                    )
        self.free.clear()


def lay_out_history(
    *, actor: User, records: Sequence[HistoricRecord], ids: IdBlocks | None = None
) -> tuple[list[Case | ServiceError], HistoryWrites | None]:
    """Check `records` and lay out their rows (reads only, and the ids taken): for each record the
    case to be written or why it was refused, and the rows (None when every record was refused).
    `ids`: where the ids come from; None takes them in the caller's transaction, which must then
    write the rows. A `ProjectionDrift` refuses the whole call."""
    roles = _Roles(actor)
    reach: dict[tuple[int, int], bool] = {}
    results: list[_Draft | ServiceError] = []
    for record in records:
        try:
            results.append(_draft(record, actor, roles, reach, results))
        except ServiceError as exc:
            results.append(exc)
    drafts = [r for r in results if isinstance(r, _Draft)]
    writes = _lay_out(drafts, ids) if drafts else None
    return [r.case if isinstance(r, _Draft) else r for r in results], writes


def write_history(writes: HistoryWrites) -> None:
    """Write what `lay_out_history` laid out, in the caller's transaction."""
    for model, names, rows in writes.tables:
        insert_rows(model, names, rows)
    refresh_first_repeats(writes.targets)
    _number_documents(writes.numbered)


# --- checking, step by step, in memory --------------------------------------------------------------


def _event(draft: _Draft, kind: str, *, actor: User, org: Org | None, at: dt.datetime, payload: dict) -> None:
    # As stored and read back (a JSON column): dates become text, tuples lists.
    clean = payload if _is_json(payload) else json.loads(json.dumps(payload, ensure_ascii=False, default=str))
    draft.events.append(
        _Event(kind=kind, actor_id=actor.pk, org=org, at=at.astimezone(dt.UTC), payload=clean)
    )


def _is_json(value: Any) -> bool:
    """Whether `value` reads back from JSON as it is (most payloads: text, numbers, flags)."""
    if type(value) in _JSON_SCALARS:
        return True
    if type(value) is dict:
        return all(type(k) is str and _is_json(v) for k, v in value.items())
    return type(value) is list and all(_is_json(v) for v in value)


def _draft(
    record: HistoricRecord,
    actor: User,
    roles: _Roles,
    reach: dict[tuple[int, int], bool],
    earlier: list[_Draft | ServiceError],
) -> _Draft:
    with pinned_now(record.registered_at):
        draft = _register(record, actor, roles)
    case = draft.case
    if record.repeat_of is not None:
        assert record.linked_at is not None
        with pinned_now(record.linked_at):
            _link(draft, record, actor, roles, earlier)
    if record.unit is not None:
        assert record.forwarded_at is not None
        with pinned_now(record.forwarded_at):
            _forward(draft, record.unit, actor, roles, reach)
    if record.accepted_at is not None:
        status = check_transition(draft.case, Action.ACCEPT)
        roles.require(case.current_org, UNIT_ROLES, Action.ACCEPT)
        _event(
            draft,
            EventKind.ACCEPTED,
            actor=actor,
            org=case.current_org,
            at=record.accepted_at,
            payload={"note": ""},
        )
        case.status = status
    if record.reply is not None:
        assert record.replied_at is not None and record.delivered_at is not None
        _reply(draft, record.reply, actor, roles, record.replied_at)
        with pinned_now(record.delivered_at):
            _deliver(draft, record, actor, roles)
        for track, value, at in record.ratings:
            with pinned_now(at):
                _rate(draft, track, value, actor, roles)
    if record.closed_at is not None:
        with pinned_now(record.closed_at):
            _terminate(draft, actor, roles)
    return draft


def _register(record: HistoricRecord, actor: User, roles: _Roles) -> _Draft:
    """`case_register_detailed`'s checks and rows, for a matter with no accused organ, no citizen
    account and no suggestion."""
    org = record.org
    roles.require(org, REGISTER_ROLES, Action.REGISTER)
    if record.channel not in _CHANNELS:
        raise ServiceError(
            f"信访形式“{record.channel}”无效，可选：{'、'.join(Channel.labels)}。", field="channel"
        )
    if record.nature not in _NATURES:
        raise ServiceError(
            f"信访性质“{record.nature}”无效，可选：{'、'.join(Nature.labels)}。", field="nature"
        )
    category = record.category
    if not category.is_active:
        raise ServiceError(f"内容分类“{category.name}”已停用。", field="category")
    subject = required_text(record.subject, field="subject", label="标题", max_length=MAX_SUBJECT)
    content = required_text(record.content, field="content", label="主要内容", max_length=MAX_CONTENT)
    if not 1 <= record.headcount <= MAX_HEADCOUNT:
        raise ServiceError(f"信访人数应为 1 至 {MAX_HEADCOUNT} 之间的整数。", field="headcount")
    if record.outside_level and record.outside_level not in _LEVELS:
        raise ServiceError(f"来源登记机构级别“{record.outside_level}”无效。", field="outside_level")
    _check_received_on(record.received_on, local_date())
    petitioners = [_without_control_characters(person) for person in record.petitioners]
    _check_petitioners(petitioners, nature=record.nature, headcount=record.headcount)
    moment = record.registered_at.astimezone(dt.UTC)
    case = Case(
        number="",
        channel=record.channel,
        nature=record.nature,
        category=category,
        subject=subject,
        content=content,
        problem_region=record.problem_region,
        received_on=record.received_on,
        registered_at=moment,
        registered_by=actor,
        registered_org=org,
        registered_level=org.level,
        outside_level=record.outside_level,
        headcount=record.headcount,
        via_proper_ladder=record.via_proper_ladder,
        accused_person="",
        status=Status.REGISTERED,
        current_org=org,
        updated_at=moment,
    )
    draft = _Draft(case=case, petitioners=petitioners)
    draft.units.append(_Unit(org=org, since=moment))
    _event(
        draft,
        EventKind.REGISTERED,
        actor=actor,
        org=org,
        at=moment,
        payload={
            "channel": record.channel,
            "nature": record.nature,
            "category": category.code,
            "headcount": record.headcount,
            "petitioners": len(petitioners),
            "received_on": record.received_on.isoformat(),
        },
    )
    return draft


def _entered_by(case: Case, actor: User, roles: _Roles) -> bool:
    """A case this actor entered (in this call or an earlier one, the caller holding what was
    returned): the actor sees it, as staff of its registering organ (access.access_rows), and the
    registration moment it was written with is its own (no service moves it)."""
    return (
        case.registered_by_id == actor.pk
        and bool(case.last_event_hash)
        and any((case.registered_org_id, role) in roles.held for role in Role.values)
    )


def _link(
    draft: _Draft, record: HistoricRecord, actor: User, roles: _Roles, earlier: list[_Draft | ServiceError]
) -> None:
    """`case_link(kind="repeat")`."""
    from xinfang.cases.selectors import case_visible

    check_transition(draft.case, Action.LINK)
    if actor.is_citizen:
        raise NotAllowed("只有工作人员可以关联信访件。")
    target = record.repeat_of
    if isinstance(target, int):
        if not 0 <= target < len(earlier):
            raise ValueError(f"repeat_of={target}: not an earlier record of this call")
        found = earlier[target]
        if isinstance(found, ServiceError):
            raise TargetNotEntered(target)
        registered_at = found.case.registered_at
        draft.target = found
    else:
        assert target is not None
        if not _entered_by(target, actor, roles):
            if not case_visible(actor, target.pk).exists():
                raise NotAllowed("只能关联您有权查看的信访件。")
            target = Case.objects.get(pk=target.pk)  # the caller's copy may be stale
        registered_at = target.registered_at
        draft.target = target
    if registered_at >= draft.case.registered_at:
        raise ServiceError("重复信访只能关联更早登记的信访件。", field="target")
    _event(draft, EventKind.LINKED, actor=actor, org=None, at=record.linked_at, payload={"kind": "repeat"})  # type: ignore[arg-type]


def _forward(
    draft: _Draft, to_org: Org, actor: User, roles: _Roles, reach: dict[tuple[int, int], bool]
) -> None:
    """`case_forward` from the registering bureau, no assisting units, no note."""
    case = draft.case
    status = check_transition(draft.case, Action.FORWARD)
    bureau = case.current_org
    onward = case.status == Status.ROUTED
    if not bureau.is_petition_bureau:
        raise ServiceError("只有信访部门可以转送、交办；本机关登记的事项请直接受理或告知。", field="to_org")
    roles.require(bureau, BUREAU_ROLES, Action.FORWARD)
    _check_target(case, to_org, field="to_org")
    key = (bureau.pk, to_org.pk)
    if key not in reach:
        reach[key] = in_routing_reach(bureau, to_org)
    if not reach[key]:
        _check_reach(bureau, to_org, field="to_org", label="转送至")
    moment = now()
    for unit in draft.units:
        unit.is_active = False
    draft.units.append(_Unit(org=to_org, since=moment))
    case.current_org = to_org
    _event(
        draft,
        EventKind.FORWARDED,
        actor=actor,
        org=bureau,
        at=moment,
        payload={
            "to_org": to_org.pk,
            "to_org_name": to_org.name,
            "assisting": [],
            "note": "",
            "to_bureau": to_org.is_petition_bureau,
            **({"onward": True} if onward else {}),
        },
    )
    case.status = status


def _reply(draft: _Draft, reply: ReplyInput, actor: User, roles: _Roles, at: dt.datetime) -> None:
    """`case_reply(recorded=True)`."""
    case = draft.case
    status = check_transition(draft.case, Action.REPLY)
    roles.require(case.current_org, UNIT_ROLES, Action.REPLY)
    if case.paused:
        raise InvalidState("听证尚未结束，不能出具处理意见书。")
    payload = reply_payload(reply)
    # approvals.refuse_unapproved with recorded=True
    mark: dict[str, object] = {}
    if case.current_org.requires_approval:
        mark = {"by_leader": True} if roles.holds(case.current_org, (Role.LEADER,)) else {"recorded": True}
    _event(draft, EventKind.REPLIED, actor=actor, org=case.current_org, at=at, payload={**payload, **mark})
    case.status = status


def _deliver(draft: _Draft, record: HistoricRecord, actor: User, roles: _Roles) -> None:
    """`case_deliver`, without a tracking number."""
    case = draft.case
    status = check_transition(draft.case, Action.DELIVER)
    roles.require(case.current_org, (*UNIT_ROLES, Role.REGISTRAR), Action.DELIVER)
    method = record.delivery_method
    if method not in DELIVERY_METHODS:
        raise ServiceError(
            f"送达方式“{method}”无效，可选：{'、'.join(DELIVERY_METHODS.values())}。", field="method"
        )
    delivered_on = record.delivered_on or local_date()
    if delivered_on > local_date():
        raise ServiceError("送达日期不能晚于今天。", field="delivered_on")
    replied = next(
        (e for e in reversed(draft.events) if e.kind in (EventKind.REPLIED, EventKind.ANSWERED)), None
    )
    if replied is not None and delivered_on < local_date(replied.at):
        raise ServiceError("送达日期不能早于出具处理意见书的日期。", field="delivered_on")
    _event(
        draft,
        EventKind.DELIVERED,
        actor=actor,
        org=case.current_org,
        at=now(),
        payload={
            "method": method,
            "method_name": DELIVERY_METHODS[method],
            "delivered_on": delivered_on.isoformat(),
        },
    )
    case.status = status


def _clocks(draft: _Draft) -> dict[str, Any]:
    return {clock.name: clock for clock in case_clocks(draft.case, events=draft.events)}


def _rate(draft: _Draft, track: str, value: str, actor: User, roles: _Roles) -> None:
    """`case_rate(imported=True)` by staff of a routing bureau, without a reason."""
    case = draft.case
    check_transition(draft.case, Action.RATE)
    replied = next(
        (e for e in reversed(draft.events) if e.kind in (EventKind.REPLIED, EventKind.ANSWERED)), None
    )
    unit = replied.org if replied is not None and replied.org is not None else case.current_org
    # appeals.rater_problem(imported=True) for staff: the registering organ or a bureau that routed it
    bureaus = [case.registered_org] + [
        e.org
        for e in draft.events
        if e.kind in (EventKind.FORWARDED, EventKind.ASSIGNED)
        and e.org is not None
        and e.org.is_petition_bureau
    ]
    bureaus = list({org.pk: org for org in bureaus}.values())
    if actor.is_citizen or not any(roles.holds(org, BUREAU_ROLES) for org in bureaus):
        names = "、".join(org.name for org in bureaus)
        raise NotAllowed(f"满意度评价由信访人本人作出，或由信访部门（{names}）回访后记录。")
    if track not in _TRACKS:
        raise ServiceError("请选择评价对象（信访部门或责任单位）。", field="track")
    if value not in _VALUES:
        raise ServiceError("请选择评价结果（满意、基本满意或不满意）。", field="value")
    if any(rating.track == track for rating in draft.ratings):
        raise ServiceError(f"已对{Rating.Track(track).label}作出评价，不能重复评价。", field="track")
    reason = REASON_NOT_IN_SOURCE if value in REASON_REQUIRED else ""
    clock = _clocks(draft).get(Clock.RATING)
    if clock is not None and clock.state == "lapsed":
        refusal = "评价期限已过，不能再评价。"
        if clock.due_on:
            refusal += f"期限已于 {clock.due_on:%Y-%m-%d} 届满。"
        raise InvalidState(refusal, field=None)
    rated_org = case.registered_org if track == Rating.Track.BUREAU else unit
    moment = now()
    draft.ratings.append(_Rating(track=track, org=rated_org, value=value, reason=reason, rated_at=moment))
    _event(
        draft,
        EventKind.RATED,
        actor=actor,
        org=case.registered_org,
        at=moment,
        payload={
            "track": track,
            "track_name": Rating.Track(track).label,
            "value": value,
            "value_name": Rating.Value(value).label,
            "org": rated_org.pk,
            "org_name": rated_org.name,
            "reason": reason,
            "by_petitioner": False,
        },
    )


def _terminate(draft: _Draft, actor: User, roles: _Roles) -> None:
    """`case_terminate`: "window_lapsed" when the 复查 (复核) window has lapsed at this moment, else
    "petitioner_accepted" (the importer's choice, statistics.importer._conclude)."""
    case = draft.case
    status = check_transition(draft.case, Action.TERMINATE)
    roles.require(case.current_org, (*UNIT_ROLES, *BUREAU_ROLES, *DECIDING_ROLES), Action.TERMINATE)
    window = Clock.REVIEW_REQUEST if case.status == Status.DELIVERED else Clock.REREVIEW_REQUEST
    clock = _clocks(draft).get(window)
    reason = "window_lapsed" if clock is not None and clock.state == "lapsed" else "petitioner_accepted"
    moment = now()
    _event(
        draft,
        EventKind.TERMINATED,
        actor=actor,
        org=case.current_org,
        at=moment,
        payload={"reason": reason, "reason_name": TERMINATION_REASONS[reason]},
    )
    case.status = status
    case.closed_at = moment


# --- writing, a few statements per batch ---------------------------------------------------------


def _query_codes(count: int) -> list[str]:
    """`count` new 查询码, none already taken (registration._new_query_code, for many at once)."""
    codes: list[str] = []
    while len(codes) < count:
        wanted = set(random_query_codes(count - len(codes))) - set(codes)
        taken = set(Case.objects.filter(query_code__in=list(wanted)).values_list("query_code", flat=True))
        codes.extend(sorted(wanted - taken))
    return codes


def _reserve_ids(model: Any, count: int) -> list[int]:
    """`count` ids for new rows of `model`, taken as the database would give them, so that what
    refers to them (the 信访件编号 ends in the case's id, a 文号 row names its event) is written
    with the rows and not in a second statement. Inside the batch's transaction: SQLite's write
    lock is held from BEGIN (immediate transactions), PostgreSQL's sequence gives each id once."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return sorted(row[0] for row in cursor.fetchall())
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"case_enter_history: {connection.vendor}")
        # AUTOINCREMENT: never an id used before, even by a row since deleted
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {quoted}), 0),"
            " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        last = int(cursor.fetchone()[0])
        # Kept taken after the commit, written or not (IdBlocks takes ids ahead of the rows).
        cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last + count, table])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last + count])
    return list(range(last + 1, last + count + 1))


def _lay_out(drafts: list[_Draft], ids: IdBlocks | None) -> HistoryWrites:
    cases = [draft.case for draft in drafts]
    take = _reserve_ids if ids is None else ids.take
    key = chain_key()
    event_ids = iter(take(CaseEvent, sum(len(draft.events) for draft in drafts)))
    for draft, pk, code in zip(drafts, take(Case, len(cases)), _query_codes(len(cases)), strict=True):
        case = draft.case
        case.pk = pk
        case.query_code = code
        case.number = f"{case.registered_org.region.code[:6]}{local_date(case.registered_at):%Y%m%d}{pk:08d}"
        if draft.target is not None:
            target = draft.target.case if isinstance(draft.target, _Draft) else draft.target
            case.repeat_of = target
            for event in draft.events:
                if event.kind == EventKind.LINKED:
                    event.payload = {**event.payload, "target": target.pk, "target_number": target.number}
        prev = GENESIS_HASH
        for seq, event in enumerate(draft.events, start=1):
            event.pk = next(event_ids)
            event.case_id = case.pk
            event.seq = seq
            event.prev_hash = prev
            event.hash = prev = event_digest(
                prev_hash=prev,
                case_id=case.pk,
                seq=seq,
                kind=event.kind,
                actor_id=event.actor_id,
                org_id=event.org_id,
                at=event.at.isoformat(),
                payload=event.payload,
                key=key,
            )
        case.last_event_hash = prev
        _check_projection(case, draft.events)
        last = draft.events[-1].at
        case.version = len(draft.events)
        case.updated_at = last
        draft.clocks = _final_clocks(case, draft.events)
        with pinned_now(last):
            if draft.clocks:  # derived as of the last event's day: what case_next_due derives here
                case.next_due_at, case.next_due_clock = next_due_of(case, tuple(draft.clocks.values()))
            else:
                case.next_due_at, case.next_due_clock = case_next_due(case, events=draft.events)
    units: list[tuple[Any, ...]] = []
    people: list[Petitioner] = []
    events: list[_Event] = []
    ratings: list[tuple[Any, ...]] = []
    access: list[tuple[Any, ...]] = []
    facts: list[dict[str, Any]] = []
    targets: set[int] = set()
    for draft in drafts:
        case = draft.case
        units += [(case.pk, u.org.pk, CaseUnit.Role.LEAD, u.is_active, u.since) for u in draft.units]
        people += [_petitioner_row(case, person) for person in draft.petitioners]
        events += draft.events
        ratings += [(case.pk, r.track, r.org.pk, r.value, r.reason, r.rated_at) for r in draft.ratings]
        access += [
            (case.pk, *row)
            for row in access_rows(
                registered_org_id=case.registered_org_id,
                current_org_id=case.current_org_id,
                review_org_id=case.review_org_id,
                problem_region_id=case.problem_region_id,
                unit_org_ids=[unit.org.pk for unit in draft.units],
                reviewer_org_ids=(),
            )
        ]
        facts.append({"case": case.pk, **fact_values(CaseInput.of(case), draft.events, clocks=draft.clocks)})
        if case.repeat_of_id is not None:
            targets.add(case.repeat_of_id)
    case_fields = tuple(f.name for f in Case._meta.concrete_fields)
    names = tuple(facts[0])
    tables: list[Table] = [
        (Case, case_fields, _instance_rows(Case, case_fields, cases)),
        (CaseUnit, ("case", "org", "role", "is_active", "since"), units),
        (Petitioner, _PETITIONER_FIELDS, _instance_rows(Petitioner, _PETITIONER_FIELDS, people)),
        (
            CaseEvent,
            ("id", "case", "seq", "kind", "actor", "org", "at", "payload", "prev_hash", "hash"),
            [
                (
                    e.pk,
                    e.case_id,
                    e.seq,
                    e.kind,
                    e.actor_id,
                    e.org_id,
                    e.at,
                    e.payload,
                    e.prev_hash,
                    e.hash,
                )
                for e in events
            ],
        ),
        (Rating, ("case", "track", "org", "value", "reason", "rated_at"), ratings),
        (CaseAccess, ("case", "org", "region", "tree", "area"), access),
        (CaseFact, names, [[fact[name] for name in names] for fact in facts]),
        *on_cases_laid_out.collect(cases),  # the 查重 index's band keys
    ]
    return HistoryWrites(tables=tables, numbered=_numbered(events, cases), targets=targets)


_PETITIONER_FIELDS = tuple(f.name for f in Petitioner._meta.concrete_fields if not f.primary_key)


def _instance_rows(model: Any, names: Sequence[str], objects: Sequence[Any]) -> list[list[Any]]:
    """The values of the fields `names` of each model instance (a foreign key as its id)."""
    attnames = [model._meta.get_field(name).attname for name in names]
    return [[getattr(o, attname) for attname in attnames] for o in objects]


def _final_clocks(case: Case, events: list[_Event]) -> dict[str, Any] | None:
    """The clocks of the whole log, derived once for both the fact row (`fact_clocks`, as of the
    last day the clocks see) and the next due moment (as of the last event's day); None where the
    two days differ (a reply recorded after the day it was served) or the log gives no clocks."""
    day, clocks = fact_clocks_as_of(CaseInput.of(case), events)
    return clocks if clocks and day == local_date(events[-1].at) else None


def _check_projection(case: Case, events: list[_Event]) -> None:
    """What `project()` refuses: a projection the replay of the log does not give."""
    try:
        derived = replay(events)
    except ReplayError as exc:
        raise ProjectionDrift(f"{case.number}: {exc}") from None
    drift = differences({name: getattr(case, name) for name in PROJECTED_FIELDS}, derived)
    if drift:
        detail = "；".join(f"{FIELD_LABELS[name]} {old!r} ≠ {new!r}" for name, old, new in drift)
        raise ProjectionDrift(f"{case.number}: 信访件状态与办理记录不一致：{detail}")


def _numbered(events: list[_Event], cases: list[Case]) -> list[tuple[int, int, str, Org, int]]:
    """The events that issue a numbered document, in the order they are written, each with the
    organ that issues it and the year it counts in."""
    by_pk = {case.pk: case for case in cases}
    return [
        (
            event.case_id,
            event.pk,
            event.kind,
            event.org or by_pk[event.case_id].current_org,
            local_date(event.at).year,
        )
        for event in events
        if event.kind in SERIES_BY_EVENT
    ]


def _number_documents(numbered: list[tuple[int, int, str, Org, int]]) -> None:
    """The 文号 `numbers.number_new_event` gives each event that issues a numbered document, in the
    order the events were written, from the same counters (locked once for the batch)."""
    if not numbered:
        return
    keys = [(org.pk, year, SERIES_BY_EVENT[kind].code) for _, _, kind, org, year in numbered]
    wanted = sorted(set(keys))
    keys_wanted = set(wanted)
    DocumentCounter.objects.bulk_create(
        [DocumentCounter(org_id=org, year=year, series=series, last=0) for org, year, series in wanted],
        ignore_conflicts=True,
    )
    counters: dict[tuple[int, int, str], DocumentCounter] = {}
    org_ids = sorted({org for org, _, _ in wanted})
    for counter in DocumentCounter.objects.select_for_update().filter(org_id__in=org_ids):
        counter_key = (counter.org_id, counter.year, counter.series)
        if counter_key in keys_wanted:
            counters[counter_key] = counter
    rows: list[tuple[Any, ...]] = []
    issued = timezone.now()  # auto_now_add: the real moment the number is given
    for (case_id, event_id, kind, org, year), counter_key in zip(numbered, keys, strict=True):
        series = SERIES_BY_EVENT[kind]
        counter = counters[counter_key]
        counter.last += 1
        rows.append(
            (
                case_id,
                event_id,
                series.kind,
                org.pk,
                year,
                series.code,
                counter.last,
                format_number(org.document_prefix, series.word, year, counter.last),
                issued,
            )
        )
    DocumentCounter.objects.bulk_update(list(counters.values()), ["last"], batch_size=500)
    insert_rows(
        DocumentNumber,
        ("case", "event", "kind", "org", "year", "series", "serial", "number", "issued_at"),
        rows,
    )
