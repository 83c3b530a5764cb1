"""The 送达回证, the 邮寄单号 on 送达 and the case file (案卷)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from docx import Document

from xinfang.cases import services
from xinfang.cases.documents import available_documents, render_document
from xinfang.cases.documents.case_file import render_case_file
from xinfang.cases.models import Case, CaseEvent
from xinfang.cases.presentation import event_summary
from xinfang.cases.tests.helpers import a_reply, register, reply_approved
from xinfang.core.errors import ServiceError
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def replied(world: World, freeze: Freeze) -> Case:
    freeze("2025-03-03 09:00")
    case = register(world, received_on=dt.date(2025, 3, 3))
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    freeze("2025-03-10 10:00")
    case = services.case_accept(actor=world.handler, case=case)
    freeze("2025-05-20 10:00")
    return reply_approved(actor=world.handler, case=case, reply=a_reply(tags=["solved"]))


def test_a_delivery_by_post_records_its_tracking_number_for_the_timeline_and_the_receipt(
    world: World, freeze: Freeze
) -> None:
    case = replied(world, freeze)
    freeze("2025-05-22 10:00")
    case = services.case_deliver(
        actor=world.handler,
        case=case,
        method="post",
        delivered_on=dt.date(2025, 5, 21),
        tracking_number=" ea12 3456789cn",
    )
    event = CaseEvent.objects.get(case=case, kind="delivered")
    assert event.payload["tracking_number"] == "EA123456789CN"
    assert "邮寄单号 EA123456789CN" in event_summary(event.kind, event.payload)
    assert ("delivery_receipt", "送达回证") in available_documents(case)
    name, data = render_document(case, "delivery_receipt")
    text = text_of(data)
    assert name == f"送达回证-{case.number}.docx"
    assert "邮寄单号\nEA123456789CN" in text
    assert "送达文书\n信访处理意见书（示例市住房和城乡建设局复〔2025〕1号）" in text
    assert "受送达人\n张三" in text and "送达方式\n邮寄送达" in text and "送达日期\n2025年5月21日" in text
    assert "青山县城关镇幸福路1号" in text  # where it was sent
    assert "〔2025〕" not in text.split("\n")[1]  # the receipt has no number of its own


def test_a_delivery_in_person_needs_no_tracking_number_and_refuses_one(world: World, freeze: Freeze) -> None:
    case = replied(world, freeze)
    with pytest.raises(ServiceError) as refused:
        services.case_deliver(
            actor=world.handler, case=case, method="in_person", tracking_number="EA123456789CN"
        )
    assert refused.value.field == "tracking_number" and "邮寄送达" in refused.value.message
    with pytest.raises(ServiceError) as bad:
        services.case_deliver(actor=world.handler, case=case, method="post", tracking_number="单号123")
    assert bad.value.field == "tracking_number"
    case = services.case_deliver(actor=world.handler, case=case, method="in_person")
    assert "tracking_number" not in CaseEvent.objects.get(case=case, kind="delivered").payload
    assert "邮寄单号" not in text_of(render_document(case, "delivery_receipt")[1])


def test_the_case_file_holds_every_document_in_order_then_the_timeline(world: World, freeze: Freeze) -> None:
    case = replied(world, freeze)
    case = services.case_deliver(actor=world.handler, case=case, method="in_person")
    name, data = render_case_file(case)
    assert name == f"案卷-{case.number}.docx"
    document = Document(io.BytesIO(data))
    titles = [
        p.text
        for p in document.paragraphs
        if p.runs and p.runs[0].font.size is not None and p.runs[0].font.size.pt == 22
    ]
    assert titles == ["信访事项案卷", "转送单", "受理告知书", "信访处理意见书", "送达回证", "办理记录"]
    # each document after the cover starts a new page
    starts = [p for p in document.paragraphs if p.paragraph_format.page_break_before]
    assert len(starts) == 5
    text = text_of(data)
    # the register names each document with its number
    assert "示例市信访局转〔2025〕1号" in text and "示例市住房和城乡建设局复〔2025〕1号" in text
    assert "出具处理意见书" in text or "处理意见书" in text
    assert text.index("办理记录") > text.index("信访处理意见书")


def test_the_reply_opinion_to_the_petitioner_has_no_internal_labels(world: World, freeze: Freeze) -> None:
    text = text_of(render_document(replied(world, freeze), "reply_opinion")[1])
    assert "三到位一处理" not in text and "问题解决到位" not in text


def test_the_routing_slip_gives_the_problem_region_with_the_regions_above_it(world: World) -> None:
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.city_housing)
    text = text_of(render_document(case, "routing_slip")[1])
    region = case.problem_region
    assert region.parent is not None
    assert (
        f"问题属地\n{region.parent.name}{region.name}" in text or f"{region.parent.name}{region.name}" in text
    )
