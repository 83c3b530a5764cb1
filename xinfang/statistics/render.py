"""A `Report` written out: the text from a report template, and the .json, .docx and .xlsx files.

The text comes from a report template (a Django template a bureau edits in the back office) run on
a sandboxed engine of its own: no loaders (nothing to include from disk), no autoescaping (this is
plain text), the report vocabulary (`report_tags`) built in, and an unknown name printed as
"【未知：…】" so that a misspelt figure shows in the preview instead of vanishing. Any error of a
template, at compile or at render time, is a `ReportTemplateError` carrying its line.

The other formats carry the same figures as the text: .json every figure with its key, definition,
unit, both periods and the change; .xlsx the figures and one sheet per breakdown; .docx the text as
a formal document (xinfang.core.docx_layout), then a table per breakdown and the charts as images.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter

from xinfang.core import docx_layout
from xinfang.statistics import charts
from xinfang.statistics.figure import FIGURES, Figure, Kind, Report, Row, Term
from xinfang.statistics.indicators import Change, PointChange, Ratio
from xinfang.statistics.render_context import BREAKDOWNS, FigureView, context, format_value, period_words
from xinfang.statistics.render_sample import empty_report, sample_report
from xinfang.statistics.wording import format_share

UNKNOWN = "【未知：%s】"
DOCS = "docs/statistics.md"
FORMATS = ("text", "json", "docx", "xlsx")

ENGINE = Engine(
    debug=True,  # errors carry their line (template_debug)
    loaders=[],
    autoescape=False,
    string_if_invalid=UNKNOWN,
    builtins=["xinfang.statistics.templatetags.report_tags"],
)


class ReportTemplateError(Exception):
    """A report template that does not compile or render: its message and line, in Chinese."""

    def __init__(self, message: str, line: int | None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"模板第{line}行有误：{message}" if line else f"模板有误：{message}")


def _template_error(exc: Exception) -> ReportTemplateError:
    debug = getattr(exc, "template_debug", None)
    line = debug.get("line") if isinstance(debug, dict) else None
    return ReportTemplateError(str(exc) or type(exc).__name__, line)


def render_template(body: str, report: Report) -> str:
    """The template's text for this report; a `ReportTemplateError` with its line on any error."""
    return render_text(body, context(report))


def render_text(body: str, values: Mapping[str, Any]) -> str:
    """A template of any kind (`ReportTemplate.Kind`) on the sandboxed engine with `values` as its
    context: the report's, an assessment notice's or a bulletin's. A `ReportTemplateError` with its
    line on any error."""
    try:
        compiled = ENGINE.from_string(body)
        text = compiled.render(Context(dict(values), autoescape=False))
    except ReportTemplateError:
        raise
    except Exception as exc:  # a bureau's template: any error is shown with its line, never a 500
        raise _template_error(exc) from exc
    return _tidy(text)


# The sample contexts a template of each kind is previewed on in the back office: a label and a
# context each. The work report's are here; the apps owning the other kinds register theirs
# (`register_samples`) from their AppConfig.ready, since statistics does not import them.
def _report_samples() -> list[tuple[str, Mapping[str, Any]]]:
    return [("示例数据", context(sample_report())), ("没有信访事项的期间", context(empty_report()))]


SAMPLES: dict[str, Callable[[], list[tuple[str, Mapping[str, Any]]]]] = {"report": _report_samples}


def register_samples(kind: str, samples: Callable[[], list[tuple[str, Mapping[str, Any]]]]) -> None:
    SAMPLES[kind] = samples


def samples_for(kind: str) -> list[tuple[str, Mapping[str, Any]]]:
    """The preview contexts of a kind of template; none for a kind nobody registered."""
    found = SAMPLES.get(kind)
    return found() if found else []


