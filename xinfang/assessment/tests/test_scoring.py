"""The assessment arithmetic on hand-worked figures: each expected score is worked out in the test."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.assessment.scoring import (
    ABSENT,
    PERCENT,
    Aspect,
    Difference,
    ItemRow,
    ItemScore,
    Rule,
    RuleKind,
    UnitRow,
    UnitScore,
    WhenEmpty,
    by_unit,
    differences,
    format_steps,
    parse_steps,
    rank,
    rank_change,
    rows_from_json,
    rows_to_json,
    score_item,
    total_of,
)

D = Decimal


def linear(
    weight: str = "10",
    floor: str = "90",
    target: str = "100",
    *,
    cap: Decimal | None = None,
    when_empty: WhenEmpty = WhenEmpty.FULL,
) -> Rule:
    return Rule(RuleKind.LINEAR, D(weight), floor=D(floor), target=D(target), cap=cap, when_empty=when_empty)


def thresholds(
    weight: str, steps: str, *, lower_is_better: bool = False, when_empty: WhenEmpty = WhenEmpty.FULL
) -> Rule:
    return Rule(
        RuleKind.THRESHOLDS,
        D(weight),
        steps=parse_steps(steps),
        lower_is_better=lower_is_better,
        when_empty=when_empty,
    )


def per_event(weight: str, cap: str | None = None) -> Rule:
    return Rule(RuleKind.PER_EVENT, D(weight), cap=None if cap is None else D(cap))


def rate(rule: Rule, value: Fraction | int | Decimal | None, label: str = "按期办结率") -> ItemScore:
    return score_item(rule, value, label=label, unit=PERCENT)


# --- linear ---------------------------------------------------------------------------------------


def test_a_linear_item_scores_in_proportion_between_floor_and_target() -> None:
    # (96.5 − 90) ÷ (100 − 90) = 0.65 of 10 points = 6.50
    item = rate(linear(), Fraction(9650, 100))
    assert item.points == D("6.50")
    assert item.max_points == D("10.00")
    assert item.counted
    assert item.figure_text == "96.50%"
    assert item.reason == "按期办结率96.50%，介于底线90.00%与目标100.00%之间，按比例得6.50分（满分10分）"


def test_a_linear_item_is_clamped_at_both_ends() -> None:
    # at the target, full points; above it no more; at the floor and below it, 0
    assert rate(linear(target="98"), 98).points == D("10.00")
    top = rate(linear(target="98"), Fraction(995, 10))
    assert top.points == D("10.00")
    assert top.reason == "按期办结率99.50%，达到目标98.00%，得满分10分"
    assert rate(linear(), 90).points == D("0.00")
    bottom = rate(linear(), 80)
    assert bottom.points == D("0.00")
    assert bottom.reason == "按期办结率80.00%，未超过底线90.00%，得0分（满分10分）"


def test_a_linear_item_with_the_floor_above_the_target_prefers_lower_values() -> None:
    # 重复率: floor 10%, target 3%; 6% is (6 − 10) ÷ (3 − 10) = 4/7 of 8 points = 4.571… → 4.57
    rule = linear("8", floor="10", target="3")
    item = rate(rule, 6, "重复率")
    assert item.points == D("4.57")
    assert item.reason == "重复率6.00%，介于底线10.00%与目标3.00%之间，按比例得4.57分（满分8分）"
    assert rate(rule, 2, "重复率").points == D("8.00")  # below the target: full points
    assert rate(rule, 3, "重复率").points == D("8.00")
    worst = rate(rule, 12, "重复率")
    assert worst.points == D("0.00")
    assert worst.reason == "重复率12.00%，未低于底线10.00%，得0分（满分8分）"


def test_points_round_half_up_to_two_places() -> None:
    # floor 0, target 100, 10 points: 23.45% gives 2.345 exactly, written 2.35 (a float gives 2.34)
    assert rate(linear(floor="0"), Fraction(2345, 100)).points == D("2.35")
    assert rate(linear(floor="0"), D("23.45")).points == D("2.35")
    # 23.449% gives 2.3449 → 2.34
    assert rate(linear(floor="0"), D("23.449")).points == D("2.34")


def test_a_count_can_be_scored_linearly() -> None:
    # 进京访批次 floor 10 (0 points) target 0 (full 5): 4 batches are (4 − 10) ÷ (0 − 10) = 0.6 → 3
    item = score_item(linear("5", floor="10", target="0"), 4, label="进京访", unit="批")
    assert item.points == D("3.00")
    assert item.figure_text == "4批"
    assert item.reason == "进京访4批，介于底线10批与目标0批之间，按比例得3分（满分5分）"


# --- thresholds -----------------------------------------------------------------------------------


def test_a_threshold_item_scores_the_best_step_reached() -> None:
    rule = thresholds("10", "95=10; 90=8; 85=6")
    assert rate(rule, Fraction(9712, 100), "满意率").points == D("10.00")
    assert rate(rule, 95, "满意率").points == D("10.00")  # exactly at a threshold reaches it
    at_ninety = rate(rule, 90, "满意率")
    assert at_ninety.points == D("8.00")
    assert at_ninety.reason == "满意率90.00%，不低于90.00%，得8分（满分10分）"
    assert rate(rule, Fraction(8999, 100), "满意率").points == D("6.00")
    none = rate(rule, Fraction(8499, 100), "满意率")
    assert none.points == D("0.00")
    assert none.reason == "满意率84.99%，未达到任一档次（最低一档为不低于85.00%），得0分（满分10分）"


def test_a_threshold_item_can_prefer_lower_values() -> None:
    rule = thresholds("6", "3=6; 5=4; 8=2", lower_is_better=True)
    assert rate(rule, 2, "重复率").points == D("6.00")
    assert rate(rule, 3, "重复率").points == D("6.00")  # at the threshold
    four = rate(rule, 4, "重复率")
    assert four.points == D("4.00")
    assert four.reason == "重复率4.00%，不高于5.00%，得4分（满分6分）"
    assert rate(rule, 8, "重复率").points == D("2.00")
    assert rate(rule, Fraction(801, 100), "重复率").reason == (
        "重复率8.01%，未达到任一档次（最低一档为不高于8.00%），得0分（满分6分）"
    )


def test_steps_are_scored_whatever_their_order() -> None:
    rule = thresholds("10", "85=6; 95=10; 90=8")
    assert rate(rule, 92, "满意率").points == D("8.00")


# --- per-event deductions -------------------------------------------------------------------------


def test_a_per_event_item_deducts_for_each_event() -> None:
    item = score_item(per_event("2"), 3, label="进京访", unit="批")
    assert item.points == D("-6.00")
    assert item.max_points == D("0.00")
    assert item.reason == "进京访3批，每批扣2分，扣6分"
    nothing = score_item(per_event("2"), 0, label="进京访", unit="批")
    assert nothing.points == D("0.00")
    assert nothing.reason == "进京访0批，不扣分"
    half = score_item(per_event("0.5"), 3, label="问责建议函", unit="件")
    assert half.points == D("-1.50")
    assert half.reason == "问责建议函3件，每件扣0.5分，扣1.50分"


def test_a_cap_limits_the_deduction() -> None:
    rule = per_event("2", cap="5")
    assert score_item(rule, 2, label="进京访", unit="批").points == D("-4.00")  # under the cap
    capped = score_item(rule, 3, label="进京访", unit="批")
    assert capped.points == D("-5.00")
    assert capped.reason == "进京访3批，每批扣2分，应扣6分，扣分以5分为限，扣5分"
    assert score_item(rule, 100, label="进京访", unit="批").points == D("-5.00")


def test_a_per_event_item_takes_a_whole_non_negative_count() -> None:
    with pytest.raises(ValueError, match="进京访的次数应是不小于0的整数"):
        score_item(per_event("2"), -1, label="进京访", unit="批")
    with pytest.raises(ValueError, match="不小于0的整数"):
        score_item(per_event("2"), Fraction(3, 2), label="进京访", unit="批")
    with pytest.raises(ValueError, match="不能是比率"):
        score_item(per_event("2"), 3, label="进京访", unit=PERCENT)


# --- empty denominators and the total ------------------------------------------------------------


def test_an_empty_denominator_scores_by_when_empty() -> None:
    full = rate(linear(when_empty=WhenEmpty.FULL), None, "满意率")
    assert (full.points, full.counted, full.figure_text) == (D("10.00"), True, "—")
    assert full.reason == "满意率：无应统计的事项（分母为零），按满分计10分"
    zero = rate(linear(when_empty=WhenEmpty.ZERO), None, "满意率")
    assert (zero.points, zero.counted) == (D("0.00"), True)
    assert zero.reason == "满意率：无应统计的事项（分母为零），按0分计（满分10分）"
    skip = rate(thresholds("10", "95=10", when_empty=WhenEmpty.SKIP), None, "满意率")
    assert (skip.points, skip.max_points, skip.counted) == (D("0.00"), D("10.00"), False)
    assert skip.reason == "满意率：无应统计的事项（分母为零），不参加考核，总分按实际考核项目折算"


def test_an_empty_per_event_item_deducts_nothing() -> None:
    item = score_item(per_event("2"), None, label="进京访", unit="批")
    assert (item.points, item.counted, item.reason) == (D("0.00"), True, "进京访：无应统计的事项，不扣分")


def test_the_total_is_the_sum_of_the_rounded_points() -> None:
    items = [
        rate(linear("40", floor="0"), D("23.45")),  # 9.38
        rate(thresholds("60", "95=60; 90=50"), 91, "满意率"),  # 50
        score_item(per_event("2"), 2, label="进京访", unit="批"),  # −4
    ]
    # 9.38 + 50 − 4 = 55.38
    assert total_of(items, D(100)) == D("55.38")
    score = UnitScore.of(items, D(100))
    assert score.total == D("55.38")
    assert not score.rescaled


def test_a_skipped_item_rescales_the_points_gained() -> None:
    skipped = rate(linear("40", when_empty=WhenEmpty.SKIP), None)
    scored = rate(thresholds("60", "95=60; 90=50"), 91, "满意率")  # 50 of 60
    deduction = score_item(per_event("2"), 2, label="进京访", unit="批")  # −4
    # 50 × 100 ÷ (100 − 40) = 83.333… then − 4 (unscaled) = 79.333… → 79.33
    score = UnitScore.of([skipped, scored, deduction], D(100))
    assert score.total == D("79.33")
    assert score.rescaled
    assert score.skipped_marks == D("40.00")
    # every scoring item skipped: nothing to fault, full marks less the deductions
    assert total_of([skipped, deduction], D(40)) == D("36.00")


def test_a_total_does_not_go_below_zero() -> None:
    items = [rate(linear("10"), 80), score_item(per_event("3"), 5, label="进京访", unit="批")]
    assert total_of(items, D(10)) == D("0.00")


def test_the_full_marks_must_match_the_items() -> None:
    with pytest.raises(ValueError, match="各项分值之和10分与满分100分不一致"):
        total_of([rate(linear("10"), 95)], D(100))
    with pytest.raises(ValueError, match="满分"):
        total_of([], D(-1))
    assert total_of([], D(0)) == D("0.00")


# --- ranks ----------------------------------------------------------------------------------------


def test_equal_totals_share_a_rank_and_the_next_skips() -> None:
    totals = {"a": D("95.5"), "b": D("90"), "c": D("90.00"), "d": D("80")}
    assert rank(totals) == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert rank({}) == {}
    assert rank({"x": D(1), "y": D(1)}) == {"x": 1, "y": 1}


def test_a_rank_change_is_the_places_moved_up() -> None:
    assert rank_change(2, 5) == 3  # from 5th to 2nd: up three
    assert rank_change(4, 1) == -3
    assert rank_change(3, 3) == 0
    assert rank_change(None, 2) is None
    assert rank_change(1, None) is None


# --- rule checks and steps ------------------------------------------------------------------------


def test_a_valid_rule_has_no_problems() -> None:
    assert linear().check() == []
    assert thresholds("10", "95=10; 90=8").check() == []
    assert per_event("2", cap="5").check() == []
    assert per_event("2").check() == []


def test_rule_checks_name_the_field() -> None:
    assert linear(target="90").check() == ["目标值不能等于底线值"]
    missing = Rule(RuleKind.LINEAR, D(10), floor=D(90))
    assert missing.problems() == {"target": ["目标值不能为空"]}
    assert linear(weight="0").problems() == {"weight": ["分值必须大于0"]}
    assert per_event("-1").check() == ["每次扣分必须大于0"]
    assert per_event("2", cap="0").check() == ["扣分上限必须大于0"]
    assert linear(weight="1.005").check() == ["分值最多保留两位小数"]
    assert linear(floor="NaN").check() == ["底线值不是有效的数字"]
    misplaced = Rule(RuleKind.PER_EVENT, D(2), floor=D(1), steps=((D(1), D(1)),), lower_is_better=True)
    assert misplaced.problems() == {
        "floor": ["底线值只用于按比例计分"],
        "steps": ["计分档次只用于分档计分"],
        "lower_is_better": ["越低越好只用于分档计分（按比例计分以底线值大于目标值表示越低越好）"],
    }
    assert linear(cap=D(5)).check() == ["扣分上限只用于按次扣分"]


def test_steps_are_checked() -> None:
    assert thresholds("10", "").check() == ["计分档次不能为空，如“95=10; 90=8”"]
    assert thresholds("10", "95=12").check() == ["计分档次“95=12”的分值超过该项分值10分"]
    assert thresholds("10", "95=-1").check() == ["计分档次“95=-1”的分值不能为负数"]
    assert thresholds("10", "95=10; 95=8").check() == ["计分档次的门槛95重复"]
    assert thresholds("10", "95=6; 90=8").check() == ["计分档次“95=6”的门槛更高，分值却低于“90=8”"]
    assert thresholds("10", "3=6; 5=8", lower_is_better=True).check() == [
        "计分档次“3=6”的门槛更低，分值却低于“5=8”"
    ]


def test_a_faulty_rule_is_not_scored() -> None:
    with pytest.raises(ValueError, match="按期办结率的计分规则有误：目标值不能等于底线值"):
        rate(linear(target="90"), 95)


def test_a_rule_takes_its_kinds_as_strings() -> None:
    rule = Rule("linear", D(10), floor=D(90), target=D(100), when_empty="skip")  # type: ignore[arg-type]
    assert rule.kind is RuleKind.LINEAR
    assert rule.when_empty is WhenEmpty.SKIP
    with pytest.raises(ValueError, match="计分方式“bogus”无效"):
        Rule("bogus", D(10))  # type: ignore[arg-type]
    assert RuleKind.THRESHOLDS.label == "分档计分"
    assert WhenEmpty.FULL.label == "按满分计"


def test_steps_are_read_in_half_and_full_width() -> None:
    expected = ((D(95), D(10)), (D(90), D(8)), (D(85), D(6)))
    assert parse_steps("95=10; 90=8; 85=6") == expected
    assert parse_steps("95：10，90：8，85：6") == expected
    assert parse_steps("９５％＝１０分；90%=8分\n85=6;") == expected
    assert parse_steps("  ") == ()
    assert parse_steps("92.5=7.5") == ((D("92.5"), D("7.5")),)
    assert format_steps(expected) == "95=10; 90=8; 85=6"
    assert format_steps(((D("92.50"), D("7.50")),)) == "92.5=7.5"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("95-10", "计分档次第1项“95-10”应写作“门槛=分值”，如“95=10”"),
        ("95=10; 9=5=1", "计分档次第2项“9=5=1”应写作“门槛=分值”"),
        ("95=10; abc=8", "计分档次第2项“abc=8”的门槛“abc”不是数字"),
        ("95=ten", "计分档次第1项“95=ten”的分值“ten”不是数字"),
        ("95=", "计分档次第1项“95=”的分值“”不是数字"),
        ("inf=1", "的门槛“inf”不是数字"),
    ],
)
def test_bad_steps_are_refused_naming_the_part(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_steps(text)


# --- snapshots and differences --------------------------------------------------------------------


def unit_row(key: str, name: str, figure: str, points: str, total: str, ranked: int | None) -> UnitRow:
    items = (
        ItemRow("按期办结率", figure, D(points), "…"),
        ItemRow("进京访", "0批", D("0.00"), "进京访0批，不扣分"),
    )
    return UnitRow(key, name, items, D(total), ranked)


def test_a_unit_row_is_built_from_its_score() -> None:
    score = UnitScore.of([rate(linear(), Fraction(9650, 100))], D(10))
    row = UnitRow.of("u1", "甲县", score, 1)
    assert row.items == (ItemRow("按期办结率", "96.50%", D("6.50"), score.items[0].reason),)
    assert (row.total, row.rank) == (D("6.50"), 1)
    assert row.with_rank(3) == UnitRow("u1", "甲县", row.items, D("6.50"), 3)
    assert row.item("按期办结率") is row.items[0]
    assert row.item("满意率") is None


def test_rows_go_through_json_and_back() -> None:
    rows = [
        unit_row("u1", "甲县", "96.50%", "6.50", "6.50", 1),
        unit_row("u2", "乙县", "—", "10.00", "10", None),
    ]
    stored = json.loads(json.dumps(rows_to_json(rows), ensure_ascii=False))
    assert stored[0]["total"] == "6.50"
    assert stored[0]["items"][0] == {
        "label": "按期办结率",
        "figure_text": "96.50%",
        "points": "6.50",
        "reason": "…",
    }
    back = rows_from_json(stored)
    assert back == rows
    assert str(back[0].total) == "6.50"  # the printed form survives, not only the value


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "应是考核单位的列表"),
        ([1], "第1个考核单位应是一个对象"),
        ([{"unit_key": "u1"}], "第1个考核单位缺少“items”"),
        (
            [{"unit_key": "u1", "unit_name": "甲", "items": [], "total": "x", "rank": 1}],
            "第1个考核单位的“total”“x”不是数字",
        ),
        (
            [
                {
                    "unit_key": "u1",
                    "unit_name": "甲",
                    "items": [],
                    "total": "1",
                    "rank": "1",
                }
            ],
            "“rank”应是整数",
        ),
        (
            [{"unit_key": "u1", "unit_name": "甲", "items": [{"label": 3}], "total": "1"}],
            "第1个考核单位第1个考核项目缺少“label”",
        ),
    ],
)
def test_bad_snapshot_data_is_refused(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rows_from_json(data)


def test_a_unit_row_refuses_an_item_twice() -> None:
    item = ItemRow("满意率", "90.00%", D(8), "")
    with pytest.raises(ValueError, match="甲县的考核项目“满意率”重复"):
        UnitRow("u1", "甲县", (item, item), D(8), 1)
    with pytest.raises(ValueError, match="考核单位“甲县”出现了两次"):
        by_unit([unit_row("u1", "甲县", "—", "0", "0", 1)] * 2)


def test_identical_rows_have_no_differences() -> None:
    rows = by_unit([unit_row("u1", "甲县", "96.50%", "6.50", "6.50", 1)])
    assert differences(rows, rows) == []


def test_a_correction_shows_as_differences() -> None:
    frozen = by_unit(
        [
            unit_row("u1", "甲县", "96.50%", "6.50", "6.50", 1),
            unit_row("u2", "乙县", "92.00%", "2.00", "2.00", 2),
        ]
    )
    # a late closure in 乙县: 92.00% → 97.00%, 2 → 7 points, now first; 甲县 drops to second
    live = by_unit(
        [
            unit_row("u1", "甲县", "96.50%", "6.50", "6.50", 2),
            unit_row("u2", "乙县", "97.00%", "7.00", "7", 1),
        ]
    )
    assert differences(frozen, live) == [
        Difference("u1", "甲县", None, Aspect.RANK, "第1名", "第2名"),
        Difference("u2", "乙县", "按期办结率", Aspect.FIGURE, "92.00%", "97.00%"),
        Difference("u2", "乙县", "按期办结率", Aspect.POINTS, "2.00分", "7.00分"),
        Difference("u2", "乙县", None, Aspect.TOTAL, "2.00分", "7.00分"),
        Difference("u2", "乙县", None, Aspect.RANK, "第2名", "第1名"),
    ]
    assert Aspect.FIGURE.label == "指标值"


def test_units_and_items_added_or_removed_show_as_differences() -> None:
    before = unit_row("u1", "甲县", "96.50%", "6.50", "6.50", 1)
    gone = unit_row("u2", "乙县", "92.00%", "2.00", "2.00", 2)
    new = unit_row("u3", "丙县", "100.00%", "10.00", "10", None)
    extra = ItemRow("满意率", "90.00%", D("8.00"), "")
    after = UnitRow("u1", "甲县", (before.items[0], extra), D("6.50"), 1)
    found = differences(by_unit([before, gone]), by_unit([after, new]))
    assert found == [
        Difference("u1", "甲县", "进京访", Aspect.ITEM, "0批，得0.00分", ABSENT),
        Difference("u1", "甲县", "满意率", Aspect.ITEM, ABSENT, "90.00%，得8.00分"),
        Difference("u2", "乙县", None, Aspect.UNIT, "总分2.00分，第2名", ABSENT),
        Difference("u3", "丙县", None, Aspect.UNIT, ABSENT, "总分10.00分，—"),
    ]


# --- properties -----------------------------------------------------------------------------------

amounts = st.integers(min_value=1, max_value=10_000).map(lambda cents: Decimal(cents).scaleb(-2))
levels = st.integers(min_value=-20_000, max_value=20_000).map(lambda cents: Decimal(cents).scaleb(-2))
values = st.fractions(min_value=-300, max_value=300, max_denominator=10_000)


@given(amounts, levels, levels, values)
def test_linear_points_stay_within_the_weight(
    weight: Decimal, floor: Decimal, target: Decimal, value: Fraction
) -> None:
    if floor == target:
        return
    points = rate(Rule(RuleKind.LINEAR, weight, floor=floor, target=target), value).points
    assert 0 <= points <= weight
    assert points.as_tuple().exponent == -2


@given(amounts, levels, levels, values, values)
def test_linear_points_never_drop_as_the_value_improves(
    weight: Decimal, floor: Decimal, target: Decimal, a: Fraction, b: Fraction
) -> None:
    if floor == target:
        return
    rule = Rule(RuleKind.LINEAR, weight, floor=floor, target=target)
    worse, better = sorted((a, b), reverse=target < floor)
    assert rate(rule, worse).points <= rate(rule, better).points


@st.composite
def threshold_rules(draw: st.DrawFn) -> Rule:
    weight = draw(amounts)
    lower = draw(st.booleans())
    levels_drawn = draw(st.lists(levels, min_size=1, max_size=5, unique=True))
    cents = draw(
        st.lists(st.integers(0, int(weight * 100)), min_size=len(levels_drawn), max_size=len(levels_drawn))
    )
    # the stricter the threshold, the more points: pair the sorted lists
    by_strictness = sorted(levels_drawn, reverse=lower)
    steps = tuple(zip(by_strictness, (Decimal(c).scaleb(-2) for c in sorted(cents)), strict=True))
    return Rule(RuleKind.THRESHOLDS, weight, steps=tuple(draw(st.permutations(steps))), lower_is_better=lower)


@given(threshold_rules(), values)
def test_threshold_points_stay_within_the_weight(rule: Rule, value: Fraction) -> None:
    assert rule.check() == []
    points = rate(rule, value).points
    assert 0 <= points <= rule.weight
    assert points in {Decimal(0), *(p for _, p in rule.steps)}  # a step's points or none


@given(amounts, st.none() | amounts, st.integers(0, 10_000))
def test_deductions_stay_within_the_cap(weight: Decimal, cap: Decimal | None, count: int) -> None:
    points = score_item(Rule(RuleKind.PER_EVENT, weight, cap=cap), count, label="进京访", unit="批").points
    assert points <= 0
    if cap is not None:
        assert -cap <= points
    assert points == -min(weight * count, cap if cap is not None else weight * count)


@given(st.dictionaries(st.text(max_size=3), levels, max_size=12))
def test_rank_is_monotone_in_the_total(totals: dict[str, Decimal]) -> None:
    ranks = rank(totals)
    assert ranks.keys() == totals.keys()
    for a in totals:
        # competition ranking: one more than the number of units strictly ahead
        assert ranks[a] == 1 + sum(1 for b in totals if totals[b] > totals[a])
        for b in totals:
            if totals[a] > totals[b]:
                assert ranks[a] < ranks[b]
            if totals[a] == totals[b]:
                assert ranks[a] == ranks[b]


@given(st.lists(st.tuples(st.booleans(), amounts, st.integers(0, 100)), max_size=6), st.integers(0, 5))
def test_a_total_stays_within_zero_and_the_full_marks(
    drawn: list[tuple[bool, Decimal, int]], events: int
) -> None:
    items = [
        rate(
            Rule(RuleKind.LINEAR, weight, floor=D(0), target=D(100), when_empty=WhenEmpty.SKIP),
            None if skip else value,
        )
        for skip, weight, value in drawn
    ]
    items.append(score_item(Rule(RuleKind.PER_EVENT, D(1)), events, label="进京访", unit="批"))
    full = sum((item.max_points for item in items), D(0))
    total = total_of(items, full)
    assert 0 <= total <= full


text = st.text(max_size=8)
points_values = st.integers(-100_000, 100_000).map(lambda cents: Decimal(cents).scaleb(-2))
item_rows = st.builds(ItemRow, text, text, points_values, text)


@st.composite
def unit_rows(draw: st.DrawFn) -> UnitRow:
    items = draw(st.lists(item_rows, max_size=4, unique_by=lambda item: item.label))
    ranked = draw(st.none() | st.integers(1, 500))
    return UnitRow(draw(text), draw(text), tuple(items), draw(points_values), ranked)


@given(st.lists(unit_rows(), max_size=4))
def test_rows_round_trip_through_json(rows: list[UnitRow]) -> None:
    back = rows_from_json(json.loads(json.dumps(rows_to_json(rows))))
    assert back == rows
    assert [str(r.total) for r in back] == [str(r.total) for r in rows]
    keyed = by_unit(r for i, r in enumerate(rows) if all(o.unit_key != r.unit_key for o in rows[:i]))
    assert differences(keyed, keyed) == []


@given(st.lists(st.tuples(levels, amounts), max_size=6))
def test_steps_round_trip_through_text(steps: list[tuple[Decimal, Decimal]]) -> None:
    assert parse_steps(format_steps(steps)) == tuple(steps)
