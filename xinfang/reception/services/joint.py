"""联合接访 (《信访工作条例》第十八条第三款): a matter involving two or more units is received at the
hall by the duty leaders (带班领导) of the stationed units together. The clerk summons them, records
who came, the lead unit (牵头单位) and the assisting units (配合单位) with their tasks, and the
outcome:

- 现场解决 (on the spot): the lead unit's one reply, given there and then as the registering
  bureau's direct answer (``case_answer``) to a newly registered visit;
- 交办 / 转送: the case goes to the lead unit with the others assisting (``case_assign`` /
  ``case_forward``), and the lead unit gives the one reply in the normal workflow (DOMAIN §6: one
  lead unit consolidates the answers).

Who may act: the staff who run the hall (``require_hall_staff``); the case must be one they may
see. Each joint reception is noted on the case's timeline (``joint_received``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction

from xinfang.cases.models import Case, Status
from xinfang.cases.services import ReplyInput, case_answer, case_assign, case_forward, lock_case
from xinfang.cases.services.replies import reply_payload
from xinfang.cases.vocabulary import EventKind
from xinfang.core.errors import InvalidState, ServiceError
from xinfang.core.timeutil import LOCAL_TZ, local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.orgs.models import Org, OrgKind, User
from xinfang.reception.models import (
    DutyRole,
    DutyShift,
    Hall,
    JointOutcome,
    JointReception,
    JointRole,
    JointUnit,
    Ticket,
)
from xinfang.reception.services._common import (
    note_on_case,
    require_hall_staff,
    require_open_hall,
    require_sees,
)
from xinfang.reception.services.queue import stationed_unit

__all__ = [
    "joint_conclude",
    "joint_convene",
    "joint_on_spot_reasons",
    "joint_record_attendance",
]

# A closed matter is not received jointly: it is 不予受理, 不再受理 or 终结 (第三十六条).
CLOSED_STATUSES = (Status.DECLINED, Status.REFUSED_AGAIN, Status.TERMINATED)
MAX_TASK = 200
MAX_ATTENDEE = 64
MAX_TEXT = 20000
DOING = "组织联合接访"


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(LOCAL_TZ) if moment is not None else None


def _lock_joint(joint: JointReception) -> JointReception:
    try:
        return (
            JointReception.objects.select_for_update(of=("self",))
            .select_related("hall", "hall__org", "case", "lead_org")
            .get(pk=joint.pk)
        )
    except JointReception.DoesNotExist:
        raise ServiceError("联合接访记录不存在。", field="joint", code="not_found") from None


def _require_pending(joint: JointReception) -> None:
    if joint.outcome != JointOutcome.PENDING:
        raise InvalidState(
            f"本次联合接访已于 {_local(joint.concluded_at):%Y-%m-%d %H:%M} 结束（{joint.get_outcome_display()}），"
            "不能再修改。",
            field="joint",
        )


def _leader_shift(hall: Hall, org: Org, on: dt.date) -> DutyShift | None:
    """Today's 带班领导 of ``org`` at ``hall``, the one summoned to the joint reception."""
    return DutyShift.objects.filter(hall=hall, org=org, on=on, role=DutyRole.LEADER).order_by("pk").first()


def _units(
    hall: Hall, lead_org: object, assisting: Sequence[tuple[Org, str]], on: dt.date
) -> tuple[Org, list[tuple[Org, str]]]:
    """The lead unit and the assisting units with their tasks: at least two units in all, each
    once, each stationed in the hall today."""
    if not isinstance(lead_org, Org):
        raise ServiceError("请选择牵头单位。", field="lead_org")
    if stationed_unit(hall, lead_org, on) is None:
        raise ServiceError(f"{lead_org.name}今天未在{hall.name}驻厅，不能作为牵头单位。", field="lead_org")
    seen = {lead_org.pk}
    checked: list[tuple[Org, str]] = []
    for index, entry in enumerate(assisting):
        try:
            org, task = entry
        except (TypeError, ValueError):
            raise ServiceError("配合单位应为（单位、承担任务）。", field=f"assisting[{index}]") from None
        if not isinstance(org, Org):
            raise ServiceError("请选择配合单位。", field=f"assisting[{index}].org")
        if org.pk == lead_org.pk:
            raise ServiceError(
                f"{org.name}已是牵头单位，不能同时作为配合单位。", field=f"assisting[{index}].org"
            )
        if org.pk in seen:
            raise ServiceError(f"配合单位{org.name}重复。", field=f"assisting[{index}].org")
        if stationed_unit(hall, org, on) is None:
            raise ServiceError(
                f"{org.name}今天未在{hall.name}驻厅，不能参加联合接访。", field=f"assisting[{index}].org"
            )
        task_text = required_text(
            task if isinstance(task, str) else None,
            field=f"assisting[{index}].task",
            label=f"{org.name}承担的任务",
            max_length=MAX_TASK,
            empty="请填写{label}。",
        )
        seen.add(org.pk)
        checked.append((org, task_text))
    if not checked:
        # 第十八条第三款: a joint reception is of two or more units.
        raise ServiceError("联合接访至少需要一个配合单位（牵头单位之外）。", field="assisting")
    return lead_org, checked


