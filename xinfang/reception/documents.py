"""The printable 诉求单 (群众来访诉求单, the "一单式" request form) of a ticket, as .docx on one A4 page in
the house layout (xinfang.core.docx_layout).

It is printed at the desk for the visitor to check and sign (第十九条: what is said orally is taken
down truthfully and read back), so it carries the full phone numbers; only who may act on the
ticket downloads it. ``request_form_docx(None)`` is the blank form, printed in advance for visitors
who write it by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Cm, Pt
from docx.table import _Cell

from xinfang.cases.privacy import PetitionerView
from xinfang.core.docx_layout import (
    BODY_FONT,
    HEADING_FONT,
    SMALL_SIZE,
    TEXT_WIDTH_CM,
    Letter,
    add_run,
    chinese_date,
)
from xinfang.core.text import clean_text
from xinfang.core.timeutil import LOCAL_TZ, now
from xinfang.reception.models import Hall, Ticket
from xinfang.reception.selectors.queue import ticket_people

__all__ = ["TITLE", "request_form_docx", "request_form_filename"]

TITLE = "群众来访诉求单"
# label | value | label | value; the value of a row without a second label spans the last three.
WIDTHS_CM = (2.6, 6.4, 2.4, TEXT_WIDTH_CM - 2.6 - 6.4 - 2.4)
CELL_LINE = Pt(SMALL_SIZE.pt + 8)  # 小四 on a 20-point line
# Empty lines left for handwriting on the blank form (and under a short text on a filled one), so
# the whole form stays on one page.
BLANK_LINES = {"names": 2, "phones": 1, "address": 1, "subject": 2, "request": 4, "facts": 5, "units": 1}


def request_form_filename(ticket: Ticket | None) -> str:
    if ticket is None:
        return f"{TITLE}（空白）.docx"
    return f"{TITLE}-{ticket.day:%Y%m%d}-{ticket.number}.docx"


def _write(cell: _Cell, lines: Sequence[str], *, label: bool = False, minimum: int = 1) -> None:
    """The cell's text, one paragraph per line, padded with empty lines up to ``minimum``."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER if label else WD_CELL_VERTICAL_ALIGNMENT.TOP
    texts = [clean_text(line) for line in lines if line is not None]
    texts = [line for text in texts for line in (text.splitlines() or [""])]
    texts += [""] * max(minimum - len(texts), 0)
    for index, text in enumerate(texts or [""]):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if label else WD_ALIGN_PARAGRAPH.LEFT
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = CELL_LINE
        add_run(paragraph, text, font=HEADING_FONT if label else BODY_FONT, size=SMALL_SIZE)


def _people_lines(people: list[PetitionerView]) -> tuple[list[str], list[str], list[str]]:
    names = [f"{p.name}{'（代表）' if p.is_representative else ''}" for p in people]
    several = len(people) > 1
    phones = [f"{p.name}：{p.phone}" if several else p.phone for p in people if p.phone]
    addresses = [f"{p.name}：{p.address}" if several else p.address for p in people if p.address]
    return names, phones, addresses


def _form_rows(ticket: Ticket | None) -> list[tuple[str, list[str], str, list[str], str]]:
    """(label, value lines, second label, second value lines, blank-lines key) of each row."""
    if ticket is None:
        return [
            ("姓名", [], "人数", [], "names"),
            ("联系电话", [], "", [], "phones"),
            ("住址", [], "", [], "address"),
            ("诉求事项", [], "", [], "subject"),
            ("具体诉求", [], "", [], "request"),
            ("事实和理由", [], "", [], "facts"),
            ("涉及单位", [], "", [], "units"),
        ]
    names, phones, addresses = _people_lines(ticket_people(ticket))
    return [
        ("姓名", names, "人数", [f"{ticket.headcount} 人"], "names"),
        ("联系电话", phones, "", [], "phones"),
        ("住址", addresses, "", [], "address"),
        ("诉求事项", [ticket.subject], "", [], "subject"),
        ("具体诉求", [ticket.request], "", [], "request"),
        ("事实和理由", [ticket.facts], "", [], "facts"),
        ("涉及单位", [ticket.units_involved], "", [], "units"),
    ]


def _table(doc: Letter, ticket: Ticket | None) -> None:
    table = doc.doc.add_table(rows=0, cols=4)
    table.style = doc.doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(width) for width in WIDTHS_CM]
    filled = ticket is not None
    for label, lines, second_label, second_lines, key in _form_rows(ticket):
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        # A filled form keeps a little room under short texts for corrections by hand.
        minimum = min(BLANK_LINES[key], 2) if filled else BLANK_LINES[key]
        _write(cells[0], [label], label=True)
        if second_label:
            _write(cells[1], lines, minimum=minimum)
            _write(cells[2], [second_label], label=True)
            _write(cells[3], second_lines)
        else:
            merged = cells[1].merge(cells[2]).merge(cells[3])
            _write(merged, lines, minimum=minimum)
    cells = table.add_row().cells
    for cell, width in zip(cells, widths, strict=True):
        cell.width = width
    _write(cells[0], ["来访人签字"], label=True)
    _write(cells[1], ["", "年　　月　　日"])
    _write(cells[2], ["接待人"], label=True)
    _write(cells[3], ["", "年　　月　　日"])
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width


def request_form_docx(ticket: Ticket | None, *, hall: Hall | None = None) -> bytes:
    """The 诉求单 of ``ticket`` (its hall, number, time, people, request), or the blank form
    (``ticket=None``; headed with ``hall`` when given)."""
    hall = ticket.hall if ticket is not None else hall
    organ = hall.name if hall is not None else ""
    if ticket is not None:
        issued = ticket.issued_at.astimezone(LOCAL_TZ)
        heading = f"排队号：{ticket.number}　　{chinese_date(issued.date())} {issued:%H:%M}"
        created = ticket.form_filled_at or ticket.issued_at
    else:
        heading = "排队号：　　　　　　　　年　　月　　日　　时　　分"
        created = now()
    doc = Letter(
        organ=organ,
        title=TITLE,
        doc_number=heading,
        author=hall.org.name if hall is not None else TITLE,
        created=created if isinstance(created, dt.datetime) else now(),
    )
    if not organ:
        # No hall named: the empty line the organ would take goes, and the form keeps to one page.
        first = doc.doc.paragraphs[0]
        first._p.getparent().remove(first._p)
    doc.line(
        "请如实填写以下内容（第十九条）。多人来访的，请推选不超过5名代表填写（第二十条）。",
        align=WD_ALIGN_PARAGRAPH.LEFT,
    ).runs[0].font.size = SMALL_SIZE
    _table(doc, ticket)
    doc.blank()  # a table cannot end a document: Word needs a paragraph after it
    return doc.to_bytes()
