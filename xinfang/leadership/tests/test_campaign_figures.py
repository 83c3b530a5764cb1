"""The pure figures of a 积案化解 campaign, against values worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.leadership import campaign_figures as f

D = dt.date
AS_OF = D(2025, 3, 12)  # a Wednesday


def _item(key: int, unit: str, leader: str | None, plan: dt.date, *dates: dt.date | None) -> f.Item:
    submitted, applied, resolved = [*dates, None, None, None][:3]
    return f.Item(
        key=key,
        unit_key=ord(unit),
        unit=unit,
        leader_key=None if leader is None else ord(leader[-1]),
        leader=leader,
        plan_on=plan,
        submitted_on=submitted,
        applied_on=applied,
        resolved_on=resolved,
        number=f"N{key}",
    )


# Six items, as of Wednesday 12 March 2025:
ITEMS = [
    _item(1, "A", "L1", D(2025, 3, 5), D(2025, 3, 4), D(2025, 3, 6), D(2025, 3, 10)),  # resolved
    _item(2, "A", "L1", D(2025, 3, 10), D(2025, 3, 8), D(2025, 3, 11)),  # applied, overdue
    _item(3, "B", "L2", D(2025, 3, 12), D(2025, 3, 12)),  # submitted, due today: not overdue
    _item(4, "B", None, D(2025, 3, 20)),  # nothing, not due
    _item(5, "B", "L2", D(2025, 3, 1)),  # nothing, overdue 11 days
    _item(6, "A", "L2", D(2025, 3, 25), D(2025, 3, 11), D(2025, 3, 11), D(2025, 3, 12)),  # early
]


def test_rates_have_one_decimal_rounded_half_up_and_a_dash_without_denominator() -> None:
    assert f.Rate(5, 6).text() == "83.3%"
    assert f.Rate(2, 3).text("％") == "66.7％"
    assert f.Rate(1, 16).text() == "6.3%"  # 6.25: half up, not to even
    assert f.Rate(6, 6).text() == "100.0%"
    assert f.Rate(0, 4).text() == "0.0%"
    assert f.Rate(0, 0).text() == "—"
    assert f.Rate(0, 0).value is None and f.Rate(0, 0).percent is None
    assert f.Rate(1, 4).value == 0.25


def test_the_whole_list_as_denominator() -> None:
    total = f.tally(ITEMS, as_of=AS_OF, denominator="all")
    assert (total.total, total.counted) == (6, 6)
    assert (total.submitted, total.applied, total.resolved, total.overdue) == (4, 3, 2, 2)
    assert total.submitted_rate.text() == "66.7%"
    assert total.resolved_rate.text() == "33.3%"
    assert total.not_submitted == 2
    assert total.stacked() == {"resolved": 2, "applied": 1, "submitted": 1, "none": 2}


def test_the_due_denominator_counts_only_items_whose_plan_date_has_come() -> None:
    total = f.tally(ITEMS, as_of=AS_OF, denominator="due")
    assert total.counted == 4  # items 1, 2, 3 and 5: item 3's plan date is today
    assert (total.submitted_counted, total.resolved_counted) == (3, 1)
    assert total.submitted_rate.text() == "75.0%"
    assert total.resolved_rate.text() == "25.0%"
    # the counts themselves still include item 6, done before its plan date
    assert (total.submitted, total.resolved) == (4, 2)


def test_an_empty_denominator_gives_a_dash() -> None:
    early = f.tally(ITEMS, as_of=D(2025, 2, 27), denominator="due")
    assert early.counted == 0
    assert early.submitted_rate.text() == early.resolved_rate.text() == "—"
    empty = f.tally([], as_of=AS_OF, denominator="all")
    assert (empty.total, empty.resolved_rate.text()) == (0, "—")
    assert f.meets_target(empty.resolved_rate, Decimal(90)) is None


def test_unknown_denominators_and_periods_are_refused() -> None:
    with pytest.raises(ValueError):
        f.tally(ITEMS, as_of=AS_OF, denominator="closed")
    with pytest.raises(ValueError):
        f.period_bounds("quarter", AS_OF)


def test_overdue_means_past_the_plan_date_and_not_resolved_as_of_the_date() -> None:
    assert [item.key for item in f.overdue_items(ITEMS, as_of=AS_OF)] == [5, 2]  # longest first
    assert ITEMS[4].days_overdue(AS_OF) == 11
    assert not ITEMS[2].overdue(AS_OF)  # the plan date itself is still in time
    assert ITEMS[2].overdue(D(2025, 3, 13))  # submitted, but not resolved, by the day after
    # As of 9 March, item 1 (plan 5 March, resolved only on 10 March) was overdue; item 2 not yet.
    assert [item.key for item in f.overdue_items(ITEMS, as_of=D(2025, 3, 9))] == [5, 1]
    assert ITEMS[0].days_overdue(AS_OF) == 0


def test_milestones_count_only_once_their_date_has_come() -> None:
    assert ITEMS[1].stage_as_of(AS_OF) == "applied"
    assert ITEMS[1].stage_as_of(D(2025, 3, 9)) == "submitted"
    assert ITEMS[1].stage_as_of(D(2025, 3, 7)) == "none"
    before = f.tally(ITEMS, as_of=D(2025, 3, 9), denominator="all")
    assert (before.submitted, before.applied, before.resolved) == (2, 1, 0)


def test_rows_per_unit_and_per_leader() -> None:
    units = f.by_unit(ITEMS, as_of=AS_OF, denominator="all")
    assert [(u.label, u.total, u.submitted, u.applied, u.resolved, u.overdue) for u in units] == [
        ("A", 3, 3, 3, 2, 1),
        ("B", 3, 1, 0, 0, 1),
    ]
    assert [(u.submitted_rate.text(), u.resolved_rate.text()) for u in units] == [
        ("100.0%", "66.7%"),
        ("33.3%", "0.0%"),
    ]
    assert units[1].stacked() == {"resolved": 0, "applied": 0, "submitted": 1, "none": 2}
    leaders = f.by_leader(ITEMS, as_of=AS_OF, denominator="all")
    assert [(r.label, r.total, r.resolved, r.resolved_rate.text()) for r in leaders] == [
        ("L2", 3, 1, "33.3%"),
        ("L1", 2, 1, "50.0%"),
        (f.NO_LEADER, 1, 0, "0.0%"),
    ]
    assert leaders[-1].key is None


def test_week_and_month_bounds_and_the_campaign_week() -> None:
    assert f.period_bounds("week", AS_OF) == f.Period("week", D(2025, 3, 10), D(2025, 3, 16))
    assert f.period_bounds("week", D(2025, 3, 16)).start == D(2025, 3, 10)  # Sunday ends the week
    assert f.period_bounds("week", D(2025, 3, 17)).start == D(2025, 3, 17)
    assert f.period_bounds("month", D(2024, 2, 10)) == f.Period("month", D(2024, 2, 1), D(2024, 2, 29))
    assert f.period_bounds("month", D(2025, 12, 31)).end == D(2025, 12, 31)
    received = D(2025, 2, 26)  # a Wednesday: its week (from Monday 24 February) is 第1周
    assert f.campaign_week(received, D(2025, 2, 24)) == 1
    assert f.campaign_week(received, D(2025, 3, 2)) == 1
    assert f.campaign_week(received, D(2025, 3, 3)) == 2
    assert f.campaign_week(received, AS_OF) == 3
    assert f.period_bounds("week", AS_OF).label(received) == "第3周"
    assert f.period_bounds("month", AS_OF).label(received) == "3月"
    assert f.period_bounds("month", D(2026, 1, 5)).label(received) == "2026年1月"


def test_period_progress_counts_what_reached_each_milestone_within_the_period() -> None:
    week = f.period_progress(ITEMS, kind="week", as_of=AS_OF)
    assert (week.until, week.submitted, week.applied, week.resolved) == (AS_OF, 2, 2, 2)
    month = f.period_progress(ITEMS, kind="month", as_of=AS_OF)
    assert (month.submitted, month.applied, month.resolved) == (4, 3, 2)
    # the week of 3 March, as of its Sunday: items 1 and 2 submitted, item 1 applied
    earlier = f.period_progress(ITEMS, kind="week", as_of=D(2025, 3, 9))
    assert (earlier.period.start, earlier.submitted, earlier.applied, earlier.resolved) == (
        D(2025, 3, 3),
        2,
        1,
        0,
    )
    assert f.progress_sentence(week, label="第3周") == (
        "本周（第3周，3月10日至3月12日）新增办结提交2件、申请化解2件、实体化解2件。"
    )
    quiet = f.period_progress(ITEMS, kind="week", as_of=D(2025, 3, 2))
    assert "没有新增" in f.progress_sentence(quiet, label="第1周")


def test_the_headline_in_the_reports_phrasing() -> None:
    total = f.tally(ITEMS, as_of=AS_OF, denominator="all")
    assert f.headline(
        name="中央第三批交办信访积案",
        handed_down=True,
        place="我县",
        figures=total,
        denominator="all",
        target=Decimal("90.0"),
    ) == (
        "中央第三批交办我县共6件信访积案，已办结提交4件，办结提交率66.7％，已申请化解3件，"
        "已实体化解2件，化解率33.3％（目标90％）。"
    )
    due = f.tally(ITEMS, as_of=AS_OF, denominator="due")
    assert f.headline(name="中央第三批", handed_down=True, place="我县", figures=due, denominator="due") == (
        "中央第三批交办我县共6件信访积案，计划完成时间已到的4件，其中已办结提交3件，办结提交率75.0％，"
        "已申请化解3件，已实体化解1件，化解率25.0％。"
    )
    local = f.headline(name="2025年度", handed_down=False, place="我市", figures=total, denominator="all")
    assert local.startswith("2025年度我市排查列入化解的信访积案共6件，")


def test_titles_and_place_words() -> None:
    assert f.report_title("中央第三批交办信访积案") == "中央第三批交办信访积案化解工作进展情况通报"
    assert f.report_title("中央第三批") == "中央第三批积案化解工作进展情况通报"
    assert f.report_title("2025年积案化解攻坚") == "2025年积案化解攻坚工作进展情况通报"
    assert f.place_word("青山县", "county") == "我县"
    assert f.place_word("示例市", "city") == "我市"
    assert f.place_word("东城区", "county") == "我区"
    assert f.place_word("示例", "province") == "我省"
    assert f.target_text(Decimal("92.5")) == "92.5%"
    assert f.meets_target(f.Rate(9, 10), Decimal(90)) is True
    assert f.meets_target(f.Rate(8, 10), Decimal("80.1")) is False


# ---------------------------------------------------------------- properties

DAY0 = D(2025, 1, 1)


@st.composite
def items(draw: st.DrawFn) -> f.Item:
    """An item whose milestones keep their order (as the services and the constraints keep it)."""
    plan = DAY0 + dt.timedelta(days=draw(st.integers(0, 90)))
    dates: list[dt.date | None] = []
    day = DAY0
    for _ in range(3):
        if draw(st.booleans()):
            day = day + dt.timedelta(days=draw(st.integers(0, 40)))
            dates.append(day)
        else:
            break
    dates += [None] * (3 - len(dates))
    unit = draw(st.sampled_from("ABC"))
    leader = draw(st.sampled_from(["L1", "L2", None]))
    return _item(draw(st.integers(1, 10**6)), unit, leader, plan, *dates)


@given(
    rows=st.lists(items(), max_size=30),
    offset=st.integers(-10, 150),
    denominator=st.sampled_from(f.DENOMINATORS),
)
def test_rates_stay_within_zero_and_one_and_the_milestones_nest(
    rows: list[f.Item], offset: int, denominator: str
) -> None:
    as_of = DAY0 + dt.timedelta(days=offset)
    total = f.tally(rows, as_of=as_of, denominator=denominator)
    for rate in (total.submitted_rate, total.resolved_rate):
        assert rate.value is None or 0 <= rate.value <= 1
        assert (rate.value is None) == (total.counted == 0)
    assert total.resolved <= total.applied <= total.submitted <= total.total
    assert total.resolved_counted <= total.submitted_counted <= total.counted <= total.total
    assert total.overdue <= total.total - total.resolved
    assert sum(total.stacked().values()) == total.total
    assert all(n >= 0 for n in total.stacked().values())
    for grouped in (f.by_unit, f.by_leader):
        parts = grouped(rows, as_of=as_of, denominator=denominator)
        assert sum(p.total for p in parts) == total.total
        assert sum(p.resolved for p in parts) == total.resolved
        assert sum(p.overdue for p in parts) == total.overdue
