"""After the reply: rating, 复查, 复核, termination, and linking repeats (第二十一、三十五、三十六条)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from xinfang.cases.clocks import case_clocks
from xinfang.cases.models import Case, Rating
from xinfang.cases.services._core import (
    BUREAU_ROLES,
    DECIDING_ROLES,
    UNIT_ROLES,
    append_event,
    begin,
    check_transition,
    project,
    require_role,
)
from xinfang.cases.services.approvals import (
    approval,
    needs_approval,
    refuse_pending,
    refuse_unapproved,
    require_approver,
    require_pending,
    send_back,
)
from xinfang.cases.vocabulary import Action, Clock, EventKind, Status
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import now
from xinfang.core.validation import optional_text
from xinfang.orgs.models import Org, Role, User
from xinfang.orgs.permissions import holds_role

# What the package xinfang.cases.services re-exports.
__all__ = [
    "case_approve_opinion",
    "case_link",
    "case_rate",
    "case_rereview_decide",
    "case_rereview_request",
    "case_return_opinion",
    "case_review_decide",
    "case_review_request",
    "case_submit_opinion_for_approval",
    "case_terminate",
    "rater_problem",
]

MAX_RATING_REASON = 2000  # a 回访 note, not a letter
REVIEW_OUTCOMES = {"uphold": "维持", "revoke": "撤销", "change": "变更", "redo": "责令重新办理"}
TERMINATION_REASONS = {
    "window_lapsed": "信访人逾期未申请复查（复核）",
    "petitioner_accepted": "信访人认可处理意见",
}
LINK_KINDS = {"repeat": "重复信访", "duplicate": "同一事项（主件）"}


def _clock_state(case: Case, name: str) -> str:
    return next((clock.state for clock in case_clocks(case) if clock.name == name), "not_started")


def _refuse_lapsed(case: Case, name: str, refusal: str) -> None:
    """A window that has passed is a conflict with the case's time, not a fault of any input: the
    request carries no date (it is made today), so the refusal names the window's dates instead."""
    clock = next((c for c in case_clocks(case) if c.name == name), None)
    if clock is None or clock.state != "lapsed":
        return
    if clock.due_on:
        refusal += f"期限已于 {clock.due_on:%Y-%m-%d} 届满。"
    raise InvalidState(refusal, field=None)


def _require_petitioner_or_staff(actor: User, case: Case, org: Org, action: Action, *also: Org) -> None:
    """The petitioner themself, or staff of `org` (or of one of `also`) recording it for them."""
    if actor.is_citizen:
        if case.citizen_id != actor.pk:
            raise NotAllowed("只能对本人提交的信访事项进行此操作。")
        return
    roles = (*BUREAU_ROLES, *DECIDING_ROLES)
    for other in also:
        if holds_role(actor, other, roles):
            return
    require_role(actor, org, roles, action)


def _higher_organ(org: Org, requested: Org | None, *, field: str, label: str) -> Org:
    """The organ one level up (第三十五条: 上一级行政机关); an explicit choice must be above `org`."""
    if requested is None:
        if org.parent is None:
            raise ServiceError(f"“{org.name}”没有上级机关，请指定{label}机关。", field=field)
        return org.parent
    if requested.pk == org.pk or not org.path.startswith(requested.path):
        raise ServiceError(f"{label}机关应为“{org.name}”的上级机关。", field=field)
    return requested


def _refuse_accused(case: Case, org: Org, *, field: str) -> None:
    if case.nature == "accusation" and case.accused_org_id == org.pk:
        # 第三十条: the accused never receives the accusation, not even as the reviewing organ.
        raise ServiceError("被反映单位不能复查、复核针对本单位的检举控告，请指定其他机关。", field=field)


