"""领导阅批: a case read and instructed on by a leader, and the unit's report back (第十八条).

Three steps, each one event in the case's log, none of which moves the case along:

- 呈送领导阅批 (`case_send_for_instruction`): a 信访部门负责人 of a petition bureau that sees the case
  sends it to a leader of that bureau's own Party committee or government or of one above it (the
  leaders it works for: 示例市信访局 to a 示例市人民政府 leader, not to a county's), who must be able to
  see the case; never twice to the same leader while the first is unanswered.
- 领导批示 (`case_instruct`): the leader it was sent to writes the 批示, with an optional date by
  which it is to be carried out (today at the earliest, a year ahead at the latest). A leader who
  sees the case may also instruct on it unprompted. The instruction is addressed to the unit
  handling the case at that moment, whose queue shows it until it reports back.
- 报告批示落实情况 (`case_report_on_instruction`): the handler, approver or head of the addressed unit
  reports what was done; that closes the follow-up. Allowed after the case closed too, since an
  instruction written while it was open stays open until answered.

The instruction rows (`Instruction`) are a projection of these events for the queues, rewritten
from the log in the same transaction (xinfang.cases.instructions).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import QuerySet

from xinfang.cases.instructions import INSTRUCTION_KINDS, store_instructions
from xinfang.cases.models import Case, Instruction, InstructionState
from xinfang.cases.selectors import case_visible
from xinfang.cases.services._core import UNIT_ROLES, append_event, begin, project, require_role
from xinfang.cases.vocabulary import Action, EventKind
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date
from xinfang.core.validation import optional_text, required_text
from xinfang.orgs.models import Membership, Org, Role, User
from xinfang.orgs.selectors import user_memberships

# What the package xinfang.cases.services re-exports.
__all__ = [
    "INSTRUCTION_MAX_DUE_DAYS",
    "INSTRUCTION_SENDING_ROLES",
    "case_instruct",
    "case_report_on_instruction",
    "case_send_for_instruction",
    "instruction_leaders",
    "instruction_sending_bureaus",
]

# The head of the petition bureau presents a case to a leader (呈批).
INSTRUCTION_SENDING_ROLES = (Role.BUREAU_HEAD,)
# A 批示's date: within a year. Refused beyond, like a 督办's feedback date beyond its limit: a
# date that far is a typing slip (2026 for 2025), and the queue would not show it overdue for a year.
INSTRUCTION_MAX_DUE_DAYS = 365
MAX_NOTE = 2000
MAX_TEXT = 2000


def instruction_sending_bureaus(user: User) -> list[Org]:
    """The petition bureaus where `user` may present cases to leaders."""
    return [
        m.org
        for m in user_memberships(user).filter(role__in=INSTRUCTION_SENDING_ROLES)
        if m.org.is_petition_bureau
    ]


def _leader_posts(user: User) -> QuerySet[Membership]:
    return user_memberships(user).filter(role=Role.LEADER).order_by("org__path")


def _covering(bureau: Org) -> list[int]:
    """The bureau and the organs above it: the leaders it may present cases to sit there."""
    return [int(part) for part in bureau.path.strip("/").split("/") if part]


def instruction_leaders(bureau: Org, case: Case | None = None) -> QuerySet[User]:
    """The leaders `bureau` may send a case to (of `case`: those who may see it), by name."""
    leaders = User.objects.filter(
        memberships__role=Role.LEADER,
        memberships__is_active=True,
        memberships__org__is_active=True,
        memberships__org_id__in=_covering(bureau),
        is_active=True,
    ).distinct()
    if case is not None:
        seeing = [leader.pk for leader in leaders if case_visible(leader, case.pk).exists()]
        leaders = User.objects.filter(pk__in=seeing)
    return leaders.order_by("full_name", "pk")


def _refresh(case: Case) -> None:
    store_instructions(case, list(case.events.filter(kind__in=INSTRUCTION_KINDS).order_by("seq")))


@transaction.atomic
def case_send_for_instruction(*, actor: User, case: Case, leader: User | None, note: str = "") -> Case:
    """呈送领导阅批: the bureau head presents the case to a leader it works for."""
    locked, _ = begin(case, Action.SEND_FOR_INSTRUCTION)
    bureaus = instruction_sending_bureaus(actor)
    if not bureaus:
        raise NotAllowed("只有信访部门负责人可以呈送领导阅批。")
    if not case_visible(actor, locked.pk).exists():
        raise NotAllowed("无权查看该信访件，不能呈送领导阅批。", field="case")
    if leader is None:
        raise ServiceError("请选择阅批的领导。", field="leader")
    match = next(
        (
            (bureau, post)
            for post in _leader_posts(leader)
            for bureau in bureaus
            if bureau.path.startswith(post.org.path)
        ),
        None,
    )
    if match is None:
        raise ServiceError(
            f"{leader}不是{bureaus[0].name}所属党委政府或上级机关的领导，不能呈送其阅批。", field="leader"
        )
    bureau, post = match
    if not case_visible(leader, locked.pk).exists():
        raise ServiceError(f"{leader}无权查看本件，不能呈送其阅批。", field="leader")
    if Instruction.objects.filter(case=locked, leader=leader, state=InstructionState.SENT).exists():
        raise InvalidState(f"本件已呈送{leader}阅批，尚未批示，不能重复呈送。", field="leader")
    note = optional_text(note)
    if len(note) > MAX_NOTE:
        raise ServiceError(f"呈批说明不能超过 {MAX_NOTE} 个字（现有 {len(note)} 个字）。", field="note")
    append_event(
        locked,
        kind=EventKind.SENT_FOR_INSTRUCTION,
        actor=actor,
        org=bureau,
        payload={
            "leader": leader.pk,
            "leader_name": str(leader),
            "leader_org": post.org_id,
            "leader_org_name": post.org.name,
            "note": note,
        },
    )
    project(locked)
    _refresh(locked)
    return locked


def _due_on(value: dt.date | None) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, dt.date):
        raise ServiceError("落实期限应为日期。", field="due_on")
    today = local_date()
    if value < today:
        raise ServiceError(f"落实期限不能早于今天（{today:%Y-%m-%d}）。", field="due_on")
    latest = today + dt.timedelta(days=INSTRUCTION_MAX_DUE_DAYS)
    if value > latest:
        raise ServiceError(
            f"落实期限最迟为 {latest:%Y-%m-%d}（批示之日起一年内），现为 {value:%Y-%m-%d}，请核对。",
            field="due_on",
        )
    return value


@transaction.atomic
def case_instruct(*, actor: User, case: Case, text: str, due_on: dt.date | None = None) -> Case:
    """领导批示: to the unit handling the case now; answers the case's sending to this leader, if any."""
    locked, _ = begin(case, Action.INSTRUCT)
    pending = (
        Instruction.objects.filter(case=locked, leader=actor, state=InstructionState.SENT)
        .select_related("leader_org")
        .first()
    )
    if pending is not None:
        leader_org = pending.leader_org
    else:
        post = _leader_posts(actor).first()
        if post is None:
            raise NotAllowed("只有领导可以作出批示。")
        if not case_visible(actor, locked.pk).exists():
            raise NotAllowed("无权查看该信访件，不能批示。", field="case")
        leader_org = post.org
    text = required_text(text, field="text", label="批示内容", max_length=MAX_TEXT, empty="请填写{label}。")
    due = _due_on(due_on)
    unit = locked.current_org
    append_event(
        locked,
        kind=EventKind.INSTRUCTED,
        actor=actor,
        org=leader_org,
        payload={
            "instruction": pending.seq if pending is not None else None,
            "text": text,
            "due_on": due.isoformat() if due else None,
            "unit": unit.pk,
            "unit_name": unit.name,
        },
    )
    project(locked)
    _refresh(locked)
    return locked


