"""Request and response schemas of API v1 (pydantic through ninja's Schema).

Choices are enumerated from the models and services (`Channel`, `LEGAL_CHANNELS`, ...), so the
OpenAPI document lists exactly what the services accept. Services still validate everything;
these types only turn malformed input into a 422 before any service runs.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from xinfang.cases.models import Channel, Nature, Status
from xinfang.cases.services.appeals import LINK_KINDS, REVIEW_OUTCOMES, TERMINATION_REASONS
from xinfang.cases.services.replies import DELIVERY_METHODS, OUTCOME_TAGS, OUTCOMES
from xinfang.cases.services.routing import LEGAL_CHANNELS
from xinfang.core.text import FORBIDDEN_JSON_PATTERN, clean_text, describe, forbidden_character
from xinfang.core.validation import MAX_EXTENSION_DAYS, MAX_HEADCOUNT, MAX_ID


def _clean_text(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("包含无效的字符。") from None
    if found := forbidden_character(value):
        position, char = found
        raise ValueError(f"不能包含控制字符（第 {position + 1} 个字符为 {describe(char)}）；换行请用 \\n。")
    return clean_text(value)  # CR LF and CR become LF


class _PlainText:
    """A text without control characters: refused with a 422 naming the field (NUL, VT, DEL, C1 ...;
    TAB, LF and CR are allowed, CR LF and CR stored as LF), and declared as the string's `pattern`
    in the OpenAPI document so that a client following the schema knows before sending."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_clean_text, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        declared = handler(schema)
        declared["pattern"] = FORBIDDEN_JSON_PATTERN
        return declared


PlainText = _PlainText()


def _sane_date(value: dt.date) -> dt.date:
    if not dt.date(1900, 1, 1) <= value <= dt.date(2999, 12, 31):
        raise ValueError("日期应在 1900-01-01 至 2999-12-31 之间。")
    return value


# A date is the text YYYY-MM-DD of a year 1900-2999, as DATE_PATTERN declares it in the OpenAPI
# document; pydantic alone would also take a timestamp or a date-time at midnight.
DATE_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_DATE_TEXT = re.compile(DATE_PATTERN)


