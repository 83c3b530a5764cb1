"""A period's standings written out: the .xlsx of the whole table and the 通报 (.docx).

The 通报 is a report template of kind `ReportTemplate.Kind.NOTICE` (edited in the back office like
the work reports' templates) rendered on the notice vocabulary of `notice_context`, then set as a
formal document (`xinfang.core.docx_layout`) with the score table as its 附表. Both files carry the
rows exactly as the ranking page shows them (frozen rows for a frozen period).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from fractions import Fraction
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xinfang.assessment.models import RuleChoice
from xinfang.assessment.scoring import UnitRow
from xinfang.assessment.standings import Standing, Standings
from xinfang.core import docx_layout
from xinfang.statistics.indicators import round_half_up
from xinfang.statistics.render import docx_table, render_text, write_text
from xinfang.statistics.render_context import period_words
from xinfang.statistics.wording import EMPTY

__all__ = ["change_words", "notice_context", "notice_docx", "points_text", "sample_contexts", "to_xlsx"]

XLSX_SHEET = "考核得分"
NO_BASE = "无应统计事项"


def points_text(points: Decimal) -> str:
    """Points as a table prints them: two decimals ("8.50")."""
    return format(points.quantize(Decimal("0.01")), "f")


def change_words(change: int | None) -> str:
    """同比 of a rank: "上升2位", "下降1位", "持平", or "—" where last year had no rank."""
    if change is None:
        return "—"
    if change > 0:
        return f"上升{change}位"
    if change < 0:
        return f"下降{-change}位"
    return "持平"


def points_phrase(points: Decimal, *, deduction: bool) -> str:
    """An item's points as a sentence writes them: "得8.50分", or for a deduction "扣3.00分" / "不扣分"."""
    if not deduction:
        return f"得{points_text(points)}分"
    return f"扣{points_text(-points)}分" if points < 0 else "不扣分"


def _row_context(standing: Standing, deductions: set[str], tied: set[int | None]) -> dict[str, Any]:
    row = standing.row
    place = f"第{row.rank}名"
    return {
        "名次": row.rank,
        "名次说明": f"并列{place}" if row.rank in tied else f"排{place}",
        "单位": row.unit_name,
        "总分": points_text(row.total),
        "同比": change_words(standing.change),
        "有同比": standing.change is not None,
        "去年名次": standing.previous_rank if standing.previous_rank is not None else EMPTY,
        "项目": [
            {
                "名称": item.label,
                # An empty rate reads "无应统计事项" in a sentence, not a bare dash.
                "数值": NO_BASE if item.figure_text == EMPTY else item.figure_text,
                "得分": points_text(item.points),
                "得分句": points_phrase(item.points, deduction=item.label in deductions),
                "说明": item.reason,
            }
            for item in row.items
        ],
    }


def _around(rows: list[dict[str, Any]], count: int, *, top: bool) -> list[dict[str, Any]]:
    """The first (or last) `count` rows, and every row tied with the last one taken: a 通报 names
    all the units sharing a place, not an arbitrary few of them."""
    if count <= 0 or not rows:
        return []
    if top:
        edge = rows[min(count, len(rows)) - 1]["名次"]
        return [row for row in rows if row["名次"] <= edge]
    edge = rows[max(len(rows) - count, 0)]["名次"]
    return [row for row in rows if row["名次"] >= edge]


def notice_context(table: Standings, *, organ: str | None = None) -> dict[str, Any]:
    """The vocabulary of a 通报 template (docs/assessment.md, "通报模板")."""
    deductions = {item.name for item in table.items if item.rule == RuleChoice.PER_EVENT}
    ranks = [standing.row.rank for standing in table.rows]
    tied = {rank for rank in ranks if ranks.count(rank) > 1}
    rows = [_row_context(standing, deductions, tied) for standing in table.rows]
    totals = [standing.row.total for standing in table.rows]
    count = table.scheme.top_count
    average = round_half_up(Fraction(sum(totals, Decimal(0))) / len(totals), 2) if totals else None
    top = _around(rows, count, top=True)
    # The bottom of the table, once the top has been named: a table of few units names each once.
    bottom = [row for row in _around(rows, count, top=False) if row not in top]
    return {
        "考核机构": organ or table.scheme.org.name,
        "方案": table.scheme.name,
        "年度": str(table.scheme.year),
        "期间": table.label,
        "起止": period_words(table.start, table.end),
        "单位数": len(rows),
        "满分": points_text(table.full_marks),
        "平均分": points_text(average) if average is not None else EMPTY,
        "最高分": points_text(max(totals)) if totals else EMPTY,
        "最低分": points_text(min(totals)) if totals else EMPTY,
        "排名": rows,
        "前列": top,
        "后列": bottom,
        "已定稿": table.frozen,
        "有变动": bool(table.differences),
    }


