"""The .docx documents a bureau exchanges about a case (受理告知书, 信访处理意见书 ...).

Each kind records one event of the case: it exists once that event has happened, and it is always
drawn from the LAST event of its kind. Reads only (the case, its events and petitioners); no HTTP.

    available_documents(case)          -> [("reply_opinion", "信访处理意见书"), ...]
    render_document(case, "reply_opinion") -> ("信访处理意见书-<number>.docx", b"PK...")
    render_document(case, "reply_opinion", fmt="pdf") -> ("信访处理意见书-<number>.pdf", b"%PDF...")

Layout (GB/T 9704, shared by every .docx builder) is in :mod:`xinfang.core.docx_layout`, wording
in :mod:`.kinds`; the PDF is that .docx set again by :mod:`xinfang.core.pdf_layout` (no external
program, fast enough for a request); docs/documents.md describes each document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.privacy import sees_personal_data
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import User

from . import kinds
from .kinds import Builder, Source

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"
# The formats a document is offered in: ?format=docx (the default) or ?format=pdf.
FORMATS = {"docx": DOCX_MIME, "pdf": PDF_MIME}


@dataclass(frozen=True)
class DocumentKind:
    code: str
    events: tuple[str, ...]  # the document records the last of these events
    missing: str  # why it cannot be generated yet
    build: Builder
    title: Callable[[CaseEvent | None], str]
    audience: str = "petitioner"  # "petitioner": addressed to the petitioner; "unit": staff only
    # The document prints the petitioner's personal data (at least the name, in full): only those
    # who see the case unmasked may download it (`may_download_document`).
    personal_data: bool = True


def _fixed(title: str) -> Callable[[CaseEvent | None], str]:
    return lambda _event: title


def _routing_title(event: CaseEvent | None) -> str:
    return "交办单" if event is not None and event.kind == "assigned" else "转送单"


# In the order a case meets them. Every kind names the petitioner in full: the letters to the
# petitioner open with the addressee ("张三：", representatives of a group) and the 受理告知书 adds the
# 查询码 that opens the case online; the routing slip lists every petitioner's name, phone and address.
DOCUMENT_KINDS: dict[str, DocumentKind] = {
    kind.code: kind
    for kind in (
        DocumentKind(
            "routing_slip",
            ("forwarded", "assigned"),
            "本件尚未转送或交办，不能生成转送单（交办单）。",
            kinds.routing_slip,
            _routing_title,
            audience="unit",
        ),
        DocumentKind(
            "acceptance_notice",
            ("accepted",),
            "本件尚未受理，不能生成受理告知书。",
            kinds.acceptance_notice,
            _fixed("受理告知书"),
        ),
        DocumentKind(
            "decline_notice",
            ("declined",),
            "本件未作出不予受理决定，不能生成不予受理告知书。",
            kinds.decline_notice,
            _fixed("不予受理告知书"),
        ),
        DocumentKind(
            "extension_notice",
            ("extended",),
            "本件未经批准延期，不能生成延期告知书。",
            kinds.extension_notice,
            _fixed("延期告知书"),
        ),
        DocumentKind(
            "reply_opinion",
            ("replied", "answered"),
            "本件尚未作出处理意见，不能生成信访处理意见书。",
            kinds.reply_opinion,
            _fixed("信访处理意见书"),
        ),
        DocumentKind(
            "delivery_receipt",
            ("delivered",),
            "本件尚未送达信访处理意见书，不能生成送达回证。",
            kinds.delivery_receipt,
            _fixed("送达回证"),
            # Signed by the petitioner and filed by the unit: a form for staff, with the address.
            audience="unit",
        ),
        DocumentKind(
            "review_opinion",
            ("review_decided",),
            "本件尚未作出复查意见，不能生成复查意见书。",
            kinds.review_opinion,
            _fixed("复查意见书"),
        ),
        DocumentKind(
            "rereview_opinion",
            ("rereview_decided",),
            "本件尚未作出复核意见，不能生成复核意见书。",
            kinds.rereview_opinion,
            _fixed("复核意见书"),
        ),
    )
}


# What a citizen may download about their own case: the routing slip carries every petitioner's
# contact data and, for accusations routed to 纪检监察, the accused unit; it is for staff only.
PETITIONER_KINDS = frozenset(code for code, kind in DOCUMENT_KINDS.items() if kind.audience == "petitioner")


DOCUMENT_REFUSED = (
    "该文书载有信访人个人信息，只有登记机构或当前责任单位的登记员、承办人、审核人和信访部门负责人可以下载。"
)


def may_download_document(user: User, case: Case, kind: str) -> bool:
    """Whether `user`, who sees `case`, may download its document `kind`: the one rule for the
    staff pages and the API. A kind that prints personal data follows the masking rule
    (`sees_personal_data`); a citizen gets only the letters addressed to the petitioner.
    Raises ServiceError(code="not_found") for an unknown kind."""
    return document_rule(user, case)(kind)


def document_rule(user: User, case: Case) -> Callable[[str], bool]:
    """`may_download_document` for many kinds of one case (a page's list of documents): the
    masking rule is asked once, when a kind first needs it."""
    sees: list[bool] = []

    def may(kind: str) -> bool:
        spec = _spec(kind)
        if user.is_citizen and spec.audience != "petitioner":
            return False
        if not spec.personal_data:
            return True
        if not sees:
            sees.append(sees_personal_data(user, case))
        return sees[0]

    return may


ATTACHMENT_REFUSED = "附件（来信原件、照片、笔录等）可能载有信访人个人信息，只有登记机构或当前责任单位的登记员、承办人、审核人和信访部门负责人可以下载。"


def may_download_attachment(user: User, case: Case) -> bool:
    """Whether `user`, who sees `case`, may download its attachments. An uploaded letter, photo or
    record is not read by the system, so it is taken to carry personal data: the masking rule
    (`sees_personal_data`) decides, as for the documents that print it."""
    return not user.is_citizen and sees_personal_data(user, case)


def _last_of(events: list[CaseEvent], kinds_: tuple[str, ...]) -> CaseEvent | None:
    return next((event for event in reversed(events) if event.kind in kinds_), None)


def available_documents(case: Case, *, events: list[CaseEvent] | None = None) -> list[tuple[str, str]]:
    """(kind, Chinese title) of every document the case's events allow, in workflow order.

    `events`: the case's events in order, when the caller has read them already (the case page).
    """
    happened = events if events is not None else list(case.events.order_by("seq"))
    result = []
    for kind in DOCUMENT_KINDS.values():
        event = _last_of(happened, kind.events)
        if event is not None:
            result.append((kind.code, kind.title(event)))
    return result


def issued_by_events(
    case: Case, kind: str, *, events: list[CaseEvent] | None = None
) -> list[tuple[int, str, str]]:
    """(event seq, title, recipient) of every issue of `kind`, e.g. the 转送单 of each hop."""
    spec = _spec(kind)
    happened = events if events is not None else list(case.events.order_by("seq"))
    return [
        (e.seq, spec.title(e), str((e.payload or {}).get("to_org_name", "")))
        for e in happened
        if e.kind in spec.events
    ]


def document_title(kind: str, case: Case | None = None) -> str:
    """The Chinese title of a kind (转送单 or 交办单 depends on the case's last routing)."""
    spec = _spec(kind)
    event = _last_of(list(case.events.only("seq", "kind").order_by("seq")), spec.events) if case else None
    return spec.title(event)


def render_document(case: Case, kind: str, *, seq: int | None = None, fmt: str = "docx") -> tuple[str, bytes]:
    """The document as (file name, bytes) in `fmt` (FORMATS: "docx" or "pdf");
    ServiceError(code="not_found") when it cannot exist.

    `seq`: the event that issued it, for a kind issued more than once (each hop of a case routed
    down the ladder has its 转送单); by default the last.
    """
    if fmt not in FORMATS:
        raise ServiceError(
            f"文书格式“{fmt}”不存在，可选：{'、'.join(FORMATS)}。", field="format", code="not_found"
        )
    spec = _spec(kind)
    source = Source(case)
    if seq is None:
        event = _last_of(source.events, spec.events)
    else:
        event = next((e for e in source.events if e.seq == seq and e.kind in spec.events), None)
        if event is None:
            raise ServiceError(
                f"本件第{seq}条办理记录没有{spec.title(None)}。", field="seq", code="not_found"
            )
    if event is None:
        raise ServiceError(spec.missing, field="kind", code="not_found")
    title = spec.title(event)
    letter = spec.build(source, event, title)
    if fmt == "pdf":
        return f"{title}-{case.number}.pdf", letter.to_pdf()
    return f"{title}-{case.number}.docx", letter.to_bytes()


def _spec(kind: str) -> DocumentKind:
    try:
        return DOCUMENT_KINDS[kind]
    except KeyError:
        known = "、".join(f"{code}（{spec.title(None)}）" for code, spec in DOCUMENT_KINDS.items())
        raise ServiceError(
            f"文书类型“{kind}”不存在，可选：{known}。", field="kind", code="not_found"
        ) from None


__all__ = [
    "DOCUMENT_KINDS",
    "DOCUMENT_REFUSED",
    "DOCX_MIME",
    "FORMATS",
    "PDF_MIME",
    "PETITIONER_KINDS",
    "available_documents",
    "document_title",
    "issued_by_events",
    "may_download_document",
    "render_document",
]
