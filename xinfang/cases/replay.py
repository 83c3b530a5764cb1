"""The case projection derived from the event log alone.

`Case` keeps a projection of its history (status, responsible unit, 复查/复核 organ, hearing,
extension, closing time, links) because queries and the access policy filter on it. These fields
must always be what the events say: `replay` folds a case's events through the transitions table,
`project()` in the services refuses to save a projection that differs from it (so the services and
the replay cannot drift apart), and `verify_events` reports every stored case whose projection
no longer matches its log (someone edited the row behind the services' back).

Pure: no Django. Events are anything with `kind`, `org_id`, `at` and `payload`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol

from xinfang.cases.transitions import REGISTERED, TransitionRefused, next_status
from xinfang.cases.vocabulary import KIND_ACTIONS


class EventLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def org_id(self) -> int | None: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def payload(self) -> Any: ...


# Events after which the matter is concluded; the case's closed_at is the time of the event.
_CLOSING_KINDS = frozenset({"declined", "refused_again", "terminated"})


@dataclass(frozen=True)
class Projection:
    """The fields of `Case` that the event log determines (field names as on the model)."""

    status: str
    current_org_id: int | None
    review_org_id: int | None = None
    paused: bool = False
    extension_days: int = 0
    closed_at: dt.datetime | None = None
    repeat_of_id: int | None = None
    duplicate_of_id: int | None = None
    received_on: dt.date | None = None


PROJECTED_FIELDS = tuple(f.name for f in fields(Projection))

FIELD_LABELS = {
    "status": "状态",
    "current_org_id": "当前责任单位",
    "review_org_id": "复查/复核机关",
    "paused": "听证中",
    "extension_days": "已延期天数",
    "closed_at": "办结时间",
    "repeat_of_id": "重复信访件",
    "duplicate_of_id": "主件",
    "received_on": "信访日期",
}


class ReplayError(ValueError):
    """The log itself cannot be folded: no registration, an unknown kind, an illegal step."""


def _int(payload: Mapping[str, Any], key: str, *, seq: int) -> int:
    value = payload.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ReplayError(f"记录 #{seq} 缺少“{key}”")
    return value


def step(state: Projection | None, event: EventLike, *, seq: int) -> Projection:
    """The projection after one more event."""
    payload: Mapping[str, Any] = event.payload if isinstance(event.payload, Mapping) else {}
    if state is None:
        if event.kind != "registered":
            raise ReplayError(f"第一条记录应为登记，而不是 {event.kind}")
        received = payload.get("received_on")
        return Projection(
            status=REGISTERED,
            current_org_id=event.org_id,
            received_on=dt.date.fromisoformat(received) if isinstance(received, str) else None,
        )
    if event.kind == "registered":
        raise ReplayError(f"记录 #{seq} 重复登记")
    action = KIND_ACTIONS.get(event.kind)
    if action is None:
        raise ReplayError(f"记录 #{seq} 的事件类型 {event.kind} 未知")
    if event.kind == "terminated" and payload.get("reason") == "rereview_decided":
        # Written together with rereview_decided, which already concluded the matter (第三十六条).
        return replace(state, closed_at=event.at)
    try:
        status = next_status(state.status, action)
    except TransitionRefused as exc:
        raise ReplayError(f"记录 #{seq}（{event.kind}）不符合办理流程：{exc}") from None
    kind = event.kind
    changes: dict[str, Any] = {"status": status}
    if kind in {"forwarded", "assigned"}:
        changes["current_org_id"] = _int(payload, "to_org", seq=seq)
    elif kind == "objected":
        changes["current_org_id"] = _int(payload, "returned_to", seq=seq)
    elif kind in {"review_requested", "rereview_requested"}:
        organ = _int(payload, "review_org" if kind == "review_requested" else "rereview_org", seq=seq)
        changes["review_org_id"] = changes["current_org_id"] = organ
    elif kind == "hearing_started":
        changes["paused"] = True
    elif kind == "hearing_ended":
        changes["paused"] = False
    elif kind == "extended":
        changes["extension_days"] = _int(payload, "days", seq=seq)
    elif kind == "refused_again":
        changes["repeat_of_id"] = _int(payload, "earlier", seq=seq)
    elif kind == "linked":
        target = _int(payload, "target", seq=seq)
        changes["repeat_of_id" if payload.get("kind") == "repeat" else "duplicate_of_id"] = target
    if kind in _CLOSING_KINDS or kind == "rereview_decided":
        changes["closed_at"] = event.at
    if all(getattr(state, name) == value for name, value in changes.items()):
        return state  # most events (notes, attachments, ratings) change nothing
    return replace(state, **changes)


def replay(events: Iterable[EventLike]) -> Projection:
    """Fold a case's events (in seq order) into its projection; ReplayError if they cannot be."""
    state: Projection | None = None
    for seq, event in enumerate(events, start=1):
        state = step(state, event, seq=seq)
    if state is None:
        raise ReplayError("没有办理记录")
    return state


# Before the services took closed_at from the closing event they stamped it a moment later.
_TIME_SLACK = dt.timedelta(seconds=1)


def _same(stored: Any, derived: Any) -> bool:
    if isinstance(stored, dt.datetime) and isinstance(derived, dt.datetime):
        return abs(stored - derived) < _TIME_SLACK
    return bool(stored == derived)


def differences(stored: Mapping[str, Any], derived: Projection) -> list[tuple[str, Any, Any]]:
    """(field, stored value, replayed value) for every projected field that differs."""
    return [
        (name, stored.get(name), getattr(derived, name))
        for name in PROJECTED_FIELDS
        if not _same(stored.get(name), getattr(derived, name))
    ]
