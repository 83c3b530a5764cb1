"""The printable 诉求单: a ticket's form read back with python-docx (title, hall, number, time, the
people with full phones for the visitor to check, the request, the signature lines), the blank form,
and one A4 page each (set again as PDF to count the pages)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from docx import Document

from xinfang.core.pdf_layout import docx_to_pdf
from xinfang.reception.documents import request_form_docx, request_form_filename
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.reception.tests.queue_helpers import PHONE, a_person, filled_ticket
from xinfang.testing.pdf import page_texts
from xinfang.testing.world import World

Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def hw(world: World, freeze: Freeze) -> HallWorld:
    freeze("2025-03-10 09:05")
    return build_hall_world(world)


def _texts(content: bytes) -> tuple[list[str], list[list[str]]]:
    doc = Document(io.BytesIO(content))
    paragraphs = [p.text for p in doc.paragraphs]
    (table,) = doc.tables
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            if not cells or cell.text != cells[-1]:  # a merged cell reads once
                cells.append(cell.text)
        rows.append(cells)
    return paragraphs, rows


def _pages(content: bytes) -> int:
    return len(page_texts(docx_to_pdf(Document(io.BytesIO(content)))))


def test_a_tickets_form_carries_everything_the_visitor_signs(hw: HallWorld, world: World) -> None:
    ticket = filled_ticket(hw, world)
    content = request_form_docx(ticket)
    paragraphs, rows = _texts(content)
    assert paragraphs[:3] == [
        "青山县群众来访接待大厅",
        "群众来访诉求单",
        "排队号：A001　　2025年3月10日 09:05",
    ]
    labels = [row[0] for row in rows]
    assert labels == [
        "姓名",
        "联系电话",
        "住址",
        "诉求事项",
        "具体诉求",
        "事实和理由",
        "涉及单位",
        "来访人签字",
    ]
    assert rows[0][1].startswith("赵大姐") and rows[0][2:] == ["人数", "1 人"]
    assert rows[1][1].startswith(PHONE)  # in full: the visitor checks it before signing
    assert rows[2][1].startswith("青山县城关镇幸福路1号")
    assert rows[3][1].startswith("小区停车位被开发商违规出售")
    assert rows[4][1].startswith("请求责令开发商退还违规出售的车位款")
    assert rows[5][1].startswith("开发商将规划为公共区域的车位出售")
    assert rows[6][1].startswith("县住建局、县人社局")
    assert rows[7][0] == "来访人签字" and rows[7][2] == "接待人" and "年　　月　　日" in rows[7][1]
    doc = Document(io.BytesIO(content))
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7  # A4
    assert doc.core_properties.title == "群众来访诉求单"
    assert _pages(content) == 1


def test_a_groups_form_names_each_representative_with_a_phone(hw: HallWorld, world: World) -> None:
    people = [
        a_person(name="代表甲", id_number="", phone="13900139000"),
        a_person(name="代表乙", id_number="", phone="", address=""),
    ]
    ticket = filled_ticket(hw, world, headcount=8, people=people)
    _, rows = _texts(request_form_docx(ticket))
    assert rows[0][1].startswith("代表甲（代表）\n代表乙（代表）") and rows[0][3] == "8 人"
    assert rows[1][1].startswith("代表甲：13900139000")
    assert "代表乙" not in rows[1][1] and "代表乙" not in rows[2][1]


def test_a_long_request_still_reads_whole(hw: HallWorld, world: World) -> None:
    ticket = filled_ticket(hw, world)
    ticket.request = "第一段诉求。\n第二段诉求。"
    ticket.save()
    _, rows = _texts(request_form_docx(ticket))
    assert rows[4][1].startswith("第一段诉求。\n第二段诉求。")


def test_the_blank_form_for_printing_in_advance(hw: HallWorld) -> None:
    content = request_form_docx(None)
    paragraphs, rows = _texts(content)
    assert paragraphs[0] == "群众来访诉求单"  # no hall: the line it would take is not left empty
    assert paragraphs[1].startswith("排队号：")
    assert [row[0] for row in rows][:4] == ["姓名", "联系电话", "住址", "诉求事项"]
    assert all(not row[1].strip() for row in rows[:7])
    assert _pages(content) == 1
    headed, _ = _texts(request_form_docx(None, hall=hw.hall))
    assert headed[:2] == ["青山县群众来访接待大厅", "群众来访诉求单"]
    assert _pages(request_form_docx(None, hall=hw.hall)) == 1


def test_the_file_names(hw: HallWorld, world: World) -> None:
    assert request_form_filename(filled_ticket(hw, world)) == "群众来访诉求单-20250310-A001.docx"
    assert request_form_filename(None) == "群众来访诉求单（空白）.docx"
