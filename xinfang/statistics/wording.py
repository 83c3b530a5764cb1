"""How a work report writes its figures, in the bureau's idiom (pure: no Django).

The figures come from :mod:`xinfang.statistics.indicators`; this module writes them as the reports
do (common practice, every word a parameter with the idiom's default):

- counts with thousands separators and their unit: "4,210件次", "1,530批2,981人次";
- rates with two decimals ("94.65%"), shares and changes with one ("下降21.2%"), rounded half up;
  an empty rate is "—" (or "无", a parameter), never a division by zero;
- 同比 / 环比 with the direction word (上升 / 下降 / 持平, or 增加 / 减少 where the idiom uses them); a
  change from zero has no percentage: "去年同期为零";
- the sentences built from them: "与去年同期52批240人相比，批数下降21.2%，人数下降22.1%",
  "同比件次减少3.2%，人次减少5.1%", "同比分别减少2.0%和上升1.7%", "约占总量的六成".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from xinfang.statistics.indicators import (
    Change,
    Comparison,
    Direction,
    PointChange,
    Ratio,
    Tally,
    round_half_up,
)

__all__ = [
    "EMPTY",
    "MOM_WORDS",
    "MORE_LESS",
    "RISE_FALL",
    "YOY_WORDS",
    "ComparisonWords",
    "DirectionWords",
    "change_clause",
    "change_phrase",
    "compared_sentence",
    "comparison_words",
    "format_count",
    "format_decimal",
    "format_percent",
    "format_rate",
    "format_share",
    "format_tally",
    "points_phrase",
    "respectively_clause",
    "tenths_phrase",
    "visits_compared",
]

EMPTY = "—"  # an empty rate (no denominator); a county report may prefer "无"
PERCENT = "%"  # some templates use the full-width "％"
RATE_PLACES = 2  # 94.65%
SHARE_PLACES = 1  # 21.2%, for shares and for changes


@dataclass(frozen=True)
class DirectionWords:
    """The words for a change up, down and none."""

    up: str = "上升"
    down: str = "下降"
    flat: str = "持平"

    def word(self, direction: Direction) -> str:
        return {Direction.UP: self.up, Direction.DOWN: self.down, Direction.FLAT: self.flat}[direction]


RISE_FALL = DirectionWords()  # "批数下降21.2%", "按批次同比上升5.5%"
MORE_LESS = DirectionWords("增加", "减少", "持平")  # "同比件次减少3.2%"


@dataclass(frozen=True)
class ComparisonWords:
    """How a comparison is named: its prefix (同比), its base (去年同期) and the zero-base phrase."""

    prefix: str
    base: str
    zero: str


YOY_WORDS = ComparisonWords("同比", "去年同期", "去年同期为零")
MOM_WORDS = ComparisonWords("环比", "上期", "上期为零")


def comparison_words(comparison: Comparison | ComparisonWords) -> ComparisonWords:
    if isinstance(comparison, ComparisonWords):
        return comparison
    return YOY_WORDS if comparison is Comparison.YOY else MOM_WORDS


# --- numbers --------------------------------------------------------------------------------------


def format_decimal(value: Decimal) -> str:
    """A rounded figure in plain notation, its decimals kept ("12.0", never "1.2E+1")."""
    text = format(value, "f")
    return text[1:] if text.startswith("-") and not value else text  # no "-0.0"


def format_count(count: int, unit: str = "") -> str:
    """A count with thousands separators and its unit: ``format_count(4210, "件次")`` is "4,210件次"."""
    return f"{count:,}{unit}"


def format_tally(tally: Tally, count_unit: str = "件次", persons_unit: str = "人次") -> str:
    """ "4,210件次6,835人次"; visits: ``format_tally(t, "批")`` is "1,530批2,981人次"."""
    return format_count(tally.count, count_unit) + format_count(tally.persons, persons_unit)


def format_percent(value: Decimal | None, *, sign: str = PERCENT, empty: str = EMPTY) -> str:
    """A percentage already rounded (see :meth:`Ratio.percent`), or ``empty`` for None."""
    return empty if value is None else format_decimal(value) + sign


def format_rate(ratio: Ratio, places: int = RATE_PLACES, *, sign: str = PERCENT, empty: str = EMPTY) -> str:
    """A rate as reports write it: ``Ratio(1893, 2000)`` is "94.65%"; an empty one is "—"."""
    return format_percent(ratio.percent(places), sign=sign, empty=empty)


def format_share(ratio: Ratio, places: int = SHARE_PLACES, *, sign: str = PERCENT, empty: str = EMPTY) -> str:
    """A share with one decimal: ``Ratio(58, 274)`` is "21.2%"."""
    return format_rate(ratio, places, sign=sign, empty=empty)


_TENTHS = "零一二三四五六七八九十"


def tenths_phrase(ratio: Ratio, *, over: bool = False, empty: str = EMPTY) -> str:
    """A share in tenths (成), as the summaries write it.

    ``over=False``: the nearest tenth, "约六成" (0.58); ``over=True``: the tenth below, "超过三成"
    (0.34), or just "三成" when it is exactly that. Under a tenth is "不足一成", nearly all "超过九成", all of it "全部"."""
    value = ratio.value
    if value is None:
        return empty
    if value == 1:
        return "全部"
    tenths = int(round_half_up(value * 10, 0)) if not over else int(value * 10)
    if tenths == 0:
        return "不足一成"
    if tenths == 10:  # rounds up to all of it, but is not: "超过九成"
        return "超过九成"
    if over and value == Fraction(tenths, 10):
        return f"{_TENTHS[tenths]}成"
    return f"{'超过' if over else '约'}{_TENTHS[tenths]}成"


# --- changes --------------------------------------------------------------------------------------


def change_phrase(
    change: Change,
    *,
    words: DirectionWords = RISE_FALL,
    comparison: Comparison | ComparisonWords = Comparison.YOY,
    places: int = SHARE_PLACES,
    sign: str = PERCENT,
) -> str:
    """The change as the direction word and the rounded percentage, without its prefix: "下降21.2%",
    "持平", or the zero-base phrase ("去年同期为零") when the comparison period had none."""
    percent = change.percent(places)
    if percent is None:
        return comparison_words(comparison).zero
    direction = change.direction(places)
    if direction is Direction.FLAT:
        return words.flat
    return words.word(direction) + format_decimal(abs(percent)) + sign


def points_phrase(
    change: PointChange,
    *,
    words: DirectionWords = RISE_FALL,
    places: int = RATE_PLACES,
    unit: str = "个百分点",
    empty: str = EMPTY,
) -> str:
    """A rate's change in percentage points: "上升1.25个百分点", "持平"; ``empty`` when either rate is."""
    points = change.points(places)
    direction = change.direction(places)
    if points is None or direction is None:
        return empty
    if direction is Direction.FLAT:
        return words.flat
    return words.word(direction) + format_decimal(abs(points)) + unit


