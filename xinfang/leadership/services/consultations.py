"""会商研判 (joint consultations): a meeting the petition bureau or a Party committee / government
calls with the units concerned about one case or a group of similar cases (类案), the decision it
reaches and the tasks it gives out, each with a responsible unit and a due date, tracked to done.

The leaders' work of 《信访工作条例》第十八条 (包案化解 of the problems the people raise most) and
the coordination of important matters across units is done in such meetings; the record is what
the leader and the units are later held to.

Who may do what:

- record a consultation, add a task to it, reopen a task: the organising staff
  (``require_organiser``) of the convening organ, a petition bureau or a Party committee /
  government. Every case discussed must be one the organiser may see (``cases_visible_to``); the
  tasks go to units present at the meeting, or to the convening organ itself;
- report a task done: staff of the task's responsible unit (``UNIT_ROLES``) or the organiser.

A consultation is written whole or not at all, and each case discussed gets a ``consulted`` step
in its own history (``note_on_case``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction

from xinfang.cases.models import Case
from xinfang.cases.vocabulary import EventKind
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.leadership.models import Consultation, ConsultationTask
from xinfang.leadership.services._common import (
    ORGANISER_ROLES,
    UNIT_ROLES,
    distinct_cases,
    note_on_case,
    require_date,
    require_organiser,
    require_sees,
)
from xinfang.orgs.models import Org, User
from xinfang.orgs.permissions import holds_role

__all__ = [
    "MAX_TASKS",
    "TaskInput",
    "consultation_add_task",
    "consultation_record",
    "consultation_task_complete",
    "consultation_task_reopen",
    "may_complete",
    "may_organise",
]

# (title, responsible unit, due date) of one task given out by the meeting.
TaskInput = tuple[str, Org, dt.date]

MAX_TOPIC = 200
MAX_TITLE = 200
MAX_CHAIR = 64
MAX_TEXT = 20000
# One meeting gives out a handful of tasks; more are added on the consultation afterwards.
MAX_TASKS = 50
DOING = "组织会商研判"


def may_organise(user: User, consultation: Consultation) -> bool:
    """Whether ``user`` is organising staff of the convening organ (adds and reopens tasks)."""
    return holds_role(user, consultation.org, ORGANISER_ROLES)


def may_complete(user: User, task: ConsultationTask) -> bool:
    """Whether ``user`` may report ``task`` done: staff of its unit, or the organiser."""
    return holds_role(user, task.owner_org, UNIT_ROLES) or may_organise(user, task.consultation)


# ---------------------------------------------------------------- checks shared by the steps


def _check_task(
    *,
    title: object,
    owner_org: object,
    due_on: object,
    allowed: dict[int, Org],
    held_on: dt.date,
    prefix: str,
) -> tuple[str, Org, dt.date]:
    """One task's input, refused on ``<prefix>title`` / ``owner_org`` / ``due_on``."""
    text = required_text(
        title if isinstance(title, str) else None,
        field=f"{prefix}title",
        label="任务内容",
        max_length=MAX_TITLE,
        empty="请填写{label}。",
    )
    if not isinstance(owner_org, Org):
        raise ServiceError("请选择任务的责任单位。", field=f"{prefix}owner_org")
    if owner_org.pk not in allowed:
        # A task binds the unit only when the unit took part in the meeting that decided it.
        raise ServiceError(
            f"{owner_org.name}未参加本次会商，任务只能交给参会单位或召集机关。", field=f"{prefix}owner_org"
        )
    due = require_date(due_on, field=f"{prefix}due_on", label="完成期限")
    if due < held_on:
        raise ServiceError(
            f"完成期限（{due:%Y-%m-%d}）不能早于会商日期（{held_on:%Y-%m-%d}）。", field=f"{prefix}due_on"
        )
    return text, allowed[owner_org.pk], due


def _units(units: Iterable[Org]) -> list[Org]:
    found: dict[int, Org] = {}
    for unit in units:
        if not isinstance(unit, Org):
            raise ServiceError("参会单位无效。", field="units")
        if not unit.is_active:
            raise ServiceError(f"{unit.name}已停用，不能作为参会单位。", field="units")
        found.setdefault(unit.pk, unit)
    if not found:
        raise ServiceError("请至少选择一个参会单位。", field="units")
    return list(found.values())


def _lock_consultation(consultation: Consultation) -> Consultation:
    try:
        return (
            Consultation.objects.select_for_update(of=("self",)).select_related("org").get(pk=consultation.pk)
        )
    except Consultation.DoesNotExist:
        raise ServiceError("会商记录不存在。", field="consultation", code="not_found") from None


def _lock_task(task: ConsultationTask) -> ConsultationTask:
    try:
        return (
            ConsultationTask.objects.select_for_update(of=("self",))
            .select_related("consultation", "consultation__org", "owner_org")
            .get(pk=task.pk)
        )
    except ConsultationTask.DoesNotExist:
        raise ServiceError("会商任务不存在。", field="task", code="not_found") from None


def _allowed_owners(consultation: Consultation) -> dict[int, Org]:
    allowed = {unit.pk: unit for unit in consultation.units.all()}
    allowed.setdefault(consultation.org.pk, consultation.org)
    return allowed


# ---------------------------------------------------------------- the steps


