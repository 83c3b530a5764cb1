"""The report's charts: PNGs drawn from the breakdowns, placed in the .docx under 附图."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from xinfang.statistics import charts
from xinfang.statistics.figure import Figure, Report, Row
from xinfang.statistics.figures import compute_report
from xinfang.statistics.importer import import_file
from xinfang.statistics.indicators import Comparison
from xinfang.statistics.render import render, shipped_templates, to_docx
from xinfang.statistics.render_sample import empty_report, sample_report
from xinfang.statistics.tests.helpers import GOOD_ROWS, write_csv
from xinfang.testing.world import World

TEMPLATE = next(t for t in shipped_templates() if t["name"] == "半年工作总结统计部分")


def _docx(report: Report) -> Any:
    rendered = render(TEMPLATE["title"], TEMPLATE["body"], report)
    return Document(io.BytesIO(to_docx(report, rendered)))


def _png_size(png: bytes) -> tuple[int, int]:
    # IHDR follows the signature: length, "IHDR", width, height (big-endian).
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _row(label: str, count: int, previous: int | None = None) -> Row:
    return Row(label, label, {"信访总量.件次": Figure("信访总量.件次", count, previous)})


def test_every_breakdown_with_cases_is_drawn_as_a_png() -> None:
    drawn = charts.draw(sample_report())
    assert [chart.name for chart in drawn] == ["月度", "内容分类", "信访形式", "问题属地", "责任单位"]
    for chart in drawn:
        assert chart.png.startswith(charts.PNG_SIGNATURE)
        width, height = _png_size(chart.png)
        # 15 × 7.5 cm at 300 dpi (matplotlib truncates the pixel size)
        assert (width, height) == (int(15 / 2.54 * 300), int(7.5 / 2.54 * 300)) == (1771, 885)


def test_bars_show_the_ten_largest_and_the_rest_as_others() -> None:
    rows = [_row(f"单位{n:02d}", 100 - n) for n in range(12)] + [_row("其他", 5)]
    pairs = charts.top_rows(rows)
    assert [label for label, _ in pairs] == [*(f"单位{n:02d}" for n in range(10)), "其他"]
    assert pairs[-1] == ("其他", (100 - 10) + (100 - 11) + 5)  # the two beyond the top 10 and 其他 itself
    assert charts.top_rows(rows[:3]) == [("单位00", 100), ("单位01", 99), ("单位02", 98)]


def test_a_period_without_cases_has_no_chart() -> None:
    assert charts.draw(empty_report()) == []
    months = tuple(_row(f"2025-{m:02d}", 0, 0) for m in range(1, 7))
    zero = replace(sample_report(), breakdowns={"月度": months, "内容分类": ()})
    assert charts.draw(zero) == []
    # Cases only in the comparison period: the trend is drawn (this year's line at zero).
    before = replace(zero, breakdowns={"月度": (_row("2025-01", 0, 3),)})
    assert [chart.name for chart in charts.draw(before)] == ["月度"]


def test_small_counts_have_whole_number_ticks() -> None:
    months = [_row("2025-01", 0, 1), _row("2025-02", 2, 0)]
    with charts.style():
        bars = charts.bars_canvas([_row("青山县", 2), _row("河口县", 1)])
        trend = charts.trend_canvas(replace(sample_report(), breakdowns={"月度": tuple(months)}), months)
        bars.draw_without_rendering()
        trend.draw_without_rendering()
    for canvas, axis in ((bars, "x"), (trend, "y")):
        (axes,) = canvas.axes
        ticks = [t for t in (axes.get_xticks() if axis == "x" else axes.get_yticks()) if 0 <= t <= 2]
        assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks), ticks
    assert len(trend.axes[0].lines) == 2  # this year and the comparison period


def test_month_labels_drop_the_year_within_one_year() -> None:
    one_year = [_row("2025-01", 1), _row("2025-12", 2)]
    assert charts._month_labels(one_year) == ["1月", "12月"]
    spanning = [
        Row("2024-12", "2024年12月", one_year[0].figures),
        Row("2025-01", "2025年1月", one_year[0].figures),
    ]
    assert charts._month_labels(spanning) == ["2024年12月", "2025年1月"]


def test_without_a_cjk_font_charts_are_still_drawn_and_a_warning_is_logged_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(charts, "CJK_FONTS", ("没有这种字体",))
    charts.cjk_font.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="xinfang.statistics.charts"):
            first = charts.draw(sample_report())
            second = charts.draw(sample_report())
    finally:
        charts.cjk_font.cache_clear()
    assert len(first) == len(second) == 5
    warnings = [r for r in caplog.records if "no CJK font" in r.getMessage()]
    assert len(warnings) == 1


def test_the_docx_carries_each_chart_with_its_caption_after_the_tables() -> None:
    document = _docx(sample_report())
    assert len(document.inline_shapes) == 5
    texts = [p.text for p in document.paragraphs]
    assert texts.index("附图") > texts.index("附表")
    assert [t for t in texts if t.startswith("图")] == [
        "图1  信访总量月度走势",
        "图2  信访问题内容分类",
        "图3  信访形式",
        "图4  信访问题属地",
        "图5  责任单位",
    ]
    # The picture's line is not the body's fixed 28 pt line (which would crop it to a strip).
    picture = next(p for p in document.paragraphs if p._p.xpath(".//pic:pic"))
    assert picture.paragraph_format.line_spacing != document.styles["Normal"].paragraph_format.line_spacing
    assert picture.paragraph_format.keep_with_next is True


def test_the_docx_of_a_period_without_cases_has_no_pictures() -> None:
    document = _docx(empty_report())
    assert len(document.inline_shapes) == 0
    assert "附图" not in [p.text for p in document.paragraphs]


@pytest.mark.django_db
def test_the_docx_of_a_small_imported_set_has_its_charts(world: World, tmp_path: Path) -> None:
    import_file(write_csv(tmp_path / "export.csv", GOOD_ROWS))
    report = compute_report(
        org=world.city_gov, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31), comparison=Comparison.YOY
    )
    drawn = charts.draw(report)
    assert "月度" in [chart.name for chart in drawn]
    assert len(_docx(report).inline_shapes) == len(drawn) >= 3