def change_clause(
    parts: Sequence[tuple[str, Change]],
    *,
    comparison: Comparison | ComparisonWords = Comparison.YOY,
    words: DirectionWords = MORE_LESS,
    places: int = SHARE_PLACES,
    sign: str = PERCENT,
    separator: str = "，",
) -> str:
    """The prefix, then each labelled change: "同比件次减少3.2%，人次减少5.1%".

    A part whose base is zero is written after the others as "去年同期人次为零"; when every base is
    zero the clause is only the zero-base phrase ("去年同期为零")."""
    named = comparison_words(comparison)
    compared = [
        label + change_phrase(change, words=words, comparison=named, places=places, sign=sign)
        for label, change in parts
        if not change.zero_base
    ]
    if not compared:
        return named.zero
    zeros = [f"{named.base}{label}为零" for label, change in parts if change.zero_base]
    return separator.join([named.prefix + compared[0], *compared[1:], *zeros])


def respectively_clause(
    changes: Sequence[Change],
    *,
    comparison: Comparison | ComparisonWords = Comparison.YOY,
    words: DirectionWords = MORE_LESS,
    up_word: str | None = "上升",
    places: int = SHARE_PLACES,
    sign: str = PERCENT,
    joiner: str = "和",
) -> str:
    """Several changes of one subject: "同比分别减少2.0%和上升1.7%" (批次 then 人次).

    The idiom mixes the word pairs ("减少" but "上升"): ``up_word`` replaces ``words.up`` (None keeps
    it). A change from zero is written as the zero-base phrase in its place."""
    named = comparison_words(comparison)
    used = words if up_word is None else DirectionWords(up_word, words.down, words.flat)
    phrases = [
        change_phrase(change, words=used, comparison=named, places=places, sign=sign) for change in changes
    ]
    if len(phrases) == 1:
        return named.prefix + phrases[0]
    return f"{named.prefix}分别{joiner.join(phrases)}"


def compared_sentence(
    previous: str,
    parts: Sequence[tuple[str, Change]],
    *,
    comparison: Comparison | ComparisonWords = Comparison.YOY,
    words: DirectionWords = RISE_FALL,
    places: int = SHARE_PLACES,
    sign: str = PERCENT,
    lead: str = "与",
    tail: str = "相比",
    separator: str = "，",
) -> str:
    """ "与去年同期52批240人相比，批数下降21.2%，人数下降22.1%".

    ``previous`` is the comparison period's figures as written ("52批240人"). When every base is zero
    the sentence is only the zero-base phrase ("去年同期为零"); a single zero base is written
    "人数去年同期为零"."""
    named = comparison_words(comparison)
    if all(change.zero_base for _, change in parts):
        return named.zero
    phrases = [
        label + change_phrase(change, words=words, comparison=named, places=places, sign=sign)
        for label, change in parts
    ]
    return separator.join([f"{lead}{named.base}{previous}{tail}", *phrases])


def visits_compared(
    current: Tally,
    previous: Tally,
    *,
    comparison: Comparison | ComparisonWords = Comparison.YOY,
    words: DirectionWords = RISE_FALL,
    count_unit: str = "批",
    persons_unit: str = "人",
    count_label: str = "批数",
    persons_label: str = "人数",
) -> str:
    """:func:`compared_sentence` for visits: 41批187人 against 52批240人 gives
    "与去年同期52批240人相比，批数下降21.2%，人数下降22.1%"."""
    return compared_sentence(
        format_tally(previous, count_unit, persons_unit),
        [
            (count_label, Change(current.count, previous.count)),
            (persons_label, Change(current.persons, previous.persons)),
        ],
        comparison=comparison,
        words=words,
    )
