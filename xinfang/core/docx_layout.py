"""The page and type of a formal letter (公文), after GB/T 9704-2012, with python-docx.

A4 with the standard margins; the title in bold 宋体 二号 (the free stand-in for 方正小标宋), the body
in 仿宋 三号 on a fixed 28-point line, level-one headings in 黑体, the issuing organ and the date at the
bottom right with a seal placeholder, and the page number as "— 1 —" in the footer. Chinese text uses
the run's East Asian font (w:rFonts/@w:eastAsia); Latin letters and digits use Times New Roman.

Every text is written through `xinfang.core.text.clean_text`: XML cannot hold most control
characters, and a case stored with one (a vertical tab pasted from a word processor, before inputs
were normalised) must still yield its documents.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from xinfang.core.text import clean_text

TITLE_FONT = "宋体"  # 方正小标宋简体 where installed; 宋体 (SimSun) is on every Chinese desktop
BODY_FONT = "仿宋"  # FangSong
HEADING_FONT = "黑体"  # SimHei
LATIN_FONT = "Times New Roman"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(14)  # 四号
FOOTER_SIZE = Pt(14)  # 四号
LINE = Pt(28)  # a fixed line: about 22 lines on the page
CHAR = BODY_SIZE  # one character of body text, for indents

NUMERALS = "一二三四五六七八九十"

TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6
# A Latin token this long (a case number, a query code) cannot break: justifying its line would
# spread the characters before it across the line, so such paragraphs are set flush left.
_UNBREAKABLE = re.compile(r"[0-9A-Za-z*]{12,}")


def chinese_date(day: dt.date) -> str:
    """2025年3月10日: Arabic numerals without leading zeros (GB/T 9704 7.3.5.4)."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_width(text: str) -> float:
    """Width in body characters: full-width characters count 1, Latin letters and digits 1/2."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def add_run(
    paragraph: Paragraph, text: str, *, font: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False
) -> Run:
    """A styled run of `text`, with the characters XML cannot hold removed (the only way text is
    written into a document)."""
    return style_run(paragraph.add_run(clean_text(text)), font=font, size=size, bold=bold)


def style_run(run: Run, *, font: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False) -> Run:
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    fonts.set(qn("w:hint"), "eastAsia")
    return run


def _spacing(paragraph: Paragraph, line: Pt = LINE) -> None:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line


class Letter:
    """One document being written, top to bottom."""

    def __init__(self, *, organ: str, title: str, doc_number: str, author: str, created: dt.datetime) -> None:
        self.doc = Document()
        self._sections = 0
        self._page()
        self._defaults()
        props = self.doc.core_properties
        props.title = clean_text(title)
        props.author = props.last_modified_by = clean_text(author)
        props.language = "zh-CN"
        props.created = props.modified = created.astimezone(dt.UTC).replace(tzinfo=None)
        for line in (organ, title):
            paragraph = self.doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _spacing(paragraph, Pt(36))
            add_run(paragraph, line, font=TITLE_FONT, size=TITLE_SIZE, bold=True)
        self.line(doc_number, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_before = Pt(8)
        self.blank()

    # -- page and defaults -----------------------------------------------------------------

    def _page(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        section.header_distance = Cm(1.5)
        section.footer_distance = Cm(2.8)  # the page number sits 7 mm below the text block
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(footer, "— ", font=TITLE_FONT, size=FOOTER_SIZE)
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        number = add_run(footer, "1", font=TITLE_FONT, size=FOOTER_SIZE)
        field.append(number._element)  # moves the run into the field
        footer._p.append(field)
        add_run(footer, " —", font=TITLE_FONT, size=FOOTER_SIZE)

    def _defaults(self) -> None:
        normal = self.doc.styles["Normal"]
        normal.font.name = LATIN_FONT
        normal.font.size = BODY_SIZE
        rpr = normal.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        fmt = normal.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE
        fmt.widow_control = False

    # -- content ---------------------------------------------------------------------------

    def blank(self) -> None:
        _spacing(self.doc.add_paragraph())

    def line(
        self,
        text: str,
        *,
        align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT,
        font: str = BODY_FONT,
        bold: bool = False,
        right_indent: float = 0,
    ) -> Paragraph:
        """A paragraph without first-line indent (recipient, document number, signature)."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = align
        _spacing(paragraph)
        if right_indent:
            paragraph.paragraph_format.right_indent = Pt(CHAR.pt * right_indent)
        add_run(paragraph, text, font=font, bold=bold)
        return paragraph

    def para(self, text: str, *, lead: str = "") -> Paragraph:
        """A body paragraph indented two characters; `lead` is set in 黑体 before the text."""
        paragraph = self.doc.add_paragraph()
        unbreakable = _UNBREAKABLE.search(lead + text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if unbreakable else WD_ALIGN_PARAGRAPH.JUSTIFY
        _spacing(paragraph)
        paragraph.paragraph_format.first_line_indent = Pt(CHAR.pt * 2)
        if lead:
            add_run(paragraph, lead, font=HEADING_FONT)
        add_run(paragraph, text)
        return paragraph

    def paras(self, text: str) -> None:
        """Free text as entered: one body paragraph per non-empty line."""
        for line in clean_text(text).splitlines():
            if line.strip():
                self.para(line.strip())

    def heading(self, text: str) -> Paragraph:
        """A level-one heading (一、……) in 黑体, indented like the body."""
        paragraph = self.doc.add_paragraph()
        _spacing(paragraph)
        paragraph.paragraph_format.first_line_indent = Pt(CHAR.pt * 2)
        paragraph.paragraph_format.keep_with_next = True
        add_run(paragraph, text, font=HEADING_FONT)
        return paragraph

    def section(self, text: str) -> Paragraph:
        """The next numbered level-one heading: 一、…, 二、…"""
        self._sections += 1
        return self.heading(f"{NUMERALS[self._sections - 1]}、{text}")

    def table(self, rows: Sequence[tuple[str, str | Sequence[str]]]) -> None:
        """A two-column form: label | value (a value may be several lines)."""
        table = self.doc.add_table(rows=0, cols=2)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = (Cm(3.6), Cm(TEXT_WIDTH_CM - 3.6))
        for label, value in rows:
            cells = table.add_row().cells
            for cell, width in zip(cells, widths, strict=True):
                cell.width = width
            _cell_text(cells[0], [label], font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
            lines = [value] if isinstance(value, str) else list(value)
            _cell_text(cells[1], lines or [""], font=BODY_FONT, align=WD_ALIGN_PARAGRAPH.LEFT)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width

    def signature(self, organ: str, day: dt.date) -> None:
        """Seal placeholder, organ and date: the date 4 characters from the right, the organ
        centred over the date (GB/T 9704 7.3.5.1)."""
        date = chinese_date(day)

        def centred_over_date(text: str) -> float:
            return max(4 + (text_width(date) - text_width(text)) / 2, 0)

        # The signature never stands alone on a page: it keeps with the last line of the body.
        if self.doc.paragraphs:
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True
        seal = "（印章）"
        # The seal (about 4 lines high) starts within a line of the body and covers organ and date.
        lines = [
            self.line(""),
            self.line(seal, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=centred_over_date(seal)),
            self.line(organ, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=centred_over_date(organ)),
        ]
        for paragraph in lines:
            paragraph.paragraph_format.keep_with_next = True
        self.line(date, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=4)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _cell_text(cell: _Cell, lines: Iterable[str], *, font: str, align: WD_ALIGN_PARAGRAPH) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = align
        _spacing(paragraph, Pt(22))
        add_run(paragraph, line, font=font, size=TABLE_SIZE)
