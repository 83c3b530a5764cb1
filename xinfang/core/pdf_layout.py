"""A .docx letter (xinfang.core.docx_layout) set again as PDF, with no external program.

The PDF is drawn from the finished document, read with python-docx: its page size and margins, every
paragraph (runs with their size, weight and colour; alignment; first-line, left and right indents;
the exact line height; the rules of the 版头; page breaks, keep-with-next and widow control), every
table (the grid's column widths, merged cells, the Table Grid borders or the table's own, repeated
header rows, the 版记 floating at the foot of the page) and the footer's page number ("— 1 —"). So
the .docx and the PDF say the same, and a change to a letter's wording changes both.

Fonts: reportlab's built-in Adobe-GB1 font STSong-Light (宋体), which a PDF reader supplies, so no
font file is shipped or embedded. It is the only Simplified-Chinese face reportlab has: 仿宋 and 黑体
are set in it too, and bold (the title, the masthead, 黑体 headings) is drawn by stroking the glyphs.
Chinese lines wrap at any character, Latin words (a case number, a query code) only between words;
closing punctuation may hang in the right margin rather than open a line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
HEADING_FONTS = {"黑体", "SimHei"}  # set as bold Song: reportlab has no 黑体
DEFAULT_SIZE = 16.0  # 三号, the body of every letter
DEFAULT_LINE = 28.0
TWIP = 1 / 20  # points
EMU = 1 / 12700  # points
ASCENT = 0.86  # of the font size: where the baseline sits in a line box
BOLD_STROKE = 0.03  # of the font size: the outline drawn around a "bold" glyph
CELL_MARGIN = 108 * TWIP  # Word's default left and right cell margin (0.19 cm)
GRID_RULE = 0.5  # Table Grid's single borders

# No line starts with these: they hang in the margin instead (a light 禁则).
_CLOSING = set("，。、；：？！）》」』”’】〕…·,.;:?!)]%")
_LATIN = re.compile(r"[0-9A-Za-z@#&*+\-./:_%]+")

_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


@dataclass(frozen=True)
class Style:
    size: float
    bold: bool
    color: tuple[float, float, float]


@dataclass
class Unit:
    """What cannot be broken: one character, or one Latin word."""

    text: str
    style: Style
    width: float


@dataclass
class Line:
    units: list[Unit]
    width: float  # the space available
    indent: float  # from the left edge of the text block (or cell)
    align: str  # left / center / right / justify
    height: float
    size: float  # the largest font size on the line
    keep_with_next: bool = False

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        units = [u for u in self.units if u.text]
        if not units:
            return
        natural = sum(u.width for u in units)
        hanging = units[-1].width if units[-1].text in _CLOSING and natural > self.width + 0.01 else 0.0
        slack = max(self.width - natural + hanging, 0.0)
        gap = 0.0
        start = x + self.indent
        if self.align == "center":
            start += slack / 2
        elif self.align == "right":
            start += slack
        elif self.align == "justify":
            chars = sum(len(u.text) for u in units)
            gap = slack / (chars - 1) if chars > 1 else 0.0
        baseline = top - (self.height - self.size) / 2 - self.size * ASCENT
        cursor = start
        for style, text in _fragments(units):
            # The render mode and the colours are graphics state: set afresh for every fragment.
            canvas.saveState()
            obj = canvas.beginText(cursor, baseline)
            obj.setFont(_font(), style.size)
            obj.setCharSpace(gap)
            canvas.setFillColorRGB(*style.color)
            if style.bold:
                canvas.setStrokeColorRGB(*style.color)
                canvas.setLineWidth(style.size * BOLD_STROKE)
            obj.setTextRenderMode(2 if style.bold else 0)
            obj.textOut(text)
            canvas.drawText(obj)
            canvas.restoreState()
            cursor += pdfmetrics.stringWidth(text, _font(), style.size) + gap * len(text)


def _fragments(units: list[Unit]) -> Iterator[tuple[Style, str]]:
    """Runs of units in one style, drawn as one string each."""
    current: Style | None = None
    text = ""
    for unit in units:
        if unit.style != current and text:
            assert current is not None
            yield current, text
            text = ""
        current = unit.style
        text += unit.text
    if text and current is not None:
        yield current, text


# -- blocks: what the pages are filled with ------------------------------------------------------


@dataclass
class Block:
    """A horizontal strip of a page: a line of text, a rule, a table row."""

    height: float
    draw: Callable[[Canvas, float, float], None]  # (canvas, left x, top y)
    keep_with_next: bool = False
    page_break_before: bool = False
    table: int | None = None  # the table a row belongs to
    header: bool = False  # a table row repeated on every page
    split: Callable[[float], tuple[Block, Block] | None] | None = None


@dataclass
class Page:
    blocks: list[tuple[float, Block]] = field(default_factory=list)  # (offset from the top, block)
    used: float = 0.0
    bottom: float = 0.0  # space kept at the foot (a floating table placed there)
    foot: list[Block] = field(default_factory=list)


class Layout:
    """Fill pages top to bottom with blocks, honouring page breaks, keep-with-next (a heading or
    the lines before a signature are carried to the next page with what follows), repeated table
    headers and the floating 版记."""

    def __init__(self, height: float) -> None:
        self.height = height
        self.pages = [Page()]
        self.headers: dict[int, list[Block]] = {}

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def room(self) -> float:
        return self.height - self.page.bottom - self.page.used

    def _new_page(self, table: int | None) -> None:
        self.pages.append(Page())
        for header in self.headers.get(table, []) if table is not None else []:
            self._put(header)

    def _put(self, block: Block) -> None:
        self.page.blocks.append((self.page.used, block))
        self.page.used += block.height

    def add(self, block: Block) -> None:
        if block.header and block.table is not None:
            self.headers.setdefault(block.table, []).append(block)
        if block.page_break_before and self.page.blocks:
            self._new_page(None)
        if block.height <= self.room() + 0.01:
            self._put(block)
            return
        if block.split is not None and (parts := block.split(self.room())) is not None:
            first, rest = parts
            self._put(first)
            self._new_page(block.table)
            self.add(rest)
            return
        carried: list[Block] = []
        blocks = self.page.blocks
        while len(blocks) > 1 and blocks[-1][1].keep_with_next and not blocks[-1][1].header:
            carried.insert(0, blocks.pop()[1])
        self.page.used = blocks[-1][0] + blocks[-1][1].height if blocks else 0.0
        if not self.page.blocks and not carried:
            self._put(block)  # taller than a page and not splittable: it overflows
            return
        self._new_page(block.table)
        for kept in carried:
            self._put(kept)
        self.add(block)

    def add_foot(self, rows: list[Block]) -> None:
        """A table floating at the foot of the text area: on this page when it fits, else the next."""
        height = sum(row.height for row in rows)
        if height > self.room() + 0.01 and self.page.blocks:
            self._new_page(None)
        self.page.foot.extend(rows)
        self.page.bottom += height


# -- reading the document ------------------------------------------------------------------------


def _rgb(value: Any) -> tuple[float, float, float]:
    if value is None:
        return (0.0, 0.0, 0.0)
    text = str(value)
    return (int(text[0:2], 16) / 255, int(text[2:4], 16) / 255, int(text[4:6], 16) / 255)


def _pt(length: Any, default: float = 0.0) -> float:
    return float(length.pt) if length is not None else default


@dataclass(frozen=True)
class Defaults:
    """What a paragraph inherits from its style: the font size and the line height (None: single)."""

    size: float
    line: Any


class Styles:
    """What each paragraph style gives, read once per document (python-docx finds a paragraph's
    style by searching every style, each time it is asked)."""

    def __init__(self) -> None:
        self._known: dict[str | None, Defaults] = {}

    def of(self, paragraph: Paragraph) -> Defaults:
        key = paragraph._p.style
        found = self._known.get(key)
        if found is None:
            size, line = None, None
            style = paragraph.style
            while style is not None and (size is None or line is None):
                size = size if size is not None else style.font.size
                line = line if line is not None else style.paragraph_format.line_spacing
                style = style.base_style
            found = Defaults(float(size.pt) if size is not None else DEFAULT_SIZE, line)
            self._known[key] = found
        return found


def _line_height(paragraph: Paragraph, size: float, defaults: Defaults) -> float:
    spacing = paragraph.paragraph_format.line_spacing
    if spacing is None:
        spacing = defaults.line
    if spacing is None:
        return max(DEFAULT_LINE, size * 1.3)
    if isinstance(spacing, float):  # a multiple of single spacing
        return size * 1.3 * spacing
    return float(spacing.pt)


def _units(paragraph: Paragraph, default_size: float) -> list[Unit]:
    units: list[Unit] = []
    for run in paragraph.runs:
        rfonts = run._element.rPr.rFonts if run._element.rPr is not None else None
        eastasia = rfonts.get(qn("w:eastAsia")) if rfonts is not None else None
        style = Style(
            size=_pt(run.font.size, default_size),
            bold=bool(run.font.bold) or eastasia in HEADING_FONTS,
            color=_rgb(run.font.color.rgb if run.font.color.type is not None else None),
        )
        text = run.text.replace("\t", "  ")
        position = 0
        for match in _LATIN.finditer(text):
            units.extend(_chars(text[position : match.start()], style))
            units.append(Unit(match.group(), style, _width(match.group(), style.size)))
            position = match.end()
        units.extend(_chars(text[position:], style))
    return units


def _chars(text: str, style: Style) -> list[Unit]:
    return [Unit(c, style, _width(c, style.size)) for c in text if c not in "\r\n"]


def _width(text: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, _font(), size))


def _wrap(units: list[Unit], first: float, rest: float) -> list[list[Unit]]:
    """Greedy, one unit at a time; a Latin word longer than a line is broken by characters."""
    lines: list[list[Unit]] = [[]]
    used = 0.0
    for unit in units:
        room = first if len(lines) == 1 else rest
        if used + unit.width <= room + 0.01 or not lines[-1]:
            if unit.width > room and len(unit.text) > 1:  # an overlong Latin word
                for piece in _chars(unit.text, unit.style):
                    room = first if len(lines) == 1 else rest
                    if used + piece.width > room + 0.01 and lines[-1]:
                        lines.append([])
                        used = 0.0
                    lines[-1].append(piece)
                    used += piece.width
                continue
            lines[-1].append(unit)
            used += unit.width
        elif unit.text in _CLOSING:
            lines[-1].append(unit)  # hangs in the margin
            used += unit.width
        else:
            lines.append([unit])
            used = unit.width
    return lines


_ALIGN = {
    WD_ALIGN_PARAGRAPH.CENTER: "center",
    WD_ALIGN_PARAGRAPH.RIGHT: "right",
    WD_ALIGN_PARAGRAPH.JUSTIFY: "justify",
    WD_ALIGN_PARAGRAPH.DISTRIBUTE: "justify",
}


def paragraph_lines(paragraph: Paragraph, width: float, styles: Styles) -> list[Line]:
    """The lines of a paragraph set in `width` points; an empty paragraph is one empty line."""
    fmt = paragraph.paragraph_format
    left, right = _pt(fmt.left_indent), _pt(fmt.right_indent)
    first = _pt(fmt.first_line_indent)
    defaults = styles.of(paragraph)
    units = _units(paragraph, defaults.size)
    size = max((u.style.size for u in units), default=defaults.size)
    height = _line_height(paragraph, size, defaults)
    align = _ALIGN.get(paragraph.alignment, "left") if paragraph.alignment is not None else "left"
    wrapped = _wrap(units, width - left - right - first, width - left - right)
    lines = []
    for index, chunk in enumerate(wrapped):
        last = index == len(wrapped) - 1
        indent = left + (first if index == 0 else 0.0)
        lines.append(
            Line(
                units=chunk,
                width=width - indent - right,
                indent=indent,
                align="left" if align == "justify" and last else align,
                height=height,
                size=max((u.style.size for u in chunk), default=size),
            )
        )
    if fmt.keep_with_next or fmt.keep_together:
        for line in lines[:-1]:
            line.keep_with_next = True
    if fmt.keep_with_next:
        lines[-1].keep_with_next = True
    if fmt.widow_control and len(lines) >= 3:
        lines[0].keep_with_next = True  # no single first line at the foot of a page
        lines[-2].keep_with_next = True  # no single last line at the head of the next
    return lines


def _border(element: Any, side: str) -> tuple[float, float, tuple[float, float, float]] | None:
    """(width in points, space in points, colour) of a paragraph's border on `side`."""
    ppr = element.pPr
    borders = ppr.find(qn("w:pBdr")) if ppr is not None else None
    edge = borders.find(qn(f"w:{side}")) if borders is not None else None
    if edge is None or edge.get(qn("w:val")) in (None, "nil", "none"):
        return None
    color = edge.get(qn("w:color"))
    return (
        int(edge.get(qn("w:sz"), "4")) / 8,
        float(edge.get(qn("w:space"), "0")),
        _rgb(None if color in (None, "auto") else color),
    )


