"""会商研判 in the API: the consultations a user may see, recording one, and its tasks.

Reads go through ``xinfang.leadership.selectors.consultations``: a consultation the user may not
see is answered as one that does not exist (404), and within one only the cases the user may see
are listed (the others are counted in ``hidden_cases``). Each change calls exactly one function of
``xinfang.leadership.services.consultations``, which checks roles, state and input.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from xinfang.api import lookups
from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.pagination import CURSOR_PATTERN
from xinfang.api.presenters import org_ref
from xinfang.api.schemas import BodyId, Day, Id, LongText, PlainText, ShortText
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.core.timeutil import local_date
from xinfang.leadership.models import Consultation, ConsultationTask
from xinfang.leadership.selectors import consultations as selectors
from xinfang.leadership.services import consultations as services
from xinfang.leadership.services._common import ORGANISER_ROLES
from xinfang.orgs.models import Org, OrgKind, User
from xinfang.orgs.selectors import user_memberships

router = Router(tags=["leadership"])

CONSULTATION_NOT_FOUND = "会商记录不存在，或您无权查看。"
TASK_NOT_FOUND = "会商任务不存在，或您无权查看。"

# The services' argument names -> the fields a client sends (the head of a dotted path).
FIELDS = {"org": "org_id", "cases": "case_ids", "units": "unit_ids", "owner_org": "owner_org_id"}

T = TypeVar("T")


# ---------------------------------------------------------------- schemas


class OrgRef(Schema):
    id: int
    name: str


class CaseRefOut(Schema):
    id: int
    number: str
    subject: str


class TaskIn(Schema):
    title: ShortText = Field(description="任务内容")
    owner_org_id: BodyId = Field(description="责任单位：参会单位或召集机关")
    due_on: Day = Field(description="完成期限：不早于会商日期")


class ConsultationIn(Schema):
    org_id: BodyId | None = Field(
        None, description="召集机关（信访部门或党委政府）；默认：本人任组织人员的唯一此类机关"
    )
    held_on: Day = Field(description="会商日期：不晚于今天")
    topic: ShortText = Field(description="会商议题")
    case_ids: list[BodyId] = Field(description="涉及的信访件（至少一件，本人须有权查看）", max_length=500)
    unit_ids: list[BodyId] = Field(description="参会单位（至少一个，须为启用的机构）", max_length=500)
    chair: Annotated[str, Field(max_length=64), PlainText] = Field("", description="主持人")
    decision: LongText = Field(description="会商意见")
    tasks: list[TaskIn] = Field(default_factory=list, max_length=services.MAX_TASKS, description="交办任务")


class TaskCompleteIn(Schema):
    done_on: Day = Field(description="完成日期：不早于会商日期，不晚于今天")
    note: LongText = Field(description="完成情况")


class TaskReopenIn(Schema):
    reason: LongText = Field(description="退回理由")


class TaskOut(Schema):
    id: int
    consultation_id: int
    title: str
    owner_org: OrgRef
    due_on: dt.date
    is_late: bool = Field(description="未完成且已过完成期限")
    done_on: dt.date | None = Field(description="完成日期；null 表示未完成")
    done_note: str
    done_by: str | None
    reopened_at: dt.datetime | None = Field(description="最近一次被召集机关退回的时间")
    reopen_reason: str


class ConsultationListItemOut(Schema):
    id: int
    org: OrgRef = Field(description="召集机关")
    held_on: dt.date
    topic: str
    chair: str
    created_at: dt.datetime


class ConsultationListOut(Schema):
    items: list[ConsultationListItemOut]
    next_cursor: str | None = Field(description="下一页的游标；为 null 表示没有更多")


class ConsultationOut(ConsultationListItemOut):
    decision: str
    created_by: str
    units: list[OrgRef] = Field(description="参会单位")
    cases: list[CaseRefOut] = Field(description="涉及的信访件中本人有权查看的")
    hidden_cases: int = Field(description="涉及的信访件中本人无权查看的件数")
    tasks: list[TaskOut]


class ConsultationFilterIn(Schema):
    case_id: Id | None = Field(None, description="只列出涉及该信访件的会商")
    cursor: str | None = Field(
        None, max_length=200, pattern=CURSOR_PATTERN, description="上一页返回的 next_cursor（原样传回）"
    )
    limit: int = Field(20, ge=1, le=100)


# ---------------------------------------------------------------- presenters


def _name(user: User | None) -> str | None:
    return str(user) if user is not None else None


def task_out(task: ConsultationTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "consultation_id": task.consultation_id,
        "title": task.title,
        "owner_org": org_ref(task.owner_org),
        "due_on": task.due_on,
        "is_late": bool(getattr(task, "is_late", task.done_on is None and task.due_on < local_date())),
        "done_on": task.done_on,
        "done_note": task.done_note,
        "done_by": _name(task.done_by),
        "reopened_at": task.reopened_at,
        "reopen_reason": task.reopen_reason,
    }


def _list_item(consultation: Consultation) -> dict[str, Any]:
    return {
        "id": consultation.pk,
        "org": org_ref(consultation.org),
        "held_on": consultation.held_on,
        "topic": consultation.topic,
        "chair": consultation.chair,
        "created_at": consultation.created_at,
    }


def consultation_out(user: User, consultation: Consultation) -> dict[str, Any]:
    return {
        **_list_item(consultation),
        "decision": consultation.decision,
        "created_by": str(consultation.created_by),
        "units": [org_ref(unit) for unit in consultation.units.order_by("path")],
        "cases": [
            {"id": case.pk, "number": case.number, "subject": case.subject}
            for case in selectors.consultation_cases(user, consultation)
        ],
        "hidden_cases": selectors.consultation_hidden_cases(user, consultation),
        "tasks": [task_out(task) for task in selectors.consultation_tasks(consultation)],
    }


# ---------------------------------------------------------------- helpers


def _api_fields(call: Callable[[], T]) -> T:
    """Run a service, renaming the field a refusal names to the one the client sent."""
    try:
        return call()
    except ServiceError as exc:
        if exc.field:
            head, dot, rest = exc.field.partition(".")
            exc.field = FIELDS.get(head, head) + dot + FIELDS.get(rest, rest)
        raise


def _visible(user: User, consultation_id: int) -> Consultation:
    consultation = selectors.consultation_detail(user, consultation_id)
    if consultation is None:
        raise Http404(CONSULTATION_NOT_FOUND)
    return consultation


def _visible_task(user: User, task_id: int) -> ConsultationTask:
    task = (
        selectors.consultation_tasks_visible_to(user)
        .filter(pk=task_id)
        .select_related("consultation", "consultation__org", "owner_org")
        .first()
    )
    if task is None:
        raise Http404(TASK_NOT_FOUND)
    return task


def _fresh_task(task: ConsultationTask) -> dict[str, Any]:
    found = selectors.consultation_tasks(task.consultation).filter(pk=task.pk).first()
    return task_out(found or task)


def _convening_org(user: User, org_id: int | None) -> Org:
    if org_id is not None:
        return lookups.org(org_id, field="org_id")
    orgs = sorted(
        {
            m.org
            for m in user_memberships(user).filter(
                org__kind__in=(OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT), role__in=ORGANISER_ROLES
            )
        },
        key=lambda org: org.pk,
    )
    if not orgs:
        raise NotAllowed("您不是信访部门或党委政府的组织人员，不能登记会商研判。", field="org_id")
    if len(orgs) > 1:
        names = "、".join(org.name for org in orgs)
        raise ServiceError(f"您在多个机关任职（{names}），请用 org_id 指定召集机关。", field="org_id")
    return orgs[0]


def _encode_cursor(consultation: Consultation) -> str:
    raw = json.dumps([consultation.held_on.isoformat(), consultation.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.date, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        day_text, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        day = dt.date.fromisoformat(day_text)
        if not isinstance(pk, int) or not 1 <= pk < 2**63:
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError):
        raise ServiceError("游标无效，请使用上一页返回的 next_cursor。", field="cursor") from None
    return day, pk


# ---------------------------------------------------------------- endpoints


@router.get(
    "/leadership/consultations",
    response={200: ConsultationListOut, **ERROR_RESPONSES},
    summary="会商研判列表",
    description="The consultations the user may see (held by the user's organ or an organ below it, "
    "or attended by the user's unit), newest meeting first.",
)
def consultation_list(request: HttpRequest, filters: Query[ConsultationFilterIn]) -> dict[str, Any]:
    user = current_user(request)
    found = selectors.consultations_visible_to(user).order_by("-held_on", "-pk")
    if filters.case_id is not None:
        case = lookups.visible_case(user, filters.case_id)
        found = selectors.case_consultations(user, case).order_by("-held_on", "-pk")
    if filters.cursor:
        day, pk = _decode_cursor(filters.cursor)
        found = found.filter(Q(held_on__lt=day) | Q(held_on=day, pk__lt=pk))
    rows = list(found[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    return {
        "items": [_list_item(row) for row in rows],
        "next_cursor": _encode_cursor(rows[-1]) if more and rows else None,
    }


@router.get(
    "/leadership/consultations/{consultation_id}",
    response={200: ConsultationOut, **ERROR_RESPONSES},
    summary="会商研判详情（含交办任务）",
)
def consultation_get(request: HttpRequest, consultation_id: Id) -> dict[str, Any]:
    user = current_user(request)
    return consultation_out(user, _visible(user, consultation_id))


@router.post(
    "/leadership/consultations",
    response={201: ConsultationOut, **ERROR_RESPONSES},
    summary="登记会商研判",
    description="By the organising staff (负责人、审核人、登记员、承办人) of a petition bureau or Party "
    "committee / government, after the meeting. Every case must be visible to the user; each task "
    "goes to a unit present or to the convening organ, due no earlier than the meeting. Each case "
    "gets a `consulted` step in its history. All or nothing.",
)
def consultation_create(request: HttpRequest, payload: ConsultationIn) -> Reply[dict[str, Any]]:
    user = current_user(request)
    org = _convening_org(user, payload.org_id)
    cases = [
        lookups.referenced_case(user, case_id, field=f"case_ids[{index}]")
        for index, case_id in enumerate(payload.case_ids)
    ]
    units = [lookups.org(org_id, field=f"unit_ids[{index}]") for index, org_id in enumerate(payload.unit_ids)]
    tasks = [
        (task.title, lookups.org(task.owner_org_id, field=f"tasks[{index}].owner_org_id"), task.due_on)
        for index, task in enumerate(payload.tasks)
    ]
    consultation = _api_fields(
        lambda: services.consultation_record(
            actor=user,
            org=org,
            held_on=payload.held_on,
            topic=payload.topic,
            cases=cases,
            units=units,
            chair=payload.chair,
            decision=payload.decision,
            tasks=tasks,
        )
    )
    return Reply(201, consultation_out(user, _visible(user, consultation.pk)))


@router.post(
    "/leadership/consultations/{consultation_id}/tasks",
    response={201: TaskOut, **ERROR_RESPONSES},
    summary="添加会商任务",
    description="By the organising staff of the convening organ.",
)
def consultation_task_add(
    request: HttpRequest, consultation_id: Id, payload: TaskIn
) -> Reply[dict[str, Any]]:
    user = current_user(request)
    consultation = _visible(user, consultation_id)
    owner = lookups.org(payload.owner_org_id, field="owner_org_id")
    task = _api_fields(
        lambda: services.consultation_add_task(
            actor=user, consultation=consultation, title=payload.title, owner_org=owner, due_on=payload.due_on
        )
    )
    return Reply(201, _fresh_task(task))


@router.post(
    "/leadership/consultations/tasks/{task_id}/complete",
    response={200: TaskOut, **ERROR_RESPONSES},
    summary="反馈会商任务完成",
    description="By a 承办人, 审核人 or head of the task's responsible unit, or the organiser. "
    "409 `invalid_state`: already reported done.",
)
def consultation_task_complete(request: HttpRequest, task_id: Id, payload: TaskCompleteIn) -> dict[str, Any]:
    user = current_user(request)
    task = _visible_task(user, task_id)
    done = _api_fields(
        lambda: services.consultation_task_complete(
            actor=user, task=task, done_on=payload.done_on, note=payload.note
        )
    )
    return _fresh_task(done)


@router.post(
    "/leadership/consultations/tasks/{task_id}/reopen",
    response={200: TaskOut, **ERROR_RESPONSES},
    summary="退回会商任务",
    description="By the organising staff of the convening organ, for a task reported done. "
    "409 `invalid_state`: the task is not done.",
)
def consultation_task_reopen(request: HttpRequest, task_id: Id, payload: TaskReopenIn) -> dict[str, Any]:
    user = current_user(request)
    task = _visible_task(user, task_id)
    done = _api_fields(
        lambda: services.consultation_task_reopen(actor=user, task=task, reason=payload.reason)
    )
    return _fresh_task(done)