def _decision_payload(outcome: str, opinion: str) -> dict[str, str]:
    if outcome not in REVIEW_OUTCOMES:
        raise ServiceError(
            f"意见“{outcome}”无效，可选：{'、'.join(REVIEW_OUTCOMES.values())}。", field="outcome"
        )
    opinion = optional_text(opinion)
    if not opinion:
        raise ServiceError("请填写意见内容。", field="opinion")
    return {"outcome": outcome, "outcome_name": REVIEW_OUTCOMES[outcome], "opinion": opinion}


# 不满意 and 基本满意 must say why: the reason is what the 回访 follows up and what a report quotes.
REASON_REQUIRED = frozenset({Rating.Value.DISSATISFIED, Rating.Value.BASICALLY})
# What an imported rating says when its source system kept no reason (statistics.importer).
REASON_NOT_IN_SOURCE = "（原系统未记录理由）"


def _routing_bureaus(case: Case) -> list[Org]:
    """The 信访部门 that registered the case or routed it on (转送/交办): who does the 回访."""
    ids = {case.registered_org_id}
    ids.update(
        case.events.filter(kind__in=[EventKind.FORWARDED, EventKind.ASSIGNED], org__isnull=False).values_list(
            "org_id", flat=True
        )
    )
    orgs = Org.objects.filter(pk__in=ids)
    return [org for org in orgs if org.pk == case.registered_org_id or org.is_petition_bureau]


def rater_problem(actor: User, case: Case, unit: Org | None = None, *, imported: bool = False) -> str | None:
    """Why `actor` may not record a rating on `case`, or None. 满意度评价 is the petitioner's own (the
    portal) or taken by the 信访部门's 回访: never recorded by the unit being rated. The case page asks
    the same question to decide whether to show the button."""
    unit = unit or rating_unit(case)
    if actor.is_citizen:
        return None if case.citizen_id == actor.pk else "只能对本人提交的信访事项进行此操作。"
    if not imported and not unit.is_petition_bureau and holds_role(actor, unit, Role.values):
        return f"{unit.name}是被评价的责任单位，不能记录对本单位的评价；应由信访人本人评价，或由信访部门回访记录。"
    bureaus = _routing_bureaus(case)
    if not any(holds_role(actor, org, BUREAU_ROLES) for org in bureaus):
        names = "、".join(org.name for org in bureaus)
        return f"满意度评价由信访人本人作出，或由信访部门（{names}）回访后记录。"
    return None


def rating_unit(case: Case) -> Org:
    """The unit rated on the 责任单位 track: the one that issued the last reply."""
    replied = case.events.filter(kind__in=[EventKind.REPLIED, EventKind.ANSWERED]).order_by("-seq").first()
    return replied.org if replied and replied.org else case.current_org


@transaction.atomic
def case_rate(
    *, actor: User, case: Case, track: str, value: str, reason: str = "", imported: bool = False
) -> Case:
    """满意度评价 within the rating window, once per track (bureau / responsible unit).

    `imported=True`: a rating copied from another system's records (the historic import, whose
    account holds posts in every unit): it was taken there, so the rated-unit rule does not apply,
    and a missing reason is stored as missing instead of being invented.
    """
    locked, _ = begin(case, Action.RATE)
    unit = rating_unit(locked)
    if problem := rater_problem(actor, locked, unit, imported=imported):
        raise NotAllowed(problem)
    if track not in Rating.Track.values:
        raise ServiceError("请选择评价对象（信访部门或责任单位）。", field="track")
    if value not in Rating.Value.values:
        raise ServiceError("请选择评价结果（满意、基本满意或不满意）。", field="value")
    if locked.ratings.filter(track=track).exists():
        raise ServiceError(f"已对{Rating.Track(track).label}作出评价，不能重复评价。", field="track")
    reason = optional_text(reason)
    if len(reason) > MAX_RATING_REASON:
        raise ServiceError(
            f"评价理由不能超过 {MAX_RATING_REASON} 个字（现有 {len(reason)} 个字）。", field="reason"
        )
    if value in REASON_REQUIRED and not reason:
        if not imported:
            ask = "请写明理由" if actor.is_citizen else "请记录信访人的理由"
            raise ServiceError(f"评价为“{Rating.Value(value).label}”的，{ask}。", field="reason")
        reason = REASON_NOT_IN_SOURCE
    _refuse_lapsed(locked, Clock.RATING, "评价期限已过，不能再评价。")
    rated_org = locked.registered_org if track == Rating.Track.BUREAU else unit
    Rating.objects.create(case=locked, track=track, org=rated_org, value=value, reason=reason, rated_at=now())
    append_event(
        locked,
        kind=EventKind.RATED,
        actor=actor,
        org=None if actor.is_citizen else locked.registered_org,
        payload={
            "track": track,
            "track_name": Rating.Track(track).label,
            "value": value,
            "value_name": Rating.Value(value).label,
            "org": rated_org.pk,
            "org_name": rated_org.name,
            "reason": reason,
            "by_petitioner": actor.is_citizen,
        },
    )
    project(locked)
    return locked


