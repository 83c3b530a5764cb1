"""Intake, the case list, the case detail and the case's documents."""

from __future__ import annotations

import io
import logging
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from ninja import Field, Header, Path, Query, Router, Schema
from ninja import Status as Reply

from xinfang.api import lookups
from xinfang.api.auth import current_user
from xinfang.api.errors import ERROR_RESPONSES
from xinfang.api.pagination import CURSOR_PATTERN, page
from xinfang.api.presenters import case_detail_out, case_receipt, case_row, registration_out
from xinfang.api.schemas import (
    CaseDocumentOut,
    CaseListOut,
    CaseOut,
    CaseReceiptOut,
    CaseRegisterIn,
    Day,
    Id,
    PlainText,
)
from xinfang.cases import services
from xinfang.cases.documents import DOCX_MIME
from xinfang.cases.models import Case, Channel, Status
from xinfang.cases.selectors import case_detail, cases_filtered, hidden_as_accused
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.orgs.models import User

router = Router(tags=["cases"])
logger = logging.getLogger(__name__)

# Printable ASCII, no space at either end (an HTTP header value travels safely only as such).
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"


# A search value: 1-100 characters without control characters (a 422 on the field otherwise).
SearchText = Annotated[str, Field(min_length=1, max_length=100), PlainText]


class CaseFilterIn(Schema):
    status: Status | None = None
    unit: Id | None = Field(None, description="当前责任单位的机构 id")
    category: str | None = Field(
        None, pattern=r"^[0-9]{1,6}$", description="内容分类代码或其前缀；030000 与 03 等价"
    )
    overdue: bool | None = Field(
        None, description="true：机关办理时限已超期（不含信访人的复查、评价等期间）；false：未超期或无期限"
    )
    registered_from: Day | None = Field(None, description="登记日期起（含，北京时间）")
    registered_to: Day | None = Field(None, description="登记日期止（含，北京时间）")
    received_from: Day | None = Field(None, description="信访日期起（含）")
    received_to: Day | None = Field(None, description="信访日期止（含）")
    channel: Channel | None = Field(None, description="信访形式")
    q: SearchText | None = Field(
        None,
        description="查找：18 位身份证号码、11 位手机号、查询码、信访件编号，否则按姓名或标题、内容中的词（空格分隔，均须出现）",
    )
    id_number: SearchText | None = Field(None, description="信访人身份证号码（精确）")
    phone: SearchText | None = Field(None, description="信访人联系电话（精确）")
    name: SearchText | None = Field(None, description="信访人姓名（精确，忽略空格）")
    query_code: SearchText | None = Field(None, description="查询码")
    cursor: str | None = Field(
        None, max_length=200, pattern=CURSOR_PATTERN, description="上一页返回的 next_cursor（原样传回）"
    )
    limit: int = Field(20, ge=1, le=100)


def _category_prefix(code: str) -> str:
    """A full code names its subtree: 030000 -> 03, 030100 -> 0301."""
    if len(code) == 6:
        while code.endswith("00") and len(code) > 2:
            code = code[:-2]
    return code


def filtered_cases(user: User, filters: CaseFilterIn) -> QuerySet[Case]:
    return cases_filtered(
        user,
        status=filters.status,
        org_id=filters.unit,
        category_prefix=_category_prefix(filters.category) if filters.category else None,
        overdue=filters.overdue,
        registered_from=filters.registered_from,
        registered_to=filters.registered_to,
        received_from=filters.received_from,
        received_to=filters.received_to,
        channel=filters.channel,
        q=filters.q,
        id_number=filters.id_number,
        phone=filters.phone,
        name=filters.name,
        query_code=filters.query_code,
    )


@router.post(
    "/cases",
    response={200: CaseOut | CaseReceiptOut, 201: CaseOut | CaseReceiptOut, **ERROR_RESPONSES},
    summary="登记信访事项",
    description=(
        "201: registered now. 200: a replay of an earlier request with the same Idempotency-Key. "
        "Send an Idempotency-Key with every intake: a client that loses the answer retries safely. "
        "The body is the case, or only a receipt (CaseReceiptOut) when the user may not see the case: "
        "an accusation against the registering organ, forwarded at registration (第三十条). "
        "When the case is registered but its detail cannot be built, the 201 body holds only "
        "`id` and `number`; GET /cases/{id} gives the rest."
    ),
)
def case_register(
    request: HttpRequest,
    payload: CaseRegisterIn,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="1 至 128 个可打印 ASCII 字符，首尾不能是空格；每次提交唯一",
    ),
) -> Reply[dict[str, Any]]:
    user = current_user(request)
    fields = register_fields(payload)
    if idempotency_key is None:
        registration: services.Registration | None = services.case_register_detailed(actor=user, **fields)
    else:
        case, registration = services.case_register_idempotent(key=idempotency_key, actor=user, **fields)
        if registration is None:  # a replay: the case as the user may see it now
            visible = case_detail(user, case.pk)
            if visible is None:  # registered, but not for this user's eyes (第三十条): a receipt
                return Reply(200, case_receipt(case))
            return Reply(200, case_detail_out(user, visible))
    assert registration is not None
    return registered_response(user, registration)


