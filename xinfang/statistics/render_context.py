"""What a report template sees: the figures of a `Report` as printable values (pure: no Django).

A template's context is :meth:`Report.nested` with every `Figure` wrapped in a :class:`FigureView`,
so ``{{ 来访.集体访.批次 }}`` prints "1,530" (a rate "94.65%"), plus the breakdowns as lists of
:class:`RowView` and the period words (``{{ 期间 }}`` is "2025年1~6月"). The filters and tags of
``xinfang/statistics/templatetags/report_tags.py`` take these values; every word they write comes from
:mod:`xinfang.statistics.wording`. docs/statistics.md ("报告模板") documents the vocabulary.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xinfang.statistics import wording
from xinfang.statistics.figure import FIGURES, Figure, Report, Row
from xinfang.statistics.indicators import Change, Comparison, PointChange, Ratio

BREAKDOWNS = ("内容分类", "内容分类二级", "月度", "问题属地", "责任单位", "信访形式")
TOTAL_KEY = "信访总量.件次"


def format_value(value: object) -> str:
    """A figure's value as a report prints it: "4,210", "94.65%", "1.25"; unknown is "—"."""
    if value is None:
        return wording.EMPTY
    if isinstance(value, Ratio):
        return wording.format_rate(value)
    if isinstance(value, Decimal):
        return wording.format_decimal(value)
    if isinstance(value, int):
        return wording.format_count(value)
    return str(value)


@dataclass(frozen=True)
class FigureView:
    """One figure in a template: prints its current value; knows the report's comparison."""

    figure: Figure
    comparison: Comparison | None

    def __str__(self) -> str:
        return format_value(self.figure.current)

    @property
    def key(self) -> str:
        return self.figure.key

    @property
    def 本期(self) -> str:  # the template vocabulary is Chinese: {{ 来访.批次.本期 }}
        return format_value(self.figure.current)

    @property
    def 上期(self) -> str:
        return format_value(self.figure.previous) if self.comparison else ""

    @property
    def 名称(self) -> str:
        term = FIGURES.get(self.figure.key)
        return term.label if term else self.figure.key

    @property
    def 单位(self) -> str:
        term = FIGURES.get(self.figure.key)
        return term.unit if term else ""

    @property
    def 数值(self) -> int:
        """A count's number, for a condition: ``{% if 来访.集体访.批次.数值 %}``."""
        return self.count

    @property
    def count(self) -> int:
        """The current value as a count (0 for anything else): for shares and sums."""
        return self.figure.current if isinstance(self.figure.current, int) else 0

    def change_phrase(self, words: wording.DirectionWords = wording.RISE_FALL) -> str:
        """ "下降21.2%" / "去年同期为零" for a count, "上升1.25个百分点" for a rate; "" without comparison."""
        if self.comparison is None:
            return ""
        change = self.figure.change
        if isinstance(change, Change):
            return wording.change_phrase(change, words=words, comparison=self.comparison)
        if isinstance(change, PointChange):
            return wording.points_phrase(change, words=words)
        return wording.EMPTY


@dataclass(frozen=True)
class ShareView:
    """A share: prints with one decimal ("21.2%"); ``|成`` writes it in tenths ("约六成")."""

    ratio: Ratio

    def __str__(self) -> str:
        return wording.format_share(self.ratio)


def tree(figures: Mapping[str, Figure], comparison: Comparison | None) -> dict[str, Any]:
    """`Report.nested` of these figures, each leaf a `FigureView`."""
    report = Report("", dt.date.min, dt.date.min, None, None, None, figures)
    return _wrap(report.nested(), comparison)


def _wrap(node: Mapping[str, Any], comparison: Comparison | None) -> dict[str, Any]:
    return {
        name: FigureView(child, comparison) if isinstance(child, Figure) else _wrap(child, comparison)
        for name, child in node.items()
    }


