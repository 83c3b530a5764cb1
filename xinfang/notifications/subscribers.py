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
    elif kind == EventKind.EXTENDED:
        # The approver the unit named was never asked (issue: approvals are not real yet): at least
        # they learn that they were recorded as approving it.
        approver = User.objects.filter(pk=payload.get("approver"), is_active=True).first()
        if approver is not None:
            text = f"信访件 {case.number} 已延期 {payload.get('days', '')} 日，记录的审批人为您；如有异议请及时联系承办单位。"
            notify([approver], Notice(Kind.EXTENDED, text, case, case_url(case), key), skip=actor)


def _tell(
    case: Case, org_ids: list[object], roles: tuple[str, ...], notice: Notice, actor: User | None
) -> None:
    ids = [int(pk) for pk in org_ids if isinstance(pk, int) or (isinstance(pk, str) and pk.isdigit())]
    if not ids:
        return
    users = [user for group in holders(ids, roles, case=case).values() for user in group]
    notify(users, notice, skip=actor)