@transaction.atomic
def joint_convene(
    *,
    actor: User,
    hall: Hall,
    case: Case,
    lead_org: Org,
    assisting: Sequence[tuple[Org, str]],
    plan: str = "",
    ticket: Ticket | None = None,
) -> JointReception:
    """Summon the duty leaders of the units a case involves to receive it jointly at ``hall``.

    Each unit's duty leader of today is linked (and named as the expected attendee); attendance is
    recorded as they arrive. One open joint reception per case."""
    require_hall_staff(actor, hall, doing=DOING)
    require_open_hall(hall)
    require_sees(actor, case)
    locked_case = lock_case(case.pk)  # one joint reception at a time: a second click waits here
    if locked_case.status in CLOSED_STATUSES:
        raise InvalidState(
            f"信访件 {locked_case.number} 已{locked_case.get_status_display()}，不能组织联合接访。",
            field="case",
        )
    if JointReception.objects.filter(case=locked_case, outcome=JointOutcome.PENDING).exists():
        raise InvalidState(
            f"信访件 {locked_case.number} 已有进行中的联合接访，请在该记录中继续。", field="case"
        )
    if ticket is not None:
        if ticket.hall_id != hall.pk:
            raise ServiceError(f"排队号 {ticket.number} 不是{hall.name}的号。", field="ticket")
        if ticket.case_id is not None and ticket.case_id != locked_case.pk:
            raise ServiceError(
                f"排队号 {ticket.number} 已登记为另一件信访件，不能用于本次联合接访。", field="ticket"
            )
    today = local_date()
    lead, assisted = _units(hall, lead_org, assisting, today)
    plan_text = optional_text(plan)
    if len(plan_text) > MAX_TEXT:
        raise ServiceError(f"现场处理方案不能超过 {MAX_TEXT} 个字。", field="plan")
    try:
        with transaction.atomic():
            joint = JointReception.objects.create(
                hall=hall,
                case=locked_case,
                ticket=ticket,
                convened_at=now(),
                convened_by=actor,
                lead_org=lead,
                plan=plan_text,
            )
    except IntegrityError:
        raise InvalidState(
            f"信访件 {locked_case.number} 已有进行中的联合接访，请在该记录中继续。", field="case"
        ) from None
    rows = [(lead, JointRole.LEAD, "")] + [(org, JointRole.ASSIST, task) for org, task in assisted]
    units = []
    for org, role, task in rows:
        shift = _leader_shift(hall, org, today)
        units.append(
            JointUnit(
                joint=joint,
                org=org,
                role=role,
                task=task,
                shift=shift,
                attendee=shift.person if shift else "",
            )
        )
    JointUnit.objects.bulk_create(units)
    names = "、".join(org.name for org, _ in assisted)
    note_on_case(
        actor=actor,
        org=hall.org,
        case=locked_case,
        kind=EventKind.JOINT_RECEIVED,
        payload={
            "joint": joint.pk,
            "hall": hall.pk,
            "hall_name": hall.name,
            "lead_org": lead.pk,
            "lead_org_name": lead.name,
            "assisting": [{"id": org.pk, "name": org.name, "task": task} for org, task in assisted],
            # The timeline's line (xinfang.cases.presentation shows "note").
            "note": f"{hall.name}，牵头单位{lead.name}，配合单位{names}",
        },
    )
    return joint


@transaction.atomic
def joint_record_attendance(
    *, actor: User, joint: JointReception, org: Org, attendee: str = "", attended: bool = True
) -> JointUnit:
    """Who came for ``org`` (its duty leader, or whoever the unit sent), or that nobody came (the
    reports: "带班领导…不到岗")."""
    locked = _lock_joint(joint)
    require_hall_staff(actor, locked.hall, doing="登记联合接访到场情况")
    _require_pending(locked)
    unit = JointUnit.objects.select_for_update().filter(joint=locked, org=org).first()
    if unit is None:
        raise ServiceError(f"{org.name}不是本次联合接访的参加单位。", field="org")
    if attended:
        name = required_text(
            attendee or unit.attendee,
            field="attendee",
            label="到场人员",
            max_length=MAX_ATTENDEE,
            empty="请填写到场人员姓名。",
        )
    else:
        name = optional_text(attendee)
        if len(name) > MAX_ATTENDEE:
            raise ServiceError(f"到场人员不能超过 {MAX_ATTENDEE} 个字。", field="attendee")
    unit.attendee, unit.attended = name, bool(attended)
    unit.save(update_fields=["attendee", "attended"])
    return unit