@transaction.atomic
def consultation_record(
    *,
    actor: User,
    org: Org,
    held_on: dt.date,
    topic: str,
    cases: Sequence[Case],
    units: Sequence[Org],
    chair: str = "",
    decision: str,
    tasks: Sequence[TaskInput] = (),
) -> Consultation:
    """Record a meeting held by ``org`` on ``held_on`` about ``cases``, the units present, its
    decision and the tasks it gave out. Everything is checked before anything is written."""
    require_organiser(actor, org, doing=DOING)
    held = require_date(held_on, field="held_on", label="会商日期")
    if held > local_date():
        # The record is of a meeting that took place; a planned one is not yet a consultation.
        raise ServiceError("会商日期不能晚于今天：请在会商召开后登记。", field="held_on")
    topic_text = required_text(
        topic, field="topic", label="会商议题", max_length=MAX_TOPIC, empty="请填写{label}。"
    )
    found = distinct_cases(cases, field="cases")
    for case in found:
        require_sees(actor, case, field="cases")
    present = _units(units)
    chair_text = optional_text(chair)
    if len(chair_text) > MAX_CHAIR:
        raise ServiceError(f"主持人不能超过 {MAX_CHAIR} 个字。", field="chair")
    decision_text = required_text(
        decision, field="decision", label="会商意见", max_length=MAX_TEXT, empty="请填写{label}。"
    )
    tasks = list(tasks)
    if len(tasks) > MAX_TASKS:
        raise ServiceError(f"一次会商至多登记 {MAX_TASKS} 项任务。", field="tasks")
    allowed = {unit.pk: unit for unit in present}
    allowed.setdefault(org.pk, org)
    checked: list[tuple[str, Org, dt.date]] = []
    for index, entry in enumerate(tasks):
        try:
            title, owner_org, due_on = entry
        except (TypeError, ValueError):
            raise ServiceError(
                "任务应为（任务内容、责任单位、完成期限）。", field=f"tasks[{index}]"
            ) from None
        checked.append(
            _check_task(
                title=title,
                owner_org=owner_org,
                due_on=due_on,
                allowed=allowed,
                held_on=held,
                prefix=f"tasks[{index}].",
            )
        )

    consultation = Consultation.objects.create(
        org=org,
        held_on=held,
        topic=topic_text,
        chair=chair_text,
        decision=decision_text,
        created_by=actor,
    )
    consultation.cases.set(found)
    consultation.units.set(present)
    ConsultationTask.objects.bulk_create(
        [
            ConsultationTask(consultation=consultation, title=title, owner_org=owner_org, due_on=due_on)
            for title, owner_org, due_on in checked
        ]
    )
    for case in sorted(found, key=lambda c: c.pk):  # one lock order whatever order they came in
        note_on_case(
            actor=actor,
            org=org,
            case=case,
            kind=EventKind.CONSULTED,
            payload={"consultation": consultation.pk, "topic": topic_text},
        )
    return consultation


@transaction.atomic
def consultation_add_task(
    *, actor: User, consultation: Consultation, title: str, owner_org: Org, due_on: dt.date
) -> ConsultationTask:
    """A task the meeting decided on, recorded afterwards (or one more from a follow-up)."""
    locked = _lock_consultation(consultation)
    require_organiser(actor, locked.org, doing=DOING)
    text, owner, due = _check_task(
        title=title,
        owner_org=owner_org,
        due_on=due_on,
        allowed=_allowed_owners(locked),
        held_on=locked.held_on,
        prefix="",
    )
    if locked.tasks.count() >= MAX_TASKS:
        raise ServiceError(f"一次会商至多登记 {MAX_TASKS} 项任务。", field="title")
    return ConsultationTask.objects.create(consultation=locked, title=text, owner_org=owner, due_on=due)


@transaction.atomic
def consultation_task_complete(
    *, actor: User, task: ConsultationTask, done_on: dt.date, note: str
) -> ConsultationTask:
    """The responsible unit (or the organiser on its word) reports the task done on ``done_on``."""
    locked = _lock_task(task)
    if not may_complete(actor, locked):
        raise NotAllowed(
            f"只有责任单位{locked.owner_org.name}的承办人、审核人或负责人，"
            f"或{locked.consultation.org.name}的会商组织人员可以反馈任务完成情况。"
        )
    if locked.done_on is not None:
        raise InvalidState(f"该任务已于 {locked.done_on:%Y-%m-%d} 反馈完成，不能重复反馈。", field="task")
    done = require_date(done_on, field="done_on", label="完成日期")
    if done > local_date():
        raise ServiceError("完成日期不能晚于今天。", field="done_on")
    held_on = locked.consultation.held_on
    if done < held_on:
        raise ServiceError(
            f"完成日期（{done:%Y-%m-%d}）不能早于会商日期（{held_on:%Y-%m-%d}）。", field="done_on"
        )
    locked.done_note = required_text(
        note, field="note", label="完成情况", max_length=MAX_TEXT, empty="请填写{label}。"
    )
    locked.done_on, locked.done_by = done, actor
    locked.save(update_fields=["done_on", "done_note", "done_by"])
    return locked


@transaction.atomic
def consultation_task_reopen(*, actor: User, task: ConsultationTask, reason: str) -> ConsultationTask:
    """The organiser does not accept a report of done: the task is open (and counts late) again."""
    locked = _lock_task(task)
    require_organiser(actor, locked.consultation.org, doing="退回会商任务")
    if locked.done_on is None:
        raise InvalidState("该任务尚未反馈完成，无需退回。", field="task")
    locked.reopen_reason = required_text(
        reason, field="reason", label="退回理由", max_length=MAX_TEXT, empty="请填写{label}。"
    )
    locked.reopened_at, locked.reopened_by = now(), actor
    locked.done_on, locked.done_note, locked.done_by = None, "", None
    locked.save(
        update_fields=["reopen_reason", "reopened_at", "reopened_by", "done_on", "done_note", "done_by"]
    )
    return locked