def _tidy(text: str) -> str:
    """Paragraphs as written: trailing spaces and runs of blank lines (left by tags) removed."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy)


def unknown_names(text: str) -> list[str]:
    """The unknown names a rendered text printed (see `UNKNOWN`)."""
    head, tail = UNKNOWN.split("%s")
    names: list[str] = []
    rest = text
    while head in rest:
        rest = rest.split(head, 1)[1]
        name, _, rest = rest.partition(tail)
        names.append(name)
    return names


@dataclass(frozen=True)
class Rendered:
    """One rendering: the title (itself a template line) and the paragraphs."""

    title: str
    text: str


def render(title: str, body: str, report: Report) -> Rendered:
    return Rendered(render_template(title, report) if title else "", render_template(body, report))


# --- json -------------------------------------------------------------------------------------------


def _value(value: object) -> Any:
    if isinstance(value, Ratio):
        percent = value.percent(2)
        return {
            "numerator": value.numerator,
            "denominator": value.denominator,
            "percent": None if percent is None else str(percent),
        }
    if isinstance(value, Decimal):
        return str(value)
    return value


def _change(figure: Figure) -> Any:
    change = figure.change
    if isinstance(change, Change):
        percent = change.percent(1)
        return {
            "delta": change.delta,
            "percent": None if percent is None else str(percent),
            "direction": change.direction(1).value,
            "zero_base": change.zero_base,
        }
    if isinstance(change, PointChange):
        points = change.points(2)
        direction = change.direction(2)
        return {"points": None if points is None else str(points), "direction": direction and direction.value}
    return None


def figure_record(figure: Figure, report: Report) -> dict[str, Any]:
    # A breakdown row may carry a figure of its own outside the vocabulary: described by its key.
    term = FIGURES.get(figure.key) or Term(figure.key, "", _kind(figure.current), "")
    view = FigureView(figure, report.comparison)
    return {
        "key": figure.key,
        "label": term.label,
        "unit": term.unit,
        "kind": term.kind.value,
        "definition": f"{DOCS}#{term.definition}" if term.definition else None,
        "current": _value(figure.current),
        "previous": _value(figure.previous),
        "change": _change(figure),
        "text": str(view),
        "change_text": view.change_phrase(),
    }


def _kind(value: object) -> Kind:
    if isinstance(value, Ratio):
        return Kind.RATE
    return Kind.DENSITY if isinstance(value, Decimal) else Kind.COUNT


def to_json(report: Report, rendered: Rendered | None = None) -> str:
    data: dict[str, Any] = {
        "org": report.org_name,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "period": period_words(report.start, report.end),
        "comparison": report.comparison.value if report.comparison else None,
        "compare_start": report.compare_start.isoformat() if report.compare_start else None,
        "compare_end": report.compare_end.isoformat() if report.compare_end else None,
        "figures": [figure_record(report.figures[key], report) for key in FIGURES if key in report.figures],
        "breakdowns": {
            name: [
                {
                    "code": row.code,
                    "label": row.label,
                    "figures": {key: figure_record(figure, report) for key, figure in row.figures.items()},
                }
                for row in report.breakdowns.get(name, ())
            ]
            for name in BREAKDOWNS
        },
    }
    if rendered is not None:
        data["title"] = rendered.title
        data["text"] = rendered.text
    return json.dumps(data, ensure_ascii=False, indent=2)


# --- tables behind the text (docx and xlsx) ----------------------------------------------------------


def _breakdown_keys(rows: tuple[Row, ...]) -> list[str]:
    keys: list[str] = []
    for row in rows:
        keys.extend(key for key in row.figures if key not in keys and key in FIGURES)
    return [key for key in FIGURES if key in keys]


def _heading(key: str) -> str:
    term = FIGURES[key]
    return f"{term.label}（{term.unit}）"


def breakdown_table(report: Report, name: str) -> list[list[str]]:
    """A breakdown as printed: 序号, name, each figure and, for the first, its share of the total."""
    rows = report.breakdowns.get(name, ())
    keys = _breakdown_keys(rows)
    first = keys[0] if keys else None
    total = report.figures.get(first) if first else None
    whole = total.current if total is not None and isinstance(total.current, int) else 0
    header = ["序号", name, *(_heading(key) for key in keys), "占比"]
    table = [header]
    for index, row in enumerate(rows, start=1):
        cells = [str(index), row.label]
        cells += [format_value(row.figures[key].current) if key in row.figures else "0" for key in keys]
        count = row.figures[first].current if first and first in row.figures else 0
        share = Ratio(count, max(whole, count)) if isinstance(count, int) else Ratio(0, 0)
        cells.append(format_share(share))
        table.append(cells)
    return table


# --- docx -------------------------------------------------------------------------------------------

_HEADING_PREFIX = tuple("一二三四五六七八九十")


def to_docx(
    report: Report,
    rendered: Rendered,
    *,
    doc_number: str = "",
    author: str = "Xinfang",
    created: dt.datetime | None = None,
) -> bytes:
    """The text as a formal document: organ and title, 文号 line, the paragraphs (一、… as headings),
    then 附表 with a table per breakdown and 附图 with a chart per breakdown that has cases
    (`xinfang.statistics.charts`); page numbers in the footer (docx_layout)."""
    title = rendered.title or f"{period_words(report.start, report.end)}信访统计分析"
    letter = docx_layout.Letter(
        organ=report.org_name,
        title=title,
        doc_number=doc_number or f"信统〔{report.end.year}〕 号",
        author=author,
        created=created or dt.datetime.now(dt.UTC),
    )
    write_text(letter, rendered.text)
    tables = [(name, breakdown_table(report, name)) for name in BREAKDOWNS if report.breakdowns.get(name)]
    if tables:
        letter.blank()
        letter.line("附表", font=docx_layout.HEADING_FONT)
    for number, (name, table) in enumerate(tables, start=1):
        letter.line(f"表{number}  {name}", align=WD_ALIGN_PARAGRAPH.CENTER, font=docx_layout.HEADING_FONT)
        docx_table(letter, table)
        letter.blank()
    drawn = charts.draw(report)
    if drawn:
        letter.line("附图", font=docx_layout.HEADING_FONT)
    for number, chart in enumerate(drawn, start=1):
        _docx_picture(letter, chart.png)
        letter.line(
            f"图{number}  {chart.title}", align=WD_ALIGN_PARAGRAPH.CENTER, font=docx_layout.HEADING_FONT
        )
        letter.blank()
    return letter.to_bytes()


def write_text(letter: docx_layout.Letter, text: str) -> None:
    """A template's text into a document: a short "一、…" line is a heading, any other a paragraph."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(_HEADING_PREFIX) and "、" in stripped[:3] and len(stripped) <= 30:
            letter.heading(stripped)
        else:
            letter.para(stripped)


