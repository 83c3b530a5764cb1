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

import copy
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from xinfang.core.pdf_layout import docx_to_pdf
from xinfang.core.text import clean_text

TITLE_FONT = "宋体"  # 方正小标宋简体 where installed; 宋体 (SimSun) is on every Chinese desktop
BODY_FONT = "仿宋"  # FangSong
HEADING_FONT = "黑体"  # SimHei
LATIN_FONT = "Times New Roman"

MASTHEAD_SIZE = Pt(36)  # 小初: the 发文机关标志, smaller only when the name would not fit the line
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(14)  # 四号
SMALL_SIZE = Pt(12)  # 小四: registers and timelines
FOOTER_SIZE = Pt(14)  # 四号
LINE = Pt(28)  # a fixed line: about 22 lines on the page
CHAR = BODY_SIZE  # one character of body text, for indents

NUMERALS = "一二三四五六七八九十"

TEXT_WIDTH_CM = 21.0 - 2.8 - 2.6
TEXT_WIDTH_PT = TEXT_WIDTH_CM / 2.54 * 72
RED_HEX = "E00000"
RED = RGBColor.from_string(RED_HEX)
RED_RULE_EIGHTHS = 12  # the 版头 rule: 1.5 pt (in eighths of a point, as w:sz counts)
THICK_RULE_EIGHTHS = 8  # 版记: first and last rules 0.35 mm
THIN_RULE_EIGHTHS = 6  # 版记: the rules between, 0.25 mm
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

    def __init__(
        self,
        *,
        organ: str,
        title: str,
        doc_number: str,
        author: str,
        created: dt.datetime,
        masthead: bool = False,
    ) -> None:
        """`masthead`: open with the GB/T 9704 版头 (the organ in red, the 文号, the red rule) and
        then the title; otherwise the organ and the title in black with the 文号 under them (a
        report, where the 文号 line is a placeholder)."""
        self.doc = Document()
        self._sections = 0
        self._page()
        self._defaults()
        props = self.doc.core_properties
        props.title = clean_text(title)
        props.author = props.last_modified_by = clean_text(author)
        props.language = "zh-CN"
        props.created = props.modified = created.astimezone(dt.UTC).replace(tzinfo=None)
        if not masthead:
            for line in (organ, title):
                self._title(line)
            self.line(doc_number, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.space_before = Pt(8)
            self.blank()
            return
        self._masthead(organ, doc_number)
        # 标题 (7.3.1): two lines below the red rule, 二号小标宋, centred.
        self.blank()
        self._title(title)
        self.blank()

    def _title(self, text: str) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(paragraph, Pt(36))
        add_run(paragraph, text, font=TITLE_FONT, size=TITLE_SIZE, bold=True)

    def _masthead(self, organ: str, doc_number: str) -> None:
        """版头 (GB/T 9704 7.2): the issuing organ's name in red, centred and as large as the line
        allows up to 小初; a blank line; the 发文字号 centred; the red rule 4 mm under it across the
        whole text width."""
        size = Pt(min(MASTHEAD_SIZE.pt, int(TEXT_WIDTH_PT / max(text_width(organ), 1))))
        head = self.doc.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _spacing(head, Pt(max(size.pt * 1.25, LINE.pt)))
        add_run(head, organ, font=TITLE_FONT, size=size, bold=True).font.color.rgb = RED
        if doc_number:
            self.blank()
            head = self.line(doc_number, align=WD_ALIGN_PARAGRAPH.CENTER)
        # A document without a number of its own (a form such as the 送达回证): the rule under the name.
        rule(head, side="bottom", size=RED_RULE_EIGHTHS, color=RED_HEX, space=11)

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

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths_cm: Sequence[float],
        *,
        label_columns: Sequence[int] = (),
    ) -> None:
        """A table in 小四 (a register, a timeline): the header row (when given) in 黑体, repeated
        on every page; `label_columns` in 黑体 too (a form of label | value pairs)."""
        table = self.doc.add_table(rows=0, cols=len(widths_cm))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = [Cm(width) for width in widths_cm]
        body = [list(values) for values in rows]
        for index, values in enumerate([list(header), *body] if header else body):
            is_header = bool(header) and index == 0
            row = table.add_row()
            if is_header:
                row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            for column, (cell, value, width) in enumerate(zip(row.cells, values, widths, strict=True)):
                cell.width = width
                label = is_header or column in label_columns
                _cell_text(
                    cell,
                    [value],
                    font=HEADING_FONT if label else BODY_FONT,
                    align=WD_ALIGN_PARAGRAPH.CENTER if label else WD_ALIGN_PARAGRAPH.LEFT,
                    size=SMALL_SIZE,
                )
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width

    def signature(self, organ: str, day: dt.date) -> None:
        """Seal placeholder, organ and date: the date 4 characters from the right, the organ
        centred over the date (GB/T 9704 7.3.5.1).

        The block never stands alone on a page: it keeps with the last two lines of the body (the
        last paragraph keeps with the next and may not leave a single line behind), and its own
        lines keep together, so a page break falls inside the body rather than leaving the page
        before the signature half empty."""
        date = chinese_date(day)

        def centred_over_date(text: str) -> float:
            return max(4 + (text_width(date) - text_width(text)) / 2, 0)

        body = [e for e in self.doc.element.body if e.tag != qn("w:sectPr")]
        if body and body[-1].tag == qn("w:tbl"):
            # after a table: its last row keeps with the signature (Word moves the row along)
            for p in body[-1].findall(qn("w:tr"))[-1].iter(qn("w:p")):
                Paragraph(p, self.doc._body).paragraph_format.keep_with_next = True
        elif self.doc.paragraphs:
            last = self.doc.paragraphs[-1].paragraph_format
            last.keep_with_next = True
            last.widow_control = True
        seal = "（印章）"
        # The seal (about 4 lines high) starts within a line of the body and covers organ and date.
        lines = [
            self.line(""),
            self.line(seal, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=centred_over_date(seal)),
            self.line(organ, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=centred_over_date(organ)),
            self.line(date, align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=4),
        ]
        for paragraph in lines:
            paragraph.paragraph_format.keep_together = True
        for paragraph in lines[:-1]:
            paragraph.paragraph_format.keep_with_next = True

    def colophon(self, *, printer: str, printed_on: dt.date, copy_to: Sequence[str] = ()) -> None:
        """版记 (GB/T 9704 7.4): 抄送 (when any), then the 印发机关 left and the 印发日期 right, in
        四号仿宋 one character in from both edges, between rules: the first and the last 0.35 mm,
        the one between 0.25 mm. A borderless table floating at the foot of the text area, so that
        in Word it sits on the last lines of the last page; LibreOffice sets it after the signature."""
        self.blank()
        table = self.doc.add_table(rows=0, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        half = Cm(TEXT_WIDTH_CM / 2)
        if copy_to:
            cells = table.add_row().cells
            merged = cells[0].merge(cells[1])
            _cell_text(
                merged,
                ["抄送：" + "，".join(clean_text(c) for c in copy_to) + "。"],
                font=BODY_FONT,
                align=WD_ALIGN_PARAGRAPH.LEFT,
            )
        cells = table.add_row().cells
        _cell_text(cells[0], [printer], font=BODY_FONT, align=WD_ALIGN_PARAGRAPH.LEFT)
        _cell_text(
            cells[1], [f"{chinese_date(printed_on)}印发"], font=BODY_FONT, align=WD_ALIGN_PARAGRAPH.RIGHT
        )
        for column in table.columns:
            column.width = half
        for row in table.rows:
            for cell in row.cells:
                cell.width = half
        _float_at_foot(table._tbl.tblPr)
        self.blank()  # a table cannot end a document: Word needs a paragraph after it

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    def to_pdf(self) -> bytes:
        """The same document as PDF (xinfang.core.pdf_layout: no external program)."""
        return docx_to_pdf(self.doc)


_PBDR_SUCCESSORS = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
    "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def rule(paragraph: Paragraph, *, side: str, size: int, color: str = "000000", space: int = 1) -> None:
    """A full-width rule above or below `paragraph` (its border: `size` in eighths of a point,
    `space` in points between the text and the rule)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *_PBDR_SUCCESSORS)
    edge = OxmlElement(f"w:{side}")
    for name, value in (("val", "single"), ("sz", str(size)), ("space", str(space)), ("color", color)):
        edge.set(qn(f"w:{name}"), value)
    borders.append(edge)
    # w:pBdr wants top before bottom
    for name in ("top", "left", "bottom", "right"):
        found = borders.find(qn(f"w:{name}"))
        if found is not None:
            borders.remove(found)
            borders.append(found)


# w:tblPr's children after w:tblW, in schema order (Word refuses a file with them out of order).
_TBLPR_AFTER_WIDTH = (
    "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
    "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange",
)  # fmt: skip


def _float_at_foot(tbl_pr: Any) -> None:
    """Float a table at the bottom of the text area, centred (w:tblpPr), with the 版记's rules as
    its borders and one character of cell margin on both sides."""
    position = OxmlElement("w:tblpPr")
    for name, value in (
        ("leftFromText", "0"),
        ("rightFromText", "0"),
        ("topFromText", "0"),
        ("bottomFromText", "0"),
        ("vertAnchor", "margin"),
        ("horzAnchor", "margin"),
        ("tblpXSpec", "center"),
        ("tblpYSpec", "bottom"),
    ):
        position.set(qn(f"w:{name}"), value)
    after_style = ("w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW")
    tbl_pr.insert_element_before(position, *after_style, *_TBLPR_AFTER_WIDTH)
    borders = OxmlElement("w:tblBorders")
    for side, size in (
        ("top", THICK_RULE_EIGHTHS),
        ("left", 0),
        ("bottom", THICK_RULE_EIGHTHS),
        ("right", 0),
        ("insideH", THIN_RULE_EIGHTHS),
        ("insideV", 0),
    ):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single" if size else "nil")
        if size:
            edge.set(qn("w:sz"), str(size))
            edge.set(qn("w:space"), "0")
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(int(TABLE_SIZE.pt * 20)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    tbl_pr.insert_element_before(borders, *_TBLPR_AFTER_WIDTH[4:])
    tbl_pr.insert_element_before(margins, *_TBLPR_AFTER_WIDTH[7:])


def page_break_before(paragraph: Paragraph) -> None:
    paragraph.paragraph_format.page_break_before = True


def combine(letters: Sequence[Letter], *, title: str) -> Letter:
    """One file of several letters, each from a new page, in the first letter's page and styles
    (every Letter is built on the same template, so their paragraphs and tables carry over)."""
    first = letters[0]
    body = first.doc.element.body
    section = body[-1]  # w:sectPr stays last
    for other in letters[1:]:
        elements = [copy.deepcopy(e) for e in other.doc.element.body if e.tag != qn("w:sectPr")]
        for element in elements:
            section.addprevious(element)
        if elements and elements[0].tag == qn("w:p"):
            page_break_before(Paragraph(elements[0], first.doc._body))
    first.doc.core_properties.title = clean_text(title)
    return first


def _cell_text(
    cell: _Cell, lines: Iterable[str], *, font: str, align: WD_ALIGN_PARAGRAPH, size: Pt = TABLE_SIZE
) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for index, line in enumerate(lines):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        paragraph.alignment = align
        _spacing(paragraph, Pt(size.pt + 8))  # 四号 on a 22-point line
        add_run(paragraph, line, font=font, size=size)