def register_fields(payload: CaseRegisterIn) -> dict[str, Any]:
    """The arguments of ``case_register_detailed`` a registration body gives (all but the actor)."""
    fields: dict[str, Any] = {
        "org": lookups.org(payload.org_id, field="org_id"),
        "channel": payload.channel.value,
        "nature": payload.nature.value,
        "category": lookups.category(payload.category_code, field="category_code"),
        "subject": payload.subject,
        "content": payload.content,
        "problem_region": lookups.region(payload.problem_region_code, field="problem_region_code"),
        "received_on": payload.received_on,
        "headcount": payload.headcount,
        "via_proper_ladder": payload.via_proper_ladder,
        "accused_person": payload.accused_person,
        "accused_org": lookups.optional_org(payload.accused_org_id, field="accused_org_id"),
        "forward_to": lookups.optional_org(payload.forward_to_org_id, field="forward_to_org_id"),
        "petitioners": [services.PetitionerInput(**p.model_dump()) for p in payload.petitioners],
    }
    if payload.suggestion is not None:
        suggestion = payload.suggestion.model_dump()
        if payload.suggestion.suggested_unit is not None:  # an unknown organ is the client's mistake
            lookups.org(payload.suggestion.suggested_unit, field="suggestion.suggested_unit")
        fields["suggestion"] = suggestion
    return fields


def registered_response(user: User, registration: services.Registration) -> Any:
    """The 201 answer to an intake that has committed, built from what the service wrote.

    Nothing is read back: the registrar holds a registering role at the registering organ, which
    sees personal data unmasked (`privacy.PII_ROLES`). The case is durable by now, so whatever
    fails from here on (a lost connection, a bug in the presenter) must not turn into an error that
    makes the client submit it again: the answer is still 201, with the case's id and number.
    """
    case = registration.case
    try:
        if hidden_as_accused(user, case):  # not for this user's eyes (第三十条): a receipt, not a 404
            return Reply(201, CaseReceiptOut.model_validate(case_receipt(case)))
        # validated here, not after returning, so that a body that does not fit falls back too
        return Reply(201, CaseOut.model_validate(registration_out(registration, masked=False)))
    except Exception:
        logger.exception("intake: case %s is registered but its detail could not be built", case.pk)
        return JsonResponse({"id": case.pk, "number": case.number}, status=201)


@router.get("/cases", response={200: CaseListOut, **ERROR_RESPONSES}, summary="信访事项列表")
def case_list(request: HttpRequest, filters: Query[CaseFilterIn]) -> dict[str, Any]:
    user = current_user(request)
    queryset = filtered_cases(user, filters).select_related("category", "registered_org", "current_org")
    result = page(queryset, cursor=filters.cursor, limit=filters.limit)
    return {"items": [case_row(case) for case in result["rows"]], "next_cursor": result["next_cursor"]}


@router.get("/cases/{case_id}", response={200: CaseOut, **ERROR_RESPONSES}, summary="信访事项详情")
def case_get(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    user = current_user(request)
    return case_detail_out(user, lookups.visible_case(user, case_id))


def _documents_module() -> Any:
    """Imported on use: the API works (with 404 here) on an install without the document module."""
    try:
        from xinfang.cases import documents
    except ModuleNotFoundError as exc:
        if exc.name != "xinfang.cases.documents":
            raise  # a broken dependency of the module must show, not read as "no documents"
        raise Http404("本系统暂未提供文书生成。") from None
    return documents


@router.get(
    "/cases/{case_id}/documents",
    response={200: list[CaseDocumentOut], **ERROR_RESPONSES},
    summary="可生成的文书",
)
def document_list(request: HttpRequest, case_id: Id) -> list[dict[str, str]]:
    user = current_user(request)
    case = lookups.visible_case(user, case_id)
    documents = _documents_module()
    return [
        {
            "kind": kind,
            "title": title,
            "url": f"/api/v1/cases/{case.pk}/documents/{kind}",
            "downloadable": documents.may_download_document(user, case, kind),
        }
        for kind, title in documents.available_documents(case)
    ]


@router.get(
    "/cases/{case_id}/documents/{kind}",
    response=ERROR_RESPONSES,
    summary="下载文书（.docx）",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document as a .docx file.",
                "content": {DOCX_MIME: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def document_get(
    request: HttpRequest,
    case_id: Id,
    kind: str = Path(..., max_length=64, pattern=r"^[a-z0-9_-]+$"),
    seq: int | None = Query(
        None, ge=1, description="签发该文书的办理记录序号（如逐级转送时各次的转送单）；默认最近一次"
    ),
) -> FileResponse:
    user = current_user(request)
    case = lookups.visible_case(user, case_id)
    documents = _documents_module()
    try:
        # The same rule as the staff pages: a document naming the petitioner is for those who
        # see the case unmasked.
        if not documents.may_download_document(user, case, kind):
            raise NotAllowed(documents.DOCUMENT_REFUSED, field="kind")
        filename, content = documents.render_document(case, kind, seq=seq)
    except ServiceError as exc:
        if exc.code == "not_found" and exc.field is None:
            exc.field = "kind"
        raise
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=DOCX_MIME)
