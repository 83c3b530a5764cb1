"""The written reply (信访处理意见书) and its delivery (第三十二、三十五条).

Hearings and the extension of the handling period: `hearings` and `extensions`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction

from xinfang.cases.models import Case
from xinfang.cases.services._core import UNIT_ROLES, append_event, begin, check_transition, project
from xinfang.cases.services.approvals import (
    approval,
    needs_approval,
    refuse_pending,
    refuse_unapproved,
    require_approver,
    require_pending,
    send_back,
)
from xinfang.cases.vocabulary import Action, EventKind
from xinfang.core.errors import InvalidState, ServiceError
from xinfang.core.timeutil import local_date
from xinfang.core.validation import optional_text
from xinfang.orgs.models import Role, User

# What the package xinfang.cases.services re-exports.
__all__ = [
    "ReplyInput",
    "case_approve_reply",
    "case_deliver",
    "case_reply",
    "case_return_reply",
    "case_submit_reply_for_approval",
]

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
# A postal or courier waybill number (EMS: 13 characters; couriers: up to about 20): letters, digits, "-".
_TRACKING_NUMBER = re.compile(r"^[0-9A-Za-z-]{6,40}$")


def tracking_number_clean(method: str, tracking_number: str) -> str:
    """The 邮寄单号 of a delivery by post (optional); refused for the other methods."""
    number = optional_text(tracking_number).replace(" ", "").upper()
    if not number:
        return ""
    if method != "post":
        raise ServiceError("只有邮寄送达才填写邮寄单号。", field="tracking_number")
    if not _TRACKING_NUMBER.fullmatch(number):
        raise ServiceError("邮寄单号应为6至40位字母、数字或连字符。", field="tracking_number")
    return number


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
def case_reply(*, actor: User, case: Case, reply: ReplyInput, recorded: bool = False) -> Case:
    """出具信访处理意见书: the lead unit's written decision (第三十二条). Where the unit needs
    approval the draft goes through `case_submit_reply_for_approval` instead; `recorded=True`
    enters a reply approved outside Xinfang (approvals.refuse_unapproved)."""
    locked, status = begin(case, Action.REPLY, actor=actor, roles=UNIT_ROLES)
    if locked.paused:
        raise InvalidState("听证尚未结束，不能出具处理意见书。")
    payload = reply_payload(reply)
    mark = refuse_unapproved(locked, Action.REPLY, actor, recorded=recorded)
    append_event(
        locked, kind=EventKind.REPLIED, actor=actor, org=locked.current_org, payload={**payload, **mark}
    )
    project(locked, status=status)
    return locked


_DRAFT = "处理意见书"


@transaction.atomic
def case_submit_reply_for_approval(*, actor: User, case: Case, reply: ReplyInput) -> Case:
    """提交处理意见书审核: the draft waits for an approver of the unit; a unit that needs no
    approval issues it at once (self-approved)."""
    locked, _ = begin(case, Action.SUBMIT_REPLY_FOR_APPROVAL, actor=actor, roles=UNIT_ROLES)
    if locked.paused:
        raise InvalidState("听证尚未结束，不能出具处理意见书。")
    refuse_pending(locked, EventKind.REPLY_SUBMITTED, _DRAFT)
    payload = reply_payload(reply)
    if not needs_approval(locked):
        append_event(
            locked,
            kind=EventKind.REPLIED,
            actor=actor,
            org=locked.current_org,
            payload={**payload, "self_approved": True},
        )
        project(locked, status=check_transition(locked, Action.REPLY))
        return locked
    append_event(locked, kind=EventKind.REPLY_SUBMITTED, actor=actor, org=locked.current_org, payload=payload)
    project(locked)
    return locked


@transaction.atomic
def case_approve_reply(*, actor: User, case: Case, note: str = "") -> Case:
    """批准处理意见书: an approver of the unit, not its drafter; the draft is issued as it was
    submitted (第三十二条) and may then be served (送达)."""
    locked, _ = begin(case, Action.APPROVE_REPLY)
    request = require_pending(locked, EventKind.REPLY_SUBMITTED, _DRAFT)
    require_approver(actor, locked, request, "批准处理意见书")
    if locked.paused:
        raise InvalidState("听证尚未结束，不能出具处理意见书。")
    decision = approval(request, note)
    append_event(locked, kind=EventKind.REPLY_APPROVED, actor=actor, org=locked.current_org, payload=decision)
    status = check_transition(locked, Action.REPLY)
    draft = dict(request.payload)
    append_event(
        locked,
        kind=EventKind.REPLIED,
        actor=actor,
        org=locked.current_org,
        payload={**draft, "approver": actor.pk, "approver_name": str(actor), **decision},
    )
    project(locked, status=status)
    return locked


@transaction.atomic
def case_return_reply(*, actor: User, case: Case, reason: str) -> Case:
    """退回处理意见书: with a reason; the handler revises the draft and submits it again."""
    locked, _ = begin(case, Action.RETURN_REPLY)
    request = require_pending(locked, EventKind.REPLY_SUBMITTED, _DRAFT)
    require_approver(actor, locked, request, "退回处理意见书")
    return send_back(
        locked,
        actor=actor,
        request=request,
        kind=EventKind.REPLY_RETURNED,
        org=locked.current_org,
        reason=reason,
    )


@transaction.atomic
def case_deliver(
    *,
    actor: User,
    case: Case,
    method: str,
    delivered_on: dt.date | None = None,
    tracking_number: str = "",
) -> Case:
    """送达: the petitioner receives the reply; the 30-day 复查 window starts (第三十五条).

    `tracking_number`: the 邮寄单号 of a delivery by post, printed on the 送达回证."""
    locked, status = begin(case, Action.DELIVER, actor=actor, roles=(*UNIT_ROLES, Role.REGISTRAR))
    if method not in DELIVERY_METHODS:
        raise ServiceError(
            f"送达方式“{method}”无效，可选：{'、'.join(DELIVERY_METHODS.values())}。", field="method"
        )
    delivered_on = delivered_on or local_date()
    if delivered_on > local_date():
        raise ServiceError("送达日期不能晚于今天。", field="delivered_on")
    tracking = tracking_number_clean(method, tracking_number)
    replied = locked.events.filter(kind__in=[EventKind.REPLIED, EventKind.ANSWERED]).order_by("-seq").first()
    if replied is not None and delivered_on < local_date(replied.at):
        raise ServiceError("送达日期不能早于出具处理意见书的日期。", field="delivered_on")
    append_event(
        locked,
        kind=EventKind.DELIVERED,
        actor=actor,
        org=locked.current_org,
        payload={
            "method": method,
            "method_name": DELIVERY_METHODS[method],
            "delivered_on": delivered_on.isoformat(),
            **({"tracking_number": tracking} if tracking else {}),
        },
    )
    project(locked, status=status)
    return locked
