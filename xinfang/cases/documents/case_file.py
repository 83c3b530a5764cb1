"""The case file (案卷) for 整卷归宗: every document the case issued and its timeline, as one .docx.

A cover with the case's particulars and the register of documents (卷内文书目录), then every document
in the order it was issued, each from a new page (a document issued twice, a 转送单 and after the
objection a 交办单, appears twice), then the timeline. Reads the case; gives numbers to documents
issued before numbering (numbers.number_for), as printing any of them would.

Who may download it: whoever may download every document in it (`may_download_case_file`).
"""

from __future__ import annotations

from django.utils.timezone import localtime

from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.presentation import event_summary
from xinfang.core.docx_layout import Letter, chinese_date, combine
from xinfang.core.timeutil import local_date, now
from xinfang.orgs.models import User

from . import DOCUMENT_KINDS, DocumentKind, document_rule
from .kinds import Source, region_path
from .numbers import number_for

CASE_FILE_REFUSED = "案卷汇集本件全部文书，载有信访人个人信息，只有登记机构或当前责任单位的登记员、承办人、审核人和信访部门负责人可以下载。"


def may_download_case_file(user: User, case: Case) -> bool:
    """The case file holds every kind, the staff-only ones included: the strictest rule of them."""
    may = document_rule(user, case)
    return all(may(kind) for kind in DOCUMENT_KINDS)


def issued_documents(source: Source) -> list[tuple[DocumentKind, CaseEvent]]:
    """Every document the case issued, in the order of the events that issued them."""
    by_event = {event_kind: kind for kind in DOCUMENT_KINDS.values() for event_kind in kind.events}
    return [(by_event[e.kind], e) for e in source.events if e.kind in by_event]


def render_case_file(case: Case) -> tuple[str, bytes]:
    source = Source(case)
    issued = issued_documents(source)
    letters = [kind.build(source, event, kind.title(event)) for kind, event in issued]
    cover = _cover(source, issued)
    timeline = _timeline(source)
    combined = combine([cover, *letters, timeline], title=f"信访事项案卷-{case.number}")
    return f"案卷-{case.number}.docx", combined.to_bytes()


def _cover(source: Source, issued: list[tuple[DocumentKind, CaseEvent]]) -> Letter:
    case = source.case
    org = case.registered_org
    doc = Letter(
        organ=org.name, title="信访事项案卷", doc_number="", author=org.name, created=now(), masthead=True
    )
    particulars = [
        ("信访件编号", case.number),
        ("信访日期", chinese_date(case.received_on)),
        ("信访人", source.addressee()),
        ("信访形式", case.get_channel_display()),
        ("问题属地", region_path(case.problem_region)),
        ("办理状态", case.get_status_display()),
        ("登记机构", org.name),
        ("办理单位", case.current_org.name if case.current_org else ""),
    ]
    # two particulars a row, so that the register of documents starts on the cover
    rows = [[*particulars[i], *particulars[i + 1]] for i in range(0, len(particulars), 2)]
    rows.append(["标题", source.scrub(case.subject), "文书件数", f"{len(issued)}件"])
    doc.grid([], rows, [2.6, 5.2, 2.6, 5.2], label_columns=(0, 2))
    doc.blank()
    doc.line("卷内文书目录", font="黑体")
    rows = []
    for index, (kind, event) in enumerate(issued, start=1):
        number = number_for(event)
        rows.append(
            [
                str(index),
                kind.title(event),
                number.number if number is not None else "",
                local_date(event.at).isoformat(),  # a register's dates: 2025-03-10, on one line
            ]
        )
    rows.append([str(len(issued) + 1), "办理记录", "", local_date().isoformat()])
    doc.grid(["序号", "文书", "文号", "日期"], rows, [1.3, 3.4, 8.4, 2.5])
    return doc


def _timeline(source: Source) -> Letter:
    case = source.case
    org = case.current_org or case.registered_org
    doc = Letter(
        organ=org.name, title="办理记录", doc_number="", author=org.name, created=now(), masthead=True
    )
    doc.line(f"信访件编号：{case.number}")
    rows = [
        [
            str(event.seq),
            localtime(event.at).strftime("%Y-%m-%d %H:%M"),
            event.org.name if event.org else "",
            source.scrub(event_summary(event.kind, event.payload)),
        ]
        for event in source.events
    ]
    doc.grid(["序号", "时间", "机构", "办理记录"], rows, [1.4, 3.0, 4.2, 7.0])
    return doc
