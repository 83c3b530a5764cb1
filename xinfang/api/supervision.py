"""Deadline warnings and 督办 (supervision): the due-soon and overdue lists, and the 督办 steps.

Every read goes through the supervision selectors, which start from ``cases_visible_to``: a case
or a 督办 the user may not see is answered like one that does not exist (404). Every change calls
exactly one function of ``xinfang.supervision.services``, which checks roles, state and input.

Registered in ``v1.py`` before the cases router: ``/cases/due-soon`` and ``/cases/overdue`` must
be matched before ``/cases/{case_id}`` (whose path converter accepts any string).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from typing import Any

from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja import Status as Reply

from xinfang.api import lookups
from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.pagination import CURSOR_PATTERN, decode_cursor
from xinfang.api.presenters import case_row, org_ref
from xinfang.api.schemas import BodyBool, BodyId, CaseListItemOut, Day, DocumentOut, Id, LongText
from xinfang.cases.clocks import case_clocks
from xinfang.cases.documents import DOCX_MIME
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.deadlines.models import CLOCK_LABELS
from xinfang.orgs.models import Org, OrgKind, User
from xinfang.orgs.selectors import user_memberships
from xinfang.supervision import selectors, services
from xinfang.supervision.letters import available_letters, render_letter
from xinfang.supervision.models import DueWarning, Reason, Supervision, SupervisionEvent, SupervisionStatus

router = Router(tags=["supervision"])

# Clocks whose due date still matters: a calendar warning on them is listed with the case's warnings.
CLOCK_STILL_COUNTING = frozenset({"running", "paused", "overdue"})

SUPERVISION_NOT_FOUND = "督办不存在，或您无权查看。"


# ---------------------------------------------------------------- schemas


class DueFilterIn(Schema):
    org_id: Id | None = Field(None, description="当前责任单位的机构 id")
    cursor: str | None = Field(
        None, max_length=200, pattern=CURSOR_PATTERN, description="上一页返回的 next_cursor（原样传回）"
    )
    limit: int = Field(20, ge=1, le=100)


class DueCaseOut(CaseListItemOut):
    clock: str = Field(description="最早届满的预警期限（例如 handle）")
    clock_label: str
    due_on: dt.date = Field(description="该期限的最后一日（北京时间）")


class DueCaseListOut(Schema):
    items: list[DueCaseOut]
    next_cursor: str | None = Field(description="下一页的游标；为 null 表示没有更多")


class OrgRef(Schema):
    id: int
    name: str


class WarningOut(Schema):
    clock: str
    clock_label: str
    kind: str = Field(
        description="due_soon 临期预警, overdue 已超期, or calendar: the clock's due date is uncertain"
    )
    kind_label: str
    due_on: dt.date | None
    org: OrgRef | None = Field(description="预警生成时的责任单位; null for calendar")
    created_at: dt.datetime | None = Field(description="when the sweep raised it; null for calendar")
    message: str = Field(
        description="the warning in words, e.g. 2027年节假日安排未导入，按仅周末休息计算（可能不准确）"
    )


class CaseRefOut(Schema):
    id: int
    number: str
    subject: str


class SupervisionEventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str | None
    org: str | None
    payload: dict[str, Any]


class SupervisionOut(Schema):
    id: int
    case: CaseRefOut
    opened_by_org: OrgRef
    opened_by: str
    opened_at: dt.datetime
    unit: OrgRef
    reason: Reason
    reason_label: str
    details: str
    feedback_due: dt.date
    status: SupervisionStatus
    status_label: str
    feedback: str
    feedback_at: dt.datetime | None
    feedback_by: str | None
    closed_at: dt.datetime | None
    closed_by: str | None
    closing_note: str
    accountability: bool
    letters: list[DocumentOut]


class SupervisionDetailOut(SupervisionOut):
    events: list[SupervisionEventOut]


class SupervisionOpenIn(Schema):
    org_id: BodyId | None = Field(None, description="督办机关（信访部门）；默认：本人任职的唯一信访部门")
    reason: Reason
    details: LongText = Field(description="督办要求")
    feedback_due: Day = Field(description="反馈期限：晚于今天，至多 90 日")


class SupervisionFeedbackIn(Schema):
    text: LongText = Field(description="办理情况反馈")


class SupervisionCloseIn(Schema):
    note: LongText = Field(description="办结意见")
    recommend_accountability: BodyBool = Field(False, description="建议问责（逾期未反馈时办结须为 true）")


# ---------------------------------------------------------------- presenters


def _name(user: User | None) -> str | None:
    return str(user) if user is not None else None


def supervision_out(supervision: Supervision, *, events: bool = False) -> dict[str, Any]:
    case = supervision.case
    out: dict[str, Any] = {
        "id": supervision.pk,
        "case": {"id": case.pk, "number": case.number, "subject": case.subject},
        "opened_by_org": org_ref(supervision.opened_by_org),
        "opened_by": str(supervision.opened_by),
        "opened_at": supervision.opened_at,
        "unit": org_ref(supervision.unit),
        "reason": supervision.reason,
        "reason_label": supervision.get_reason_display(),
        "details": supervision.details,
        "feedback_due": supervision.feedback_due,
        "status": supervision.status,
        "status_label": supervision.get_status_display(),
        "feedback": supervision.feedback,
        "feedback_at": supervision.feedback_at,
        "feedback_by": _name(supervision.feedback_by),
        "closed_at": supervision.closed_at,
        "closed_by": _name(supervision.closed_by),
        "closing_note": supervision.closing_note,
        "accountability": supervision.accountability,
        "letters": [
            {"kind": kind, "title": title, "url": f"/api/v1/supervisions/{supervision.pk}/letters/{kind}"}
            for kind, title in available_letters(supervision)
        ],
    }
    if events:
        out["events"] = [
            {
                "seq": event.seq,
                "kind": event.kind,
                "kind_label": SupervisionEvent.Kind(event.kind).label,
                "at": event.at,
                "actor": _name(event.actor),
                "org": event.org.name if event.org else None,
                "payload": event.payload,
            }
            for event in selectors.supervision_events(supervision)
        ]
    return out


def _visible_supervision(user: User, supervision_id: int) -> Supervision:
    supervision = selectors.supervision_detail(user, supervision_id)
    if supervision is None:
        raise Http404(SUPERVISION_NOT_FOUND)
    return supervision


def _detail(user: User, supervision: Supervision) -> dict[str, Any]:
    """The 督办 as it stands now (re-read through the policy; the service's copy if it left view)."""
    fresh = selectors.supervision_detail(user, supervision.pk) or supervision
    return supervision_out(fresh, events=True)


# ---------------------------------------------------------------- due-soon and overdue lists


def _encode_cursor(moment: dt.datetime, pk: int) -> str:
    raw = json.dumps([moment.isoformat(), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _due_page(user: User, kind: str, filters: DueFilterIn) -> dict[str, Any]:
    """Keyset pages ordered by the warned due moment, soonest (or longest overdue) first: each
    flagged case once, by its earliest open warning (the 期限预警 page's rows)."""
    warnings = selectors.first_warnings(user, kind, org=_filter_org(filters)).select_related(
        "case__registered_org"
    )
    if filters.cursor:
        moment, pk = decode_cursor(filters.cursor)
        warnings = warnings.filter(Q(due_at__gt=moment) | Q(due_at=moment, case_id__gt=pk))
    rows = list(warnings[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    items = [
        {
            **case_row(warning.case),
            "clock": warning.clock,
            "clock_label": CLOCK_LABELS.get(warning.clock, warning.clock),
            "due_on": warning.due_on,
        }
        for warning in rows
    ]
    last = rows[-1] if rows else None
    cursor = _encode_cursor(last.due_at, last.case_id) if more and last is not None else None
    return {"items": items, "next_cursor": cursor}


def _filter_org(filters: DueFilterIn) -> Org | None:
    return lookups.optional_org(filters.org_id, field="org_id")


@router.get(
    "/cases/due-soon",
    response={200: DueCaseListOut, **ERROR_RESPONSES},
    summary="临期预警的信访件",
    description="Cases with a duty clock ending within the warning window (as of the last sweep), "
    "soonest first. Each row is a case list row plus the earliest warned clock and its last day.",
)
def due_soon(request: HttpRequest, filters: Query[DueFilterIn]) -> dict[str, Any]:
    return _due_page(current_user(request), DueWarning.Kind.DUE_SOON, filters)


@router.get(
    "/cases/overdue",
    response={200: DueCaseListOut, **ERROR_RESPONSES},
    summary="已超期的信访件",
    description="Cases with a duty clock past its last day and not met (as of the last sweep), "
    "longest overdue first.",
)
def overdue(request: HttpRequest, filters: Query[DueFilterIn]) -> dict[str, Any]:
    return _due_page(current_user(request), DueWarning.Kind.OVERDUE, filters)


# ---------------------------------------------------------------- one case


@router.get(
    "/cases/{case_id}/warnings",
    response={200: list[WarningOut], **ERROR_RESPONSES},
    summary="信访件的期限预警",
)
def case_warnings(request: HttpRequest, case_id: Id) -> list[dict[str, Any]]:
    user = current_user(request)
    case = lookups.visible_case(user, case_id)
    rows: list[dict[str, Any]] = [
        {
            "clock": warning.clock,
            "clock_label": warning.get_clock_display(),
            "kind": warning.kind,
            "kind_label": warning.get_kind_display(),
            "due_on": warning.due_on,
            "org": org_ref(warning.org),
            "created_at": warning.created_at,
            "message": f"{warning.get_clock_display()}{warning.get_kind_display()}：{warning.due_on:%Y-%m-%d} 届满",
        }
        for warning in selectors.case_warnings(user, case).select_related("org")
    ]
    # The open clocks computed without a year's holiday schedule (the case page shows the same):
    # their due dates count weekends only, and a client must not take them as certain.
    for clock in case_clocks(case):
        if clock.state not in CLOCK_STILL_COUNTING:
            continue
        rows.extend(
            {
                "clock": clock.name,
                "clock_label": CLOCK_LABELS.get(clock.name, clock.name),
                "kind": "calendar",
                "kind_label": "节假日安排未导入",
                "due_on": clock.due_on,
                "org": None,
                "created_at": None,
                "message": text,
            }
            for text in clock.warnings
        )
    return rows


@router.get(
    "/cases/{case_id}/supervisions",
    response={200: list[SupervisionOut], **ERROR_RESPONSES},
    summary="信访件的督办",
)
def case_supervisions(request: HttpRequest, case_id: Id) -> list[dict[str, Any]]:
    user = current_user(request)
    case = lookups.visible_case(user, case_id)
    found = selectors.case_supervisions(user, case).select_related("opened_by", "feedback_by", "closed_by")
    return [supervision_out(s) for s in found]


def _opening_bureau(user: User, org_id: int | None) -> Org:
    if org_id is not None:
        return lookups.org(org_id, field="org_id")
    bureaus = sorted(
        {
            m.org
            for m in user_memberships(user).filter(
                org__kind=OrgKind.PETITION_BUREAU, role__in=services.OPENING_ROLES
            )
        },
        key=lambda org: org.pk,
    )
    if not bureaus:
        raise NotAllowed("您不是信访部门的负责人、审核人或承办人，不能督办。", field="org_id")
    if len(bureaus) > 1:
        names = "、".join(org.name for org in bureaus)
        raise ServiceError(f"您在多个信访部门任职（{names}），请用 org_id 指定督办机关。", field="org_id")
    return bureaus[0]


@router.post(
    "/cases/{case_id}/supervisions",
    response={201: SupervisionDetailOut, **ERROR_RESPONSES},
    summary="发起督办",
    description="A petition bureau demands that the case's responsible unit act and report by "
    "`feedback_due`. 409 `conflict`: the bureau already has an unfinished 督办 on the case.",
)
def supervision_open(request: HttpRequest, case_id: Id, payload: SupervisionOpenIn) -> Reply[dict[str, Any]]:
    user = current_user(request)
    case = lookups.visible_case(user, case_id)
    supervision = services.supervision_open(
        actor=user,
        org=_opening_bureau(user, payload.org_id),
        case=case,
        reason=payload.reason.value,
        details=payload.details,
        feedback_due=payload.feedback_due,
    )
    return Reply(201, _detail(user, supervision))


# ---------------------------------------------------------------- one 督办


@router.get(
    "/supervisions/{supervision_id}",
    response={200: SupervisionDetailOut, **ERROR_RESPONSES},
    summary="督办详情（含督办记录）",
)
def supervision_get(request: HttpRequest, supervision_id: Id) -> dict[str, Any]:
    user = current_user(request)
    return supervision_out(_visible_supervision(user, supervision_id), events=True)


@router.post(
    "/supervisions/{supervision_id}/feedback",
    response={200: SupervisionDetailOut, **ERROR_RESPONSES},
    summary="反馈督办办理情况",
    description="By a 承办人, 审核人 or head of the case's responsible unit, while the 督办 is open or "
    "overdue (a late answer is accepted and recorded as late).",
)
def supervision_feedback(
    request: HttpRequest, supervision_id: Id, payload: SupervisionFeedbackIn
) -> dict[str, Any]:
    user = current_user(request)
    supervision = _visible_supervision(user, supervision_id)
    done = services.supervision_feedback(actor=user, supervision=supervision, text=payload.text)
    return _detail(user, done)


@router.post(
    "/supervisions/{supervision_id}/close",
    response={200: SupervisionDetailOut, **ERROR_RESPONSES},
    summary="办结督办",
    description="By the head or approver of the bureau that opened it: after the feedback, or, once "
    "overdue without feedback, only with `recommend_accountability: true`.",
)
def supervision_close(
    request: HttpRequest, supervision_id: Id, payload: SupervisionCloseIn
) -> dict[str, Any]:
    user = current_user(request)
    supervision = _visible_supervision(user, supervision_id)
    done = services.supervision_close(
        actor=user,
        supervision=supervision,
        note=payload.note,
        recommend_accountability=payload.recommend_accountability,
    )
    return _detail(user, done)


@router.get(
    "/supervisions/{supervision_id}/letters",
    response={200: list[DocumentOut], **ERROR_RESPONSES},
    summary="可生成的督办文书",
)
def letter_list(request: HttpRequest, supervision_id: Id) -> list[dict[str, str]]:
    supervision = _visible_supervision(current_user(request), supervision_id)
    return supervision_out(supervision)["letters"]  # type: ignore[no-any-return]


@router.get(
    "/supervisions/{supervision_id}/letters/{kind}",
    response=ERROR_RESPONSES,
    summary="下载督办文书（.docx）",
    description="`reminder` 督办提醒函; `accountability` 问责建议函 (404 `not_found` for an unknown "
    "kind, 409 `invalid_state` before the unit is overdue or accountability is recommended).",
    openapi_extra={
        "responses": {
            200: {
                "description": "The letter as a .docx file.",
                "content": {DOCX_MIME: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def letter_get(
    request: HttpRequest,
    supervision_id: Id,
    kind: str = Path(..., max_length=64, pattern=r"^[a-z0-9_-]+$"),
) -> FileResponse:
    supervision = _visible_supervision(current_user(request), supervision_id)
    try:
        filename, content = render_letter(supervision, kind)
    except ServiceError as exc:
        if exc.field == "letter":
            exc.field = "kind"
        raise
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=DOCX_MIME)