def sample_contexts() -> list[tuple[str, dict[str, Any]]]:
    """Invented notice contexts for the back office's preview of a 通报 template."""
    units = ["城关镇", "河东街道", "石桥镇", "白沙乡", "清水镇"]
    rows = []
    for rank, (name, total) in enumerate(
        zip(units, ("96.50", "93.20", "90.00", "85.75", "78.40"), strict=True), 1
    ):
        change = ("上升1位", "持平", "下降1位", EMPTY, "下降2位")[rank - 1]
        rows.append(
            {
                "名次": rank,
                "名次说明": f"排第{rank}名",
                "单位": name,
                "总分": total,
                "同比": change,
                "有同比": change != EMPTY,
                "去年名次": rank,
                "项目": [
                    {
                        "名称": "按期办结率",
                        "数值": "96.50%",
                        "得分": "9.65",
                        "得分句": "得9.65分",
                        "说明": "按比例得9.65分",
                    },
                    {
                        "名称": "进京访",
                        "数值": "1批",
                        "得分": "-2.00",
                        "得分句": "扣2.00分",
                        "说明": "进京访1批，每批扣2分",
                    },
                ],
            }
        )
    full = {
        "考核机构": "示例县信访局",
        "方案": "示例县信访工作目标管理考核方案",
        "年度": "2026",
        "期间": "2026年第三季度",
        "起止": "2026年7月1日至9月30日",
        "单位数": len(rows),
        "满分": "100.00",
        "平均分": "88.77",
        "最高分": "96.50",
        "最低分": "78.40",
        "排名": rows,
        "前列": rows[:3],
        "后列": rows[-2:],
        "已定稿": True,
        "有变动": False,
    }
    empty = {
        **full,
        "单位数": 0,
        "平均分": "—",
        "最高分": "—",
        "最低分": "—",
        "排名": [],
        "前列": [],
        "后列": [],
    }
    return [("示例数据", full), ("没有被考核单位", empty)]


# --- the table -----------------------------------------------------------------------------------------


def table_rows(table: Standings) -> list[list[str]]:
    """The score table as strings: 名次, 单位, each item's figure and points, 总分, 同比."""
    head = ["名次", "单位"]
    for item in table.items:
        head += [f"{item.name}", "得分"]
    head += ["总分", "名次同比"]
    body = []
    for standing in table.rows:
        row = standing.row
        line = [str(row.rank or ""), row.unit_name]
        for item in table.items:
            found = row.item(item.name)
            line += [found.figure_text, points_text(found.points)] if found else ["", ""]
        line += [points_text(row.total), change_words(standing.change)]
        body.append(line)
    return [head, *body]


def to_xlsx(table: Standings) -> bytes:
    """The whole table (one sheet), every item's reason (计分说明) and the scheme's items (考核方案)."""
    book = Workbook()
    sheet = book.active
    sheet.title = XLSX_SHEET
    status = "定稿" if table.frozen else f"截至{table.end.month}月{table.end.day}日，未定稿"
    sheet.append([f"{table.scheme.name}  {table.label}（{status}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    rows = table_rows(table)
    for row in rows:
        sheet.append([_cell(value) for value in row])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for column in range(1, len(rows[0]) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 28 if column == 2 else 12
    sheet.freeze_panes = "C3"

    reasons = book.create_sheet("计分说明")
    reasons.append(["单位", "考核项目", "数值", "得分", "说明"])
    for standing in table.rows:
        for line in standing.row.items:
            reasons.append(
                [standing.row.unit_name, line.label, line.figure_text, float(line.points), line.reason]
            )
    for letter, width in zip("ABCDE", (28, 16, 12, 8, 70), strict=True):
        reasons.column_dimensions[letter].width = width

    scheme = book.create_sheet("考核方案")
    scheme.append(
        [
            "序号",
            "考核项目",
            "指标",
            "计分方法",
            "分值",
            "底线值",
            "目标值",
            "分档",
            "扣分上限",
            "无应统计事项时",
        ]
    )
    for item in table.items:
        scheme.append(
            [
                item.position,
                item.name,
                item.indicator,
                item.get_rule_display(),
                float(item.weight),
                None if item.floor is None else float(item.floor),
                None if item.target is None else float(item.target),
                item.steps,
                None if item.cap is None else float(item.cap),
                item.get_when_empty_display(),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: str) -> Any:
    """Numbers as numbers (so a clerk can sort and sum), the rest as text."""
    try:
        return float(value) if value and value.replace(".", "", 1).lstrip("-").isdigit() else value
    except ValueError:
        return value


# --- the 通报 ---------------------------------------------------------------------------------------------


def notice_docx(
    table: Standings, *, title: str, body: str, author: str, created: dt.datetime, doc_number: str = ""
) -> bytes:
    """The 通报: the rendered template as a formal document with the organ's 版头, then 附表."""
    values = notice_context(table)
    heading = render_text(title, values) if title else f"关于{table.label}信访工作考核结果的通报"
    text = render_text(body, values)
    letter = docx_layout.Letter(
        organ=table.scheme.org.name,
        title=heading,
        doc_number=doc_number or f"{table.scheme.org.document_prefix}〔{table.scheme.year}〕 号",
        author=author,
        created=created,
        masthead=True,
    )
    write_text(letter, text)
    letter.blank()
    letter.line(f"附表  {table.label}考核得分表", font=docx_layout.HEADING_FONT)
    docx_table(letter, _docx_rows(table))
    return letter.to_bytes()


def _docx_rows(table: Standings) -> list[list[str]]:
    """The table for a page: 名次, 单位, each item's points, 总分 (figures are in the .xlsx)."""
    head = ["名次", "单位", *(item.name for item in table.items), "总分"]
    body = []
    for standing in table.rows:
        row: UnitRow = standing.row
        points = []
        for item in table.items:
            found = row.item(item.name)
            points.append(points_text(found.points) if found else "")
        body.append([str(row.rank or ""), row.unit_name, *points, points_text(row.total)])
    return [head, *body]