@dataclass(frozen=True)
class RowView(Mapping[str, Any]):
    """One row of a breakdown: ``row.名称``, ``row.序号``, ``row.数`` (its figure for the list's key,
    信访总量.件次 unless sorted with ``|按``), ``row.占比`` (that figure's share of the report's
    total of the same key), and its own figures (``row.来访.集体访.批次``)."""

    row: Row
    rank: int
    key: str
    totals: Mapping[str, Figure]  # the report's figures: the wholes of the shares
    comparison: Comparison | None
    figures: dict[str, Any] = field(default_factory=dict)

    def total_of(self, key: str) -> int:
        figure = self.totals.get(key)
        return figure.current if figure is not None and isinstance(figure.current, int) else 0

    @property
    def whole(self) -> int:
        return max(self.total_of(self.key), self.count_of(self.key))

    def count_of(self, key: str) -> int:
        figure = self.row.figures.get(key)
        return figure.current if figure is not None and isinstance(figure.current, int) else 0

    def view_of(self, key: str) -> FigureView:
        figure = self.row.figures.get(key) or Figure(key, 0, 0 if self.comparison else None)
        return FigureView(figure, self.comparison)

    def _special(self) -> dict[str, Any]:
        return {
            "名称": self.row.label,
            "代码": self.row.code,
            "序号": self.rank,
            "数": self.view_of(self.key),
            "件次": self.view_of("信访总量.件次"),
            "人次": self.view_of("信访总量.人次"),
            "占比": ShareView(Ratio(min(self.count_of(self.key), self.whole), self.whole)),
        }

    def __getitem__(self, name: str) -> Any:
        special = self._special()
        if name in special:
            return special[name]
        return self.figures[name]

    def __iter__(self) -> Any:
        return iter([*self._special(), *self.figures])

    def __len__(self) -> int:
        return len(self._special()) + len(self.figures)

    def __str__(self) -> str:
        return self.row.label


def row_views(rows: Sequence[Row], report: Report, key: str = TOTAL_KEY) -> list[RowView]:
    """The rows of a breakdown for a template, ranked 1, 2, … in their order."""
    return [
        RowView(row, rank, key, report.figures, report.comparison, tree(row.figures, report.comparison))
        for rank, row in enumerate(rows, start=1)
    ]


def sorted_by(rows: Sequence[RowView], key: str) -> list[RowView]:
    """The rows that have some ``key``, largest first (ties by name), re-ranked, their 数 and 占比
    now of ``key``."""
    if key not in FIGURES:
        raise ValueError(f"未知的指标：{key}")
    present = [view for view in rows if view.count_of(key) > 0]
    present.sort(key=lambda view: (-view.count_of(key), view.row.label))
    return [
        RowView(view.row, rank, key, view.totals, view.comparison, view.figures)
        for rank, view in enumerate(present, start=1)
    ]


def covered(rows: Sequence[RowView]) -> ShareView:
    """What these rows cover together of their whole ("以上5类约占总量的六成")."""
    if not rows:
        return ShareView(Ratio(0, 0))
    key = rows[0].key
    part = sum(view.count_of(key) for view in rows)
    whole = max(rows[0].total_of(key), part)  # a row never exceeds the total; a share stays ≤ 1
    return ShareView(Ratio(part, whole))


# --- period words -----------------------------------------------------------------------------------


def _month_end(day: dt.date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def period_words(start: dt.date, end: dt.date) -> str:
    """ "2025年1~6月", "2025年6月", "2025年", "2024年7月~2025年6月", "2025年3月10日至6月30日"."""
    if start.day == 1 and _month_end(end):
        if start.year == end.year:
            if start.month == 1 and end.month == 12:
                return f"{start.year}年"
            if start.month == end.month:
                return f"{start.year}年{start.month}月"
            return f"{start.year}年{start.month}~{end.month}月"
        return f"{start.year}年{start.month}月~{end.year}年{end.month}月"
    head = f"{start.year}年{start.month}月{start.day}日"
    tail = f"{end.month}月{end.day}日" if end.year == start.year else f"{end.year}年{end.month}月{end.day}日"
    return f"{head}至{tail}"


def context(report: Report) -> dict[str, Any]:
    """The whole context of a report template (see docs/statistics.md, "报告模板")."""
    names = wording.comparison_words(report.comparison) if report.comparison else None
    values: dict[str, Any] = tree(report.figures, report.comparison)
    for name in BREAKDOWNS:
        values[name] = row_views(report.breakdowns.get(name, ()), report)
    values.update(
        {
            "单位": report.org_name,
            "期间": period_words(report.start, report.end),
            "年度": str(report.end.year),
            "截至": f"{report.end.month}月{report.end.day}日",
            "起始日": f"{report.start.year}年{report.start.month}月{report.start.day}日",
            "截止日": f"{report.end.year}年{report.end.month}月{report.end.day}日",
            "有对比": report.comparison is not None,
            "比": names.prefix if names else "",
            "基期": names.base if names else "",
            "对比期间": (
                period_words(report.compare_start, report.compare_end)
                if report.compare_start and report.compare_end
                else ""
            ),
        }
    )
    return values
