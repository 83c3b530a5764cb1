"""约访 (appointments) and 下访 / 夜访 (visits down, night visits) in the API, under /leadership/.

Every read goes through ``xinfang.leadership.selectors.visits``: an appointment or a visit the user
may not see is answered like one that does not exist (404), and a visit's cases are listed only
where the user may see the case. Every change calls exactly one function of
``xinfang.leadership.services.visits``, which checks roles, reach, time and state.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply
from pydantic import BeforeValidator

from xinfang.api import lookups
from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.pagination import CURSOR_PATTERN
from xinfang.api.schemas import BodyBool, BodyId, BodyInt, Day, Id, LongText, PlainText
from xinfang.cases.models import Case
from xinfang.core.errors import ServiceError
from xinfang.leadership.models import (
    Appointment,
    AppointmentStatus,
    FieldVisit,
    FieldVisitCase,
    FieldVisitKind,
)
from xinfang.leadership.selectors import visits as selectors
from xinfang.leadership.services import visits as services
from xinfang.orgs.models import Org, User

router = Router(tags=["leadership"])

APPOINTMENT_NOT_FOUND = "约访不存在，或您无权查看。"
VISIT_NOT_FOUND = "下访记录不存在，或您无权查看。"
ITEM_NOT_FOUND = "下访件不存在，或您无权查看。"
MAX_CASES = 200

# The services name their arguments; the API names what clients send (org and leader are renamed
# for every router by xinfang.api.errors).
_FIELDS = {"case": "case_id", "cases": "case_ids", "target_org": "target_org_id"}


@contextmanager
def _api_fields() -> Iterator[None]:
    try:
        yield
    except ServiceError as exc:
        exc.field = _FIELDS.get(exc.field or "", exc.field)
        raise


# ---------------------------------------------------------------- schemas


def _moment_text(value: Any) -> Any:
    """A moment is ISO 8601 text with its offset (2025-03-04T09:30:00+08:00): a number or a
    moment without offset would be read in some zone the client did not mean."""
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("应为带时区的时间（如 2025-03-04T09:30:00+08:00）。")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("应为带时区的时间（如 2025-03-04T09:30:00+08:00）。") from None
    if moment.tzinfo is None:
        raise ValueError("应为带时区的时间（如 2025-03-04T09:30:00+08:00）。")
    return moment


Moment = Annotated[dt.datetime, BeforeValidator(_moment_text)]
Place = Annotated[str, Field(max_length=services.MAX_PLACE), PlainText]


class RefOut(Schema):
    id: int
    name: str


class CaseRefOut(Schema):
    id: int
    number: str
    subject: str


class AppointmentOut(Schema):
    id: int
    case: CaseRefOut
    org: RefOut = Field(description="约访机关")
    leader: RefOut | None = Field(description="约访领导；null：以机关名义约访")
    at: dt.datetime = Field(description="约见时间")
    place: str
    purpose: str
    status: AppointmentStatus
    status_label: str
    outcome: str
    created_by: str
    created_at: dt.datetime
    recorded_by: str | None
    recorded_at: dt.datetime | None


class AppointmentListOut(Schema):
    items: list[AppointmentOut]
    next_cursor: str | None = Field(description="下一页的游标；为 null 表示没有更多")


class AppointmentFilterIn(Schema):
    status: AppointmentStatus | None = Field(None, description="只列出该状态的约访")
    upcoming: bool = Field(
        False, description="true：本人作为约访领导或本机关今后的待约见约访，按时间先后（领导首页）"
    )
    cursor: str | None = Field(
        None, max_length=200, pattern=CURSOR_PATTERN, description="上一页返回的 next_cursor"
    )
    limit: int = Field(20, ge=1, le=100)


class AppointmentIn(Schema):
    case_id: BodyId = Field(description="信访件 id（本人须有权查看）")
    org_id: BodyId = Field(description="约访机关：本人在此任信访部门/党委政府的工作人员，或为该机关领导")
    leader_id: BodyId | None = Field(None, description="约访领导（用户 id）；领导本人安排时可不填")
    at: Moment = Field(description="约见时间（带时区），不早于现在，一年以内")
    place: Place = Field(description="约见地点")
    purpose: Annotated[str, Field(max_length=services.MAX_PURPOSE), PlainText] = Field(
        "", description="约访事由"
    )


class AppointmentRecordIn(Schema):
    status: Literal["held", "absent", "cancelled"] = Field(
        description="held 已约见, absent 信访人未到, cancelled 已取消"
    )
    outcome: LongText = Field("", description="约访情况；held 时必填")


class ItemOut(Schema):
    id: int
    visit_id: int
    case: CaseRefOut
    resolved: bool | None = Field(description="就地化解；null：尚未记录或反馈")
    outcome: str
    recorded_by: str | None
    recorded_at: dt.datetime | None


class FieldVisitOut(Schema):
    id: int
    kind: Literal["down", "night"]
    kind_label: str
    org: RefOut = Field(description="组织机关")
    leader: RefOut | None = Field(description="带队领导（下访）")
    target_org: RefOut | None = Field(description="承接乡镇（夜访）")
    on: dt.date
    days: int
    place: str
    participants: str
    summary: str
    created_by: str
    created_at: dt.datetime
    item_count: int = Field(description="信访件数（含无权查看的）")
    items: list[ItemOut] = Field(description="本人有权查看的信访件")
    hidden_items: int = Field(description="无权查看的信访件数")


class FieldVisitListOut(Schema):
    items: list[FieldVisitOut]
    next_cursor: str | None


class FieldVisitFilterIn(Schema):
    kind: Literal["down", "night"] | None = Field(None, description="down 下访, night 夜访")
    cursor: str | None = Field(
        None, max_length=200, pattern=CURSOR_PATTERN, description="上一页返回的 next_cursor"
    )
    limit: int = Field(20, ge=1, le=100)


class FieldVisitIn(Schema):
    kind: Literal["down", "night"] = Field(description="down 登记下访（已进行的）, night 推送乡镇夜访")
    org_id: BodyId = Field(description="组织机关")
    leader_id: BodyId | None = Field(None, description="带队领导（下访必填）")
    target_org_id: BodyId | None = Field(None, description="承接乡镇（夜访必填）")
    on: Day = Field(description="下访日期（不晚于今天）或夜访日期（今天起 60 日内）")
    days: BodyInt = Field(1, ge=1, le=services.MAX_VISIT_DAYS, description="下访天数（夜访为 1）")
    place: Place = Field(description="地点")
    participants: LongText = ""
    summary: LongText = Field("", description="情况小结（下访）或夜访要求")
    case_ids: list[Id] = Field(min_length=1, max_length=MAX_CASES, description="信访件 id")


class ItemStepIn(Schema):
    resolved: BodyBool = Field(description="是否就地化解")
    outcome: LongText = Field(description="化解情况（下访）或夜访情况（乡镇反馈）")


# ---------------------------------------------------------------- presenters


def _ref(row: Org | User | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"id": row.pk, "name": row.name if isinstance(row, Org) else str(row)}


def _case_ref(case: Case) -> dict[str, Any]:
    return {"id": case.pk, "number": case.number, "subject": case.subject}


def _name(user: User | None) -> str | None:
    return str(user) if user is not None else None


def appointment_out(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": appointment.pk,
        "case": _case_ref(appointment.case),
        "org": _ref(appointment.org),
        "leader": _ref(appointment.leader),
        "at": appointment.at,
        "place": appointment.place,
        "purpose": appointment.purpose,
        "status": appointment.status,
        "status_label": appointment.get_status_display(),
        "outcome": appointment.outcome,
        "created_by": str(appointment.created_by),
        "created_at": appointment.created_at,
        "recorded_by": _name(appointment.recorded_by),
        "recorded_at": appointment.recorded_at,
    }


def item_out(item: FieldVisitCase) -> dict[str, Any]:
    return {
        "id": item.pk,
        "visit_id": item.visit_id,
        "case": _case_ref(item.case),
        "resolved": item.resolved,
        "outcome": item.outcome,
        "recorded_by": _name(item.recorded_by),
        "recorded_at": item.recorded_at,
    }


def visit_out(user: User, visit: FieldVisit) -> dict[str, Any]:
    rows = list(selectors.visit_items(user, visit))
    seen = [item for item in rows if item.case_seen]
    return {
        "id": visit.pk,
        "kind": visit.kind,
        "kind_label": visit.get_kind_display(),
        "org": _ref(visit.org),
        "leader": _ref(visit.leader),
        "target_org": _ref(visit.target_org),
        "on": visit.on,
        "days": visit.days,
        "place": visit.place,
        "participants": visit.participants,
        "summary": visit.summary,
        "created_by": str(visit.created_by),
        "created_at": visit.created_at,
        "item_count": len(rows),
        "items": [item_out(item) for item in seen],
        "hidden_items": len(rows) - len(seen),
    }


# ---------------------------------------------------------------- cursors: [text, id] of the last row


def _encode(text: str, pk: int) -> str:
    raw = json.dumps([text, pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(text, str) or not isinstance(pk, int) or not 1 <= pk < 2**63:
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ServiceError("游标无效，请使用上一页返回的 next_cursor。", field="cursor") from None
    return text, pk


def _moment_cursor(cursor: str) -> tuple[dt.datetime, int]:
    text, pk = _decode(cursor)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ServiceError("游标无效，请使用上一页返回的 next_cursor。", field="cursor") from None
    if moment.tzinfo is None:
        raise ServiceError("游标无效，请使用上一页返回的 next_cursor。", field="cursor")
    return moment, pk


def _date_cursor(cursor: str) -> tuple[dt.date, int]:
    text, pk = _decode(cursor)
    try:
        return dt.date.fromisoformat(text), pk
    except ValueError:
        raise ServiceError("游标无效，请使用上一页返回的 next_cursor。", field="cursor") from None


# ---------------------------------------------------------------- 约访


def _visible_appointment(user: User, appointment_id: int) -> Appointment:
    appointment = selectors.appointment_detail(user, appointment_id)
    if appointment is None:
        raise Http404(APPOINTMENT_NOT_FOUND)
    return appointment


def _fresh_appointment(user: User, appointment: Appointment) -> dict[str, Any]:
    return appointment_out(selectors.appointment_detail(user, appointment.pk) or appointment)


@router.get(
    "/leadership/appointments",
    response={200: AppointmentListOut, **ERROR_RESPONSES},
    summary="约访列表",
    description="The appointments the user sees (their organ's, those of the organs below it, and "
    "their own as the leader), latest meeting first; `upcoming=true`: planned ones from now on, "
    "soonest first (the leader's home).",
)
def appointment_list(request: HttpRequest, filters: Query[AppointmentFilterIn]) -> dict[str, Any]:
    user = current_user(request)
    rows: QuerySet[Appointment]
    if filters.upcoming:
        rows = selectors.upcoming_appointments(user)
    else:
        rows = selectors.appointments_visible_to(user).order_by("-at", "-pk")
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    if filters.cursor:
        moment, pk = _moment_cursor(filters.cursor)
        after = (
            Q(at__gt=moment) | Q(at=moment, pk__gt=pk)
            if filters.upcoming
            else Q(at__lt=moment) | Q(at=moment, pk__lt=pk)
        )
        rows = rows.filter(after)
    found = list(rows[: filters.limit + 1])
    more = len(found) > filters.limit
    found = found[: filters.limit]
    last = found[-1] if more and found else None
    return {
        "items": [appointment_out(a) for a in found],
        "next_cursor": _encode(last.at.isoformat(), last.pk) if last else None,
    }


@router.post(
    "/leadership/appointments",
    response={201: AppointmentOut, **ERROR_RESPONSES},
    summary="安排约访",
    description="By the organising staff of a petition bureau or Party committee / government, or by "
    "a leader of `org_id` in person. 409 `conflict`: the case already has a planned appointment at "
    "that moment.",
)
def appointment_create(request: HttpRequest, payload: AppointmentIn) -> Reply[dict[str, Any]]:
    user = current_user(request)
    case = lookups.referenced_case(user, payload.case_id, field="case_id")
    org = lookups.org(payload.org_id, field="org_id")
    leader = None if payload.leader_id is None else lookups.staff_user(payload.leader_id, field="leader_id")
    with _api_fields():
        appointment = services.appointment_schedule(
            actor=user,
            org=org,
            case=case,
            at=payload.at,
            place=payload.place,
            purpose=payload.purpose,
            leader=leader,
        )
    return Reply(201, _fresh_appointment(user, appointment))


@router.get(
    "/leadership/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERROR_RESPONSES},
    summary="约访详情",
)
def appointment_get(request: HttpRequest, appointment_id: Id) -> dict[str, Any]:
    return appointment_out(_visible_appointment(current_user(request), appointment_id))


@router.post(
    "/leadership/appointments/{appointment_id}/record",
    response={200: AppointmentOut, **ERROR_RESPONSES},
    summary="记录约访结果",
    description="By the organising staff of the appointment's organ or its leader, once, while "
    "planned: `held` (from the day of the meeting, with the outcome; noted on the case), `absent` "
    "(from that day) or `cancelled` (any time). 409 `invalid_state` once recorded.",
)
def appointment_record(
    request: HttpRequest, appointment_id: Id, payload: AppointmentRecordIn
) -> dict[str, Any]:
    user = current_user(request)
    appointment = _visible_appointment(user, appointment_id)
    with _api_fields():
        done = services.appointment_record(
            actor=user, appointment=appointment, status=payload.status, outcome=payload.outcome
        )
    return _fresh_appointment(user, done)


# ---------------------------------------------------------------- 下访 and 夜访


def _visible_visit(user: User, visit_id: int) -> FieldVisit:
    visit = selectors.field_visit_detail(user, visit_id)
    if visit is None:
        raise Http404(VISIT_NOT_FOUND)
    return visit


def _visible_item(user: User, item_id: int) -> FieldVisitCase:
    item = selectors.field_visit_item(user, item_id)
    if item is None:
        raise Http404(ITEM_NOT_FOUND)
    return item


@router.get(
    "/leadership/field-visits",
    response={200: FieldVisitListOut, **ERROR_RESPONSES},
    summary="下访与夜访列表",
    description="The visits the user sees (their organ's, those below it, their own as the leader, "
    "and the 夜访 pushed to their township), latest first; each lists the cases the user may see.",
)
def field_visit_list(request: HttpRequest, filters: Query[FieldVisitFilterIn]) -> dict[str, Any]:
    user = current_user(request)
    rows = selectors.field_visits_visible_to(user, kind=filters.kind).order_by("-on", "-pk")
    if filters.cursor:
        day, pk = _date_cursor(filters.cursor)
        rows = rows.filter(Q(on__lt=day) | Q(on=day, pk__lt=pk))
    found = list(rows[: filters.limit + 1])
    more = len(found) > filters.limit
    found = found[: filters.limit]
    last = found[-1] if more and found else None
    return {
        "items": [visit_out(user, visit) for visit in found],
        "next_cursor": _encode(last.on.isoformat(), last.pk) if last else None,
    }


@router.get(
    "/leadership/field-visits/awaiting",
    response={200: list[ItemOut], **ERROR_RESPONSES},
    summary="待反馈的夜访件",
    description="The cases pushed for a 夜访 to the user's township and not yet answered.",
)
def field_visit_awaiting(request: HttpRequest) -> list[dict[str, Any]]:
    user = current_user(request)
    return [item_out(item) for item in selectors.night_visits_awaiting(user)[:MAX_CASES]]


@router.post(
    "/leadership/field-visits",
    response={201: FieldVisitOut, **ERROR_RESPONSES},
    summary="登记下访或推送夜访",
    description="`kind: down`: a visit down that took place, with `leader_id`, `days` and the cases "
    "taken along (each noted on the case). `kind: night`: the bureau pushes the cases to the township "
    "`target_org_id` (which must be able to read them) for a 夜访. 409 `conflict`: recorded twice, "
    "or a case already pushed there and not answered.",
)
def field_visit_create(request: HttpRequest, payload: FieldVisitIn) -> Reply[dict[str, Any]]:
    user = current_user(request)
    org = lookups.org(payload.org_id, field="org_id")
    cases = [
        lookups.referenced_case(user, case_id, field=f"case_ids[{index}]")
        for index, case_id in enumerate(payload.case_ids)
    ]
    with _api_fields():
        if payload.kind == FieldVisitKind.DOWN:
            if payload.leader_id is None:
                raise ServiceError("请选择带队领导。", field="leader_id")
            visit = services.field_visit_record(
                actor=user,
                org=org,
                leader=lookups.staff_user(payload.leader_id, field="leader_id"),
                on=payload.on,
                days=payload.days,
                place=payload.place,
                participants=payload.participants,
                summary=payload.summary,
                cases=cases,
            )
        else:
            if payload.target_org_id is None:
                raise ServiceError("请选择承接乡镇。", field="target_org_id")
            visit = services.field_visit_push(
                actor=user,
                org=org,
                target_org=lookups.org(payload.target_org_id, field="target_org_id"),
                on=payload.on,
                place=payload.place,
                participants=payload.participants,
                summary=payload.summary,
                cases=cases,
            )
    return Reply(201, visit_out(user, selectors.field_visit_detail(user, visit.pk) or visit))


@router.get(
    "/leadership/field-visits/{visit_id}",
    response={200: FieldVisitOut, **ERROR_RESPONSES},
    summary="下访或夜访详情",
)
def field_visit_get(request: HttpRequest, visit_id: Id) -> dict[str, Any]:
    user = current_user(request)
    return visit_out(user, _visible_visit(user, visit_id))


@router.post(
    "/leadership/field-visits/items/{item_id}/outcome",
    response={200: ItemOut, **ERROR_RESPONSES},
    summary="记录下访件的化解情况",
    description="Whether a case taken down was settled on the spot (就地化解): by the organising staff "
    "of the visit's organ or its leader, once (409 `invalid_state` after).",
)
def field_visit_item_outcome(request: HttpRequest, item_id: Id, payload: ItemStepIn) -> dict[str, Any]:
    user = current_user(request)
    item = _visible_item(user, item_id)
    with _api_fields():
        done = services.field_visit_case_outcome(
            actor=user, item=item, resolved=payload.resolved, outcome=payload.outcome
        )
    return item_out(selectors.field_visit_item(user, done.pk) or done)


@router.post(
    "/leadership/field-visits/items/{item_id}/feedback",
    response={200: ItemOut, **ERROR_RESPONSES},
    summary="反馈夜访情况",
    description="The township's feedback on a case pushed for a 夜访: by its 承办人, 审核人 or head, "
    "once (409 `invalid_state` after); noted on the case.",
)
def field_visit_item_feedback(request: HttpRequest, item_id: Id, payload: ItemStepIn) -> dict[str, Any]:
    user = current_user(request)
    item = _visible_item(user, item_id)
    with _api_fields():
        done = services.field_visit_feedback(
            actor=user, item=item, resolved=payload.resolved, outcome=payload.outcome
        )
    return item_out(selectors.field_visit_item(user, done.pk) or done)
