"""The report template vocabulary: each filter and tag on small hand-built reports, words exact."""

from __future__ import annotations

import datetime as dt

import pytest

from xinfang.statistics.figure import Figure, Report, Row
from xinfang.statistics.indicators import Comparison, Ratio
from xinfang.statistics.render import ReportTemplateError, render_template, unknown_names
from xinfang.statistics.render_context import period_words


def _report(
    figures: dict[str, tuple[object, object]],
    *,
    comparison: Comparison | None = Comparison.YOY,
    breakdowns: dict[str, tuple[Row, ...]] | None = None,
    start: dt.date = dt.date(2025, 1, 1),
    end: dt.date = dt.date(2025, 6, 30),
) -> Report:
    built = {
        key: Figure(key, now, before if comparison else None)  # type: ignore[arg-type]
        for key, (now, before) in figures.items()
    }
    return Report("示例市", start, end, comparison, None, None, built, breakdowns or {})


VISITS = {
    "进京.集访.批次": (41, 52),
    "进京.集访.人次": (187, 240),
    "来访.批次": (1530, 1561),
    "来访.人次": (2981, 2931),
    "来访.集体访.批次": (58, 55),
    "来访.集体访.人次": (1204, 1141),
    "信访总量.件次": (4210, 4349),
    "信访总量.人次": (6835, 7203),
    "受理率": (Ratio(1893, 2000), Ratio(1868, 2000)),
}


def _render(body: str, report: Report | None = None) -> str:
    return render_template(body, report or _report(VISITS))


def test_a_figure_prints_its_count_with_thousands_separators() -> None:
    assert _render("{{ 来访.集体访.人次 }}人次，{{ 来访.批次 }}批") == "1,204人次，1,530批"


def test_a_rate_prints_with_two_decimals_and_an_empty_rate_as_a_dash() -> None:
    assert _render("{{ 受理率 }}；{{ 受理率|率 }}") == "94.65%；94.65%"
    empty = _report({"受理率": (Ratio(0, 0), Ratio(0, 0))})
    assert _render("{{ 受理率 }}", empty) == "—"


def test_change_filter_writes_the_phrase_without_its_prefix() -> None:
    assert _render("{{ 进京.集访.批次|同比 }}") == "下降21.2%"
    assert _render('{{ 信访总量.件次|同比:"增减" }}') == "减少3.2%"
    assert _render("{{ 受理率|同比 }}") == "上升1.25个百分点"
    zero = _report({"来访.集体访.批次": (3, 0)})
    assert _render("{{ 来访.集体访.批次|同比 }}", zero) == "去年同期为零"
    flat = _report({"来访.集体访.批次": (7, 7)})
    assert _render("{{ 来访.集体访.批次|同比 }}", flat) == "持平"


def test_compared_filter_adds_the_prefix_of_the_reports_comparison() -> None:
    assert _render("{{ 来访.集体访.批次|比较 }}") == "同比上升5.5%"
    mom = _report(VISITS, comparison=Comparison.MOM)
    assert _render('{{ 信访总量.件次|比较:"增减" }}', mom) == "环比减少3.2%"
    zero = _report({"来访.集体访.批次": (3, 0)}, comparison=Comparison.MOM)
    assert _render("{{ 来访.集体访.批次|比较 }}", zero) == "上期为零"


def test_without_a_comparison_the_change_words_are_empty() -> None:
    none = _report(VISITS, comparison=None)
    assert _render("[{{ 来访.批次|同比 }}][{{ 来访.批次|比较 }}][{% 对比句 进京.集访 %}]", none) == "[][][]"
    assert _render("{% if 有对比 %}有{% else %}无{% endif %}{{ 比 }}", none) == "无"


def test_rate_and_share_of_two_counts() -> None:
    assert _render("{{ 来访.集体访.批次|率:来访.批次 }}") == "3.79%"
    assert _render("{{ 来访.集体访.批次|占比:来访.批次 }}") == "3.8%"
    assert _render("{{ 受理率|占比 }}") == "94.7%"
    assert _render("{{ 来访.集体访.批次|占比:0 }}") == "—"


def test_sums_and_tallies() -> None:
    assert _render("{{ 来访.集体访|批人 }}；{{ 信访总量|件人 }}") == "58批1,204人次；4,210件次6,835人次"
    assert _render("{{ 来访.批次|加:来访.集体访.批次 }}") == "1,588"
    assert _render("{{ 受理率|全角 }}") == "94.65％"


def test_compared_sentence_tag_writes_the_visits_against_last_year() -> None:
    assert _render("{% 对比句 进京.集访 %}") == "与去年同期52批240人相比，批数下降21.2%，人数下降22.1%"
    mom = _report(VISITS, comparison=Comparison.MOM)
    assert _render("{% 对比句 进京.集访 %}", mom) == "与上期52批240人相比，批数下降21.2%，人数下降22.1%"
    assert _render('{% 对比句 信访总量 "件数" "人数" %}') == (
        "与去年同期4,349件7,203人次相比，件数下降3.2%，人数下降5.1%"
    )
    zero = _report({"进京.集访.批次": (2, 0), "进京.集访.人次": (9, 0)})
    assert _render("{% 对比句 进京.集访 %}", zero) == "去年同期为零"


