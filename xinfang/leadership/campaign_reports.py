"""The progress report (进度通报) of a 积案化解 campaign, for a week or a month: as .docx in the house
layout (``xinfang.core.docx_layout.Letter``) or as .xlsx (openpyxl).

The .docx is the 通报 an organ circulates: the title "…积案化解工作进展情况通报（第N周）", the
headline sentence ("中央第三批交办我县共6件信访积案，已办结提交5件，办结提交率83.3％，……"), what
the period added, a table per responsible unit and per 包案 leader, the overdue items with their
unit and plan date, and the organ and date. The .xlsx holds the same figures on five sheets
(总体, 按责任单位, 按包案领导, 逾期事项, 全部事项), dates as dates and rates as percentages.

Both are built from the items the caller passes: the ones the requesting user sees
(``selectors.campaigns.campaign_items``), never more. Accusation cases (第三十条): the accused
unit's name in a subject is replaced as in every case document.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xinfang.cases.documents import DOCX_MIME
from xinfang.core.docx_layout import TEXT_WIDTH_PT, TITLE_SIZE, Letter, chinese_date, text_width
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import now
from xinfang.leadership import campaign_figures as figures
from xinfang.leadership.models.campaigns import Campaign, CampaignItem, CampaignSource
from xinfang.leadership.selectors.campaigns import figure_items

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = {"docx": DOCX_MIME, "xlsx": XLSX_MIME}
TITLE_LINE = int(TEXT_WIDTH_PT / TITLE_SIZE.pt)  # characters of the title on one line


@dataclass(frozen=True)
class Report:
    """What both files show, computed once."""

    campaign: Campaign
    items: list[CampaignItem]
    rows: list[figures.Item]
    as_of: dt.date
    period: figures.Period
    label: str  # 第3周 / 3月
    total: figures.Tally
    units: list[figures.Tally]
    leaders: list[figures.Tally]
    overdue: list[figures.Item]
    progress: figures.PeriodProgress
    by_key: dict[int, CampaignItem]

    @property
    def title(self) -> str:
        return f"{figures.report_title(self.campaign.name)}（{self.label}）"

    @property
    def headline(self) -> str:
        org = self.campaign.org
        return figures.headline(
            name=self.campaign.name,
            handed_down=self.campaign.source != CampaignSource.LOCAL,
            place=figures.place_word(org.region.name, org.level),
            figures=self.total,
            denominator=self.campaign.denominator,
            target=Decimal(self.campaign.target_rate),
        )

    def item(self, key: int) -> CampaignItem:
        return self.by_key[key]


def build_report(campaign: Campaign, items: Sequence[CampaignItem], *, period: str, as_of: dt.date) -> Report:
    if period not in figures.PERIODS:
        raise ServiceError("通报周期应为 week（周）或 month（月）。", field="period")
    rows = figure_items(items, scrub=True)
    bounds = figures.period_bounds(period, as_of)
    denominator = campaign.denominator
    return Report(
        campaign=campaign,
        items=list(items),
        rows=rows,
        as_of=as_of,
        period=bounds,
        label=bounds.label(campaign.received_on),
        total=figures.tally(rows, as_of=as_of, denominator=denominator, label="合计"),
        units=figures.by_unit(rows, as_of=as_of, denominator=denominator),
        leaders=figures.by_leader(rows, as_of=as_of, denominator=denominator),
        overdue=figures.overdue_items(rows, as_of=as_of),
        progress=figures.period_progress(rows, kind=period, as_of=as_of),
        by_key={item.pk: item for item in items},
    )


def render_report(
    campaign: Campaign, items: Sequence[CampaignItem], *, period: str, fmt: str, as_of: dt.date
) -> tuple[str, bytes, str]:
    """(file name, bytes, MIME type) of the 通报 for the week or month containing ``as_of``."""
    if fmt not in FORMATS:
        raise ServiceError("文件格式应为 docx 或 xlsx。", field="format")
    report = build_report(campaign, items, period=period, as_of=as_of)
    content = _docx(report) if fmt == "docx" else _xlsx(report)
    name = f"{campaign.name}进展情况通报-{report.label}-{as_of:%Y%m%d}.{fmt}"
    return name, content, FORMATS[fmt]


def shortfall(report: Report) -> int:
    """How many more 实体化解 the target needs within the denominator (0 when met)."""
    needed = math.ceil(Decimal(report.campaign.target_rate) * report.total.counted / 100)
    return max(needed - report.total.resolved_counted, 0)


# ---------------------------------------------------------------- .docx


def _docx(report: Report) -> bytes:
    campaign, org = report.campaign, report.campaign.org
    batch, rest = figures.report_title_parts(campaign.name)
    rest += f"（{report.label}）"
    # A title wider than the line breaks after the batch's name, not mid-word (GB/T 9704 7.3.1:
    # 回行时要做到词意完整); the line holds about 20 characters of 二号.
    title = report.title if text_width(report.title) <= TITLE_LINE else f"{batch}\n{rest}"
    doc = Letter(
        organ=org.name,
        title=title,
        doc_number=f"（截至{chinese_date(report.as_of)}）",
        author=org.name,
        created=now(),
    )
    doc.para(
        f"为扎实推进{campaign.name}化解工作，{org.name}制定了周、月、季化解工作进度计划，定期通报进度，"
        f"实行挂图作战、对账销号。现将截至{chinese_date(report.as_of)}的工作进展情况通报如下。"
    )
    doc.section("总体进展")
    doc.para(report.headline)
    doc.para(figures.progress_sentence(report.progress, label=report.label))
    met = figures.meets_target(report.total.resolved_rate, Decimal(campaign.target_rate))
    if met is False:
        doc.para(
            f"按化解率目标{figures.target_text(Decimal(campaign.target_rate), '％')}计，尚需实体化解"
            f"{shortfall(report)}件；距完成期限{chinese_date(campaign.deadline)}还有"
            f"{max((campaign.deadline - report.as_of).days, 0)}天。"
        )
    elif met:
        doc.para(f"化解率已达到{figures.target_text(Decimal(campaign.target_rate), '％')}的目标。")
    if report.total.overdue:
        doc.para(f"超过计划完成日期尚未实体化解的事项{report.total.overdue}件，详见第四部分。")

    doc.section("各责任单位进展情况")
    doc.grid(
        ["责任单位", "事项", "办结提交", "提交率", "申请化解", "实体化解", "化解率", "逾期"],
        [_tally_cells(row) for row in report.units] + [_tally_cells(report.total)],
        TALLY_WIDTHS,
    )
    doc.section("各包案领导进展情况")
    doc.grid(
        ["包案领导", "事项", "办结提交", "提交率", "申请化解", "实体化解", "化解率", "逾期"],
        [_tally_cells(row) for row in report.leaders],
        TALLY_WIDTHS,
    )
    doc.section("逾期未化解事项")
    if report.overdue:
        doc.grid(
            ["序号", "信访件编号", "事项", "责任单位", "计划完成", "逾期", "当前进展"],
            [
                [
                    str(index),
                    row.number,
                    row.subject,
                    row.unit,
                    f"{row.plan_on:%Y-%m-%d}",
                    f"{row.days_overdue(report.as_of)}天",
                    figures.STAGE_LABELS[row.stage_as_of(report.as_of)],
                ]
                for index, row in enumerate(report.overdue, start=1)
            ],
            [1.25, 3.0, 2.95, 2.8, 2.6, 1.3, 1.7],
        )
        doc.para(
            "请上述事项的责任单位和包案领导对照进度计划，逐件挂图作战、对账销号，尽快办结提交、申请化解。"
        )
    else:
        doc.para(f"截至{chinese_date(report.as_of)}，没有超过计划完成日期尚未实体化解的事项。")
    doc.signature(org.name, report.as_of)
    doc.doc.core_properties.title = report.title  # one line, whatever the page shows
    return doc.to_bytes()


# Widths in cm, adding up to the text width (15.6 cm): a 小四 character is about 0.42 cm and each
# cell keeps 0.19 cm on either side, so 办结提交, 化解率 and 2025-03-10 stay on one line.
TALLY_WIDTHS = [3.4, 1.25, 2.1, 1.7, 2.1, 2.1, 1.7, 1.25]


def _tally_cells(row: figures.Tally) -> list[str]:
    return [
        row.label,
        str(row.total),
        str(row.submitted),
        row.submitted_rate.text(),
        str(row.applied),
        str(row.resolved),
        row.resolved_rate.text(),
        str(row.overdue),
    ]


# ---------------------------------------------------------------- .xlsx

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
RED_FONT = Font(color="C0392B")
DATE_FORMAT = "yyyy-mm-dd"
RATE_FORMAT = "0.0%"
TALLY_HEADER = [
    "事项数",
    "计入分母",
    "办结提交",
    "办结提交率",
    "申请化解",
    "实体化解",
    "化解率",
    "未提交",
    "逾期",
]


def _xlsx(report: Report) -> bytes:
    book = Workbook()
    overview = book.active
    assert overview is not None
    overview.title = "总体"
    _overview(overview, report)
    _tallies(book.create_sheet("按责任单位"), "责任单位", report.units, total=report.total)
    _tallies(book.create_sheet("按包案领导"), "包案领导", report.leaders, total=report.total)
    _overdue(book.create_sheet("逾期事项"), report)
    _all_items(book.create_sheet("全部事项"), report)
    book.properties.title = report.title
    book.properties.creator = report.campaign.org.name
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet: Worksheet, names: Sequence[str], widths: Sequence[float]) -> None:
    sheet.append(list(names))
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=sheet.max_row, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{sheet.max_row + 1}"  # a string: touching the cell would add a row


def _rate(rate: figures.Rate) -> float | str:
    return rate.value if rate.value is not None else figures.DASH


def _formats(sheet: Worksheet, row: int, *, dates: Sequence[int] = (), rates: Sequence[int] = ()) -> None:
    for column in dates:
        sheet.cell(row=row, column=column).number_format = DATE_FORMAT
    for column in rates:
        cell = sheet.cell(row=row, column=column)
        if isinstance(cell.value, float):
            cell.number_format = RATE_FORMAT
        else:
            cell.alignment = Alignment(horizontal="right")


def _overview(sheet: Worksheet, report: Report) -> None:
    campaign, total = report.campaign, report.total
    sheet.append([report.title])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=2)
    progress = report.progress
    facts: list[tuple[str, Any, str]] = [
        ("批次名称", campaign.name, ""),
        ("来源", campaign.get_source_display(), ""),
        ("牵头机关", campaign.org.name, ""),
        ("交办日期", campaign.received_on, "date"),
        ("完成期限", campaign.deadline, "date"),
        ("统计口径", campaign.get_denominator_display(), ""),
        ("化解率目标", float(campaign.target_rate) / 100, "rate"),
        ("统计截至", report.as_of, "date"),
        ("事项总数", total.total, ""),
        ("计入分母的事项", total.counted, ""),
        ("已办结提交", total.submitted, ""),
        ("办结提交率", _rate(total.submitted_rate), "rate"),
        ("已申请化解", total.applied, ""),
        ("已实体化解", total.resolved, ""),
        ("化解率", _rate(total.resolved_rate), "rate"),
        ("逾期未化解", total.overdue, ""),
        (f"{report.label}起止", f"{progress.period.start:%Y-%m-%d} 至 {progress.until:%Y-%m-%d}", ""),
        (f"{report.label}新增办结提交", progress.submitted, ""),
        (f"{report.label}新增申请化解", progress.applied, ""),
        (f"{report.label}新增实体化解", progress.resolved, ""),
        ("进展概述", report.headline, ""),
    ]
    for label, value, kind in facts:
        sheet.append([label, value])
        row = sheet.max_row
        sheet.cell(row=row, column=1).font = HEADER_FONT
        cell = sheet.cell(row=row, column=2)
        cell.alignment = Alignment(horizontal="left", wrap_text=True)
        if kind == "date":
            cell.number_format = DATE_FORMAT
        elif kind == "rate" and isinstance(value, float):
            cell.number_format = RATE_FORMAT
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 70


def _tallies(sheet: Worksheet, first: str, rows: Sequence[figures.Tally], *, total: figures.Tally) -> None:
    """One row per unit (or leader), then the campaign's 合计 in bold."""
    _header(sheet, [first, *TALLY_HEADER], [28, 9, 10, 10, 12, 10, 10, 10, 9, 8])
    for row in [*rows, total]:
        sheet.append(
            [
                row.label,
                row.total,
                row.counted,
                row.submitted,
                _rate(row.submitted_rate),
                row.applied,
                row.resolved,
                _rate(row.resolved_rate),
                row.not_submitted,
                row.overdue,
            ]
        )
        _formats(sheet, sheet.max_row, rates=(5, 8))
        if row is total:
            for column in range(1, 11):
                sheet.cell(row=sheet.max_row, column=column).font = HEADER_FONT