@dataclass(frozen=True)
class _Stage:
    """复查 and 复核 are one mechanism, one level apart (第三十五、三十六条)."""

    label: str
    request: Action
    decide: Action
    window: Clock  # the clock of the petitioner's request window
    lapsed: str  # the refusal when it has passed
    requested: EventKind  # event kinds and the payload key naming the organ
    decided: EventKind
    org_key: str


REVIEW = _Stage(
    "复查",
    Action.REVIEW_REQUEST,
    Action.REVIEW_DECIDE,
    Clock.REVIEW_REQUEST,
    "已超过收到处理意见书之日起三十日的复查申请期限（第三十五条）。",
    EventKind.REVIEW_REQUESTED,
    EventKind.REVIEW_DECIDED,
    "review_org",
)
REREVIEW = _Stage(
    "复核",
    Action.REREVIEW_REQUEST,
    Action.REREVIEW_DECIDE,
    Clock.REREVIEW_REQUEST,
    "已超过收到复查意见之日起三十日的复核申请期限（第三十六条）。",
    EventKind.REREVIEW_REQUESTED,
    EventKind.REREVIEW_DECIDED,
    "rereview_org",
)


def _request(stage: _Stage, *, actor: User, case: Case, reasons: str, organ: Org | None) -> Case:
    locked, status = begin(case, stage.request)
    _refuse_lapsed(locked, stage.window, stage.lapsed)
    if stage is REVIEW:
        replied = (
            locked.events.filter(kind__in=[EventKind.REPLIED, EventKind.ANSWERED]).order_by("-seq").first()
        )
        below = replied.org if replied and replied.org else locked.current_org
    else:
        assert locked.review_org is not None
        below = locked.review_org
    target = _higher_organ(below, organ, field=stage.org_key, label=stage.label)
    _refuse_accused(locked, target, field=stage.org_key)
    _require_petitioner_or_staff(actor, locked, target, stage.request)
    reasons = optional_text(reasons)
    if not reasons:
        raise ServiceError(f"请写明申请{stage.label}的理由。", field="reasons")
    locked.review_org = target
    locked.current_org = target
    append_event(
        locked,
        kind=stage.requested,
        actor=actor,
        org=target,
        payload={stage.org_key: target.pk, f"{stage.org_key}_name": target.name, "reasons": reasons},
    )
    project(locked, status=status, fields=["review_org", "current_org"])
    return locked


def _decide(stage: _Stage, *, actor: User, case: Case, outcome: str, opinion: str, recorded: bool) -> Case:
    locked, status = begin(case, stage.decide, actor=actor, roles=DECIDING_ROLES, role_in="review_org")
    assert locked.review_org is not None
    if locked.paused:
        raise InvalidState(f"听证尚未结束，不能作出{stage.label}意见。")
    payload = _decision_payload(outcome, opinion)
    mark = refuse_unapproved(locked, stage.decide, actor, recorded=recorded)
    return _issue(stage, locked, status, actor=actor, payload={**payload, **mark})


