"""Every change to a supervision (督办): one function per step, atomic, permission-checked.

Each locks the supervision (or the case, when opening), checks the status it read under the
lock, writes the row and appends one :class:`SupervisionEvent`. Refusals raise ServiceError
(bad input, wrong status) or NotAllowed (wrong organisation or role), naming the field.

Who may do what:

- open: staff of a petition bureau (信访部门: head, approver or handler) who can see the case
  through ``cases_visible_to``; the case must be open and the feedback date in the future;
- feedback: the handler, approver or head of the case's responsible unit (``case.current_org``);
- close: the head or approver of the bureau that opened it, after the unit's feedback, or
  without it once the feedback date has passed and the bureau recommends accountability.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible
from xinfang.cases.services import case_note_supervision, lock_case
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import required_text
from xinfang.orgs.models import Org, Role, User
from xinfang.orgs.permissions import require_role
from xinfang.supervision.models import Reason, Supervision, SupervisionEvent, SupervisionStatus

OPENING_ROLES = (Role.BUREAU_HEAD, Role.APPROVER, Role.HANDLER)
FEEDBACK_ROLES = (Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD)
CLOSING_ROLES = (Role.BUREAU_HEAD, Role.APPROVER)
MAX_FEEDBACK_DAYS = 90


def _append(
    supervision: Supervision, kind: str, *, actor: User | None, org: Org | None, payload: dict[str, Any]
) -> SupervisionEvent:
    last = supervision.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    return SupervisionEvent.objects.create(
        supervision=supervision, seq=last + 1, kind=kind, actor=actor, org=org, at=now(), payload=payload
    )


def _lock(supervision: Supervision) -> Supervision:
    try:
        return (
            Supervision.objects.select_for_update()
            .select_related("case", "case__current_org", "opened_by_org", "unit")
            .get(pk=supervision.pk)
        )
    except Supervision.DoesNotExist:
        raise ServiceError("督办不存在。", field="supervision", code="not_found") from None


@transaction.atomic
def supervision_open(
    *, actor: User, org: Org, case: Case, reason: str, details: str, feedback_due: dt.date
) -> Supervision:
    """A bureau demands that the responsible unit act on ``case`` and report by ``feedback_due``."""
    if not org.is_petition_bureau:
        raise NotAllowed(f"{org.name}不是信访部门，不能督办。", field="org")
    require_role(actor, org, OPENING_ROLES, doing="督办")
    if not case_visible(actor, case.pk).exists():
        raise NotAllowed("无权查看该信访件，不能督办。", field="case")
    # The case row lock serialises two clicks; the partial unique constraint is the backstop.
    locked = lock_case(case.pk)
    if locked.closed_at is not None:
        raise ServiceError("该信访件已办结，不能督办。", field="case", code="invalid_state")
    if reason not in Reason.values:
        raise ServiceError(f"督办事由应为：{'、'.join(Reason.labels)}。", field="reason")
    details = required_text(details, field="details", label="督办要求", empty="请填写{label}。")
    today = local_date()
    if not isinstance(feedback_due, dt.date) or feedback_due <= today:
        raise ServiceError("反馈期限应晚于今天。", field="feedback_due")
    latest = today + dt.timedelta(days=MAX_FEEDBACK_DAYS)
    if feedback_due > latest:
        # Refused, not merely flagged: a 督办 answered in a year is no 督办 (a typing slip, 2026 for 2025,
        # is the usual cause), and the sweep would not mark it overdue for that long.
        raise ServiceError(
            f"反馈期限最迟为 {latest:%Y-%m-%d}（督办之日起 {MAX_FEEDBACK_DAYS} 日内），现为 {feedback_due:%Y-%m-%d}，请核对。",
            field="feedback_due",
        )
    if locked.current_org_id == org.pk:
        raise ServiceError("该信访件由本机关自行办理，无需督办。", field="case")
    try:
        with transaction.atomic():
            supervision = Supervision.objects.create(
                case=locked,
                opened_by_org=org,
                opened_by=actor,
                opened_at=now(),
                unit=locked.current_org,
                reason=reason,
                details=details,
                feedback_due=feedback_due,
            )
    except IntegrityError:
        raise ServiceError(f"{org.name}对该信访件已有未办结的督办。", field="case", code="conflict") from None
    _append(
        supervision,
        SupervisionEvent.Kind.OPENED,
        actor=actor,
        org=org,
        payload={"reason": reason, "feedback_due": feedback_due.isoformat(), "unit": locked.current_org_id},
    )
    case_note_supervision(
        actor=actor,
        org=org,
        case=locked,
        kind="supervised",
        payload={
            "supervision": supervision.pk,
            "reason": reason,
            "reason_name": Reason(reason).label,
            "feedback_due": feedback_due.isoformat(),
        },
    )
    return supervision


@transaction.atomic
def supervision_feedback(*, actor: User, supervision: Supervision, text: str) -> Supervision:
    """The responsible unit reports in writing what it has done."""
    locked = _lock(supervision)
    unit = locked.case.current_org
    require_role(actor, unit, FEEDBACK_ROLES, doing="反馈督办办理情况")
    if locked.status not in (SupervisionStatus.OPEN, SupervisionStatus.OVERDUE):
        raise ServiceError(
            f"督办状态为“{locked.get_status_display()}”，不能再反馈。", field="status", code="invalid_state"
        )
    feedback = required_text(text, field="text", label="办理情况", empty="请填写{label}。")
    moment = now()
    late = local_date(moment) > locked.feedback_due
    locked.feedback, locked.feedback_at, locked.feedback_by = feedback, moment, actor
    locked.status = SupervisionStatus.ANSWERED
    locked.save(update_fields=["feedback", "feedback_at", "feedback_by", "status"])
    _append(locked, SupervisionEvent.Kind.FEEDBACK, actor=actor, org=unit, payload={"late": late})
    case_note_supervision(
        actor=actor,
        org=unit,
        case=locked.case,
        kind="supervision_answered",
        payload={"supervision": locked.pk, "late": late},
    )
    return locked


@transaction.atomic
def supervision_close(
    *, actor: User, supervision: Supervision, note: str, recommend_accountability: bool = False
) -> Supervision:
    """The bureau closes the supervision, with its view and possibly a recommendation to hold
    the unit accountable (then a 问责建议函 can be generated)."""
    locked = _lock(supervision)
    require_role(actor, locked.opened_by_org, CLOSING_ROLES, doing="办结督办")
    allowed = locked.status == SupervisionStatus.ANSWERED or (
        locked.status == SupervisionStatus.OVERDUE and recommend_accountability
    )
    if not allowed:
        hint = "逾期未反馈的督办只能在建议问责时办结。" if locked.status == SupervisionStatus.OVERDUE else ""
        raise ServiceError(
            f"督办状态为“{locked.get_status_display()}”，责任单位尚未反馈，不能办结。{hint}",
            field="status",
            code="invalid_state",
        )
    locked.closing_note = required_text(note, field="note", label="办结意见", empty="请填写{label}。")
    locked.accountability = bool(recommend_accountability)
    locked.status, locked.closed_at, locked.closed_by = SupervisionStatus.CLOSED, now(), actor
    locked.save(update_fields=["closing_note", "accountability", "status", "closed_at", "closed_by"])
    _append(
        locked,
        SupervisionEvent.Kind.CLOSED,
        actor=actor,
        org=locked.opened_by_org,
        payload={"accountability": locked.accountability},
    )
    case_note_supervision(
        actor=actor,
        org=locked.opened_by_org,
        case=locked.case,
        kind="supervision_closed",
        payload={"supervision": locked.pk, "accountability": locked.accountability},
    )
    return locked


def supervisions_mark_overdue(*, today: dt.date) -> int:
    """Flip open supervisions past their feedback date to overdue; each exactly once.

    The conditional UPDATE (still open) decides the one winner when two sweeps race; only the
    winner appends the event, in the same transaction.
    """
    flipped = 0
    due = Supervision.objects.filter(status=SupervisionStatus.OPEN, feedback_due__lt=today)
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            won = Supervision.objects.filter(pk=pk, status=SupervisionStatus.OPEN).update(
                status=SupervisionStatus.OVERDUE
            )
            if won:
                supervision = Supervision.objects.get(pk=pk)
                _append(
                    supervision,
                    SupervisionEvent.Kind.OVERDUE,
                    actor=None,
                    org=None,
                    payload={"feedback_due": supervision.feedback_due.isoformat()},
                )
                flipped += 1
    return flipped
