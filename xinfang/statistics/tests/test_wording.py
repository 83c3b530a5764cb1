"""The report idiom: figures and sentences as the bureau's work reports write them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.statistics.indicators import Change, Comparison, Direction, PointChange, Ratio, Tally
from xinfang.statistics.wording import (
    MORE_LESS,
    RISE_FALL,
    ComparisonWords,
    DirectionWords,
    change_clause,
    change_phrase,
    compared_sentence,
    format_count,
    format_decimal,
    format_percent,
    format_rate,
    format_share,
    format_tally,
    points_phrase,
    respectively_clause,
    tenths_phrase,
    visits_compared,
)

counts = st.integers(min_value=0, max_value=10**9)


# --- numbers --------------------------------------------------------------------------------------


def test_counts_have_thousands_separators_and_units() -> None:
    assert format_count(4210, "件次") == "4,210件次"
    assert format_count(999) == "999"
    assert format_count(1_000_000, "人次") == "1,000,000人次"
    assert format_count(0, "件") == "0件"
    assert format_tally(Tally(4210, 6835)) == "4,210件次6,835人次"
    assert format_tally(Tally(1530, 2981), "批") == "1,530批2,981人次"


def test_rates_have_two_decimals_and_shares_one() -> None:
    # 1893 / 2000 = 94.65%; 58 / 274 = 21.167…% → 21.2%
    assert format_rate(Ratio(1893, 2000)) == "94.65%"
    assert format_share(Ratio(58, 274)) == "21.2%"
    assert format_rate(Ratio(1, 1)) == "100.00%"
    assert format_share(Ratio(0, 5)) == "0.0%"
    assert format_rate(Ratio(1893, 2000), sign="％") == "94.65％"


def test_a_rate_at_a_tie_rounds_half_up() -> None:
    # 18929 / 20000 = 94.645% → 94.65% (a float's round(94.645, 2) gives 94.64)
    assert format_rate(Ratio(18929, 20000)) == "94.65%"
    # 1 / 8 = 12.5% exactly, written 12.5% at one decimal and 12.50% at two
    assert format_share(Ratio(1, 8)) == "12.5%"
    # 1 / 16 = 6.25% → 6.3% at one decimal
    assert format_share(Ratio(1, 16)) == "6.3%"


def test_an_empty_rate_is_a_dash_or_the_word_chosen() -> None:
    assert format_rate(Ratio(0, 0)) == "—"
    assert format_rate(Ratio(0, 0), empty="无") == "无"
    assert format_percent(None) == "—"


def test_decimals_are_written_plainly() -> None:
    assert format_decimal(Decimal("12.0")) == "12.0"
    assert format_decimal(Decimal("1E+1")) == "10"
    assert format_decimal(Decimal("-0.0")) == "0.0"


@given(counts)
def test_a_count_reads_back_as_itself(count: int) -> None:
    text = format_count(count, "件次")
    assert re.fullmatch(r"\d{1,3}(,\d{3})*件次", text)
    assert int(text.removesuffix("件次").replace(",", "")) == count


@given(counts, st.integers(1, 10**9), st.integers(0, 4))
def test_a_rate_reads_back_as_its_rounded_value(part: int, extra: int, places: int) -> None:
    ratio = Ratio(part, part + extra)
    text = format_rate(ratio, places)
    assert text.endswith("%")
    number = text.removesuffix("%")
    assert Decimal(number) == ratio.percent(places)
    assert len(number.partition(".")[2]) == places


@pytest.mark.parametrize(
    ("ratio", "over", "expected"),
    [
        (Ratio(58, 100), False, "约六成"),  # "以上5类信访问题约占总量的六成"
        (Ratio(55, 100), False, "约六成"),  # 5.5 tenths rounds half up
        (Ratio(54, 100), False, "约五成"),
        (Ratio(34, 100), True, "超过三成"),  # "群众重复信访超过三成"
        (Ratio(30, 100), True, "三成"),
        (Ratio(4, 100), False, "不足一成"),
        (Ratio(4, 100), True, "不足一成"),
        (Ratio(96, 100), False, "超过九成"),
        (Ratio(99, 100), True, "超过九成"),
        (Ratio(7, 7), False, "全部"),
        (Ratio(0, 0), False, "—"),
    ],
)
def test_shares_in_tenths(ratio: Ratio, over: bool, expected: str) -> None:
    assert tenths_phrase(ratio, over=over) == expected


# --- changes --------------------------------------------------------------------------------------


def test_a_change_is_its_direction_and_rounded_percentage() -> None:
    # 41 against 52: −21.153…% → 下降21.2%
    assert change_phrase(Change(41, 52)) == "下降21.2%"
    # 58 against 55: +5.454…% → 上升5.5%
    assert change_phrase(Change(58, 55)) == "上升5.5%"
    assert change_phrase(Change(58, 55), words=MORE_LESS) == "增加5.5%"
    assert change_phrase(Change(55, 55)) == "持平"


def test_a_change_from_zero_is_written_without_a_percentage() -> None:
    assert change_phrase(Change(3, 0)) == "去年同期为零"
    assert change_phrase(Change(0, 0)) == "去年同期为零"
    assert change_phrase(Change(3, 0), comparison=Comparison.MOM) == "上期为零"


def test_a_change_that_rounds_to_nothing_is_flat() -> None:
    # 10001 against 10000: +0.01% → 0.0% at one decimal
    assert change_phrase(Change(10001, 10000)) == "持平"
    assert change_phrase(Change(10001, 10000), places=2) == "上升0.01%"


def test_a_change_at_a_tie_rounds_half_up() -> None:
    # 2049 against 2000: +2.45% → 上升2.5%; 1951 against 2000: −2.45% → 下降2.5%
    assert change_phrase(Change(2049, 2000)) == "上升2.5%"
    assert change_phrase(Change(1951, 2000)) == "下降2.5%"


def test_the_words_are_parameters() -> None:
    words = DirectionWords("提高", "降低", "基本持平")
    assert change_phrase(Change(58, 55), words=words) == "提高5.5%"
    assert change_phrase(Change(55, 55), words=words) == "基本持平"
    custom = ComparisonWords("较上月", "上月", "上月无")
    assert change_phrase(Change(1, 0), comparison=custom) == "上月无"
    assert change_phrase(Change(58, 55), sign="％") == "上升5.5％"


@given(counts, counts)
def test_the_direction_word_matches_the_sign_of_the_change(current: int, previous: int) -> None:
    phrase = change_phrase(Change(current, previous))
    percent = Change(current, previous).percent(1)
    if previous == 0:
        assert phrase == "去年同期为零"
    elif percent is not None and percent > 0:
        assert phrase == f"上升{percent}%"
    elif percent is not None and percent < 0:
        assert phrase == f"下降{-percent}%"
    else:
        assert phrase == "持平"


def test_a_rate_changes_in_percentage_points() -> None:
    # 95.00% against 93.75%: +1.25 points
    assert points_phrase(PointChange(Ratio(95, 100), Ratio(75, 80))) == "上升1.25个百分点"
    assert points_phrase(PointChange(Ratio(75, 80), Ratio(95, 100))) == "下降1.25个百分点"
    assert points_phrase(PointChange(Ratio(1, 2), Ratio(2, 4))) == "持平"
    assert points_phrase(PointChange(Ratio(1, 2), Ratio(0, 0))) == "—"


# --- sentences ------------------------------------------------------------------------------------


def test_the_matters_clause_of_a_half_year_summary() -> None:
    # 4210 against 4349 件次: −139/4349 = −3.196…% → 3.2%; 6835 against 7203 人次: −5.108…% → 5.1%
    parts = [("件次", Change(4210, 4349)), ("人次", Change(6835, 7203))]
    assert change_clause(parts) == "同比件次减少3.2%，人次减少5.1%"
    assert change_clause(parts, comparison=Comparison.MOM) == "环比件次减少3.2%，人次减少5.1%"


def test_a_clause_with_zero_bases() -> None:
    parts = [("件次", Change(12, 10)), ("人次", Change(0, 0))]
    # 12 against 10: +20.0%; the persons had no base
    assert change_clause(parts) == "同比件次增加20.0%，去年同期人次为零"
    assert change_clause([("件次", Change(0, 0)), ("人次", Change(0, 0))]) == "去年同期为零"


def test_the_respectively_clause_mixes_the_word_pairs_as_the_idiom_does() -> None:
    # 1530 against 1561 批: −1.985…% → 减少2.0%; 2981 against 2931 人次: +1.705…% → 上升1.7%
    changes = [Change(1530, 1561), Change(2981, 2931)]
    assert respectively_clause(changes) == "同比分别减少2.0%和上升1.7%"
    assert respectively_clause(changes, up_word=None) == "同比分别减少2.0%和增加1.7%"
    # 1102 against 1203: −8.395…% → 减少8.4%
    assert respectively_clause([Change(1102, 1203)]) == "同比减少8.4%"


def test_the_visit_sentence_of_a_reception_office_summary() -> None:
    # 41 against 52 批: −21.153…% → 21.2%; 187 against 240 人: −22.083…% → 22.1%
    assert (
        visits_compared(Tally(41, 187), Tally(52, 240))
        == "与去年同期52批240人相比，批数下降21.2%，人数下降22.1%"
    )
    assert (
        visits_compared(Tally(1230, 2400), Tally(1000, 2000), comparison=Comparison.MOM)
        == "与上期1,000批2,000人相比，批数上升23.0%，人数上升20.0%"
    )


def test_a_visit_sentence_against_an_empty_year() -> None:
    assert visits_compared(Tally(3, 20), Tally(0, 0)) == "去年同期为零"
    assert visits_compared(Tally(0, 0), Tally(0, 0)) == "去年同期为零"


def test_a_compared_sentence_with_one_zero_base() -> None:
    sentence = compared_sentence("0批0人", [("批数", Change(2, 0)), ("人数", Change(0, 0))])
    assert sentence == "去年同期为零"
    sentence = compared_sentence("3件", [("件数", Change(6, 3)), ("人数", Change(4, 0))])
    # 6 against 3: +100.0%; no persons a year ago
    assert sentence == "与去年同期3件相比，件数上升100.0%，人数去年同期为零"


def test_a_compared_sentence_with_custom_words() -> None:
    sentence = compared_sentence(
        "97批2,315人",
        [("批次", Change(97, 97)), ("人次", Change(2400, 2315))],
        words=MORE_LESS,
        lead="较",
        tail="",
    )
    # 2400 against 2315: +85/2315 = 3.671…% → 3.7%
    assert sentence == "较去年同期97批2,315人，批次持平，人次增加3.7%"
    assert RISE_FALL.word(Direction.DOWN) == "下降"