def _issue(stage: _Stage, locked: Case, status: str, *, actor: User, payload: dict[str, object]) -> Case:
    """The opinion's event (and, for 复核, the closing of the matter), then the projection."""
    assert locked.review_org is not None
    append_event(locked, kind=stage.decided, actor=actor, org=locked.review_org, payload=payload)
    if stage is REREVIEW:  # 复核 is final (第三十六条)
        closing = append_event(
            locked,
            kind=EventKind.TERMINATED,
            actor=actor,
            org=locked.review_org,
            payload={"reason": EventKind.REREVIEW_DECIDED},
        )
        locked.closed_at = closing.at
    project(locked, status=status, fields=["closed_at"])
    return locked


@transaction.atomic
def case_review_request(*, actor: User, case: Case, reasons: str, review_org: Org | None = None) -> Case:
    """复查 request to the next-higher organ within 30 days of delivery (第三十五条)."""
    return _request(REVIEW, actor=actor, case=case, reasons=reasons, organ=review_org)


@transaction.atomic
def case_review_decide(
    *, actor: User, case: Case, outcome: str, opinion: str, recorded: bool = False
) -> Case:
    """复查意见, in writing within 30 days of the request (第三十五条). Where the organ needs
    approval the draft goes through `case_submit_opinion_for_approval`; `recorded=True` enters an
    opinion approved outside Xinfang."""
    return _decide(REVIEW, actor=actor, case=case, outcome=outcome, opinion=opinion, recorded=recorded)


@transaction.atomic
def case_rereview_request(*, actor: User, case: Case, reasons: str, rereview_org: Org | None = None) -> Case:
    """复核 request to the organ above the 复查 organ within 30 days (第三十六条)."""
    return _request(REREVIEW, actor=actor, case=case, reasons=reasons, organ=rereview_org)


@transaction.atomic
def case_rereview_decide(
    *, actor: User, case: Case, outcome: str, opinion: str, recorded: bool = False
) -> Case:
    """复核意见: final; the same facts and reasons are not accepted again (第三十六条). As
    `case_review_decide` for approval and `recorded`."""
    return _decide(REREVIEW, actor=actor, case=case, outcome=outcome, opinion=opinion, recorded=recorded)


_OPINION = "复查（复核）意见"


def _stage_of(case: Case) -> _Stage:
    return REREVIEW if case.status == Status.REREVIEWING else REVIEW


@transaction.atomic
def case_submit_opinion_for_approval(*, actor: User, case: Case, outcome: str, opinion: str) -> Case:
    """提交复查（复核）意见审核: the reviewing organ's draft waits for its approver (审核人 or
    信访部门负责人, not the drafter); an organ that needs no approval issues it at once."""
    locked, _ = begin(
        case, Action.SUBMIT_OPINION_FOR_APPROVAL, actor=actor, roles=DECIDING_ROLES, role_in="review_org"
    )
    stage = _stage_of(locked)
    if locked.paused:
        raise InvalidState(f"听证尚未结束，不能作出{stage.label}意见。")
    refuse_pending(locked, EventKind.OPINION_SUBMITTED, _OPINION)
    payload = _decision_payload(outcome, opinion)
    if not needs_approval(locked):
        status = check_transition(locked, stage.decide)
        return _issue(stage, locked, status, actor=actor, payload={**payload, "self_approved": True})
    append_event(
        locked,
        kind=EventKind.OPINION_SUBMITTED,
        actor=actor,
        org=locked.review_org,
        payload={**payload, "stage": stage.decided.value, "stage_name": stage.label},
    )
    project(locked)
    return locked


