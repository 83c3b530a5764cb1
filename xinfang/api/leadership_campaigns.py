"""The leaders' work in the API: 积案化解 campaigns.

Every read goes through ``xinfang.leadership.selectors.campaigns`` (a campaign or item the user
may not see is a 404; a unit's staff see only their unit's items, and the figures are computed
from what the user sees). Every change calls one function of
``xinfang.leadership.services.campaigns``, which checks roles, state and input.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import FileResponse, Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from xinfang.api import lookups
from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.presenters import org_ref
from xinfang.api.schemas import BodyId, Day, Id, LongText, ShortText
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.core.timeutil import local_date
from xinfang.leadership import campaign_figures as figures
from xinfang.leadership.campaign_reports import FORMATS, render_report
from xinfang.leadership.models.campaigns import Campaign, CampaignItem, CampaignItemEvent, CampaignSource
from xinfang.leadership.selectors import campaigns as selectors
from xinfang.leadership.services import campaigns as services
from xinfang.orgs.models import User

router = Router(tags=["leadership"])

CAMPAIGN_NOT_FOUND = "积案化解批次不存在，或您无权查看。"
ITEM_NOT_FOUND = "积案事项不存在，或您无权查看。"
MAX_ITEMS_AT_ONCE = 200

SourceIn = Literal["central", "province", "city", "local"]
DenominatorIn = Literal["all", "due"]
StageIn = Literal["submitted", "applied", "resolved"]
# A JSON number (not Decimal, whose schema also admits free strings); one decimal is checked by the service.
Percent = Annotated[float, Field(ge=0, le=100)]


# ---------------------------------------------------------------- schemas


class OrgRef(Schema):
    id: int
    name: str


class PersonRef(Schema):
    id: int
    name: str


class FiguresOut(Schema):
    label: str = Field(description="责任单位、包案领导的名称，或“合计”")
    total: int = Field(description="列入的事项数")
    counted: int = Field(description="计入分母的事项数（统计口径 all：全部；due：计划完成日期已到的）")
    submitted: int = Field(description="已办结提交的事项数")
    applied: int = Field(description="已申请化解的事项数")
    resolved: int = Field(description="已实体化解的事项数")
    overdue: int = Field(description="逾期事项数：计划完成日期早于统计日且尚未实体化解")
    submitted_rate: float | None = Field(description="办结提交率（0–1），分母为 0 时为 null")
    submitted_rate_text: str = Field(description="如 83.3%，分母为 0 时为 —")
    resolved_rate: float | None = Field(description="化解率（0–1），分母为 0 时为 null")
    resolved_rate_text: str


class ProgressOut(Schema):
    period: Literal["week", "month"]
    label: str = Field(description="第N周（自交办所在周起算）或 N月")
    start: dt.date
    until: dt.date = Field(description="统计截至日（周、月末或统计日，取其早者）")
    submitted: int
    applied: int
    resolved: int


class CampaignOut(Schema):
    id: int
    org: OrgRef
    name: str
    source: str = Field(description="central 中央交办, province 省交办, city 市交办, local 本级排查")
    source_label: str
    received_on: dt.date
    deadline: dt.date
    target_rate: float = Field(description="化解率目标（百分比，如 90.0）")
    denominator: str = Field(description="all: 列入清单的全部事项; due: 计划日期已到的事项")
    denominator_label: str
    note: str
    created_by: str
    created_at: dt.datetime
    as_of: dt.date = Field(description="统计日")
    figures: FiguresOut = Field(description="用户可见事项的合计")


class CampaignListOut(Schema):
    items: list[CampaignOut]
    count: int


class ItemOut(Schema):
    id: int
    campaign_id: int
    case: dict[str, Any] = Field(description="id, number, subject")
    unit: OrgRef
    leader: PersonRef | None = Field(description="包案领导")
    plan_on: dt.date
    submitted_on: dt.date | None = Field(description="办结提交日期")
    applied_on: dt.date | None = Field(description="申请化解日期")
    resolved_on: dt.date | None = Field(description="实体化解日期")
    stage: str = Field(description="统计日的进展：none, submitted, applied, resolved")
    stage_label: str
    overdue: bool = Field(description="计划完成日期早于统计日且尚未实体化解")
    days_overdue: int
    note: str = Field(description="进展情况")


class ItemEventOut(Schema):
    kind: str = Field(description="added, updated, submitted, applied, resolved, undone")
    kind_label: str
    on: dt.date | None = Field(description="所记的日期（added：计划完成日期；undone：被撤销的日期）")
    stage: str
    note: str
    actor: str
    org: str | None
    at: dt.datetime


class ItemDetailOut(ItemOut):
    events: list[ItemEventOut]


class CampaignDetailOut(CampaignOut):
    units: list[FiguresOut] = Field(description="按责任单位")
    leaders: list[FiguresOut] = Field(description="按包案领导（未明确的合为一行，列最后）")
    week: ProgressOut
    month: ProgressOut
    items: list[ItemOut]
    headline: str = Field(
        description="如：中央第三批交办我县共6件信访积案，已办结提交5件，办结提交率83.3％，……"
    )


class CampaignListIn(Schema):
    limit: int = Field(50, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100000)


class AsOfIn(Schema):
    on: Day | None = Field(None, description="统计日（YYYY-MM-DD，不晚于今天）；默认今天")


class ReportIn(Schema):
    period: Literal["week", "month"] = Field("week", description="week 周通报（周一至周日）; month 月通报")
    format: Literal["docx", "xlsx"] = Field("docx", description="docx 通报; xlsx 明细表")
    on: Day | None = Field(None, description="统计日（不晚于今天）；默认今天")


class CampaignCreateIn(Schema):
    org_id: BodyId | None = Field(
        None, description="牵头机关（信访部门或党委政府）；默认：本人任职的唯一可牵头机关"
    )
    name: ShortText = Field(description="批次名称，如 中央第三批交办信访积案（本机关内不重复）")
    source: SourceIn
    received_on: Day = Field(description="交办日期（不晚于今天）")
    deadline: Day = Field(description="完成期限（不早于交办日期）")
    target_rate: Percent = Field(90.0, description="化解率目标（%，0–100，至多一位小数）")
    denominator: DenominatorIn = Field("all", description="统计口径")
    note: LongText = Field("", description="工作要求")


class ItemIn(Schema):
    case_id: BodyId
    unit_id: BodyId = Field(description="责任单位")
    leader_id: BodyId | None = Field(None, description="包案领导（须为辖区内机关的领导）")
    plan_on: Day = Field(description="计划完成日期（交办日期至完成期限之间）")


class ItemsAddIn(Schema):
    items: list[ItemIn] = Field(min_length=1, max_length=MAX_ITEMS_AT_ONCE, description="全部通过才列入")


class ItemUpdateIn(Schema):
    unit_id: BodyId
    leader_id: BodyId | None = None
    plan_on: Day
    note: LongText = ""


class ProgressIn(Schema):
    stage: StageIn = Field(description="submitted 办结提交, applied 申请化解, resolved 实体化解（依次记录）")
    on: Day = Field(description="日期：不晚于今天，不早于交办日期和上一阶段的日期")
    note: LongText = Field("", description="进展情况（选填）")


class UndoIn(Schema):
    reason: LongText = Field(description="撤销理由")


# ---------------------------------------------------------------- presenters


def _figures(row: figures.Tally) -> dict[str, Any]:
    return {
        "label": row.label,
        "total": row.total,
        "counted": row.counted,
        "submitted": row.submitted,
        "applied": row.applied,
        "resolved": row.resolved,
        "overdue": row.overdue,
        "submitted_rate": row.submitted_rate.value,
        "submitted_rate_text": row.submitted_rate.text(),
        "resolved_rate": row.resolved_rate.value,
        "resolved_rate_text": row.resolved_rate.text(),
    }


def _campaign(campaign: Campaign, rows: list[figures.Item], as_of: dt.date) -> dict[str, Any]:
    total = figures.tally(rows, as_of=as_of, denominator=campaign.denominator, label="合计")
    return {
        "id": campaign.pk,
        "org": org_ref(campaign.org),
        "name": campaign.name,
        "source": campaign.source,
        "source_label": campaign.get_source_display(),
        "received_on": campaign.received_on,
        "deadline": campaign.deadline,
        "target_rate": float(campaign.target_rate),
        "denominator": campaign.denominator,
        "denominator_label": campaign.get_denominator_display(),
        "note": campaign.note,
        "created_by": str(campaign.created_by),
        "created_at": campaign.created_at,
        "as_of": as_of,
        "figures": _figures(total),
    }


def _item(item: CampaignItem, row: figures.Item, as_of: dt.date) -> dict[str, Any]:
    stage = row.stage_as_of(as_of)
    return {
        "id": item.pk,
        "campaign_id": item.campaign_id,
        "case": {"id": item.case_id, "number": item.case.number, "subject": item.case.subject},
        "unit": org_ref(item.unit),
        "leader": {"id": item.leader.pk, "name": str(item.leader)} if item.leader else None,
        "plan_on": item.plan_on,
        "submitted_on": item.submitted_on,
        "applied_on": item.applied_on,
        "resolved_on": item.resolved_on,
        "stage": stage,
        "stage_label": figures.STAGE_LABELS[stage],
        "overdue": row.overdue(as_of),
        "days_overdue": row.days_overdue(as_of),
        "note": item.note,
    }


def _progress(rows: list[figures.Item], campaign: Campaign, kind: str, as_of: dt.date) -> dict[str, Any]:
    found = figures.period_progress(rows, kind=kind, as_of=as_of)
    return {
        "period": kind,
        "label": found.period.label(campaign.received_on),
        "start": found.period.start,
        "until": found.until,
        "submitted": found.submitted,
        "applied": found.applied,
        "resolved": found.resolved,
    }


def _detail(user: User, campaign: Campaign, as_of: dt.date) -> dict[str, Any]:
    items = list(selectors.campaign_items(user, campaign))
    rows = selectors.figure_items(items)
    denominator = campaign.denominator
    out = _campaign(campaign, rows, as_of)
    org = campaign.org
    out.update(
        units=[_figures(r) for r in figures.by_unit(rows, as_of=as_of, denominator=denominator)],
        leaders=[_figures(r) for r in figures.by_leader(rows, as_of=as_of, denominator=denominator)],
        week=_progress(rows, campaign, "week", as_of),
        month=_progress(rows, campaign, "month", as_of),
        items=[_item(item, row, as_of) for item, row in zip(items, rows, strict=True)],
        headline=figures.headline(
            name=campaign.name,
            handed_down=campaign.source != CampaignSource.LOCAL,
            place=figures.place_word(org.region.name, org.level),
            figures=figures.tally(rows, as_of=as_of, denominator=denominator),
            denominator=denominator,
            target=Decimal(campaign.target_rate),
        ),
    )
    return out


def _item_detail(user: User, item_id: int) -> dict[str, Any]:
    item = _visible_item(user, item_id)
    as_of = local_date()
    out = _item(item, selectors.figure_items([item])[0], as_of)
    out["events"] = [
        {
            "kind": event.kind,
            "kind_label": CampaignItemEvent.Kind(event.kind).label,
            "on": event.on,
            "stage": event.stage,
            "note": event.note,
            "actor": str(event.actor),
            "org": event.org.name if event.org else None,
            "at": event.at,
        }
        for event in selectors.item_events(item)
    ]
    return out


def _visible_campaign(user: User, campaign_id: int) -> Campaign:
    campaign = selectors.campaign_detail(user, campaign_id)
    if campaign is None:
        raise Http404(CAMPAIGN_NOT_FOUND)
    return campaign


def _visible_item(user: User, item_id: int) -> CampaignItem:
    item = selectors.item_detail(user, item_id)
    if item is None:
        raise Http404(ITEM_NOT_FOUND)
    return item


def _as_of(on: dt.date | None) -> dt.date:
    today = local_date()
    if on is None:
        return today
    if on > today:
        raise ServiceError("统计日不能晚于今天。", field="on")
    return on


@contextlib.contextmanager
def _api_fields() -> Iterator[None]:
    """The services name their arguments (``items[0].case``, ``unit``); the API its fields."""
    try:
        yield
    except ServiceError as exc:
        head, dot, tail = (exc.field or "").rpartition(".")
        name = tail if dot else exc.field or ""
        renamed = {"case": "case_id", "unit": "unit_id", "leader": "leader_id"}.get(name)
        if renamed is not None:
            exc.field = f"{head}.{renamed}" if dot else renamed
        raise


def _organiser_org(user: User, org_id: int | None) -> Any:
    if org_id is not None:
        return lookups.org(org_id, field="org_id")
    orgs = selectors.organiser_orgs(user)
    if not orgs:
        raise NotAllowed("您不是信访部门或党委政府办公室的工作人员，不能建立积案化解批次。", field="org_id")
    if len(orgs) > 1:
        names = "、".join(org.name for org in orgs)
        raise ServiceError(f"您在多个机关任职（{names}），请用 org_id 指定牵头机关。", field="org_id")
    return orgs[0]


# ---------------------------------------------------------------- campaigns


@router.get(
    "/leadership/campaigns",
    response={200: CampaignListOut, **ERROR_RESPONSES},
    summary="积案化解批次",
    description="The campaigns the user sees: of their organ and the organs below it, and those in "
    "which their unit has items (figures then over their unit's items only). Newest receipt first.",
)
def campaign_list(request: HttpRequest, filters: Query[CampaignListIn]) -> dict[str, Any]:
    user = current_user(request)
    visible = selectors.campaigns_visible_to(user)
    today = local_date()
    page = list(visible[filters.offset : filters.offset + filters.limit])
    return {
        "items": [
            _campaign(c, selectors.figure_items(selectors.campaign_items(user, c)), today) for c in page
        ],
        "count": visible.count(),
    }


@router.post(
    "/leadership/campaigns",
    response={201: CampaignDetailOut, **ERROR_RESPONSES},
    summary="建立积案化解批次",
    description="By the staff (登记员, 承办人, 审核人 or head) of a petition bureau or a Party committee / "
    "government. 409 `conflict`: the organ already has a campaign of that name.",
)
def campaign_create(request: HttpRequest, payload: CampaignCreateIn) -> Reply[dict[str, Any]]:
    user = current_user(request)
    campaign = services.campaign_create(
        actor=user,
        org=_organiser_org(user, payload.org_id),
        name=payload.name,
        source=payload.source,
        received_on=payload.received_on,
        deadline=payload.deadline,
        target_rate=str(payload.target_rate),
        denominator=payload.denominator,
        note=payload.note,
    )
    fresh = selectors.campaign_detail(user, campaign.pk) or campaign
    return Reply(201, _detail(user, fresh, local_date()))


@router.get(
    "/leadership/campaigns/{campaign_id}",
    response={200: CampaignDetailOut, **ERROR_RESPONSES},
    summary="积案化解批次详情（含统计）",
    description="The campaign with its figures as of `on` (default today): the totals, per unit, per "
    "包案 leader, this week's and month's progress, and the items the user sees.",
)
def campaign_get(request: HttpRequest, campaign_id: Id, params: Query[AsOfIn]) -> dict[str, Any]:
    user = current_user(request)
    campaign = _visible_campaign(user, campaign_id)
    return _detail(user, campaign, _as_of(params.on))


@router.post(
    "/leadership/campaigns/{campaign_id}/items",
    response={201: CampaignDetailOut, **ERROR_RESPONSES},
    summary="列入积案事项",
    description="By the campaign organ's staff. All or nothing: a refusal names the row "
    "(`items[2].unit_id`); 409 `conflict` when a case is already on the list.",
)
def campaign_items_add(request: HttpRequest, campaign_id: Id, payload: ItemsAddIn) -> Reply[dict[str, Any]]:
    user = current_user(request)
    campaign = _visible_campaign(user, campaign_id)
    if not services.may_organise(user, campaign):  # before the lookups: the role, then the rows
        raise NotAllowed(f"只有{campaign.org.name}的工作人员可以列入积案事项。")
    rows = []
    for index, row in enumerate(payload.items):
        at = f"items[{index}]"
        rows.append(
            services.ItemInput(
                lookups.referenced_case(user, row.case_id, field=f"{at}.case_id"),
                lookups.org(row.unit_id, field=f"{at}.unit_id"),
                lookups.staff_user(row.leader_id, field=f"{at}.leader_id") if row.leader_id else None,
                row.plan_on,
            )
        )
    with _api_fields():
        services.campaign_add_items(actor=user, campaign=campaign, items=rows)
    return Reply(201, _detail(user, campaign, local_date()))


@router.get(
    "/leadership/campaigns/{campaign_id}/report",
    response=ERROR_RESPONSES,
    summary="下载进度通报（.docx 或 .xlsx）",
    description="The 进展情况通报 of the week (Monday to Sunday) or month containing `on`: the .docx "
    "通报, or the .xlsx with the sheets 总体, 按责任单位, 按包案领导, 逾期事项, 全部事项. Built from "
    "the items the user sees.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The report file.",
                "content": {
                    mime: {"schema": {"type": "string", "format": "binary"}} for mime in FORMATS.values()
                },
            }
        }
    },
)
def campaign_report(request: HttpRequest, campaign_id: Id, params: Query[ReportIn]) -> FileResponse:
    user = current_user(request)
    campaign = _visible_campaign(user, campaign_id)
    name, content, mime = render_report(
        campaign,
        list(selectors.campaign_items(user, campaign)),
        period=params.period,
        fmt=params.format,
        as_of=_as_of(params.on),
    )
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name, content_type=mime)


# ---------------------------------------------------------------- one item


@router.get(
    "/leadership/campaigns/items/{item_id}",
    response={200: ItemDetailOut, **ERROR_RESPONSES},
    summary="积案事项（含办理记录）",
)
def item_get(request: HttpRequest, item_id: Id) -> dict[str, Any]:
    return _item_detail(current_user(request), item_id)


@router.post(
    "/leadership/campaigns/items/{item_id}/progress",
    response={200: ItemDetailOut, **ERROR_RESPONSES},
    summary="记录积案事项的进展",
    description="办结提交 and 申请化解 by the item's unit (承办人, 审核人, head) or the campaign organ's "
    "staff; 实体化解 only by the campaign organ's staff. In that order, each once (409 `invalid_state` "
    "otherwise); the date not in the future, not before the receipt nor the previous milestone.",
)
def item_progress(request: HttpRequest, item_id: Id, payload: ProgressIn) -> dict[str, Any]:
    user = current_user(request)
    item = _visible_item(user, item_id)
    services.campaign_item_progress(
        actor=user, item=item, stage=payload.stage, on=payload.on, note=payload.note
    )
    return _item_detail(user, item_id)


@router.post(
    "/leadership/campaigns/items/{item_id}/undo",
    response={200: ItemDetailOut, **ERROR_RESPONSES},
    summary="撤销积案事项最近一项进展",
    description="By the campaign organ's staff, with a reason (kept in the item's record).",
)
def item_undo(request: HttpRequest, item_id: Id, payload: UndoIn) -> dict[str, Any]:
    user = current_user(request)
    item = _visible_item(user, item_id)
    services.campaign_item_undo(actor=user, item=item, reason=payload.reason)
    return _item_detail(user, item_id)


@router.post(
    "/leadership/campaigns/items/{item_id}/update",
    response={200: ItemDetailOut, **ERROR_RESPONSES},
    summary="调整积案事项",
    description="Change the unit, the 包案 leader, the plan date or the 进展情况 (by the campaign organ's staff).",
)
def item_update(request: HttpRequest, item_id: Id, payload: ItemUpdateIn) -> dict[str, Any]:
    user = current_user(request)
    item = _visible_item(user, item_id)
    with _api_fields():
        services.campaign_item_update(
            actor=user,
            item=item,
            unit=lookups.org(payload.unit_id, field="unit"),
            leader=lookups.staff_user(payload.leader_id, field="leader") if payload.leader_id else None,
            plan_on=payload.plan_on,
            note=payload.note,
        )
    return _item_detail(user, item_id)