def _rule_block(width: float, thickness: float, space: float, color: tuple[float, float, float]) -> Block:
    def draw(canvas: Canvas, x: float, top: float) -> None:
        canvas.setStrokeColorRGB(*color)
        canvas.setLineWidth(thickness)
        y = top - space - thickness / 2
        canvas.line(x, y, x + width, y)

    return Block(height=space + thickness, draw=draw)


def _line_block(line: Line) -> Block:
    return Block(height=line.height, draw=line.draw, keep_with_next=line.keep_with_next)


def paragraph_blocks(paragraph: Paragraph, width: float, styles: Styles) -> list[Block]:
    fmt = paragraph.paragraph_format
    lines = paragraph_lines(paragraph, width, styles)
    blocks: list[Block] = []
    before, after = _pt(fmt.space_before), _pt(fmt.space_after)
    if top := _border(paragraph._p, "top"):
        blocks.append(_rule_block(width, top[0], top[1], top[2]))
    if before:
        blocks.append(Block(height=before, draw=lambda *_: None, keep_with_next=True))
    blocks.extend(_line_block(line) for line in lines)
    if bottom := _border(paragraph._p, "bottom"):
        blocks[-1].keep_with_next = True
        blocks.append(_rule_block(width, bottom[0], bottom[1], bottom[2]))
    if after:
        blocks.append(Block(height=after, draw=lambda *_: None))
    if fmt.page_break_before:
        blocks[0].page_break_before = True
    return blocks


