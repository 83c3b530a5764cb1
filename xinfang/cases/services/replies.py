"""Handling: hearings, the one extension, the written reply (信访处理意见书) and its delivery."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from xinfang.cases.clocks import profile_for
from xinfang.cases.models import Case
from xinfang.cases.services._core import (
    UNIT_ROLES,
    append_event,
    check_transition,
    lock_case,
    project,
    require_role,
)
from xinfang.cases.transitions import Action
from xinfang.core.errors import InvalidState, ServiceError
from xinfang.core.timeutil import local_date
from xinfang.core.validation import optional_text
from xinfang.orgs.models import Role, User
from xinfang.orgs.selectors import user_memberships

# 第三十二条: the three outcomes of a reply.
OUTCOMES = {"support": "支持", "explain": "解释说明", "not_support": "不予支持"}
# 第二十七条 三到位一处理.
OUTCOME_TAGS = {
    "solved": "问题解决到位",
    "educated": "教育疏导到位",
    "assisted": "帮扶救助到位",
    "dealt_with": "违法行为依法处理",
}
DELIVERY_METHODS = {"in_person": "当面送达", "post": "邮寄送达", "online": "网上送达", "other": "其他方式"}


@dataclass(frozen=True)
class ReplyInput:
    outcome: str
    request: str
    facts: str
    reasons: str
    legal_basis: str
    tags: list[str] = field(default_factory=list)


def reply_payload(reply: ReplyInput) -> dict[str, object]:
    """Validate a reply; its content goes into the event that records it."""
    if reply.outcome not in OUTCOMES:
        raise ServiceError(
            f"处理意见“{reply.outcome}”无效，可选：支持、解释说明、不予支持。", field="outcome"
        )
    for name, label in [
        ("request", "信访请求"),
        ("facts", "查明事实"),
        ("reasons", "处理理由"),
        ("legal_basis", "法律依据"),
    ]:
        if not optional_text(getattr(reply, name)):
            raise ServiceError(f"信访处理意见书应写明{label}（第三十二条）。", field=name)
    unknown = [tag for tag in reply.tags if tag not in OUTCOME_TAGS]
    if unknown:
        raise ServiceError(f"办理结果标签“{'、'.join(unknown)}”无效。", field="tags")
    return {
        "outcome": reply.outcome,
        "outcome_name": OUTCOMES[reply.outcome],
        "request": optional_text(reply.request),
        "facts": optional_text(reply.facts),
        "reasons": optional_text(reply.reasons),
        "legal_basis": optional_text(reply.legal_basis),
        "tags": sorted(set(reply.tags)),
    }


@transaction.atomic
def case_hearing_start(*, actor: User, case: Case, note: str = "") -> Case:
    """听证: its time does not count against the running clock (第三十一条第六项、第三十六条)."""
    locked = lock_case(case.pk)
    check_transition(locked, Action.HEARING_START)
    require_role(actor, locked.current_org, (*UNIT_ROLES, Role.LEADER), Action.HEARING_START)
    if locked.paused:
        raise InvalidState("本件已在听证中。")
    append_event(
        locked,
        kind="hearing_started",
        actor=actor,
        org=locked.current_org,
        payload={"note": optional_text(note)},
    )
    locked.paused = True
    project(locked, fields=["paused"])
    return locked


@transaction.atomic
def case_hearing_end(*, actor: User, case: Case, conclusion: str) -> Case:
    locked = lock_case(case.pk)
    check_transition(locked, Action.HEARING_END)
    require_role(actor, locked.current_org, (*UNIT_ROLES, Role.LEADER), Action.HEARING_END)
    if not locked.paused:
        raise InvalidState("本件没有进行中的听证。")
    conclusion = optional_text(conclusion)
    if not conclusion:
        raise ServiceError("请填写听证结论。", field="conclusion")
    append_event(
        locked,
        kind="hearing_ended",
        actor=actor,
        org=locked.current_org,
        payload={"conclusion": conclusion},
    )
    locked.paused = False
    project(locked, fields=["paused"])
    return locked


@transaction.atomic
def case_extend(*, actor: User, case: Case, days: int, approver: User, reason: str) -> Case:
    """延期: once, within the profile's limit, approved by the organ's head, reason told (第三十四条)."""
    locked = lock_case(case.pk)
    check_transition(locked, Action.EXTEND)
    require_role(actor, locked.current_org, UNIT_ROLES, Action.EXTEND)
    if (
        not user_memberships(approver)
        .filter(org=locked.current_org, role__in=[Role.APPROVER, Role.BUREAU_HEAD, Role.LEADER])
        .exists()
    ):
        raise ServiceError(f"批准人应为{locked.current_org.name}的审核人或负责人。", field="approver")
    rule = profile_for(locked).rules["handle"]
    limit = rule.extension_limit or 0
    if locked.events.filter(kind="extended").count() >= rule.max_extensions:
        raise InvalidState("本件已延期过一次，不能再次延期（第三十四条）。", field=None)
    if not 1 <= days <= limit:
        raise ServiceError(f"延期天数应为 1 至 {limit} 日（{rule.legal_ref}）。", field="days")
    reason = optional_text(reason)
    if not reason:
        raise ServiceError("请填写延期理由，并告知信访人。", field="reason")
    append_event(
        locked,
        kind="extended",
        actor=actor,
        org=locked.current_org,
        payload={
            "days": days,
            "clock": "handle",
            "approver": approver.pk,
            "approver_name": str(approver),
            "reason": reason,
        },
    )
    locked.extension_days = days
    project(locked, fields=["extension_days"])
    return locked


@transaction.atomic
def case_reply(*, actor: User, case: Case, reply: ReplyInput) -> Case:
    """出具信访处理意见书: the lead unit's written decision (第三十二条)."""
    locked = lock_case(case.pk)
    status = check_transition(locked, Action.REPLY)
    require_role(actor, locked.current_org, UNIT_ROLES, Action.REPLY)
    if locked.paused:
        raise InvalidState("听证尚未结束，不能出具处理意见书。")
    append_event(locked, kind="replied", actor=actor, org=locked.current_org, payload=reply_payload(reply))
    project(locked, status=status)
    return locked


@transaction.atomic
def case_deliver(*, actor: User, case: Case, method: str, delivered_on: dt.date | None = None) -> Case:
    """送达: the petitioner receives the reply; the 30-day 复查 window starts (第三十五条)."""
    locked = lock_case(case.pk)
    status = check_transition(locked, Action.DELIVER)
    require_role(actor, locked.current_org, (*UNIT_ROLES, Role.REGISTRAR), Action.DELIVER)
    if method not in DELIVERY_METHODS:
        raise ServiceError(
            f"送达方式“{method}”无效，可选：{'、'.join(DELIVERY_METHODS.values())}。", field="method"
        )
    delivered_on = delivered_on or local_date()
    if delivered_on > local_date():
        raise ServiceError("送达日期不能晚于今天。", field="delivered_on")
    replied = locked.events.filter(kind__in=["replied", "answered"]).order_by("-seq").first()
    if replied is not None and delivered_on < local_date(replied.at):
        raise ServiceError("送达日期不能早于出具处理意见书的日期。", field="delivered_on")
    append_event(
        locked,
        kind="delivered",
        actor=actor,
        org=locked.current_org,
        payload={
            "method": method,
            "method_name": DELIVERY_METHODS[method],
            "delivered_on": delivered_on.isoformat(),
        },
    )
    project(locked, status=status)
    return locked