def _overdue(sheet: Worksheet, report: Report) -> None:
    _header(
        sheet,
        ["信访件编号", "事项", "责任单位", "包案领导", "计划完成日期", "逾期天数", "当前进展", "进展情况"],
        [22, 36, 28, 12, 14, 10, 12, 40],
    )
    for row in report.overdue:
        item = report.item(row.key)
        sheet.append(
            [
                row.number,
                row.subject,
                row.unit,
                row.leader or "",
                row.plan_on,
                row.days_overdue(report.as_of),
                figures.STAGE_LABELS[row.stage_as_of(report.as_of)],
                item.note,
            ]
        )
        _formats(sheet, sheet.max_row, dates=(5,))
    if not report.overdue:
        sheet.append([f"截至 {report.as_of:%Y-%m-%d} 没有逾期未化解的事项。"])


def _all_items(sheet: Worksheet, report: Report) -> None:
    _header(
        sheet,
        [
            "信访件编号",
            "事项",
            "责任单位",
            "包案领导",
            "计划完成日期",
            "办结提交日期",
            "申请化解日期",
            "实体化解日期",
            "当前进展",
            "是否逾期",
            "进展情况",
        ],
        [22, 36, 28, 12, 14, 14, 14, 14, 12, 10, 40],
    )
    as_of = report.as_of
    for row in report.rows:
        item = report.item(row.key)

        def shown(day: dt.date | None) -> dt.date | None:
            return day if day is not None and day <= as_of else None

        sheet.append(
            [
                row.number,
                row.subject,
                row.unit,
                row.leader or "",
                row.plan_on,
                shown(row.submitted_on),
                shown(row.applied_on),
                shown(row.resolved_on),
                figures.STAGE_LABELS[row.stage_as_of(as_of)],
                "是" if row.overdue(as_of) else "否",
                item.note,
            ]
        )
        _formats(sheet, sheet.max_row, dates=(5, 6, 7, 8))
        if row.overdue(as_of):
            for column in (1, 2, 5, 10):
                sheet.cell(row=sheet.max_row, column=column).font = RED_FONT