# -- tables --------------------------------------------------------------------------------------


@dataclass
class Cell:
    x: float  # from the table's left edge
    width: float
    lines: list[Line]
    center: bool

    @property
    def content(self) -> float:
        return sum(line.height for line in self.lines)


def _table_borders(table: Table) -> dict[str, float]:
    """Border widths by side (top, bottom, left, right, insideH, insideV); 0 for none."""
    tbl_pr = table._tbl.tblPr
    own = tbl_pr.find(qn("w:tblBorders")) if tbl_pr is not None else None
    sides = ("top", "bottom", "left", "right", "insideH", "insideV")
    if own is not None:
        out = {}
        for side in sides:
            edge = own.find(qn(f"w:{side}"))
            none = edge is None or edge.get(qn("w:val")) in (None, "nil", "none")
            out[side] = 0.0 if none else int(edge.get(qn("w:sz"), "4")) / 8
        return out
    style = table.style
    grid = style is not None and style.name == "Table Grid"
    return dict.fromkeys(sides, GRID_RULE if grid else 0.0)


def _cell_margin(table: Table) -> float:
    tbl_pr = table._tbl.tblPr
    margins = tbl_pr.find(qn("w:tblCellMar")) if tbl_pr is not None else None
    left = margins.find(qn("w:left")) if margins is not None else None
    return int(left.get(qn("w:w"))) * TWIP if left is not None else CELL_MARGIN


