"""Who is told about which case event (subscribed to ``xinfang.cases.hooks.on_case_event``).

Runs inside the action's transaction, right after the event row is written. A failure here is
logged and swallowed in its own savepoint: a notice must never refuse a 转送 or a 督办.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse

from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.vocabulary import EventKind
from xinfang.notifications.models import Kind
from xinfang.notifications.services import Notice, holders, notify
from xinfang.orgs.models import Role, User

logger = logging.getLogger(__name__)

# Who receives a case at a unit: the handlers; at a petition bureau also its registrars.
ARRIVAL_ROLES = (Role.HANDLER, Role.REGISTRAR)
# A case back by 异议 is the bureau's to route again (第二十三条).
RETURN_ROLES = (Role.REGISTRAR, Role.BUREAU_HEAD)
# A 督办 is answered by the unit: its handlers, and whoever signs the feedback.
SUPERVISED_ROLES = (Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD)


def case_url(case: Case) -> str:
    return reverse("workbench:case-detail", args=[case.pk])


def notify_case_event(event: CaseEvent) -> None:
    try:
        with transaction.atomic():
            _notify(event)
    except Exception:  # a notice must not refuse the action it reports
        logger.exception("消息提醒生成失败：信访件 %s 事件 %s", event.case_id, event.kind)


def _notify(event: CaseEvent) -> None:
    kind, payload, case = event.kind, event.payload or {}, event.case
    key = f"event:{event.pk}"
    actor: User | None = event.actor
    sender = event.org.name if event.org_id else "上级机关"
    if kind in (EventKind.FORWARDED, EventKind.ASSIGNED):
        verb = "转送" if kind == EventKind.FORWARDED else "交办"
        text = f"{sender}{verb}信访件 {case.number} 至本单位，请及时受理。"
        _tell(
            case,
            [payload.get("to_org")],
            ARRIVAL_ROLES,
            Notice(Kind.ARRIVED, text, case, case_url(case), key),
            actor,
        )
    elif kind == EventKind.OBJECTED:
        text = f"{sender}对信访件 {case.number} 提出异议并退回，请重新交转。"
        _tell(
            case,
            [payload.get("returned_to")],
            RETURN_ROLES,
            Notice(Kind.RETURNED, text, case, case_url(case), key),
            actor,
        )
    elif kind == EventKind.SUPERVISED:
        due = payload.get("feedback_due", "")
        text = f"{sender}对本单位办理的信访件 {case.number} 发起督办（{payload.get('reason_name', '')}），请于 {due} 前反馈。"
        url = (
            reverse("workbench:supervision-detail", args=[payload["supervision"]])
            if payload.get("supervision")
            else case_url(case)
        )
        _tell(
            case,
            [case.current_org_id],
            SUPERVISED_ROLES,
            Notice(Kind.SUPERVISED, text, case, url, key),
            actor,
        )
    elif kind in INSTRUCTION_KINDS:
        _notify_instruction(event, case, payload, actor, key)
    elif kind in APPROVAL_REQUESTS:
        text = f"信访件 {case.number} 的{APPROVAL_REQUESTS[kind]}待您审批（提交人：{actor or ''}）。"
        _tell(
            case,
            [case.current_org_id],
            APPROVER_ROLES,
            Notice(Kind.APPROVAL, text, case, reverse("workbench:approval-list"), key),
            actor,
        )
    elif kind in APPROVAL_DECISIONS and payload.get("requested_by"):
        what, outcome = APPROVAL_DECISIONS[kind]
        requester = User.objects.filter(pk=payload["requested_by"], is_active=True).first()
        if requester is not None:
            text = f"您提交的信访件 {case.number} {what}已{outcome}（审批人：{actor or ''}）。"
            notify([requester], Notice(Kind.APPROVAL, text, case, case_url(case), key), skip=actor)


# A request waits for the unit's 审核人 or 信访部门负责人 (cases.services.approvals); its decision is
# told to whoever asked.
APPROVER_ROLES = (Role.APPROVER, Role.BUREAU_HEAD)
APPROVAL_REQUESTS = {
    EventKind.EXTENSION_REQUESTED: "延期申请",
    EventKind.REPLY_SUBMITTED: "处理意见书",
    EventKind.OPINION_SUBMITTED: "复查（复核）意见",
}
APPROVAL_DECISIONS = {
    EventKind.EXTENDED: ("的延期申请", "批准"),
    EventKind.EXTENSION_RETURNED: ("的延期申请", "退回"),
    EventKind.REPLY_APPROVED: ("的处理意见书", "批准"),
    EventKind.REPLY_RETURNED: ("的处理意见书", "退回"),
    EventKind.OPINION_APPROVED: ("的复查（复核）意见", "批准"),
    EventKind.OPINION_RETURNED: ("的复查（复核）意见", "退回"),
}


# 领导阅批 (cases.services.instructions): the leader is told of a case sent to them; the unit addressed
# of the 批示 (its handlers, and whoever signs the report); the sender and the leader of the report.
INSTRUCTION_KINDS = (EventKind.SENT_FOR_INSTRUCTION, EventKind.INSTRUCTED, EventKind.INSTRUCTION_REPORTED)
INSTRUCTED_ROLES = (Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD)


def _notify_instruction(
    event: CaseEvent, case: Case, payload: dict[str, object], actor: User | None, key: str
) -> None:
    url = case_url(case)
    if event.kind == EventKind.SENT_FOR_INSTRUCTION:
        leader = User.objects.filter(pk=payload.get("leader"), is_active=True).first()
        if leader is not None:
            sender = event.org.name if event.org_id else ""
            text = f"{sender}呈送信访件 {case.number} 请您阅批（呈批人：{actor or ''}）。"
            notify([leader], Notice(Kind.INSTRUCTION, text, case, url, key), skip=actor)
    elif event.kind == EventKind.INSTRUCTED:
        due = f"，请于 {payload['due_on']} 前报告落实情况" if payload.get("due_on") else "，请报告落实情况"
        text = f"{actor or '领导'}对信访件 {case.number} 作出批示{due}。"
        _tell(
            case,
            [payload.get("unit")],
            INSTRUCTED_ROLES,
            Notice(Kind.INSTRUCTION, text, case, url, key),
            actor,
        )
    else:
        row = case.instructions.filter(seq=payload.get("instruction")).first()
        if row is None:
            return
        told = User.objects.filter(pk__in=[row.sent_by_id, row.leader_id], is_active=True)
        unit = event.org.name if event.org_id else "落实单位"
        text = f"{unit}已报告信访件 {case.number} 领导批示的落实情况。"
        notify(list(told), Notice(Kind.INSTRUCTION, text, case, url, key), skip=actor)


def _tell(
    case: Case, org_ids: list[object], roles: tuple[str, ...], notice: Notice, actor: User | None
) -> None:
    ids = [int(pk) for pk in org_ids if isinstance(pk, int) or (isinstance(pk, str) and pk.isdigit())]
    if not ids:
        return
    users = [user for group in holders(ids, roles, case=case).values() for user in group]
    notify(users, notice, skip=actor)