def joint_on_spot_reasons(joint: JointReception, reasons: str) -> str:
    """The reply's reasons, saying that the lead unit gave them with the assisting units there."""
    assisting = "、".join(
        unit.org.name for unit in joint.units.select_related("org").filter(role=JointRole.ASSIST)
    )
    lead = f"经牵头单位{joint.lead_org.name}"
    text = optional_text(reasons)
    if text.startswith(lead):
        return text
    return f"{lead}会同{assisting}现场研究，{text}"


def _reply_checked(reply: object) -> ReplyInput:
    if not isinstance(reply, ReplyInput):
        raise ServiceError("现场解决须由牵头单位出具答复意见：请填写处理意见。", field="reply")
    try:
        reply_payload(reply)
    except ServiceError as exc:
        raise ServiceError(exc.message, field=f"reply.{exc.field}" if exc.field else "reply") from None
    return reply


def _answer_on_spot(actor: User, joint: JointReception, case: Case, reply: object) -> None:
    hall = joint.hall
    # The answer on the spot is the registering organ's direct answer to a new visit: the case is
    # still at the hall (in a one-stop centre: at the lead unit, whose window registered it).
    at_hall = case.current_org_id == hall.org_id or (
        hall.org.kind == OrgKind.ONE_STOP_CENTRE and case.current_org_id == joint.lead_org_id
    )
    if case.status != Status.REGISTERED or not at_hall:
        raise InvalidState(
            f"现场解决只适用于在{hall.org.name}新登记、尚未交转的来访事项；"
            f"信访件 {case.number} 当前为“{case.get_status_display()}”，请选择交办或转送。",
            field="outcome",
        )
    lead = joint.units.filter(role=JointRole.LEAD).first()
    if lead is None or not lead.attended:
        raise InvalidState(
            f"牵头单位{joint.lead_org.name}的人员未到场，不能现场解决：请先登记到场情况。", field="outcome"
        )
    checked = _reply_checked(reply)
    answer = ReplyInput(
        outcome=checked.outcome,
        request=checked.request,
        facts=checked.facts,
        reasons=joint_on_spot_reasons(joint, checked.reasons),
        legal_basis=checked.legal_basis,
        tags=list(checked.tags),
    )
    case_answer(actor=actor, case=case, reply=answer)


@transaction.atomic
def joint_conclude(
    *,
    actor: User,
    joint: JointReception,
    outcome: str,
    note: str,
    reply: ReplyInput | None = None,
    report_due: dt.date | None = None,
) -> JointReception:
    """Conclude the joint reception: 现场解决 with the lead unit's reply, or 交办 (with the date of
    the completion report) / 转送 to the lead unit with the others assisting. Once only."""
    locked = _lock_joint(joint)
    require_hall_staff(actor, locked.hall, doing="记录联合接访结果")
    _require_pending(locked)
    if outcome not in (JointOutcome.ON_SPOT, JointOutcome.ASSIGNED, JointOutcome.FORWARDED):
        raise ServiceError("请选择结果：现场解决、交办或转送。", field="outcome")
    note_text = required_text(
        note, field="note", label="结果说明", max_length=MAX_TEXT, empty="请填写{label}。"
    )
    case = lock_case(locked.case_id)
    assisting = [
        unit.org for unit in locked.units.select_related("org").filter(role=JointRole.ASSIST).order_by("pk")
    ]
    if outcome == JointOutcome.ON_SPOT:
        _answer_on_spot(actor, locked, case, reply)
    elif outcome == JointOutcome.ASSIGNED:
        if not isinstance(report_due, dt.date) or isinstance(report_due, dt.datetime):
            raise ServiceError("交办须填写办结报告期限（年-月-日）。", field="report_due")
        case_assign(
            actor=actor,
            case=case,
            to_org=locked.lead_org,
            report_due=report_due,
            assisting=assisting,
            note=f"联合接访交办：{note_text}",
        )
    else:
        case_forward(
            actor=actor,
            case=case,
            to_org=locked.lead_org,
            assisting=assisting,
            note=f"联合接访转送：{note_text}",
        )
    locked.outcome, locked.outcome_note = outcome, note_text
    locked.concluded_at, locked.concluded_by = now(), actor
    locked.save(update_fields=["outcome", "outcome_note", "concluded_at", "concluded_by"])
    return locked