def _floats_at_foot(table: Table) -> bool:
    tbl_pr = table._tbl.tblPr
    position = tbl_pr.find(qn("w:tblpPr")) if tbl_pr is not None else None
    return position is not None and position.get(qn("w:tblpYSpec")) == "bottom"


def table_blocks(table: Table, width: float, ident: int, styles: Styles) -> tuple[list[Block], bool]:
    """One block per row (a tall row splits between its lines at a page break), and whether the
    table floats at the foot of the page."""
    columns = [int(col.get(qn("w:w"))) * TWIP for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    total = sum(columns)
    offset = max((width - total) / 2, 0.0)  # every table of the letters is centred
    margin = _cell_margin(table)
    borders = _table_borders(table)
    rows = table._tbl.findall(qn("w:tr"))
    blocks = []
    for index, tr in enumerate(rows):
        cells: list[Cell] = []
        column = 0
        for tc in tr.findall(qn("w:tc")):
            span_el = tc.tcPr.find(qn("w:gridSpan")) if tc.tcPr is not None else None
            span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
            x = offset + sum(columns[:column])
            cell_width = sum(columns[column : column + span])
            column += span
            cell = _Cell(tc, table)
            lines = [
                line for p in cell.paragraphs for line in paragraph_lines(p, cell_width - 2 * margin, styles)
            ]
            for line in lines:
                line.keep_with_next = False
            center = cell.vertical_alignment == WD_CELL_VERTICAL_ALIGNMENT.CENTER
            cells.append(Cell(x + margin, cell_width, lines, center))
        tr_pr = tr.trPr
        header = tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
        edges = (
            borders["top"] if index == 0 else borders["insideH"],
            borders["bottom"] if index == len(rows) - 1 else 0.0,
        )
        blocks.append(_row_block(cells, offset, total, borders, edges, ident, header, margin))
    return blocks, _floats_at_foot(table)


def _row_block(
    cells: list[Cell],
    left: float,
    total: float,
    borders: dict[str, float],
    edges: tuple[float, float],
    ident: int,
    header: bool,
    margin: float,
    *,
    split_part: bool = False,
) -> Block:
    height = max((c.content for c in cells), default=0.0) + 2.0
    top_rule, bottom_rule = edges

    def draw(canvas: Canvas, x: float, top: float) -> None:
        for cell in cells:
            shift = (height - cell.content) / 2 if cell.center and not split_part else 1.0
            y = top - shift
            for line in cell.lines:
                line.draw(canvas, x + cell.x, y)
                y -= line.height
        canvas.setStrokeColorRGB(0, 0, 0)
        for width, y in ((top_rule, top), (bottom_rule, top - height)):
            if width:
                canvas.setLineWidth(width)
                canvas.line(x + left, y, x + left + total, y)
        inside = borders["insideV"]
        for index, cell in enumerate(cells):
            edge = borders["left"] if index == 0 else inside
            if edge:
                canvas.setLineWidth(edge)
                canvas.line(x + cell.x - margin, top, x + cell.x - margin, top - height)
        if borders["right"]:
            canvas.setLineWidth(borders["right"])
            canvas.line(x + left + total, top, x + left + total, top - height)

    def split(room: float) -> tuple[Block, Block] | None:
        if room < 30:
            return None
        firsts, rests = [], []
        for cell in cells:
            used, cut = 1.0, 0
            while cut < len(cell.lines) and used + cell.lines[cut].height <= room - 1.0:
                used += cell.lines[cut].height
                cut += 1
            firsts.append(Cell(cell.x, cell.width, cell.lines[:cut], cell.center))
            rests.append(Cell(cell.x, cell.width, cell.lines[cut:], cell.center))
        if not any(c.lines for c in firsts) or not any(c.lines for c in rests):
            return None
        # The parts of a split row are not header rows (a header repeats whole, where it fits).
        top, bottom = (top_rule, borders["bottom"]), (borders["top"], bottom_rule)
        first = _row_block(firsts, left, total, borders, top, ident, False, margin, split_part=True)
        rest = _row_block(rests, left, total, borders, bottom, ident, False, margin, split_part=True)
        return first, rest

    return Block(height=height, draw=draw, table=ident, header=header, split=split)


# -- the document --------------------------------------------------------------------------------


def _footer(document: DocxDocument) -> tuple[list[tuple[str, Style]], str, float]:
    """The footer's texts (the PAGE field marked "{page}"), alignment and distance from the edge."""
    section = document.sections[0]
    parts: list[tuple[str, Style]] = []
    align = "center"
    for paragraph in section.footer.paragraphs:
        align = _ALIGN.get(paragraph.alignment, "left") if paragraph.alignment is not None else "left"
        for element in paragraph._p:
            runs = [element] if element.tag == qn("w:r") else []
            page = element.tag == qn("w:fldSimple") and "PAGE" in (element.get(qn("w:instr")) or "")
            if element.tag == qn("w:fldSimple"):
                runs = element.findall(qn("w:r"))
            for r in runs:
                run = Run(r, paragraph)
                style = Style(_pt(run.font.size, DEFAULT_SIZE), bool(run.font.bold), (0.0, 0.0, 0.0))
                parts.append(("{page}" if page else run.text, style))
    return parts, align, _pt(section.footer_distance, 36.0)


def docx_to_pdf(document: DocxDocument) -> bytes:
    """The document as PDF bytes: the same pages, margins, text and tables."""
    section = document.sections[0]
    page_width, page_height = _pt(section.page_width, 595.3), _pt(section.page_height, 841.9)
    top, bottom = _pt(section.top_margin, 72.0), _pt(section.bottom_margin, 72.0)
    left, right = _pt(section.left_margin, 72.0), _pt(section.right_margin, 72.0)
    width = page_width - left - right
    layout = Layout(page_height - top - bottom)
    tables = 0
    styles = Styles()
    for element in document.element.body:
        if element.tag == qn("w:p"):
            for block in paragraph_blocks(Paragraph(element, document._body), width, styles):
                layout.add(block)
        elif element.tag == qn("w:tbl"):
            tables += 1
            rows, foot = table_blocks(Table(element, document._body), width, tables, styles)
            if foot:
                layout.add_foot(rows)
            else:
                for row in rows:
                    layout.add(row)

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_width, page_height), invariant=True)
    props = document.core_properties
    canvas.setTitle(props.title or "")
    canvas.setAuthor(props.author or "")
    canvas.setCreator("Xinfang")
    canvas.setSubject(props.title or "")
    footer, footer_align, footer_distance = _footer(document)
    for number, page in enumerate(layout.pages, start=1):
        y = page_height - top
        for offset, block in page.blocks:
            block.draw(canvas, left, y - offset)
        foot_top = bottom + sum(b.height for b in page.foot)
        for block in page.foot:
            block.draw(canvas, left, foot_top)
            foot_top -= block.height
        if footer:
            units = [
                Unit(text, style, _width(text, style.size))
                for part, style in footer
                if (text := part.replace("{page}", str(number)))
            ]
            size = max(u.style.size for u in units)
            line = Line(units, width, 0.0, footer_align, size, size)
            line.draw(canvas, left, footer_distance + size)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
