"""The filters and tags of report templates, with Chinese names as a bureau writes them.

Every word and number comes from :mod:`xinfang.statistics.wording`; this module only takes the
template values of :mod:`xinfang.statistics.render_context` apart. The vocabulary is documented
in docs/statistics.md ("报告模板"). Without a comparison (``--compare none``) the change filters and
sentence tags write nothing. The engine of :mod:`xinfang.statistics.render` loads this library as
a builtin: templates need no ``{% load %}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import template

from xinfang.statistics import wording
from xinfang.statistics.indicators import Change, PointChange, Ratio, Tally
from xinfang.statistics.render_context import FigureView, RowView, ShareView, covered, sorted_by

register = template.Library()

_WORDS = {
    None: wording.RISE_FALL,
    "": wording.RISE_FALL,
    "升降": wording.RISE_FALL,
    "增减": wording.MORE_LESS,
}


def _words(name: str | None) -> wording.DirectionWords:
    try:
        return _WORDS[name]
    except KeyError:
        raise template.TemplateSyntaxError(f"方向用词只能是“升降”或“增减”，不是“{name}”") from None


def _figure(value: Any, what: str) -> FigureView:
    if not isinstance(value, FigureView):
        raise template.TemplateSyntaxError(
            f"{what}只能用于一个指标（如 来访.集体访.批次），不能用于“{value}”"
        )
    return value


def _count(value: Any, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _figure(value, what).count


@register.filter("同比")
def change(value: Any, words: str | None = None) -> str:
    """``{{ 来访.集体访.批次|同比 }}``: "下降21.2%" / "持平" / "去年同期为零" (a rate: "上升1.25个百分点");
    ``|同比:"增减"`` writes 增加 / 减少."""
    return _figure(value, "同比").change_phrase(_words(words))


@register.filter("比较")
def compared(value: Any, words: str | None = None) -> str:
    """``{{ 来信.件次|比较:"增减" }}``: the change with its prefix, "同比减少8.4%" (环比 with ``--compare
    mom``), or only "去年同期为零"."""
    view = _figure(value, "比较")
    if view.comparison is None:
        return ""
    change = view.figure.change
    if isinstance(change, Change):
        return wording.change_clause([("", change)], comparison=view.comparison, words=_words(words))
    if isinstance(change, PointChange):
        prefix = wording.comparison_words(view.comparison).prefix
        return prefix + wording.points_phrase(change, words=_words(words))
    return wording.EMPTY


@register.filter("率")
def rate(value: Any, whole: Any = None) -> str:
    """``{{ 受理率|率 }}`` "94.65%" (two decimals); ``{{ 满意度件.信访部门.已评价|率:满意度件.信访部门.办结 }}``
    a rate of two counts."""
    if whole is None:
        current = _figure(value, "率").figure.current
        if not isinstance(current, Ratio):
            raise template.TemplateSyntaxError(f"“{value}”不是比率：用“率:分母”写两个数之比")
        return wording.format_rate(current)
    part, base = _count(value, "率"), _count(whole, "率")
    return wording.format_rate(Ratio(min(part, base), base))


@register.filter("占比")
def share(value: Any, whole: Any = None) -> ShareView:
    """``{{ 来访.集体访.批次|占比:来访.批次 }}`` "3.8%" (one decimal); ``{{ row|占比:"来访.集体访.批次" }}``
    a row's share of the report's total of that figure; ``{{ 重复率|占比 }}`` a rate with one decimal."""
    if isinstance(value, RowView):
        key = whole if isinstance(whole, str) else value.key
        return sorted_share(value, key)
    if whole is None:
        current = _figure(value, "占比").figure.current
        if not isinstance(current, Ratio):
            raise template.TemplateSyntaxError(f"“{value}”不是比率：用“占比:总数”写占比")
        return ShareView(current)
    part, base = _count(value, "占比"), _count(whole, "占比")
    return ShareView(Ratio(min(part, base), base))


def sorted_share(row: RowView, key: str) -> ShareView:
    whole = row.total_of(key)
    part = row.count_of(key)
    return ShareView(Ratio(min(part, max(whole, part)), max(whole, part)))


@register.filter("成")
def tenths(value: Any, mode: str | None = None) -> str:
    """``{{ 内容分类|前:5|合计占比|成 }}`` "约六成"; ``|成:"超过"`` "超过三成" (the tenth below)."""
    if not isinstance(value, ShareView):
        raise template.TemplateSyntaxError("“成”只能用于占比（|占比 或 |合计占比 之后）")
    if mode not in (None, "", "约", "超过"):
        raise template.TemplateSyntaxError(f"“成”的写法只能是“约”或“超过”，不是“{mode}”")
    return wording.tenths_phrase(value.ratio, over=mode == "超过")


@register.filter("前")
def first(rows: Any, count: Any) -> list[Any]:
    """``{% for row in 内容分类|前:5 %}``: the first N rows (the breakdowns are largest first)."""
    try:
        number = int(count)
    except (TypeError, ValueError):
        raise template.TemplateSyntaxError(f"“前”后面要写一个数，如 |前:5，不是“{count}”") from None
    return list(rows)[: max(number, 0)] if isinstance(rows, Sequence) else []


@register.filter("按")
def by(rows: Any, key: str) -> list[RowView]:
    """``{% for row in 内容分类|按:"来访.集体访.批次"|前:3 %}``: the rows that have that figure, largest
    first; ``row.数`` and ``row.占比`` are then of that figure."""
    try:
        return sorted_by([row for row in rows if isinstance(row, RowView)], str(key))
    except ValueError as exc:
        raise template.TemplateSyntaxError(str(exc)) from None


@register.filter("合计占比")
def together(rows: Any) -> ShareView:
    """``{{ 内容分类|前:5|合计占比 }}``: what the rows cover together of the total, "58.3%"."""
    return covered([row for row in rows if isinstance(row, RowView)])


@register.filter("全角")
def full_width(value: Any) -> str:
    """``{{ 受理率|全角 }}``: "100.00％", with the full-width percent sign some templates use."""
    return str(value).replace("%", "％")


def _tally(node: Any, count_key: str, what: str) -> tuple[FigureView, FigureView]:
    if not isinstance(node, Mapping) or count_key not in node or "人次" not in node:
        raise template.TemplateSyntaxError(f"{what}只能用于有“{count_key}”和“人次”的一组指标，如 来访.集体访")
    return _figure(node[count_key], what), _figure(node["人次"], what)


@register.filter("批人")
def batches_persons(node: Any) -> str:
    """``{{ 来访.集体访|批人 }}``: "58批1,204人次"."""
    batches, persons = _tally(node, "批次", "批人")
    return wording.format_tally(Tally(batches.count, persons.count), "批", "人次")


@register.filter("件人")
def matters_persons(node: Any) -> str:
    """``{{ 信访总量|件人 }}``: "4,210件次6,835人次"."""
    matters, persons = _tally(node, "件次", "件人")
    return wording.format_tally(Tally(matters.count, persons.count), "件次", "人次")


@register.simple_tag(name="对比句")
def compared_sentence(node: Any, count_label: str = "批数", persons_label: str = "人数") -> str:
    """``{% 对比句 进京.集访 %}``: "与去年同期52批240人相比，批数下降21.2%，人数下降22.1%" (or only
    "去年同期为零"); for 件次 groups (``{% 对比句 信访总量 "件数" "人数" %}``) "52件240人次"."""
    count_key = "批次" if isinstance(node, Mapping) and "批次" in node else "件次"
    count, persons = _tally(node, count_key, "对比句")
    comparison = count.comparison
    if comparison is None:
        return ""
    before_count, before_persons = count.figure.previous, persons.figure.previous
    if not isinstance(before_count, int) or not isinstance(before_persons, int):
        return wording.EMPTY
    units = ("批", "人") if count_key == "批次" else ("件", "人次")
    return wording.visits_compared(
        Tally(count.count, persons.count),
        Tally(before_count, before_persons),
        comparison=comparison,
        count_unit=units[0],
        persons_unit=units[1],
        count_label=count_label,
        persons_label=persons_label,
    )


def _changes(views: Sequence[FigureView]) -> list[Change] | None:
    changes = [view.figure.change for view in views]
    if any(not isinstance(change, Change) for change in changes):
        return None
    return [change for change in changes if isinstance(change, Change)]


@register.simple_tag(name="分别")
def respectively(*figures: Any) -> str:
    """``{% 分别 来访.批次 来访.人次 %}``: "同比分别减少2.0%和上升1.7%"."""
    views = [_figure(value, "分别") for value in figures]
    if not views or views[0].comparison is None:
        return ""
    changes = _changes(views)
    if changes is None:
        return wording.EMPTY
    if all(change.zero_base for change in changes):  # not "同比分别去年同期为零和去年同期为零"
        return wording.comparison_words(views[0].comparison).zero
    return wording.respectively_clause(changes, comparison=views[0].comparison)


@register.simple_tag(name="变化句")
def change_clause(*parts: Any) -> str:
    """``{% 变化句 "件次" 信访总量.件次 "人次" 信访总量.人次 %}``: "同比件次减少3.2%，人次减少5.1%"."""
    if len(parts) % 2 or not parts:
        raise template.TemplateSyntaxError("“变化句”要成对地写：名称 指标 名称 指标 …")
    labels = [str(label) for label in parts[::2]]
    views = [_figure(value, "变化句") for value in parts[1::2]]
    if views[0].comparison is None:
        return ""
    changes = _changes(views)
    if changes is None:
        return wording.EMPTY
    return wording.change_clause(list(zip(labels, changes, strict=True)), comparison=views[0].comparison)


@register.filter("加")
def plus(value: Any, other: Any) -> str:
    """``{{ 满意度件.信访部门.办结|加:满意度件.信访部门.未办结 }}``: the sum of two counts, "1,421"."""
    return wording.format_count(_count(value, "加") + _count(other, "加"))
