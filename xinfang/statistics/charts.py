"""The charts of a work report's .docx, drawn as PNG images from a `Report`'s breakdowns (pure).

The statistics page draws its charts in the browser (ECharts); a document needs pictures. These are
drawn with matplotlib's object API on the Agg canvas (no GUI, no pyplot state shared between
requests): the monthly trend as a line, with the comparison period as a second line, and the
categories, channels, regions and units as horizontal bars, the ten largest and the rest as 其他.

Chinese labels need a CJK font. The first installed one of `CJK_FONTS` is used (Debian's
fonts-wqy-microhei, installed with the browser, is enough); without any, the charts are still drawn,
the Chinese glyphs come out as boxes, and a warning is logged once (docs/statistics.md, "附图").
A breakdown without any case in either period gives no chart: an empty picture says nothing the
table (or its absence) does not.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from matplotlib import font_manager, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as Canvas
from matplotlib.ticker import MaxNLocator

from xinfang.statistics.figure import Report, Row
from xinfang.statistics.render_context import TOTAL_KEY, period_words

logger = logging.getLogger(__name__)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The picture's size on the page (the A4 text block is 15.6 cm wide) and its resolution.
WIDTH_CM, HEIGHT_CM = 15.0, 7.5
DPI = 300
TOP = 10  # bars drawn one by one; the rest are summed as 其他
OTHERS = "其他"
# Fonts with the GB 2312 glyphs, in order of preference: what Debian, Fedora and Windows ship.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
_INK, _SECOND = "#c23531", "#61739d"  # the ECharts colours of the statistics page


@dataclass(frozen=True)
class Chart:
    """One chart of a report: its caption (without the 图N number) and the PNG."""

    name: str  # the breakdown drawn
    title: str
    png: bytes


# (breakdown, caption) in the order the document shows them.
CHARTS: tuple[tuple[str, str], ...] = (
    ("月度", "信访总量月度走势"),
    ("内容分类", "信访问题内容分类"),
    ("信访形式", "信访形式"),
    ("问题属地", "信访问题属地"),
    ("责任单位", "责任单位"),
)


@functools.cache
def cjk_font() -> str | None:
    """The installed CJK font's family name, or None (logged once)."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    logger.warning(
        "no CJK font found for the report charts (tried %s): Chinese labels will show as boxes; "
        "install fonts-wqy-microhei or fonts-noto-cjk",
        ", ".join(CJK_FONTS),
    )
    return None


def _count(row: Row, previous: bool = False) -> int:
    figure = row.figures.get(TOTAL_KEY)
    value = (figure.previous if previous else figure.current) if figure else None
    return value if isinstance(value, int) else 0


def top_rows(rows: Sequence[Row], top: int = TOP) -> list[tuple[str, int]]:
    """The `top` largest rows by 件次 (as listed), then the rest summed as 其他 (a row already named
    其他 joins the rest, so that 其他 appears once)."""
    named = [(row.label, _count(row)) for row in rows if row.label != OTHERS]
    named.sort(key=lambda pair: -pair[1])
    shown = named[:top]
    rest = sum(count for _, count in named[top:]) + sum(_count(r) for r in rows if r.label == OTHERS)
    return [*shown, *([(OTHERS, rest)] if rest else [])]


def _month_labels(rows: Sequence[Row]) -> list[str]:
    """ "1月" … within one year; the full "2025年1月" when the period spans years."""
    years = {row.code[:4] for row in rows}
    if len(years) == 1 and all(len(row.code) == 7 for row in rows):
        return [f"{int(row.code[5:])}月" for row in rows]
    return [row.label for row in rows]


def _canvas() -> tuple[Canvas, Axes]:
    canvas = Canvas(figsize=(WIDTH_CM / 2.54, HEIGHT_CM / 2.54), dpi=DPI, layout="constrained")
    FigureCanvasAgg(canvas)
    axes = canvas.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=9)
    return canvas, axes


def _png(canvas: Canvas) -> bytes:
    buffer = io.BytesIO()
    canvas.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def trend_canvas(report: Report, rows: Sequence[Row]) -> Canvas:
    canvas, axes = _canvas()
    labels = _month_labels(rows)
    positions = list(range(len(rows)))
    current_name = period_words(report.start, report.end)
    axes.plot(positions, [_count(r) for r in rows], marker="o", color=_INK, label=current_name)
    highest = max(_count(r) for r in rows)
    if _has_previous(report, rows) and report.compare_start and report.compare_end:
        previous = [_count(r, previous=True) for r in rows]
        highest = max(highest, *previous)
        name = period_words(report.compare_start, report.compare_end)
        axes.plot(positions, previous, marker="s", linestyle="--", color=_SECOND, label=name)
    axes.set_xticks(positions, labels, rotation=45 if len(rows) > 12 else 0)
    axes.set_ylabel("件次", fontsize=8)
    axes.set_ylim(0, max(highest, 1) * 1.15)  # room above the highest point for its marker
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.5 件次
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=8, frameon=False)
    return canvas


def bars_canvas(rows: Sequence[Row]) -> Canvas:
    canvas, axes = _canvas()
    pairs = top_rows(rows)[::-1]  # the largest on top
    labels, counts = [label for label, _ in pairs], [count for _, count in pairs]
    bars = axes.barh(range(len(pairs)), counts, color=_INK, height=0.6)
    axes.set_yticks(range(len(pairs)), labels)
    axes.bar_label(bars, fmt="%d", fontsize=8, padding=2)
    axes.set_xlabel("件次", fontsize=8)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(x=0.12)  # room for the value after the longest bar
    return canvas


def _has_previous(report: Report, rows: Sequence[Row]) -> bool:
    """Whether the rows carry the comparison period's counts (a second line, not a line of zeros)."""
    if not (report.comparison and report.compare_start and report.compare_end):
        return False
    return any(r.figures.get(TOTAL_KEY) and r.figures[TOTAL_KEY].previous is not None for r in rows)


def _has_cases(report: Report, rows: Sequence[Row]) -> bool:
    return any(_count(r) for r in rows) or (
        _has_previous(report, rows) and any(_count(r, True) for r in rows)
    )


@contextlib.contextmanager
def style() -> Iterator[None]:
    """The charts' fonts: the CJK font first, DejaVu Sans for what it lacks."""
    font = cjk_font()
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with rc_context({"font.family": families, "axes.unicode_minus": False}), warnings.catch_warnings():
        # Without a CJK font every Chinese glyph is "missing": already said once by cjk_font().
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        yield


def draw(report: Report) -> list[Chart]:
    """The report's charts, in the order of `CHARTS`; a breakdown without cases gives none."""
    charts: list[Chart] = []
    with style():
        for name, title in CHARTS:
            rows = report.breakdowns.get(name, ())
            if not rows or not _has_cases(report, rows):
                continue
            canvas = trend_canvas(report, rows) if name == "月度" else bars_canvas(rows)
            charts.append(Chart(name, title, _png(canvas)))
    return charts