@transaction.atomic
def case_approve_opinion(*, actor: User, case: Case, note: str = "") -> Case:
    """批准复查（复核）意见: issued as submitted; a 复核 opinion also concludes the matter."""
    locked, _ = begin(case, Action.APPROVE_OPINION)
    request = require_pending(locked, EventKind.OPINION_SUBMITTED, _OPINION)
    stage = _stage_of(locked)
    require_approver(actor, locked, request, f"批准{stage.label}意见")
    if locked.paused:
        raise InvalidState(f"听证尚未结束，不能作出{stage.label}意见。")
    decision = approval(request, note)
    append_event(
        locked, kind=EventKind.OPINION_APPROVED, actor=actor, org=locked.review_org, payload=decision
    )
    status = check_transition(locked, stage.decide)
    draft = {key: request.payload[key] for key in ("outcome", "outcome_name", "opinion")}
    payload = {**draft, "approver": actor.pk, "approver_name": str(actor), **decision}
    return _issue(stage, locked, status, actor=actor, payload=payload)


@transaction.atomic
def case_return_opinion(*, actor: User, case: Case, reason: str) -> Case:
    """退回复查（复核）意见: with a reason; the drafter revises it and submits it again."""
    locked, _ = begin(case, Action.RETURN_OPINION)
    request = require_pending(locked, EventKind.OPINION_SUBMITTED, _OPINION)
    stage = _stage_of(locked)
    require_approver(actor, locked, request, f"退回{stage.label}意见")
    return send_back(
        locked,
        actor=actor,
        request=request,
        kind=EventKind.OPINION_RETURNED,
        org=locked.review_org,
        reason=reason,
        extra={"stage_name": stage.label},
    )


@transaction.atomic
def case_terminate(*, actor: User, case: Case, reason: str) -> Case:
    """终结 when the petitioner lets the appeal window pass or accepts the opinion."""
    locked, status = begin(
        case, Action.TERMINATE, actor=actor, roles=(*UNIT_ROLES, *BUREAU_ROLES, *DECIDING_ROLES)
    )
    if reason not in TERMINATION_REASONS:
        raise ServiceError(
            f"终结理由“{reason}”无效，可选：{'、'.join(TERMINATION_REASONS.values())}。", field="reason"
        )
    window = Clock.REVIEW_REQUEST if locked.status == Status.DELIVERED else Clock.REREVIEW_REQUEST
    if reason == "window_lapsed" and _clock_state(locked, window) != "lapsed":
        raise ServiceError("申请期限尚未届满，不能以逾期未申请为由终结。", field="reason")
    event = append_event(
        locked,
        kind=EventKind.TERMINATED,
        actor=actor,
        org=locked.current_org,
        payload={"reason": reason, "reason_name": TERMINATION_REASONS[reason]},
    )
    locked.closed_at = event.at
    project(locked, status=status, fields=["closed_at"])
    return locked


@transaction.atomic
def case_link(*, actor: User, case: Case, target: Case, kind: str) -> Case:
    """Mark a case as 重复信访 of an earlier case, or as the same matter as a master case."""
    from xinfang.cases.selectors import case_visible

    locked, _ = begin(case, Action.LINK)
    if actor.is_citizen:
        raise NotAllowed("只有工作人员可以关联信访件。")
    if not case_visible(actor, locked.pk).exists() or not case_visible(actor, target.pk).exists():
        raise NotAllowed("只能关联您有权查看的信访件。")
    if kind not in LINK_KINDS:
        raise ServiceError("关联类型应为重复信访或同一事项。", field="kind")
    target = Case.objects.get(pk=target.pk)  # the caller's copy may be stale
    if target.pk == locked.pk:
        raise ServiceError("不能关联本件自己。", field="target")
    if kind == "repeat":
        if target.registered_at >= locked.registered_at:
            raise ServiceError("重复信访只能关联更早登记的信访件。", field="target")
        locked.repeat_of = target
    else:
        master = target.duplicate_of or target  # followers always point at the master itself
        if master.pk == locked.pk:
            raise ServiceError("不能把主件关联为自己的从件。", field="target")
        locked.duplicate_of = master
        target = master
    append_event(
        locked,
        kind=EventKind.LINKED,
        actor=actor,
        org=None,
        payload={"kind": kind, "target": target.pk, "target_number": target.number},
    )
    project(locked, fields=["repeat_of", "duplicate_of"])
    return locked
