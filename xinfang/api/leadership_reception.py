"""领导接访日 in the API: the schedule the user sees, scheduling a day, a visit registered there
(a new case) or an existing case brought to it, closing and cancelling the day.

Reads go through ``xinfang.leadership.selectors.reception`` (a day the user may not see is a 404);
every change calls one function of ``xinfang.leadership.services.reception``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from xinfang.api import lookups
from xinfang.api.auth import current_user
from xinfang.api.cases import register_fields
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.presenters import org_ref
from xinfang.api.schemas import BodyBool, BodyId, BodyInt, CaseRegisterIn, Id, LongText, ShortText
from xinfang.cases.models import Channel
from xinfang.core.errors import ServiceError
from xinfang.leadership.models import ReceptionDay, ReceptionDayStatus, ReceptionVisit, VisitOutcome
from xinfang.leadership.selectors import reception as selectors
from xinfang.leadership.services import reception as services
from xinfang.orgs.models import User

router = Router(tags=["leadership"])

NOT_FOUND = "接访日不存在，或您无权查看。"


class OrgRef(Schema):
    id: int
    name: str


class VisitOut(Schema):
    id: int
    case_id: int
    case_number: str
    registered_here: bool = Field(description="true：在本次接访中当场登记的新信访件")
    headcount: int
    outcome: VisitOutcome
    outcome_label: str
    note: str
    recorded_at: dt.datetime


class ReceptionDayOut(Schema):
    id: int
    org: OrgRef = Field(description="接访机关")
    leader: str
    leader_id: int
    leader_org: OrgRef
    leader_title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    topics: str
    published: bool
    status: ReceptionDayStatus
    status_label: str
    summary: str
    cancel_reason: str


class ReceptionDayDetailOut(ReceptionDayOut):
    visits: list[VisitOut] = Field(description="本次接访登记的来访（仅列出您有权查看的信访件）")


class ReceptionDayFilterIn(Schema):
    status: ReceptionDayStatus | None = None
    leader_id: Id | None = None


class ScheduleIn(Schema):
    org_id: BodyId = Field(description="接访机关（信访部门或党委政府）")
    leader_id: BodyId = Field(description="接访领导（用户 id）")
    leader_org_id: BodyId = Field(description="领导所在机关：领导须在该机关任领导，其辖区包含接访机关")
    leader_title: ShortText = ""
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: ShortText
    topics: ShortText = ""
    published: BodyBool = Field(True, description="是否在网上信访平台公布")


class ReceiveIn(Schema):
    case_id: BodyId = Field(description="已登记的信访件")
    outcome: VisitOutcome
    headcount: BodyInt = Field(1, ge=1, le=services.MAX_HEADCOUNT)
    note: LongText = ""


class RegisterVisitIn(Schema):
    outcome: VisitOutcome
    note: LongText = ""
    registration: CaseRegisterIn = Field(
        description="新信访件的登记内容：org_id 须为接访机关，channel 须为 visit（走访）"
    )


class SummaryIn(Schema):
    summary: LongText


class CancelIn(Schema):
    reason: ShortText


def day_out(user: User, day: ReceptionDay, *, visits: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": day.pk,
        "org": org_ref(day.org),
        "leader": str(day.leader),
        "leader_id": day.leader_id,
        "leader_org": org_ref(day.leader_org),
        "leader_title": day.leader_title,
        "starts_at": day.starts_at,
        "ends_at": day.ends_at,
        "place": day.place,
        "topics": day.topics,
        "published": day.published,
        "status": day.status,
        "status_label": day.get_status_display(),
        "summary": day.summary,
        "cancel_reason": day.cancel_reason,
    }
    if visits:
        out["visits"] = [_visit_out(v) for v in selectors.day_visits(user, day)]
    return out


def _visit_out(visit: ReceptionVisit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "case_id": visit.case_id,
        "case_number": visit.case.number,
        "registered_here": visit.registered_here,
        "headcount": visit.headcount,
        "outcome": visit.outcome,
        "outcome_label": visit.get_outcome_display(),
        "note": visit.note,
        "recorded_at": visit.recorded_at,
    }


def _day(user: User, day_id: int) -> ReceptionDay:
    day = selectors.reception_day_detail(user, day_id)
    if day is None:
        raise Http404(NOT_FOUND)
    return day


def _detail(user: User, day: ReceptionDay) -> dict[str, Any]:
    return day_out(user, selectors.reception_day_detail(user, day.pk) or day, visits=True)


@router.get(
    "/leadership/reception-days",
    response={200: list[ReceptionDayOut], **ERROR_RESPONSES},
    summary="领导接访日",
    description="The reception days the user sees (their own as leader, those of their organs and "
    "of the organs below them), soonest first; at most 500.",
)
def reception_day_list(request: HttpRequest, filters: Query[ReceptionDayFilterIn]) -> list[dict[str, Any]]:
    user = current_user(request)
    days = selectors.reception_days_visible_to(user).order_by("starts_at", "pk")
    if filters.status is not None:
        days = days.filter(status=filters.status.value)
    if filters.leader_id is not None:
        days = days.filter(leader_id=filters.leader_id)
    return [day_out(user, d) for d in days[:500]]


@router.get(
    "/leadership/reception-days/{day_id}",
    response={200: ReceptionDayDetailOut, **ERROR_RESPONSES},
    summary="接访日详情（含接访登记）",
)
def reception_day_get(request: HttpRequest, day_id: Id) -> dict[str, Any]:
    user = current_user(request)
    return day_out(user, _day(user, day_id), visits=True)


@router.post(
    "/leadership/reception-days",
    response={201: ReceptionDayDetailOut, **ERROR_RESPONSES},
    summary="安排领导接访",
    description="By the organising staff of the receiving bureau or government (or of one above "
    "it); the leader must hold the 领导 role in `leader_org_id`, whose region contains the "
    "receiving organ's. Times are aware (with an offset); the day may not clash with another of "
    "the leader's.",
)
def reception_day_schedule(request: HttpRequest, payload: ScheduleIn) -> Reply[dict[str, Any]]:
    user = current_user(request)
    day = services.reception_day_schedule(
        actor=user,
        org=lookups.org(payload.org_id, field="org_id"),
        leader=lookups.staff_user(payload.leader_id, field="leader_id"),
        leader_org=lookups.org(payload.leader_org_id, field="leader_org_id"),
        leader_title=payload.leader_title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        topics=payload.topics,
        published=payload.published,
    )
    return Reply(201, _detail(user, day))


@router.post(
    "/leadership/reception-days/{day_id}/cases",
    response={200: ReceptionDayDetailOut, **ERROR_RESPONSES},
    summary="记入已登记的信访件",
    description="An existing case brought to the leader on the day (from the day's date until it "
    "is closed). The case must be visible to the user and to the leader.",
)
def reception_day_receive(request: HttpRequest, day_id: Id, payload: ReceiveIn) -> dict[str, Any]:
    user = current_user(request)
    day = _day(user, day_id)
    case = lookups.referenced_case(user, payload.case_id, field="case_id")
    services.reception_receive_case(
        actor=user,
        day=day,
        case=case,
        outcome=payload.outcome.value,
        note=payload.note,
        headcount=payload.headcount,
    )
    return _detail(user, day)


@router.post(
    "/leadership/reception-days/{day_id}/visits",
    response={201: ReceptionDayDetailOut, **ERROR_RESPONSES},
    summary="登记新来访并记入接访",
    description="A matter brought for the first time: registered as a 走访 case of the receiving "
    "organ and recorded as received at the day, in one transaction (nothing is kept when either "
    "is refused).",
)
def reception_day_register(
    request: HttpRequest, day_id: Id, payload: RegisterVisitIn
) -> Reply[dict[str, Any]]:
    user = current_user(request)
    day = _day(user, day_id)
    if payload.registration.org_id != day.org_id:
        raise ServiceError(
            f"登记机关须为接访机关{day.org.name}（org_id={day.org_id}）。", field="registration.org_id"
        )
    if payload.registration.channel.value != Channel.VISIT:
        raise ServiceError("接访中登记的事项信访形式为走访（visit）。", field="registration.channel")
    fields = register_fields(payload.registration)
    services.reception_register_visit(
        actor=user, day=day, outcome=payload.outcome.value, note=payload.note, registration=fields
    )
    return Reply(201, _detail(user, day))


@router.post(
    "/leadership/reception-days/{day_id}/close",
    response={200: ReceptionDayDetailOut, **ERROR_RESPONSES},
    summary="结束接访（接访情况小结）",
)
def reception_day_close(request: HttpRequest, day_id: Id, payload: SummaryIn) -> dict[str, Any]:
    user = current_user(request)
    day = services.reception_day_close(actor=user, day=_day(user, day_id), summary=payload.summary)
    return _detail(user, day)


@router.post(
    "/leadership/reception-days/{day_id}/cancel",
    response={200: ReceptionDayDetailOut, **ERROR_RESPONSES},
    summary="取消接访",
    description="Only a scheduled day with no visit recorded.",
)
def reception_day_cancel(request: HttpRequest, day_id: Id, payload: CancelIn) -> dict[str, Any]:
    user = current_user(request)
    day = services.reception_day_cancel(actor=user, day=_day(user, day_id), reason=payload.reason)
    return _detail(user, day)
