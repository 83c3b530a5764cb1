"""包案: a leader takes personal responsibility for a case or a group of cases of one 类案
(《信访工作条例》第十八条第二款 "对群众反映强烈的信访事项亲自包案化解").

Who may do what:

- take on (包案): the leader, or the organising staff of a petition bureau or Party committee /
  government (``require_organiser``) naming a leader. The leader holds the 领导 role in the organ
  given, and must be able to see every case under the one access policy: a leader cannot own a
  case outside their organisation's reach. A case has at most one 包案 not yet 已化解;
- progress notes, the 化解中 state, adding a case of the same 类案: the leader or the organiser;
- 已化解: the same, with the evidence (化解依据) and the petitioner's confirmation or rating;
- handover (包案领导变更, when the leader changes post): to a leader who can see every case.

Each step appends one :class:`OwnershipEvent`; taking on, handing over and resolving are noted in
each case's history (``case_note_leadership``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from xinfang.cases.models import Case
from xinfang.cases.vocabulary import EventKind
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.leadership.models import Ownership, OwnershipEvent, OwnershipState
from xinfang.leadership.services._common import (
    distinct_cases,
    may_organise,
    note_on_case,
    require_date,
    require_leader,
    require_sees,
)
from xinfang.orgs.models import Org, User

__all__ = [
    "RATINGS",
    "ownership_add_case",
    "ownership_hand_over",
    "ownership_progress",
    "ownership_reopen",
    "ownership_resolve",
    "ownership_take",
]

# The petitioner's view of the outcome, as the satisfaction rating words it (DOMAIN.md §3).
RATINGS = ("满意", "基本满意", "不满意")
MAX_CASES = 200  # a 类案 group of one 包案; more is a campaign (积案化解批次)


def _require_actor(actor: User, ownership_leader: User, org: Org, *, doing: str) -> None:
    if actor.pk == ownership_leader.pk or may_organise(actor, org):
        return
    raise NotAllowed(f"只有包案领导或同级、上级信访部门工作人员可以{doing}。", field="ownership")


def _lock(ownership: Ownership) -> Ownership:
    try:
        return (
            Ownership.objects.select_for_update()
            .select_related("org", "org__region", "leader")
            .get(pk=ownership.pk)
        )
    except Ownership.DoesNotExist:
        raise ServiceError("包案不存在。", field="ownership", code="not_found") from None


def _append(
    ownership: Ownership, kind: str, *, actor: User, text: str = "", payload: dict[str, Any] | None = None
) -> None:
    OwnershipEvent.objects.create(
        ownership=ownership, kind=kind, at=now(), actor=actor, text=text, payload=payload or {}
    )


def _check_free(cases: list[Case], *, other_than: int | None = None) -> None:
    """A case has one 包案 at a time: a second leader waits until the first is 已化解 or hands over."""
    taken = Ownership.cases.through.objects.filter(case_id__in=[c.pk for c in cases]).exclude(
        ownership__state=OwnershipState.RESOLVED
    )
    if other_than is not None:
        taken = taken.exclude(ownership_id=other_than)
    first = taken.select_related("ownership", "ownership__leader", "case").first()
    if first is not None:
        held = first.ownership
        raise ServiceError(
            f"信访件 {first.case.number} 已由{held.leader}包案（{held.get_state_display()}），不能重复包案。",
            field="cases",
            code="conflict",
        )


def _note_all(
    ownership: Ownership, cases: Iterable[Case], kind: str, *, actor: User, payload: dict[str, Any]
) -> None:
    for case in cases:
        note_on_case(
            actor=actor,
            org=ownership.org,
            case=case,
            kind=kind,
            payload={"ownership": ownership.pk, **payload},
        )


@transaction.atomic
def ownership_take(
    *,
    actor: User,
    leader: User,
    org: Org,
    cases: Iterable[Case],
    title: str,
    started_on: dt.date,
    target_on: dt.date,
    plan: str,
    leader_title: str = "",
) -> Ownership:
    """``leader`` of ``org`` takes on ``cases`` (one matter, or a group of one 类案) as 包案."""
    require_leader(leader, org)
    _require_actor(actor, leader, org, doing="指定包案领导")
    chosen = distinct_cases(cases)
    if len(chosen) > MAX_CASES:
        raise ServiceError(f"一次包案不超过 {MAX_CASES} 件；更多的积案请建立积案化解批次。", field="cases")
    for case in chosen:
        require_sees(leader, case, who=f"{leader}（{org.name}）")
    title = required_text(title, field="title", label="包案事项", empty="请填写{label}。", max_length=200)
    plan = required_text(plan, field="plan", label="化解方案", empty="请填写{label}。")
    started_on = require_date(started_on, field="started_on", label="包案日期")
    target_on = require_date(target_on, field="target_on", label="计划化解日期")
    if started_on > local_date():
        raise ServiceError("包案日期不能晚于今天。", field="started_on")
    if target_on < started_on:
        raise ServiceError("计划化解日期不能早于包案日期。", field="target_on")
    # Lock the cases in id order, then check none is owned: two leaders pressing at once are
    # serialised on the first case's row.
    list(
        Case.objects.select_for_update()
        .filter(pk__in=sorted(c.pk for c in chosen))
        .order_by("pk")
        .values_list("pk")
    )
    _check_free(chosen)
    ownership = Ownership.objects.create(
        org=org,
        leader=leader,
        leader_title=optional_text(leader_title)[:64],
        title=title,
        started_on=started_on,
        target_on=target_on,
        plan=plan,
        created_by=actor,
    )
    ownership.cases.add(*chosen)
    _append(
        ownership,
        OwnershipEvent.Kind.TAKEN,
        actor=actor,
        text=plan,
        payload={"leader": leader.pk, "cases": [c.pk for c in chosen]},
    )
    _note_all(
        ownership,
        chosen,
        EventKind.OWNED,
        actor=actor,
        payload={
            "leader": str(leader),
            "leader_title": ownership.leader_title,
            "target_on": target_on.isoformat(),
        },
    )
    return ownership


@transaction.atomic
def ownership_add_case(*, actor: User, ownership: Ownership, case: Case) -> Ownership:
    """Another case of the same 类案 joins the 包案."""
    locked = _lock(ownership)
    _require_actor(actor, locked.leader, locked.org, doing="增加包案件")
    if locked.state == OwnershipState.RESOLVED:
        raise InvalidState("该包案已化解，不能再增加信访件。")
    if locked.cases.filter(pk=case.pk).exists():
        raise ServiceError(f"信访件 {case.number} 已在本包案中。", field="case")
    if locked.cases.count() >= MAX_CASES:
        raise ServiceError(f"一次包案不超过 {MAX_CASES} 件。", field="case")
    require_sees(locked.leader, case, field="case", who=f"{locked.leader}（{locked.org.name}）")
    _check_free([case])
    locked.cases.add(case)
    _append(
        locked, OwnershipEvent.Kind.CASE_ADDED, actor=actor, payload={"case": case.pk, "number": case.number}
    )
    _note_all(
        locked,
        [case],
        EventKind.OWNED,
        actor=actor,
        payload={
            "leader": str(locked.leader),
            "leader_title": locked.leader_title,
            "target_on": locked.target_on.isoformat(),
        },
    )
    return locked


@transaction.atomic
def ownership_progress(*, actor: User, ownership: Ownership, text: str, resolving: bool = True) -> Ownership:
    """A progress note (化解进展); the 包案 is 化解中 from the first one unless said otherwise."""
    locked = _lock(ownership)
    _require_actor(actor, locked.leader, locked.org, doing="记录化解进展")
    if locked.state == OwnershipState.RESOLVED:
        raise InvalidState("该包案已化解；如信访人再次反映，请先重新启动化解。")
    text = required_text(text, field="text", label="化解进展", empty="请填写{label}。")
    _append(locked, OwnershipEvent.Kind.PROGRESS, actor=actor, text=text)
    if resolving and locked.state == OwnershipState.UNRESOLVED:
        locked.state = OwnershipState.RESOLVING
        locked.save(update_fields=["state"])
        _append(locked, OwnershipEvent.Kind.STATE, actor=actor, payload={"state": locked.state})
    return locked


@transaction.atomic
def ownership_resolve(
    *,
    actor: User,
    ownership: Ownership,
    resolved_on: dt.date,
    evidence: str,
    petitioner_confirmed: bool = False,
    petitioner_rating: str = "",
) -> Ownership:
    """已化解: with what shows it (agreement, payment, the petitioner's statement) and the
    petitioner's confirmation or rating; without either it stays 化解中."""
    locked = _lock(ownership)
    _require_actor(actor, locked.leader, locked.org, doing="认定包案化解")
    if locked.state == OwnershipState.RESOLVED:
        raise InvalidState("该包案已认定化解。")
    evidence = required_text(evidence, field="evidence", label="化解依据", empty="请填写{label}。")
    resolved_on = require_date(resolved_on, field="resolved_on", label="化解日期")
    if resolved_on > local_date():
        raise ServiceError("化解日期不能晚于今天。", field="resolved_on")
    if resolved_on < locked.started_on:
        raise ServiceError(f"化解日期不能早于包案日期 {locked.started_on:%Y-%m-%d}。", field="resolved_on")
    rating = optional_text(petitioner_rating)
    if rating and rating not in RATINGS:
        raise ServiceError(f"信访人评价应为：{'、'.join(RATINGS)}。", field="petitioner_rating")
    if not petitioner_confirmed and not rating:
        raise ServiceError(
            "认定已化解须有信访人的确认或评价；信访人尚未确认的，请继续记录化解进展。",
            field="petitioner_confirmed",
        )
    locked.state = OwnershipState.RESOLVED
    locked.resolved_on = resolved_on
    locked.evidence = evidence
    locked.petitioner_confirmed = bool(petitioner_confirmed)
    locked.petitioner_rating = rating
    locked.save(
        update_fields=["state", "resolved_on", "evidence", "petitioner_confirmed", "petitioner_rating"]
    )
    _append(
        locked,
        OwnershipEvent.Kind.RESOLVED,
        actor=actor,
        text=evidence,
        payload={
            "resolved_on": resolved_on.isoformat(),
            "confirmed": locked.petitioner_confirmed,
            "rating": rating,
        },
    )
    _note_all(
        locked,
        locked.cases.all(),
        EventKind.OWNERSHIP_RESOLVED,
        actor=actor,
        payload={"leader": str(locked.leader), "resolved_on": resolved_on.isoformat(), "rating": rating},
    )
    return locked


@transaction.atomic
def ownership_reopen(*, actor: User, ownership: Ownership, reason: str) -> Ownership:
    """The petitioner comes back: the 包案 is 化解中 again, the earlier resolution kept in its log."""
    locked = _lock(ownership)
    _require_actor(actor, locked.leader, locked.org, doing="重新启动化解")
    if locked.state != OwnershipState.RESOLVED:
        raise InvalidState("该包案尚未认定化解，无需重新启动。")
    reason = required_text(reason, field="reason", label="重新启动原因", empty="请填写{label}。")
    _check_free(list(locked.cases.all()), other_than=locked.pk)
    locked.state, locked.resolved_on = OwnershipState.RESOLVING, None
    locked.save(update_fields=["state", "resolved_on"])
    _append(locked, OwnershipEvent.Kind.STATE, actor=actor, text=reason, payload={"state": locked.state})
    return locked


@transaction.atomic
def ownership_hand_over(
    *, actor: User, ownership: Ownership, leader: User, org: Org, reason: str, leader_title: str = ""
) -> Ownership:
    """包案领导变更: the leader changed post; the successor takes the 包案 with its history."""
    locked = _lock(ownership)
    _require_actor(actor, locked.leader, locked.org, doing="变更包案领导")
    if locked.state == OwnershipState.RESOLVED:
        raise InvalidState("该包案已化解，无需变更包案领导。")
    if leader.pk == locked.leader_id and org.pk == locked.org_id:
        raise ServiceError("新的包案领导与原包案领导相同。", field="leader")
    require_leader(leader, org)
    reason = required_text(reason, field="reason", label="变更原因", empty="请填写{label}。")
    cases = list(locked.cases.all())
    for case in cases:
        require_sees(leader, case, field="leader", who=f"{leader}（{org.name}）")
    before = {"leader": locked.leader_id, "leader_name": str(locked.leader), "org": locked.org_id}
    locked.leader, locked.org = leader, org
    locked.leader_title = optional_text(leader_title)[:64]
    locked.save(update_fields=["leader", "org", "leader_title"])
    _append(
        locked,
        OwnershipEvent.Kind.HANDOVER,
        actor=actor,
        text=reason,
        payload={"from": before, "to": leader.pk},
    )
    _note_all(
        locked,
        cases,
        EventKind.OWNER_CHANGED,
        actor=actor,
        payload={"leader": str(leader), "previous_leader": before["leader_name"], "reason": reason},
    )
    return locked
