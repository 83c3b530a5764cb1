"""The indicator formulas on hand-worked counts: each expected figure is worked out in the test."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.statistics.indicators import (
    TIMELY_ACCEPTANCE_DAYS,
    AcceptanceBucket,
    AcceptanceTally,
    Change,
    ClosureBucket,
    ClosureTally,
    Comparison,
    Direction,
    OneTimeRule,
    PointChange,
    Ratio,
    SatisfactionCaseload,
    SatisfactionTally,
    Tally,
    Track,
    acceptance_bucket,
    acceptance_due,
    acceptance_rate,
    closure_bucket,
    closure_rate,
    comparison_period,
    entered_in_time,
    entry_timeliness_rate,
    is_collective,
    one_time_resolution_rate,
    online_once_closed_rate,
    per_ten_thousand,
    repeat_rate,
    round_half_up,
    share,
    shares,
    top_categories,
    total,
)

counts = st.integers(min_value=0, max_value=10**9)


# --- rounding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(18929, 200), 2, "94.65"),  # 94.645: a float rounds it down to 94.64
        (Fraction(1, 8), 2, "0.13"),  # 0.125, the tie goes up (round(0.125, 2) is 0.12)
        (Fraction(-1, 8), 2, "-0.13"),  # and away from zero below it
        (Fraction(45, 100), 1, "0.5"),
        (Fraction(44999, 100000), 1, "0.4"),
        (Fraction(5, 2), 0, "3"),  # not banker's 2
        (Fraction(1, 3), 2, "0.33"),
        (0, 1, "0.0"),
        (12, 1, "12.0"),
    ],
)
def test_round_half_up_takes_ties_away_from_zero(value: Fraction, places: int, expected: str) -> None:
    assert round_half_up(value, places) == Decimal(expected)
    assert str(round_half_up(value, places)) == expected


def test_round_half_up_refuses_negative_places() -> None:
    with pytest.raises(ValueError):
        round_half_up(1, -1)


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6), st.integers(0, 4))
def test_round_half_up_is_within_half_a_unit(numerator: int, denominator: int, places: int) -> None:
    exact = Fraction(numerator, denominator)
    rounded = Fraction(round_half_up(exact, places))
    unit = Fraction(1, 10**places)
    assert abs(rounded - exact) <= unit / 2
    assert round_half_up(exact, places).as_tuple().exponent == -places


@given(st.integers(-(10**9), 10**9), st.integers(0, 4))
def test_an_exact_tie_always_goes_away_from_zero(units: int, places: int) -> None:
    # (units + ½) in the last place: the tie goes to units + 1 above zero, units below it
    tie = (Fraction(units) + Fraction(1, 2)) / 10**places
    away = units + 1 if units >= 0 else units
    assert round_half_up(tie, places) == Decimal(away).scaleb(-places)


# --- ratios, totals and shares -------------------------------------------------------------------


def test_a_ratio_with_an_empty_denominator_has_no_value() -> None:
    empty = Ratio(0, 0)
    assert empty.empty
    assert empty.value is None
    assert empty.percent() is None
    assert empty.scaled(10_000, 2) is None


def test_a_ratio_gives_its_percentage() -> None:
    # 1893 / 2000 = 0.9465 → 94.65%
    assert Ratio(1893, 2000).percent(2) == Decimal("94.65")
    # 2 / 3 = 66.666…% → 66.67% (two decimals), 66.7% (one)
    assert Ratio(2, 3).percent(2) == Decimal("66.67")
    assert Ratio(2, 3).percent(1) == Decimal("66.7")


def test_counts_are_never_negative() -> None:
    with pytest.raises(ValueError):
        Ratio(-1, 3)
    with pytest.raises(ValueError):
        Tally(1, -1)
    with pytest.raises(ValueError):
        Change(-1, 0)


def test_a_rate_cannot_exceed_its_base() -> None:
    with pytest.raises(ValueError):
        share(3, 2)
    with pytest.raises(ValueError):
        repeat_rate(5, 4)


def test_total_sums_matters_and_persons() -> None:
    letters, visits, online = Tally(1102, 1250), Tally(1530, 2981), Tally(1578, 2604)
    # 1102 + 1530 + 1578 = 4210 件次; 1250 + 2981 + 2604 = 6835 人次
    assert total([letters, visits, online]) == Tally(4210, 6835)
    assert total([]) == Tally(0, 0)


def test_a_tally_gives_its_share_of_a_whole() -> None:
    by_count, by_persons = Tally(58, 1204).share_of(Tally(1530, 2981))
    # 58 / 1530 = 3.79…% → 3.8%; 1204 / 2981 = 40.38…% → 40.4%
    assert by_count.percent(1) == Decimal("3.8")
    assert by_persons.percent(1) == Decimal("40.4")


def test_a_collective_visit_starts_at_the_threshold() -> None:
    assert not is_collective(4)
    assert is_collective(5)  # exactly the threshold counts
    assert is_collective(3, threshold=3)


def test_shares_of_a_partition_default_to_its_sum() -> None:
    result = shares({"来信": 1102, "来访": 1530, "网上信访": 1578})
    # 1102/4210 = 26.18% → 26.2; 1530/4210 = 36.34% → 36.3; 1578/4210 = 37.48% → 37.5
    assert {k: r.percent(1) for k, r in result.items()} == {
        "来信": Decimal("26.2"),
        "来访": Decimal("36.3"),
        "网上信访": Decimal("37.5"),
    }
    assert shares({}) == {}
    assert shares({"来信": 0}) == {"来信": Ratio(0, 0)}


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 10**6), max_size=12))
def test_shares_of_a_partition_add_up_to_a_hundred_within_rounding(parts: dict[str, int]) -> None:
    ratios = shares(parts)
    if sum(parts.values()) == 0:
        assert all(r.value is None for r in ratios.values())
        return
    assert sum(r.value or 0 for r in ratios.values()) == 1
    rounded = sum((r.percent(1) or Decimal(0) for r in ratios.values()), Decimal(0))
    assert abs(rounded - 100) <= Decimal("0.05") * len(parts)


def test_top_categories_ranks_by_count_then_name() -> None:
    counts = {"城乡建设": 820, "政法": 610, "自然资源": 540, "农村农业": 480, "劳动保障": 430, "其他": 0}
    counts |= {"卫生健康": 430, "教育": 300, "交通运输": 600}
    top = top_categories(counts, 5)
    # total 820+610+540+480+430+430+300+600 = 4210; the tie at 430 goes by name (劳动保障 < 卫生健康)
    assert [(r.rank, r.key, r.count) for r in top.rows] == [
        (1, "城乡建设", 820),
        (2, "政法", 610),
        (3, "交通运输", 600),
        (4, "自然资源", 540),
        (5, "农村农业", 480),
    ]
    assert top.total == 4210
    # 820 / 4210 = 19.477…% → 19.5%
    assert top.rows[0].share.percent(1) == Decimal("19.5")
    # 820+610+600+540+480 = 3050; 3050 / 4210 = 72.446…% → 72.4%; the rest 1160
    assert top.covered.percent(1) == Decimal("72.4")
    assert top.others == 1160


def test_top_categories_of_nothing_is_empty() -> None:
    top = top_categories({"城乡建设": 0}, 5)
    assert top.rows == ()
    assert top.covered.value is None
    with pytest.raises(ValueError):
        top_categories({}, -1)


def test_top_categories_may_share_out_of_a_larger_whole() -> None:
    # level-2 categories of one level-1 field, shared out of all 4210 matters: 300 / 4210 = 7.1%
    top = top_categories({"房屋征收": 300, "物业管理": 200}, 1, whole=4210)
    assert top.rows[0].share.percent(1) == Decimal("7.1")
    assert top.others == 3910


def test_repeat_rate_is_repeated_over_all() -> None:
    # 群众重复信访超过三成: 1290 重复件次 / 4210 总件次 = 30.64%
    assert repeat_rate(1290, 4210).percent(2) == Decimal("30.64")
    assert repeat_rate(0, 0).value is None


def test_per_ten_thousand_inhabitants() -> None:
    # 4210 件次 in a city of 3,120,000: 4210 × 10000 / 3120000 = 13.4935… → 13.49
    assert per_ten_thousand(4210, 3_120_000) == Decimal("13.49")
    assert per_ten_thousand(4210, 3_120_000, places=1) == Decimal("13.5")
    assert per_ten_thousand(4210, None) is None  # population not recorded
    assert per_ten_thousand(4210, 0) is None


# --- acceptance, closure, entry -------------------------------------------------------------------


def test_acceptance_is_due_fifteen_or_thirty_days_after_registration() -> None:
    registered = date(2025, 3, 1)
    assert TIMELY_ACCEPTANCE_DAYS == {Track.DEPARTMENT: 15, Track.UNIT: 30}
    assert acceptance_due(registered, Track.DEPARTMENT) == date(2025, 3, 16)
    assert acceptance_due(registered, Track.UNIT) == date(2025, 3, 31)
    assert acceptance_due(registered, Track.UNIT, {Track.UNIT: 10}) == date(2025, 3, 11)
    assert Track.UNIT.label == "责任单位"


def test_acceptance_buckets() -> None:
    due, as_of = date(2025, 3, 16), date(2025, 4, 1)
    assert acceptance_bucket(due=due, accepted_on=date(2025, 3, 16), as_of=as_of) is AcceptanceBucket.ON_TIME
    assert acceptance_bucket(due=due, accepted_on=date(2025, 3, 17), as_of=as_of) is AcceptanceBucket.LATE
    assert acceptance_bucket(due=due, accepted_on=None, as_of=as_of) is AcceptanceBucket.OVERDUE
    assert acceptance_bucket(due=due, accepted_on=None, as_of=due) is AcceptanceBucket.PENDING
    assert AcceptanceBucket.OVERDUE.label == "超期未受理"


def test_timely_acceptance_rate_per_track() -> None:
    department = AcceptanceTally(on_time=380, late=15, overdue=5)
    unit = AcceptanceTally.of(
        [AcceptanceBucket.ON_TIME] * 9 + [AcceptanceBucket.LATE, AcceptanceBucket.PENDING]
    )
    # 380 / (380 + 15 + 5) = 95.00%
    assert department.timely_rate.percent(2) == Decimal("95.00")
    # the pending matter is in no bucket: 9 / (9 + 1 + 0) = 90.00%
    assert unit == AcceptanceTally(9, 1, 0)
    assert unit.timely_rate.percent(2) == Decimal("90.00")
    assert AcceptanceTally().timely_rate.value is None


def test_acceptance_and_closure_rates() -> None:
    # 受理 3980 of 4210 应受理 = 94.536…% → 94.54%; 办结 3712 of 3980 受理 = 93.266…% → 93.27%
    assert acceptance_rate(3980, 4210).percent(2) == Decimal("94.54")
    assert closure_rate(3712, 3980).percent(2) == Decimal("93.27")
    assert closure_rate(0, 0).value is None


def test_closure_buckets() -> None:
    due, as_of = date(2025, 5, 30), date(2025, 6, 30)
    assert closure_bucket(due=due, closed_on=date(2025, 5, 30), as_of=as_of) is ClosureBucket.ON_TIME
    assert closure_bucket(due=due, closed_on=date(2025, 5, 31), as_of=as_of) is ClosureBucket.LATE
    assert closure_bucket(due=due, closed_on=None, as_of=as_of) is ClosureBucket.OVERDUE
    assert closure_bucket(due=due, closed_on=None, as_of=date(2025, 5, 30)) is ClosureBucket.PENDING
    assert ClosureBucket.PENDING.label == "未答复"


def test_on_time_closure_rate_counts_all_four_buckets() -> None:
    tally = ClosureTally(on_time=900, late=40, pending=50, overdue=10)
    # 900 / (900 + 40 + 50 + 10) = 90.00%; 超期件数 40 + 10 = 50
    assert tally.on_time_rate.percent(2) == Decimal("90.00")
    assert tally.overdue_count == 50
    assert ClosureTally.of([ClosureBucket.ON_TIME, ClosureBucket.OVERDUE]) == ClosureTally(1, 0, 0, 1)
    assert ClosureTally().on_time_rate.value is None


def test_entry_timeliness() -> None:
    received = date(2025, 6, 2)
    assert entered_in_time(received, date(2025, 6, 2))
    assert entered_in_time(received, date(2025, 6, 3))  # the next day is still in time (N = 1)
    assert not entered_in_time(received, date(2025, 6, 4))
    assert entered_in_time(received, date(2025, 6, 4), days=3)
    # 1,480 of 1,530 visits entered in time: 96.732…% → 96.73%
    assert entry_timeliness_rate(1480, 1530).percent(2) == Decimal("96.73")


# --- one-time resolution --------------------------------------------------------------------------


def test_one_time_rule_fails_on_a_repeat_within_the_window_or_an_appeal() -> None:
    rule = OneTimeRule(repeat_window_days=90)
    closed = date(2025, 3, 1)
    assert rule.resolved(closed_on=closed, repeated_on=None, appealed=False)
    assert not rule.resolved(closed_on=closed, repeated_on=closed + timedelta(days=90), appealed=False)
    assert rule.resolved(closed_on=closed, repeated_on=closed + timedelta(days=91), appealed=False)
    assert not rule.resolved(closed_on=closed, repeated_on=date(2025, 2, 20), appealed=False)  # while open
    assert not rule.resolved(closed_on=closed, repeated_on=None, appealed=True)


def test_one_time_rule_parts_can_be_switched_off() -> None:
    closed = date(2025, 3, 1)
    lenient = OneTimeRule(count_repeats=False, count_appeals=False)
    assert lenient.resolved(closed_on=closed, repeated_on=closed, appealed=True)
    assert OneTimeRule(count_appeals=False).resolved(closed_on=closed, repeated_on=None, appealed=True)


def test_one_time_rule_settles_when_the_window_has_run_out() -> None:
    rule = OneTimeRule(repeat_window_days=30)
    assert not rule.settled(closed_on=date(2025, 6, 1), as_of=date(2025, 7, 1))
    assert rule.settled(closed_on=date(2025, 6, 1), as_of=date(2025, 7, 2))


def test_one_time_resolution_and_online_once_closed_rates() -> None:
    # 1893 resolved at once of 2000 first-time matters closed = 94.65%
    assert one_time_resolution_rate(1893, 2000).percent(2) == Decimal("94.65")
    # 1500 of 1578 online matters closed once = 95.057…% → 95.06%
    assert online_once_closed_rate(1500, 1578).percent(2) == Decimal("95.06")
    assert online_once_closed_rate(0, 0).value is None


# --- satisfaction ---------------------------------------------------------------------------------


def test_satisfaction_caseload() -> None:
    caseload = SatisfactionCaseload(total=1200, closed=1100, rated=950)
    assert caseload.open == 100
    with pytest.raises(ValueError):
        SatisfactionCaseload(total=10, closed=11, rated=0)


def test_participation_and_satisfaction_rates() -> None:
    tally = SatisfactionTally(
        satisfied=800, basically_satisfied=100, dissatisfied=50, expired=50, awaiting=200
    )
    # rated 800 + 100 + 50 = 950; 参评率 950 / (950 + 50) = 95.00% (the 200 awaiting are left out)
    assert tally.rated == 950
    assert tally.participation_rate.percent(2) == Decimal("95.00")
    # 满意率 (800 + 100) / 950 = 94.736…% → 94.74%
    assert tally.satisfaction_rate.percent(2) == Decimal("94.74")
    # 基本满意 100 / 950 = 10.526…% → 10.53%; 不满意 50 / 950 = 5.263…% → 5.26%; 满意 800/950 → 84.21%
    assert tally.basically_satisfied_share.percent(2) == Decimal("10.53")
    assert tally.dissatisfied_share.percent(2) == Decimal("5.26")
    assert tally.fully_satisfied_share.percent(2) == Decimal("84.21")


def test_an_unrated_expired_matter_may_be_deemed_satisfied() -> None:
    deemed = SatisfactionTally(
        satisfied=800, basically_satisfied=100, dissatisfied=50, expired=50
    ).deemed_satisfied()
    # every closed matter is rated: 参评率 100%; 满意率 (850 + 100) / 1000 = 95.00%
    assert deemed.participation_rate.percent(2) == Decimal("100.00")
    assert deemed.satisfaction_rate.percent(2) == Decimal("95.00")


def test_satisfaction_with_nothing_rated_is_empty() -> None:
    tally = SatisfactionTally(awaiting=12)
    assert tally.participation_rate.value is None
    assert tally.satisfaction_rate.value is None


@given(counts, counts, counts, counts, counts)
def test_satisfaction_rates_lie_between_zero_and_one(s: int, b: int, d: int, e: int, a: int) -> None:
    tally = SatisfactionTally(s, b, d, e, a)
    for rate in (tally.participation_rate, tally.satisfaction_rate, tally.dissatisfied_share):
        assert rate.value is None or 0 <= rate.value <= 1
    shares_sum = [tally.fully_satisfied_share, tally.basically_satisfied_share, tally.dissatisfied_share]
    assert tally.rated == 0 or sum(r.value or 0 for r in shares_sum) == 1


@given(counts, counts, counts, counts)
def test_bucket_rates_lie_between_zero_and_one(a: int, b: int, c: int, d: int) -> None:
    for rate in (AcceptanceTally(a, b, c).timely_rate, ClosureTally(a, b, c, d).on_time_rate):
        assert rate.value is None or 0 <= rate.value <= 1
        assert rate.percent(2) is None or Decimal(0) <= (rate.percent(2) or 0) <= 100


@given(counts, counts)
def test_a_rate_is_empty_exactly_when_its_base_is(part: int, extra: int) -> None:
    rate = share(part, part + extra)
    assert (rate.value is None) == (part + extra == 0)


# --- comparisons ----------------------------------------------------------------------------------


def test_a_change_against_the_previous_year() -> None:
    # 41 against 52: (41 − 52) / 52 = −21.153…% → −21.2%
    change = Change(41, 52)
    assert change.delta == -11
    assert change.percent(1) == Decimal("-21.2")
    assert change.direction() is Direction.DOWN
    # 58 against 55: 3 / 55 = 5.454…% → 5.5%
    assert Change(58, 55).percent(1) == Decimal("5.5")
    assert Change(58, 55).direction() is Direction.UP


def test_a_change_from_zero_has_no_percentage() -> None:
    change = Change(3, 0)
    assert change.zero_base
    assert change.relative is None
    assert change.percent() is None
    assert change.direction() is Direction.UP
    assert Change(0, 0).direction() is Direction.FLAT


def test_a_change_that_rounds_to_zero_is_flat() -> None:
    # 10001 against 10000: 0.01% → 0.0% at one decimal: written 持平
    assert Change(10001, 10000).percent(1) == Decimal("0.0")
    assert Change(10001, 10000).direction(1) is Direction.FLAT
    assert Change(10001, 10000).direction(2) is Direction.UP


def test_a_change_at_a_tie_rounds_half_up() -> None:
    # 2049 against 2000: 2.45% exactly, a tie → 2.5%
    assert Change(2049, 2000).percent(1) == Decimal("2.5")
    # 1951 against 2000: −2.45% → −2.5%, away from zero
    assert Change(1951, 2000).percent(1) == Decimal("-2.5")


@given(counts, counts, st.integers(0, 3))
def test_the_direction_follows_the_sign_of_the_written_change(
    current: int, previous: int, places: int
) -> None:
    change = Change(current, previous)
    percent = change.percent(places)
    direction = change.direction(places)
    if percent is None:
        assert previous == 0
        assert (direction is Direction.UP) == (current > 0)
    else:
        assert (percent > 0) == (direction is Direction.UP)
        assert (percent < 0) == (direction is Direction.DOWN)
        assert (percent == 0) == (direction is Direction.FLAT)
        assert percent >= -100


def test_a_rate_changes_in_percentage_points() -> None:
    # 95.00% against 93.75% (75/80): +1.25 points
    change = PointChange(Ratio(95, 100), Ratio(75, 80))
    assert change.points(2) == Decimal("1.25")
    assert change.direction() is Direction.UP
    assert PointChange(Ratio(1, 2), Ratio(0, 0)).points() is None
    assert PointChange(Ratio(1, 2), Ratio(0, 0)).direction() is None
    assert PointChange(Ratio(1, 2), Ratio(2, 4)).direction() is Direction.FLAT


@pytest.mark.parametrize(
    ("period", "comparison", "expected"),
    [
        # a half-year: the same half a year earlier, or the half-year before it
        ((date(2025, 1, 1), date(2025, 6, 30)), Comparison.YOY, (date(2024, 1, 1), date(2024, 6, 30))),
        ((date(2025, 1, 1), date(2025, 6, 30)), Comparison.MOM, (date(2024, 7, 1), date(2024, 12, 31))),
        # a month: the month before, whatever its length
        ((date(2025, 3, 1), date(2025, 3, 31)), Comparison.MOM, (date(2025, 2, 1), date(2025, 2, 28))),
        # February of a leap year against the February before, and back
        ((date(2024, 2, 1), date(2024, 2, 29)), Comparison.YOY, (date(2023, 2, 1), date(2023, 2, 28))),
        ((date(2025, 2, 1), date(2025, 2, 28)), Comparison.YOY, (date(2024, 2, 1), date(2024, 2, 29))),
        # "截至6月30日" from mid-month, and any other run of days: its length in days earlier
        ((date(2025, 6, 10), date(2025, 6, 19)), Comparison.MOM, (date(2025, 5, 31), date(2025, 6, 9))),
        ((date(2025, 6, 10), date(2025, 6, 19)), Comparison.YOY, (date(2024, 6, 10), date(2024, 6, 19))),
    ],
)
def test_comparison_period(
    period: tuple[date, date], comparison: Comparison, expected: tuple[date, date]
) -> None:
    assert comparison_period(*period, comparison) == expected


def test_a_comparison_period_must_run_forwards() -> None:
    with pytest.raises(ValueError):
        comparison_period(date(2025, 2, 1), date(2025, 1, 1), Comparison.YOY)


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)), st.integers(0, 400))
def test_a_comparison_period_ends_before_the_period_starts_for_mom(start: date, days: int) -> None:
    end = start + timedelta(days=days)
    before_start, before_end = comparison_period(start, end, Comparison.MOM)
    assert before_end < start
    assert before_start <= before_end