@transaction.atomic
def case_report_on_instruction(*, actor: User, case: Case, instruction: int | None, text: str) -> Case:
    """报告批示落实情况: the addressed unit reports what it did; the follow-up is closed."""
    locked, _ = begin(case, Action.REPORT_ON_INSTRUCTION)
    row = (
        Instruction.objects.filter(case=locked, seq=instruction).select_related("unit", "leader").first()
        if isinstance(instruction, int)
        else None
    )
    if row is None:
        raise ServiceError("本件没有该领导批示，请选择要报告落实情况的批示。", field="instruction")
    if row.state == InstructionState.SENT:
        raise InvalidState(f"{row.leader}尚未批示，无需报告落实情况。", field="instruction")
    if row.state == InstructionState.REPORTED:
        raise InvalidState("该批示的落实情况已报告，不能重复报告。", field="instruction")
    assert row.unit is not None
    require_role(actor, row.unit, UNIT_ROLES, Action.REPORT_ON_INSTRUCTION)
    text = required_text(text, field="text", label="落实情况", max_length=MAX_TEXT, empty="请填写{label}。")
    late = row.due_on is not None and local_date() > row.due_on
    append_event(
        locked,
        kind=EventKind.INSTRUCTION_REPORTED,
        actor=actor,
        org=row.unit,
        payload={"instruction": row.seq, "text": text, "late": late, "leader": row.leader_id},
    )
    project(locked)
    _refresh(locked)
    return locked