def _docx_picture(letter: docx_layout.Letter, png: bytes) -> None:
    """A chart centred on its own line, kept on the page of its caption (图N below it)."""
    paragraph = letter.doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # the body's fixed 28 pt line would crop the picture
    fmt.space_before = Pt(6)
    fmt.keep_with_next = True
    run = docx_layout.style_run(paragraph.add_run())  # styled like every run of the letter
    run.add_picture(io.BytesIO(png), width=Cm(charts.WIDTH_CM))


def docx_table(letter: docx_layout.Letter, rows: list[list[str]]) -> None:
    """A table of strings, the first row its header (repeated on each page), rows never split."""
    table = letter.doc.add_table(rows=0, cols=len(rows[0]))
    table.style = letter.doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, values in enumerate(rows):
        row = table.add_row()
        # Rows never break across pages; the header row repeats on every page the table runs onto.
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            properties.append(OxmlElement("w:tblHeader"))
        cells = row.cells
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if column == 1 and index else WD_ALIGN_PARAGRAPH.CENTER
            )
            font = docx_layout.HEADING_FONT if index == 0 else docx_layout.BODY_FONT
            docx_layout.add_run(paragraph, value, font=font, size=Pt(12))


# --- xlsx -------------------------------------------------------------------------------------------


def _cell_value(value: object) -> Any:
    """A number a spreadsheet can sum: counts as integers, rates as fractions (formatted 0.00%)."""
    if isinstance(value, Ratio):
        exact = value.value
        return None if exact is None else float(exact)
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_xlsx(report: Report, rendered: Rendered | None = None) -> bytes:
    """Sheets: 指标 (every figure, both periods, the change as written), one per breakdown (with
    native charts for 月度 and 内容分类), and 正文 (the text, one paragraph a row)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "指标"
    sheet.append(["指标键", "名称", "单位", "本期", "上期", "本期（文字）", "上期（文字）", "变化", "定义"])
    for key in FIGURES:
        figure = report.figures.get(key)
        if figure is None:
            continue
        view = FigureView(figure, report.comparison)
        term = FIGURES[key]
        sheet.append(
            [
                key,
                term.label,
                term.unit,
                _cell_value(figure.current),
                _cell_value(figure.previous),
                str(view),
                view.上期,
                view.change_phrase(),
                f"{DOCS}#{term.definition}",
            ]
        )
        if term.kind is Kind.RATE:
            for cell in sheet[sheet.max_row][3:5]:
                cell.number_format = "0.00%"
    _widths(sheet, [22, 26, 10, 12, 12, 14, 14, 16, 36])
    for name in BREAKDOWNS:
        rows = report.breakdowns.get(name, ())
        keys = _breakdown_keys(rows)
        part = book.create_sheet(name)
        part.append(["代码", name, *(_heading(key) for key in keys)])
        for row in rows:
            part.append(
                [
                    row.code,
                    row.label,
                    *(_cell_value(row.figures[k].current) if k in row.figures else 0 for k in keys),
                ]
            )
        _widths(part, [12, 24, *([14] * len(keys))])
        if rows and keys and name in ("月度", "内容分类"):
            _chart(part, name, len(rows))
    if rendered is not None:
        text = book.create_sheet("正文")
        text.append([rendered.title])
        for line in rendered.text.splitlines():
            text.append([line])
        _widths(text, [120])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _widths(sheet: Any, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _chart(sheet: Any, name: str, count: int) -> None:
    chart: LineChart | BarChart = LineChart() if name == "月度" else BarChart()
    chart.title = "信访总量月度走势" if name == "月度" else "信访问题内容分类"
    chart.y_axis.title = "件次"
    data = Reference(sheet, min_col=3, min_row=1, max_row=count + 1)
    labels = Reference(sheet, min_col=2, min_row=2, max_row=count + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    chart.width, chart.height = 18, 9
    sheet.add_chart(chart, "F2")


# --- the shipped templates ----------------------------------------------------------------------------

SHIPPED_DIR = Path(__file__).resolve().parent / "report_templates"
_FIELDS = {"名称": "name", "标题": "title", "说明": "description", "类别": "kind"}
_KINDS = {"工作报告": "report", "考核通报": "notice", "信访简报": "bulletin"}


def parse_template_file(text: str) -> dict[str, str]:
    """A shipped template file: "名称：…", "标题：…", "说明：…" lines (and "类别：考核通报" or
    "类别：信访简报" for a template that is not a work report's), a "----" line, then the body."""
    head, separator, body = text.partition("\n----\n")
    if not separator:
        raise ValueError("a template file needs a ---- line before its body")
    fields: dict[str, str] = {"body": body.strip() + "\n"}
    for line in head.splitlines():
        label, _, value = line.partition("：")
        if label.strip() in _FIELDS:
            fields[_FIELDS[label.strip()]] = value.strip()
    if "kind" in fields:
        if fields["kind"] not in _KINDS:
            raise ValueError(f"unknown template kind {fields['kind']!r}")
        fields["kind"] = _KINDS[fields["kind"]]
    missing = {"name", "title"} - fields.keys()
    if missing:
        raise ValueError(f"a template file lacks {sorted(missing)}")
    return fields


def shipped_templates() -> list[dict[str, str]]:
    """The templates every installation starts with (created by a data migration)."""
    return [
        parse_template_file(path.read_text(encoding="utf-8")) for path in sorted(SHIPPED_DIR.glob("*.txt"))
    ]
