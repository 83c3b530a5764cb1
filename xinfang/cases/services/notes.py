"""Notes in a case's history written on behalf of other apps (督办, the leaders' work), through the one
event log."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from xinfang.cases.models import Case
from xinfang.cases.services._core import append_event, begin, project
from xinfang.cases.vocabulary import Action, EventKind
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import Org, User

# What the package xinfang.cases.services re-exports.
__all__ = ["case_note_leadership", "case_note_reception", "case_note_supervision"]

# The event kinds a 督办 step may record, with their timeline texts.
SUPERVISION_KINDS = {
    kind.value: kind.label
    for kind in (EventKind.SUPERVISED, EventKind.SUPERVISION_ANSWERED, EventKind.SUPERVISION_CLOSED)
}


@transaction.atomic
def case_note_supervision(
    *, actor: User | None, org: Org | None, case: Case, kind: str, payload: dict[str, Any]
) -> Case:
    """Record a 督办 step on the case (第四十条). The supervision service has checked permissions."""
    if kind not in SUPERVISION_KINDS:
        raise ServiceError(f"督办记录类型“{kind}”无效。", field="kind")
    locked, _ = begin(case, Action.SUPERVISE)
    append_event(locked, kind=kind, actor=actor, org=org, payload=payload)
    project(locked)
    return locked


# The event kinds a leader's step may record (xinfang.leadership, 第十八条).
LEADERSHIP_KINDS = {
    kind.value: kind.label
    for kind in (
        EventKind.RECEIVED_BY_LEADER,
        EventKind.APPOINTMENT_HELD,
        EventKind.VISITED_DOWN,
        EventKind.OWNED,
        EventKind.OWNER_CHANGED,
        EventKind.OWNERSHIP_RESOLVED,
        EventKind.CONSULTED,
    )
}


@transaction.atomic
def case_note_leadership(*, actor: User, org: Org, case: Case, kind: str, payload: dict[str, Any]) -> Case:
    """Record a leader's step on the case (第十八条): a reception, an appointment, a visit down, a
    包案 and its outcome, a consultation. The leadership service has checked permissions."""
    if kind not in LEADERSHIP_KINDS:
        raise ServiceError(f"领导工作记录类型“{kind}”无效。", field="kind")
    locked, _ = begin(case, Action.NOTE_LEADERSHIP)
    append_event(locked, kind=kind, actor=actor, org=org, payload=payload)
    project(locked)
    return locked


# The event kinds a step at the hall or a grass-roots point may record (xinfang.reception).
RECEPTION_KINDS = {
    kind.value: kind.label
    for kind in (EventKind.JOINT_RECEIVED, EventKind.LAWYER_CONSULTED, EventKind.ESCALATED_FROM_POINT)
}


@transaction.atomic
def case_note_reception(*, actor: User, org: Org, case: Case, kind: str, payload: dict[str, Any]) -> Case:
    """Record a step at the reception hall or a grass-roots point on the case (第十八条第三款): a joint
    reception with its lead and assisting units, a lawyer's consultation, a point's escalation with
    its mediation. The reception service has checked permissions."""
    if kind not in RECEPTION_KINDS:
        raise ServiceError(f"接访记录类型“{kind}”无效。", field="kind")
    locked, _ = begin(case, Action.NOTE_RECEPTION)
    append_event(locked, kind=kind, actor=actor, org=org, payload=payload)
    project(locked)
    return locked
