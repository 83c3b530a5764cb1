"""包案 in the API: the 包案 the user sees with the counts, taking cases on, progress, 已化解,
reopening, handover, and a case of the same 类案 added.

Reads go through ``xinfang.leadership.selectors.ownership`` (a 包案 the user may not see is a
404); every change calls one function of ``xinfang.leadership.services.ownership``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from xinfang.api import lookups
from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.presenters import org_ref
from xinfang.api.schemas import BodyBool, BodyId, Day, Id, LongText, ShortText
from xinfang.leadership.models import Ownership, OwnershipEvent, OwnershipState
from xinfang.leadership.selectors import ownership as selectors
from xinfang.leadership.services import ownership as services
from xinfang.orgs.models import User

router = Router(tags=["leadership"])

NOT_FOUND = "包案不存在，或您无权查看。"


class OrgRef(Schema):
    id: int
    name: str


class OwnedCaseOut(Schema):
    id: int
    number: str
    subject: str
    status: str


class OwnershipEventOut(Schema):
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str
    text: str


class OwnershipOut(Schema):
    id: int
    title: str
    leader: str
    leader_id: int
    leader_title: str
    org: OrgRef = Field(description="包案领导所在机关")
    started_on: dt.date
    target_on: dt.date
    plan: str
    state: OwnershipState
    state_label: str
    resolved_on: dt.date | None
    evidence: str
    petitioner_confirmed: bool
    petitioner_rating: str
    case_count: int


class OwnershipDetailOut(OwnershipOut):
    cases: list[OwnedCaseOut] = Field(description="包案的信访件（仅列出您有权查看的）")
    events: list[OwnershipEventOut]


class FiguresOut(Schema):
    cases: int = Field(description="包案件数")
    leaders: int = Field(description="参与领导人次")
    resolved_cases: int = Field(description="已化解的包案件数")
    rate: float | None = Field(description="包案化解率（0–1）；没有包案件时为 null")


class OwnershipListOut(Schema):
    figures: FiguresOut
    items: list[OwnershipOut]


class OwnershipFilterIn(Schema):
    state: OwnershipState | None = None
    mine: bool = Field(False, description="true：只列本人作为包案领导的")


class TakeIn(Schema):
    leader_id: BodyId
    org_id: BodyId = Field(description="包案领导所在机关（领导须在该机关任领导）")
    leader_title: ShortText = ""
    case_ids: list[BodyId] = Field(min_length=1, max_length=services.MAX_CASES)
    title: ShortText
    started_on: Day
    target_on: Day
    plan: LongText


class ProgressIn(Schema):
    text: LongText


class ResolveIn(Schema):
    resolved_on: Day
    evidence: LongText
    petitioner_confirmed: BodyBool = False
    petitioner_rating: ShortText = Field(
        "", description="信访人评价：满意、基本满意或不满意；与 petitioner_confirmed 至少其一"
    )


class HandOverIn(Schema):
    leader_id: BodyId
    org_id: BodyId
    leader_title: ShortText = ""
    reason: LongText


class ReasonIn(Schema):
    reason: LongText


class AddCaseIn(Schema):
    case_id: BodyId


def ownership_out(user: User, ownership: Ownership, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ownership.pk,
        "title": ownership.title,
        "leader": str(ownership.leader),
        "leader_id": ownership.leader_id,
        "leader_title": ownership.leader_title,
        "org": org_ref(ownership.org),
        "started_on": ownership.started_on,
        "target_on": ownership.target_on,
        "plan": ownership.plan,
        "state": ownership.state,
        "state_label": ownership.get_state_display(),
        "resolved_on": ownership.resolved_on,
        "evidence": ownership.evidence,
        "petitioner_confirmed": ownership.petitioner_confirmed,
        "petitioner_rating": ownership.petitioner_rating,
        "case_count": getattr(ownership, "case_count", None) or ownership.cases.count(),
    }
    if detail:
        out["cases"] = [
            {"id": c.pk, "number": c.number, "subject": c.subject, "status": c.status}
            for c in selectors.ownership_cases(user, ownership)
        ]
        out["events"] = [
            {
                "kind": e.kind,
                "kind_label": OwnershipEvent.Kind(e.kind).label,
                "at": e.at,
                "actor": str(e.actor),
                "text": e.text,
            }
            for e in selectors.ownership_events(ownership)
        ]
    return out


def _ownership(user: User, ownership_id: int) -> Ownership:
    found = selectors.ownership_detail(user, ownership_id)
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def _detail(user: User, ownership: Ownership) -> dict[str, Any]:
    return ownership_out(user, selectors.ownership_detail(user, ownership.pk) or ownership, detail=True)


@router.get(
    "/leadership/ownerships",
    response={200: OwnershipListOut, **ERROR_RESPONSES},
    summary="领导包案（含包案件数、参与领导人次、包案化解率）",
    description="The 包案 the user sees: as their leader, or through one of its cases (the access "
    "policy); the figures are of that whole set. At most 500 items.",
)
def ownership_list(request: HttpRequest, filters: Query[OwnershipFilterIn]) -> dict[str, Any]:
    user = current_user(request)
    visible = selectors.ownerships_visible_to(user)
    figures = selectors.ownership_figures(visible)
    rows = visible
    if filters.state is not None:
        rows = rows.filter(state=filters.state.value)
    if filters.mine:
        rows = rows.filter(leader=user)
    return {
        "figures": {
            "cases": figures.cases,
            "leaders": figures.leaders,
            "resolved_cases": figures.resolved_cases,
            "rate": figures.rate,
        },
        "items": [ownership_out(user, o) for o in rows.order_by("target_on", "pk")[:500]],
    }


@router.get(
    "/leadership/ownerships/{ownership_id}",
    response={200: OwnershipDetailOut, **ERROR_RESPONSES},
    summary="包案详情（含包案记录）",
)
def ownership_get(request: HttpRequest, ownership_id: Id) -> dict[str, Any]:
    user = current_user(request)
    return ownership_out(user, _ownership(user, ownership_id), detail=True)


@router.post(
    "/leadership/ownerships",
    response={201: OwnershipDetailOut, **ERROR_RESPONSES},
    summary="登记包案",
    description="By the leader, or by the organising staff of a bureau or government over the "
    "leader's organ. The leader must see every case (a leader cannot own a case outside their "
    "organ's reach); a case has one 包案 not yet 已化解 (409 `conflict`).",
)
def ownership_take(request: HttpRequest, payload: TakeIn) -> Reply[dict[str, Any]]:
    user = current_user(request)
    cases = [lookups.referenced_case(user, pk, field="case_ids") for pk in dict.fromkeys(payload.case_ids)]
    ownership = services.ownership_take(
        actor=user,
        leader=lookups.staff_user(payload.leader_id, field="leader_id"),
        org=lookups.org(payload.org_id, field="org_id"),
        cases=cases,
        title=payload.title,
        started_on=payload.started_on,
        target_on=payload.target_on,
        plan=payload.plan,
        leader_title=payload.leader_title,
    )
    return Reply(201, _detail(user, ownership))


@router.post(
    "/leadership/ownerships/{ownership_id}/progress",
    response={200: OwnershipDetailOut, **ERROR_RESPONSES},
    summary="记录化解进展",
)
def ownership_progress(request: HttpRequest, ownership_id: Id, payload: ProgressIn) -> dict[str, Any]:
    user = current_user(request)
    done = services.ownership_progress(
        actor=user, ownership=_ownership(user, ownership_id), text=payload.text
    )
    return _detail(user, done)


@router.post(
    "/leadership/ownerships/{ownership_id}/resolve",
    response={200: OwnershipDetailOut, **ERROR_RESPONSES},
    summary="认定已化解",
    description="With the evidence and the petitioner's confirmation or rating.",
)
def ownership_resolve(request: HttpRequest, ownership_id: Id, payload: ResolveIn) -> dict[str, Any]:
    user = current_user(request)
    done = services.ownership_resolve(
        actor=user,
        ownership=_ownership(user, ownership_id),
        resolved_on=payload.resolved_on,
        evidence=payload.evidence,
        petitioner_confirmed=payload.petitioner_confirmed,
        petitioner_rating=payload.petitioner_rating,
    )
    return _detail(user, done)


@router.post(
    "/leadership/ownerships/{ownership_id}/reopen",
    response={200: OwnershipDetailOut, **ERROR_RESPONSES},
    summary="重新启动化解",
)
def ownership_reopen(request: HttpRequest, ownership_id: Id, payload: ReasonIn) -> dict[str, Any]:
    user = current_user(request)
    done = services.ownership_reopen(
        actor=user, ownership=_ownership(user, ownership_id), reason=payload.reason
    )
    return _detail(user, done)


@router.post(
    "/leadership/ownerships/{ownership_id}/hand-over",
    response={200: OwnershipDetailOut, **ERROR_RESPONSES},
    summary="变更包案领导",
)
def ownership_hand_over(request: HttpRequest, ownership_id: Id, payload: HandOverIn) -> dict[str, Any]:
    user = current_user(request)
    done = services.ownership_hand_over(
        actor=user,
        ownership=_ownership(user, ownership_id),
        leader=lookups.staff_user(payload.leader_id, field="leader_id"),
        org=lookups.org(payload.org_id, field="org_id"),
        reason=payload.reason,
        leader_title=payload.leader_title,
    )
    return _detail(user, done)


@router.post(
    "/leadership/ownerships/{ownership_id}/cases",
    response={200: OwnershipDetailOut, **ERROR_RESPONSES},
    summary="增加同类信访件",
)
def ownership_add_case(request: HttpRequest, ownership_id: Id, payload: AddCaseIn) -> dict[str, Any]:
    user = current_user(request)
    ownership = _ownership(user, ownership_id)
    case = lookups.referenced_case(user, payload.case_id, field="case_id")
    return _detail(user, services.ownership_add_case(actor=user, ownership=ownership, case=case))
