"""The leaders' work in the API: 信访听证 (hearings), from the application or decision to the
published conclusion.

Every read goes through ``xinfang.leadership.selectors.hearings`` (a hearing whose case the user
may not see is answered like one that does not exist: 404). Every change calls exactly one
function of ``xinfang.leadership.services.hearings``, which checks roles, state, dates and input;
its refusals come back as ``{"detail": [{"field", "message", "code"}]}`` naming the API's field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal, TypeVar

from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja import Status as Reply
from pydantic import AfterValidator

from xinfang.api import lookups
from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.presenters import org_ref
from xinfang.api.schemas import BodyId, Day, DocumentOut, Id, LongText, PlainText
from xinfang.cases.documents import DOCX_MIME
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import LOCAL_TZ
from xinfang.leadership.hearing_documents import available_documents, render_document
from xinfang.leadership.models.hearings import (
    OPEN_HEARING_STATUSES,
    Hearing,
    HearingEvent,
    HearingOrigin,
    HearingStatus,
    ParticipantRole,
)
from xinfang.leadership.selectors import hearings as selectors
from xinfang.leadership.services import hearings as services
from xinfang.orgs.models import User

router = Router(tags=["leadership"])
Step = TypeVar("Step", bound=Callable[..., Any])

HEARING_NOT_FOUND = "听证不存在，或您无权查看。"
# The services name their arguments; the API names the fields a client sends.
API_FIELDS = {"case": "case_id", "org": "org_id", "participant": "participant_id"}


def _sane_moment(value: dt.datetime) -> dt.datetime:
    if not 1900 <= value.year <= 2999:
        raise ValueError("时间应在 1900 年至 2999 年之间。")
    # Without a zone the time is Beijing time, as on the pages.
    return value if value.tzinfo is not None else value.replace(tzinfo=LOCAL_TZ)


Moment = Annotated[dt.datetime, AfterValidator(_sane_moment)]
Name = Annotated[str, Field(max_length=64), PlainText]
Affiliation = Annotated[str, Field(max_length=128), PlainText]
Venue = Annotated[str, Field(max_length=128), PlainText]
StatusFilter = Literal[
    "open", "applied", "refused", "decided", "announced", "in_session", "concluded", "published", "withdrawn"
]


# ---------------------------------------------------------------- schemas


class OrgRef(Schema):
    id: int
    name: str


class CaseRefOut(Schema):
    id: int
    number: str
    subject: str
    status: str


class ParticipantOut(Schema):
    id: int
    role: ParticipantRole
    role_label: str
    name: str
    affiliation: str


class HearingEventOut(Schema):
    seq: int
    kind: str
    kind_label: str
    at: dt.datetime
    actor: str
    org: str
    payload: dict[str, Any]


class HearingOut(Schema):
    id: int
    case: CaseRefOut
    org: OrgRef = Field(description="听证机关：办理该信访件的机关或其复查（复核）机关")
    origin: HearingOrigin = Field(description="applied 信访人申请；decided 机关决定")
    origin_label: str
    status: HearingStatus
    status_label: str
    applied_on: dt.date | None
    application: str
    decided_on: dt.date | None = Field(description="决定（或不予听证）的日期")
    decision: str = Field(description="决定意见；不予听证时为其理由")
    announced_on: dt.date | None
    announcement: str
    scheduled_at: dt.datetime | None = Field(description="听证时间")
    venue: str
    started_on: dt.date | None
    ended_on: dt.date | None
    statement: str = Field(description="陈述")
    questioning: str = Field(description="询问")
    debate: str = Field(description="辩论")
    deliberation: str = Field(description="评议")
    conclusion: str
    published_on: dt.date | None
    withdrawn_on: dt.date | None
    withdrawal: str = Field(description="终止理由")
    created_by: str
    created_at: dt.datetime
    documents: list[DocumentOut]


class HearingDetailOut(HearingOut):
    participants: list[ParticipantOut] = Field(description="按身份排列：主持人在前")
    events: list[HearingEventOut] = Field(description="听证的每一步（谁、何时、做了什么）")


class HearingListOut(Schema):
    items: list[HearingOut]
    total: int = Field(description="符合条件的听证总数")


class HearingFilterIn(Schema):
    status: StatusFilter | None = Field(None, description="open：进行中（未作出结论、未终止）；或一个状态")
    case_id: Id | None = Field(None, description="只列出该信访件的听证")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100000)


class HearingStartIn(Schema):
    case_id: BodyId
    origin: HearingOrigin = Field(description="applied：登记信访人的申请；decided：机关决定举行听证")
    org_id: BodyId | None = Field(
        None, description="听证机关（办理该信访件的机关或其复查、复核机关）；默认：本人可组织听证的第一个"
    )
    applied_on: Day | None = Field(None, description="申请日期（origin=applied 时必填）")
    application: LongText = Field("", description="申请事项和理由（origin=applied 时必填）")
    decided_on: Day | None = Field(None, description="决定日期（origin=decided 时必填）")
    decision: LongText = Field("", description="决定意见（origin=decided 时必填）")


class AcceptIn(Schema):
    decided_on: Day = Field(description="决定日期：不早于申请日期，不晚于今天")
    decision: LongText = Field(description="决定意见")


class RefuseIn(Schema):
    decided_on: Day
    reason: LongText = Field(description="不予听证的理由")


class AnnounceIn(Schema):
    announced_on: Day = Field(description="公告日期：不早于决定日期，不晚于今天")
    announcement: LongText = Field(description="公告内容")
    scheduled_at: Moment = Field(description="听证时间：今天或以后；不带时区时按北京时间")
    venue: Venue = Field(description="听证地点")


class ParticipantIn(Schema):
    role: ParticipantRole
    name: Name
    affiliation: Affiliation = ""


class OpenIn(Schema):
    started_on: Day = Field(description="听证开始日期：不早于公告的听证日期，不晚于今天")


class RecordIn(Schema):
    statement: LongText | None = Field(None, description="陈述；不提供则不变")
    questioning: LongText | None = Field(None, description="询问；不提供则不变")
    debate: LongText | None = Field(None, description="辩论；不提供则不变")
    deliberation: LongText | None = Field(None, description="评议；不提供则不变")


class ConcludeIn(Schema):
    ended_on: Day = Field(description="听证结束日期：不早于开始日期，不晚于今天")
    conclusion: LongText = Field(description="听证结论")


class PublishIn(Schema):
    published_on: Day = Field(description="公开日期：不早于听证结束日期，不晚于今天")


class WithdrawIn(Schema):
    withdrawn_on: Day
    reason: LongText = Field(description="终止理由：信访人撤回申请，或无正当理由不参加听证视为撤回等")


# ---------------------------------------------------------------- presenters


def _documents(hearing: Hearing) -> list[dict[str, str]]:
    return [
        {"kind": kind, "title": title, "url": f"/api/v1/leadership/hearings/{hearing.pk}/documents/{kind}"}
        for kind, title in available_documents(hearing)
    ]


def hearing_out(hearing: Hearing, *, detail: bool = False) -> dict[str, Any]:
    case = hearing.case
    out: dict[str, Any] = {
        "id": hearing.pk,
        "case": {"id": case.pk, "number": case.number, "subject": case.subject, "status": case.status},
        "org": org_ref(hearing.org),
        "origin": hearing.origin,
        "origin_label": hearing.get_origin_display(),
        "status": hearing.status,
        "status_label": hearing.get_status_display(),
        **{
            name: getattr(hearing, name)
            for name in (
                "applied_on",
                "application",
                "decided_on",
                "decision",
                "announced_on",
                "announcement",
                "scheduled_at",
                "venue",
                "started_on",
                "ended_on",
                "statement",
                "questioning",
                "debate",
                "deliberation",
                "conclusion",
                "published_on",
                "withdrawn_on",
                "withdrawal",
                "created_at",
            )
        },
        "created_by": str(hearing.created_by),
        "documents": _documents(hearing),
    }
    if detail:
        out["participants"] = [
            {
                "id": p.pk,
                "role": p.role,
                "role_label": p.get_role_display(),
                "name": p.name,
                "affiliation": p.affiliation,
            }
            for p in selectors.hearing_participants(hearing)
        ]
        out["events"] = [
            {
                "seq": e.seq,
                "kind": e.kind,
                "kind_label": HearingEvent.Kind(e.kind).label,
                "at": e.at,
                "actor": str(e.actor),
                "org": e.org.name,
                "payload": e.payload,
            }
            for e in selectors.hearing_events(hearing)
        ]
    return out


def _visible(user: User, hearing_id: int) -> Hearing:
    hearing = selectors.hearing_detail(user, hearing_id)
    if hearing is None:
        raise Http404(HEARING_NOT_FOUND)
    return hearing


def _detail(user: User, hearing: Hearing) -> dict[str, Any]:
    """The hearing as it stands now, re-read through the policy."""
    return hearing_out(_visible(user, hearing.pk), detail=True)


@contextlib.contextmanager
def _api_fields() -> Iterator[None]:
    try:
        yield
    except ServiceError as exc:
        exc.field = API_FIELDS.get(exc.field or "", exc.field)
        raise


# ---------------------------------------------------------------- reads


@router.get(
    "/leadership/hearings",
    response={200: HearingListOut, **ERROR_RESPONSES},
    summary="信访听证列表",
    description="The hearings on the cases the user may see, newest first; `status=open` for those "
    "not yet concluded, refused or withdrawn.",
)
def hearing_list(request: HttpRequest, filters: Query[HearingFilterIn]) -> dict[str, Any]:
    user = current_user(request)
    rows = selectors.hearings_visible_to(user).select_related("created_by")
    if filters.status == "open":
        rows = rows.filter(status__in=OPEN_HEARING_STATUSES)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.case_id is not None:
        rows = rows.filter(case_id=filters.case_id)
    rows = rows.order_by("-created_at", "-pk")
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {"items": [hearing_out(h) for h in page], "total": rows.count()}


@router.get(
    "/leadership/hearings/{hearing_id}",
    response={200: HearingDetailOut, **ERROR_RESPONSES},
    summary="信访听证详情（含参加人和听证记录）",
)
def hearing_get(request: HttpRequest, hearing_id: Id) -> dict[str, Any]:
    return hearing_out(_visible(current_user(request), hearing_id), detail=True)


# ---------------------------------------------------------------- start


@router.post(
    "/leadership/hearings",
    response={201: HearingDetailOut, **ERROR_RESPONSES},
    summary="启动听证：登记信访人的听证申请，或机关决定举行听证",
    description="By a 承办人, 审核人, head or 领导 of the organ holding the case or of its 复查/复核 organ, "
    "while the case is 办理中, 复查中 or 复核中 (第三十一条、第三十六条). 409 `conflict`: the case "
    "already has a hearing not yet concluded or ended; 409 `invalid_state` on `case_id`: the case "
    "is closed or not in such a stage.",
)
def hearing_start(request: HttpRequest, payload: HearingStartIn) -> Reply[dict[str, Any]]:
    user = current_user(request)
    case = lookups.visible_case(user, payload.case_id)
    org = lookups.org(payload.org_id, field="org_id") if payload.org_id is not None else None
    with _api_fields():
        hearing = services.hearing_start(
            actor=user,
            case=case,
            origin=payload.origin.value,
            org=org,
            applied_on=payload.applied_on,
            application=payload.application,
            decided_on=payload.decided_on,
            decision=payload.decision,
        )
    return Reply(201, _detail(user, hearing))


# ---------------------------------------------------------------- steps


def _step_route(path: str, summary: str, description: str = "") -> Callable[[Step], Step]:
    """POST /leadership/hearings/{hearing_id}/<path>, answering the hearing as it stands after."""
    decorator: Callable[[Step], Step] = router.post(
        f"/leadership/hearings/{{hearing_id}}/{path}",
        response={200: HearingDetailOut, **ERROR_RESPONSES},
        summary=summary,
        description=description
        or "By staff holding a hearing role in the hearing's organ; 409 `invalid_state` in another status.",
    )
    return decorator


@_step_route("accept", "同意听证申请", "From `applied` to `decided`.")
def hearing_accept(request: HttpRequest, hearing_id: Id, payload: AcceptIn) -> dict[str, Any]:
    user = current_user(request)
    with _api_fields():
        done = services.hearing_accept(
            actor=user,
            hearing=_visible(user, hearing_id),
            decided_on=payload.decided_on,
            decision=payload.decision,
        )
    return _detail(user, done)


@_step_route("refuse", "不予听证", "From `applied` to `refused`, which ends the hearing.")
def hearing_refuse(request: HttpRequest, hearing_id: Id, payload: RefuseIn) -> dict[str, Any]:
    user = current_user(request)
    with _api_fields():
        done = services.hearing_refuse(
            actor=user,
            hearing=_visible(user, hearing_id),
            decided_on=payload.decided_on,
            reason=payload.reason,
        )
    return _detail(user, done)


@_step_route(
    "announce",
    "发布听证公告",
    "From `decided` to `announced`; again while `announced` to move the hearing (改期). The time is "
    "today or later.",
)
def hearing_announce(request: HttpRequest, hearing_id: Id, payload: AnnounceIn) -> dict[str, Any]:
    user = current_user(request)
    with _api_fields():
        done = services.hearing_announce(
            actor=user,
            hearing=_visible(user, hearing_id),
            announced_on=payload.announced_on,
            announcement=payload.announcement,
            scheduled_at=payload.scheduled_at,
            venue=payload.venue,
        )
    return _detail(user, done)


@_step_route(
    "participants",
    "增加听证参加人",
    "Until the conclusion. One host (主持人); a person once per role.",
)
def hearing_add_participant(request: HttpRequest, hearing_id: Id, payload: ParticipantIn) -> dict[str, Any]:
    user = current_user(request)
    hearing = _visible(user, hearing_id)
    with _api_fields():
        services.hearing_add_participant(
            actor=user,
            hearing=hearing,
            role=payload.role.value,
            name=payload.name,
            affiliation=payload.affiliation,
        )
    return _detail(user, hearing)


@router.post(
    "/leadership/hearings/{hearing_id}/participants/{participant_id}/remove",
    response={200: HearingDetailOut, **ERROR_RESPONSES},
    summary="移除听证参加人",
    description="Until the conclusion; during the session the host and the last of the petitioner's "
    "side stay (409 `invalid_state` on `participant_id`). 404 for a participant of another hearing.",
)
def hearing_remove_participant(request: HttpRequest, hearing_id: Id, participant_id: Id) -> dict[str, Any]:
    user = current_user(request)
    hearing = _visible(user, hearing_id)
    participant = hearing.participants.filter(pk=participant_id).first()
    if participant is None:
        raise Http404("该参加人不在本次听证的名单中。")
    with _api_fields():
        services.hearing_remove_participant(actor=user, hearing=hearing, participant=participant)
    return _detail(user, hearing)


@_step_route(
    "open",
    "开始听证",
    "From `announced` to `in_session`: needs a host and the petitioner or a representative "
    "(400 on `participants`). The case's clocks named by its policy profile stand still until the "
    "conclusion (第三十六条: the 复核 clock).",
)
def hearing_open(request: HttpRequest, hearing_id: Id, payload: OpenIn) -> dict[str, Any]:
    user = current_user(request)
    with _api_fields():
        done = services.hearing_open(
            actor=user, hearing=_visible(user, hearing_id), started_on=payload.started_on
        )
    return _detail(user, done)


@_step_route(
    "record", "记录听证过程（陈述、询问、辩论、评议）", "While `in_session`; a part left out stays as it is."
)
def hearing_record(request: HttpRequest, hearing_id: Id, payload: RecordIn) -> dict[str, Any]:
    user = current_user(request)
    with _api_fields():
        done = services.hearing_record(
            actor=user,
            hearing=_visible(user, hearing_id),
            statement=payload.statement,
            questioning=payload.questioning,
            debate=payload.debate,
            deliberation=payload.deliberation,
        )
    return _detail(user, done)


@_step_route(
    "conclude",
    "作出听证结论",
    "From `in_session` to `concluded`; the case's clocks run again. `ended_on` is not before "
    "`started_on` and not in the future.",
)
def hearing_conclude(request: HttpRequest, hearing_id: Id, payload: ConcludeIn) -> dict[str, Any]:
    user = current_user(request)
    with _api_fields():
        done = services.hearing_conclude(
            actor=user,
            hearing=_visible(user, hearing_id),
            conclusion=payload.conclusion,
            ended_on=payload.ended_on,
        )
    return _detail(user, done)


@_step_route("publish", "公开听证结论", "From `concluded` to `published` (第三十六条).")
def hearing_publish(request: HttpRequest, hearing_id: Id, payload: PublishIn) -> dict[str, Any]:
    user = current_user(request)
    with _api_fields():
        done = services.hearing_publish(
            actor=user, hearing=_visible(user, hearing_id), published_on=payload.published_on
        )
    return _detail(user, done)


@_step_route(
    "withdraw",
    "终止听证",
    "Before the session (`applied`, `decided`, `announced`) to `withdrawn`: the petitioner withdrew, "
    "or did not attend without good reason (视为撤回).",
)
def hearing_withdraw(request: HttpRequest, hearing_id: Id, payload: WithdrawIn) -> dict[str, Any]:
    user = current_user(request)
    with _api_fields():
        done = services.hearing_withdraw(
            actor=user,
            hearing=_visible(user, hearing_id),
            withdrawn_on=payload.withdrawn_on,
            reason=payload.reason,
        )
    return _detail(user, done)


# ---------------------------------------------------------------- documents


@router.get(
    "/leadership/hearings/{hearing_id}/documents/{kind}",
    response=ERROR_RESPONSES,
    summary="下载听证文书（.docx）",
    description="`notice` 听证通知书 (once announced); `conclusion` 听证结论 (once concluded). 404 "
    "`not_found` for an unknown kind, 409 `invalid_state` before the document exists.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document as a .docx file.",
                "content": {DOCX_MIME: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def hearing_document(
    request: HttpRequest,
    hearing_id: Id,
    kind: str = Path(..., max_length=64, pattern=r"^[a-z0-9_-]+$"),
) -> FileResponse:
    hearing = _visible(current_user(request), hearing_id)
    filename, content = render_document(hearing, kind)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=DOCX_MIME)