def test_respectively_and_change_clause_tags() -> None:
    assert _render("{% 分别 来访.批次 来访.人次 %}") == "同比分别减少2.0%和上升1.7%"
    assert (
        _render('{% 变化句 "件次" 信访总量.件次 "人次" 信访总量.人次 %}') == "同比件次减少3.2%，人次减少5.1%"
    )
    zero = _report({"来访.批次": (0, 0), "来访.人次": (0, 0)})
    assert _render("{% 分别 来访.批次 来访.人次 %}", zero) == "去年同期为零"
    assert _render('{% 变化句 "件次" 来访.批次 %}', zero) == "去年同期为零"


def _rows() -> tuple[Row, ...]:
    def row(code: str, label: str, count: int, batches: int) -> Row:
        return Row(
            code,
            label,
            {
                "信访总量.件次": Figure("信访总量.件次", count),
                "来访.集体访.批次": Figure("来访.集体访.批次", batches),
            },
        )

    return (
        row("1", "城乡建设", 50, 2),
        row("2", "政法", 30, 5),
        row("3", "自然资源", 15, 0),
        row("4", "教育", 5, 1),
    )


CATEGORIES = _report(
    {"信访总量.件次": (100, 90), "来访.集体访.批次": (8, 4)}, breakdowns={"内容分类": _rows()}
)


def test_top_categories_loop_with_shares_and_what_they_cover() -> None:
    body = (
        "{% for row in 内容分类|前:2 %}{{ row.序号 }}.{{ row.名称 }}{{ row.件次 }}件次占{{ row.占比 }}；"
        "{% endfor %}合计{{ 内容分类|前:2|合计占比 }}，{{ 内容分类|前:2|合计占比|成 }}，"
        '{{ 内容分类|前:3|合计占比|成:"超过" }}'
    )
    assert render_template(body, CATEGORIES) == (
        "1.城乡建设50件次占50.0%；2.政法30件次占30.0%；合计80.0%，约八成，超过九成"
    )


def test_categories_sorted_by_another_figure() -> None:
    body = (
        '{% for row in 内容分类|按:"来访.集体访.批次" %}{{ row.名称 }}{{ row.数 }}批'
        '（{{ row.占比 }}，{{ row|占比:"信访总量.件次" }}）{% endfor %}'
    )
    assert (
        render_template(body, CATEGORIES)
        == "政法5批（62.5%，30.0%）城乡建设2批（25.0%，50.0%）教育1批（12.5%，5.0%）"
    )


def test_a_row_reads_its_own_figures() -> None:
    assert (
        render_template("{% for row in 内容分类|前:1 %}{{ row.来访.集体访.批次 }}{% endfor %}", CATEGORIES)
        == "2"
    )


def test_an_empty_breakdown_loops_over_nothing() -> None:
    assert (
        render_template("[{% for row in 内容分类|前:5 %}x{% endfor %}]{{ 内容分类|合计占比 }}", _report({}))
        == "[]—"
    )


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (dt.date(2025, 1, 1), dt.date(2025, 6, 30), "2025年1~6月"),
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025年"),
        (dt.date(2025, 6, 1), dt.date(2025, 6, 30), "2025年6月"),
        (dt.date(2024, 7, 1), dt.date(2025, 6, 30), "2024年7月~2025年6月"),
        (dt.date(2025, 3, 10), dt.date(2025, 6, 30), "2025年3月10日至6月30日"),
        (dt.date(2024, 12, 10), dt.date(2025, 1, 9), "2024年12月10日至2025年1月9日"),
    ],
)
def test_period_words(start: dt.date, end: dt.date, words: str) -> None:
    assert period_words(start, end) == words


def test_period_and_organisation_names() -> None:
    assert _render("{{ 单位 }}{{ 期间 }}，截至{{ 截至 }}，{{ 年度 }}年，{{ 比 }}{{ 基期 }}") == (
        "示例市2025年1~6月，截至6月30日，2025年，同比去年同期"
    )


def test_an_unknown_name_is_marked_not_dropped() -> None:
    text = _render("集体访{{ 来访.集体方.批次 }}批")
    assert text == "集体访【未知：来访.集体方.批次】批"
    assert unknown_names(text) == ["来访.集体方.批次"]


def test_a_syntax_error_names_its_line() -> None:
    with pytest.raises(ReportTemplateError) as caught:
        _render("第一行\n第二行{{ 来访.批次|同比较 }}\n")
    assert caught.value.line == 2
    assert str(caught.value).startswith("模板第2行有误：")


def test_a_rendering_error_names_its_line() -> None:
    with pytest.raises(ReportTemplateError) as caught:
        _render("一\n二\n{{ 期间|同比 }}")
    assert caught.value.line == 3
    assert "同比只能用于一个指标" in str(caught.value)


def test_an_unclosed_tag_names_its_line() -> None:
    with pytest.raises(ReportTemplateError) as caught:
        _render("一\n{% if 有对比 %}二")
    assert caught.value.line == 2


def test_templates_cannot_reach_the_disk() -> None:
    with pytest.raises(ReportTemplateError):
        _render('{% include "admin/base.html" %}')