def _date_text(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _DATE_TEXT.match(value):
        raise ValueError("应为日期（YYYY-MM-DD），在 1900-01-01 至 2999-12-31 之间。")
    return value


_DAY_SCHEMA = {
    "type": "string",
    "format": "date",
    "pattern": DATE_PATTERN,
    "description": "1900-01-01 至 2999-12-31",
}


def _choice(values: Any) -> Any:
    """A Literal of the given keys, for choice tables that live in the services as dicts."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


# 63-bit ids: anything larger cannot be a row and must not reach the database driver.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# In a JSON body a number is a number: "5" or true is refused, not coerced (the document declares
# integers and booleans). Path and query parameters are text and keep `Id`.
BodyId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
BodyInt = Annotated[int, Strict()]
BodyBool = Annotated[bool, Strict()]
Day = Annotated[dt.date, BeforeValidator(_date_text), AfterValidator(_sane_date), WithJsonSchema(_DAY_SCHEMA)]
ShortText = Annotated[str, Field(max_length=200), PlainText]
LongText = Annotated[str, Field(max_length=20000), PlainText]

ReplyOutcome = _choice(OUTCOMES)
OutcomeTag = _choice(OUTCOME_TAGS)
LegalChannel = _choice(LEGAL_CHANNELS)
DeliveryMethod = _choice(DELIVERY_METHODS)
ReviewOutcome = _choice(REVIEW_OUTCOMES)
TerminationReason = _choice(TERMINATION_REASONS)
LinkKind = _choice(LINK_KINDS)
RatingTrack = Literal["bureau", "unit"]
RatingValue = Literal["satisfied", "basically", "dissatisfied"]


# ---------------------------------------------------------------- intake


class PetitionerIn(Schema):
    name: Annotated[str, Field(max_length=64), PlainText]
    id_number: Annotated[str, Field(max_length=32), PlainText] = ""
    phone: Annotated[str, Field(max_length=32), PlainText] = ""
    address: ShortText = ""
    is_representative: BodyBool = False


class SuggestionIn(BaseModel):
    """What the text analysis suggested to the clerk (`POST /cases/similar`), recorded with the case.

    A plain pydantic model, not ninja's Schema: that one reads attributes off any object, so a string
    would pass as a suggestion with every field left out.
    """

    suggested_category: Annotated[str, Field(max_length=64), PlainText] | None = Field(
        None, description="建议的一级分类名称（similar 的 category.suggested_category）；null：系统未能判断"
    )
    confidence: Annotated[float, Strict()] | None = Field(
        None, ge=0, le=1, description="分类建议的置信度（0 至 1）"
    )
    suggested_unit: BodyId | None = Field(
        None, description="建议责任单位的机构 id（similar 的 units[0].org_id）"
    )


class CaseRegisterIn(Schema):
    org_id: BodyId = Field(description="登记机构（本人须在该机构任登记员、承办人或信访部门负责人）")
    channel: Channel
    nature: Nature
    category_code: str = Field(pattern=r"^[0-9]{6}$", description="内容分类代码（6 位）")
    subject: ShortText
    content: LongText
    problem_region_code: str = Field(pattern=r"^[0-9]{6,12}$", description="问题属地的区划代码")
    received_on: Day | None = Field(None, description="信访日期，默认今天")
    headcount: BodyInt = Field(1, ge=1, le=MAX_HEADCOUNT)
    via_proper_ladder: BodyBool = True
    accused_person: Annotated[str, Field(max_length=100), PlainText] = ""
    accused_org_id: BodyId | None = None
    forward_to_org_id: BodyId | None = Field(
        None,
        description="转送机关：被反映单位是登记机构本身的检举控告必填（其上级机关或纪检监察机关），登记时一并转送；其他事项不填",
    )
    petitioners: list[PetitionerIn] = Field(default_factory=list, max_length=1000)
    suggestion: SuggestionIn | None = Field(None, description="登记时系统给出的建议（可选），记入登记记录")


# ---------------------------------------------------------------- actions


class ForwardIn(Schema):
    to_org_id: BodyId
    assisting_ids: list[Id] = Field(default_factory=list, max_length=20)
    note: LongText = ""


class AssignIn(ForwardIn):
    report_due: Day = Field(description="办结报告期限")


class SendForInstructionIn(Schema):
    """呈送领导阅批: the leader (a user id) and the 呈批说明."""

    leader_id: BodyId
    note: LongText = ""


class InstructIn(Schema):
    """领导批示: the text, and the date by which it is to be carried out (optional)."""

    text: LongText
    due_on: Day | None = Field(default=None, description="落实期限")


class InstructionReportIn(Schema):
    """报告批示落实情况: the instruction, named by the `seq` of the event that opened it (the
    `sent_for_instruction`, or an unprompted `instructed`, in the case's `events`), and the report."""

    instruction: BodyId
    text: LongText


class ReplyIn(Schema):
    """信访处理意见书 (第三十二条)."""

    outcome: ReplyOutcome  # type: ignore[valid-type]
    request: LongText
    facts: LongText
    reasons: LongText
    legal_basis: LongText
    tags: list[OutcomeTag] = Field(default_factory=list, max_length=4)  # type: ignore[valid-type]


class DeclineIn(Schema):
    """不予受理 / 导入法定途径 (第三十一条): a line of the legal-route guide (`route_id`: its kind of
    procedure, legal basis and the organ to go to are recorded and printed in the 告知书), or just
    the kind of procedure (`legal_channel`); one of the two is required."""

    legal_channel: LegalChannel | None = Field(  # type: ignore[valid-type]
        default=None, description="法定途径类别；给出 route_id 时可省略（须与该途径的类别一致）"
    )
    route_id: BodyId | None = Field(
        default=None, description="法定途径清单中一项的编号（工作台“法定途径清单”页面列出）"
    )
    reasons: LongText


class RefuseAgainIn(Schema):
    earlier_id: BodyId = Field(description="已经复核终结的信访件")
    reasons: LongText


class NoteIn(Schema):
    note: LongText = ""


class ReasonsIn(Schema):
    reasons: LongText


class HearingEndIn(Schema):
    conclusion: LongText


class ExtensionRequestIn(Schema):
    days: BodyInt = Field(ge=1, le=MAX_EXTENSION_DAYS)
    reason: LongText


class ReturnIn(Schema):
    """A request sent back by the approver: the reason is required."""

    reason: LongText


class DeliverIn(Schema):
    method: DeliveryMethod  # type: ignore[valid-type]
    delivered_on: Day | None = None
    tracking_number: Annotated[
        str, Field(max_length=40, description="邮寄单号（仅邮寄送达，可选）"), PlainText
    ] = ""


class RateIn(Schema):
    track: RatingTrack
    value: RatingValue
    reason: LongText = ""


class ReviewRequestIn(Schema):
    reasons: LongText
    review_org_id: BodyId | None = Field(None, description="默认：处理机关的上一级机关")


class RereviewRequestIn(Schema):
    reasons: LongText
    rereview_org_id: BodyId | None = Field(None, description="默认：复查机关的上一级机关")


class DecisionIn(Schema):
    outcome: ReviewOutcome  # type: ignore[valid-type]
    opinion: LongText


class TerminateIn(Schema):
    reason: TerminationReason  # type: ignore[valid-type]


class AssistingIn(Schema):
    org_id: BodyId


class LinkIn(Schema):
    target_id: BodyId
    kind: LinkKind  # type: ignore[valid-type]


# ---------------------------------------------------------------- reads


class OrgRefOut(Schema):
    id: int
    name: str


class RegionRefOut(Schema):
    code: str
    name: str


class CaseListItemOut(Schema):
    id: int
    number: str
    subject: str
    channel: str
    channel_label: str
    nature: str
    nature_label: str
    category_code: str
    category_name: str
    status: Status
    status_label: str
    registered_at: dt.datetime
    registered_org: OrgRefOut
    current_org: OrgRefOut
    headcount: int
    next_due_at: dt.datetime | None
    overdue: bool


class CaseListOut(Schema):
    items: list[CaseListItemOut]
    next_cursor: str | None = Field(description="下一页的游标；为 null 表示没有更多")


class PetitionerOut(Schema):
    name: str
    id_number: str
    phone: str
    address: str
    is_representative: bool
    masked: bool


class UnitOut(Schema):
    org: OrgRefOut
    role: str
    role_label: str
    is_active: bool
    since: dt.datetime


class EventOut(Schema):
    seq: int
    kind: str
    at: dt.datetime
    actor: str | None
    org: str | None
    payload: dict[str, Any]


class ClockOut(Schema):
    name: str
    kind: str
    state: str
    started_on: dt.date | None
    due_on: dt.date | None
    ended_on: dt.date | None
    paused_days: int
    extension_days: int
    legal_ref: str
    warnings: list[str] = Field(
        description="计算该期限时的提示，例如“2027年节假日安排未导入，按仅周末休息计算（可能不准确）”；"
        "不为空时 due_on 可能不准确"
    )


class RatingOut(Schema):
    track: str
    value: str
    org: OrgRefOut
    reason: str
    rated_at: dt.datetime


class ActionOut(Schema):
    action: str
    label: str
    method: str
    path: str


class CaseOut(CaseListItemOut):
    content: str
    query_code: str | None = Field(description="查询码；对无权查看信访人信息的用户为 null")
    problem_region: RegionRefOut
    received_on: dt.date
    registered_by: str
    registered_level: str
    is_collective: bool
    via_proper_ladder: bool
    accused_person: str
    accused_org: OrgRefOut | None
    review_org: OrgRefOut | None
    paused: bool
    extension_days: int
    closed_at: dt.datetime | None
    version: int
    repeat_of_id: int | None
    duplicate_of_id: int | None
    petitioners: list[PetitionerOut]
    units: list[UnitOut]
    events: list[EventOut]
    clocks: list[ClockOut]
    ratings: list[RatingOut]
    allowed_actions: list[ActionOut]


class CaseReceiptOut(Schema):
    """What the registering organ may know of a case it may not see (第三十条), e.g. an accusation
    against itself, forwarded at registration: no subject, content, accused or petitioner data."""

    id: int
    number: str
    query_code: str = Field(description="查询码：请告知信访人")
    registered_at: dt.datetime
    forwarded_to: OrgRefOut | None = Field(description="登记时转送的机关；未转送为 null")
    notice: str = Field(description="为何只返回登记回执")


class DocumentOut(Schema):
    kind: str
    title: str
    url: str


class CaseDocumentOut(DocumentOut):
    downloadable: bool = Field(
        description="本人能否下载；false：文书载有信访人个人信息而本人只能看到脱敏信息，下载答复 403"
    )


class CategoryOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None


class OrgOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    level: str
    region_code: str
    region_name: str
    parent_id: int | None
    is_petition_bureau: bool
