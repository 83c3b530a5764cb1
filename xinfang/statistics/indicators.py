"""Every figure of a work report as arithmetic over plain counts (pure: no Django, no database).

The selectors count cases in the database; this module turns those counts into the figures a bureau
reports: totals in 件次/批次 and 人次, shares, rates, figures per 10,000 inhabitants and changes
against a comparison period. The wording (rounding as reports round, direction words, "—" for an
empty rate) is :mod:`xinfang.statistics.wording`. ``docs/statistics.md`` tables every indicator.

Conventions:

- A rate or share is a :class:`Ratio` of two counts. Its value is ``None`` when the denominator is
  zero (a county with no online petitions has no 网上信访一次办结率): never a ZeroDivisionError.
- Arithmetic is exact (:class:`fractions.Fraction`); :func:`round_half_up` rounds once, at the end,
  ties away from zero as reports do (94.645% is written 94.65%, not banker's 94.64%).
- Each docstring gives the definition and its source: an article of the 《信访工作条例》 (2022),
  ``DOMAIN.md`` §3/§4, or "common practice, configurable" where no national formula was found; the
  parameters of the latter have module-level defaults.
- A rate counts only what its docstring says; choosing the cases (初件 only, by 限办截止时间, within
  the organisation's territory) is the selector's work.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

__all__ = [
    "COLLECTIVE_THRESHOLD",
    "ENTRY_DAYS",
    "PER_CAPITA_BASE",
    "TIMELY_ACCEPTANCE_DAYS",
    "AcceptanceBucket",
    "AcceptanceTally",
    "Change",
    "ClosureBucket",
    "ClosureTally",
    "Comparison",
    "Direction",
    "OneTimeRule",
    "PointChange",
    "Ranked",
    "Ratio",
    "SatisfactionCaseload",
    "SatisfactionTally",
    "Tally",
    "TopCategories",
    "Track",
    "acceptance_bucket",
    "acceptance_due",
    "acceptance_rate",
    "closure_bucket",
    "closure_rate",
    "comparison_period",
    "entered_in_time",
    "entry_timeliness_rate",
    "is_collective",
    "on_spot_resolution_rate",
    "one_time_resolution_rate",
    "online_once_closed_rate",
    "ownership_resolution_rate",
    "per_ten_thousand",
    "repeat_rate",
    "round_half_up",
    "share",
    "shares",
    "top_categories",
    "total",
]

# 集体访: 5 or more people (DOMAIN §4: standard practice, the Hebei buckets start at 5; unconfirmed as
# a national text). The installation's setting XINFANG_COLLECTIVE_THRESHOLD is passed in by callers.
COLLECTIVE_THRESHOLD = 5
# 录入及时: registered no later than the day after receipt. 第二十一条 asks that every matter be entered
# in the 信访信息系统 but sets no period: common practice, configurable.
ENTRY_DAYS = 1
PER_CAPITA_BASE = 10_000


def _check_counts(**counts: int) -> None:
    for name, value in counts.items():
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")


def round_half_up(value: Fraction | int, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, a tie going away from zero (ROUND_HALF_UP).

    Exact for any fraction: ``round_half_up(Fraction(18929, 200), 2)`` is ``Decimal("94.65")``, where
    ``round(94.645, 2)`` on a float gives 94.64. Reports round this way (common practice)."""
    if places < 0:
        raise ValueError("places must not be negative")
    exact = Fraction(value)
    scaled = abs(exact) * 10**places
    # floor(x + 1/2) for x = n/d is (2n + d) // 2d: integer arithmetic, no binary float in between.
    magnitude = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(-magnitude if exact < 0 else magnitude).scaleb(-places)


@dataclass(frozen=True)
class Ratio:
    """``numerator`` over ``denominator``, two non-negative counts; empty when the denominator is 0."""

    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        _check_counts(numerator=self.numerator, denominator=self.denominator)

    @property
    def empty(self) -> bool:
        return self.denominator == 0

    @property
    def value(self) -> Fraction | None:
        return None if self.empty else Fraction(self.numerator, self.denominator)

    def scaled(self, factor: int, places: int) -> Decimal | None:
        """``numerator × factor ÷ denominator`` rounded half up, or None when empty."""
        value = self.value
        return None if value is None else round_half_up(value * factor, places)

    def percent(self, places: int = 2) -> Decimal | None:
        """The ratio in percent: ``Ratio(1893, 2000).percent(2)`` is ``Decimal("94.65")``."""
        return self.scaled(100, places)


def _rate(part: int, whole: int, what: str) -> Ratio:
    """A rate: the part is a subset of the whole, so it can never exceed it."""
    ratio = Ratio(part, whole)
    if part > whole:
        raise ValueError(f"{what}: {part} exceeds its base {whole}")
    return ratio


# --- totals and shares ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """A count and the people in it: 件次 and 人次 for matters, 批次 and 人次 for visits.

    DOMAIN §4: 信访件次 counts distinct 信访件编号 and 信访人次 sums 信访人数; visits are counted in
    批 and 人次 ("到市走访110批1731人次"), letters and online petitions in 件/件次."""

    count: int
    persons: int

    def __post_init__(self) -> None:
        _check_counts(count=self.count, persons=self.persons)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, self.persons + other.persons)

    def share_of(self, whole: Tally) -> tuple[Ratio, Ratio]:
        """This tally's share of ``whole``, by count and by persons."""
        return share(self.count, whole.count), share(self.persons, whole.persons)


def total(tallies: Iterable[Tally]) -> Tally:
    """The sum of tallies (信访总量 = 来信 + 来访 + 网上信访 + 电话 + others): DOMAIN §4."""
    result = Tally(0, 0)
    for tally in tallies:
        result = result + tally
    return result


def is_collective(headcount: int, threshold: int = COLLECTIVE_THRESHOLD) -> bool:
    """集体访: a visit by ``threshold`` or more people, the threshold itself included (DOMAIN §4)."""
    return headcount >= threshold


def share(part: int, whole: int) -> Ratio:
    """占比: ``part ÷ whole`` (网信占比 = online ÷ all, DOMAIN §4; any breakdown's share)."""
    return _rate(part, whole, "share")


def shares(parts: Mapping[str, int], whole: int | None = None) -> dict[str, Ratio]:
    """Each part's share of ``whole`` (default: the sum of the parts, for a partition)."""
    base = sum(parts.values()) if whole is None else whole
    return {key: share(count, base) for key, count in parts.items()}


@dataclass(frozen=True)
class Ranked:
    """One row of a top-N list: its rank (1-based), key, count and share of the total."""

    rank: int
    key: str
    count: int
    share: Ratio


@dataclass(frozen=True)
class TopCategories:
    """The top N of a breakdown and what they cover ("以上5类信访问题约占总量的六成")."""

    rows: tuple[Ranked, ...]
    total: int

    @property
    def covered(self) -> Ratio:
        return share(sum(row.count for row in self.rows), self.total)

    @property
    def others(self) -> int:
        return self.total - sum(row.count for row in self.rows)


def top_categories(counts: Mapping[str, int], n: int, whole: int | None = None) -> TopCategories:
    """The ``n`` largest non-zero counts with their shares of ``whole`` (default: the sum).

    Ordered by count, largest first; equal counts by key, so the list is the same on every run.
    Common practice, configurable (N; level 1 or 2 of 内容分类 is the caller's breakdown)."""
    if n < 0:
        raise ValueError("n must not be negative")
    base = sum(counts.values()) if whole is None else whole
    ordered = sorted(((k, c) for k, c in counts.items() if c > 0), key=lambda kc: (-kc[1], kc[0]))
    rows = tuple(
        Ranked(rank, key, count, share(count, base)) for rank, (key, count) in enumerate(ordered[:n], 1)
    )
    return TopCategories(rows, base)


def repeat_rate(repeated: int, total_count: int) -> Ratio:
    """重复信访率 = 重复件次 ÷ 总件次 (DOMAIN §4). 重复 = 同人同事: the same person and the same
    matter, linked by 重复信访件编号; the count is the selector's."""
    return _rate(repeated, total_count, "repeat_rate")


def per_ten_thousand(count: int, population: int | None, places: int = 2) -> Decimal | None:
    """Count per 10,000 inhabitants (万人信访量): ``count × 10,000 ÷ population``, rounded half up.

    None where the region's population is not recorded (or zero). Common practice, configurable
    (``places``); the population is the region's dated figure in force for the period."""
    if not population:
        return None
    return Ratio(count, population).scaled(PER_CAPITA_BASE, places)


# --- acceptance and handling ---------------------------------------------------------------------


class Track(StrEnum):
    """Who is measured: the petition bureau or the responsible unit (DOMAIN §3, §4)."""

    DEPARTMENT = "department"
    UNIT = "unit"

    @property
    def label(self) -> str:
        return {Track.DEPARTMENT: "信访部门", Track.UNIT: "责任单位"}[self]


# DOMAIN §4 (one provincial system): the 信访部门's earliest acceptance within 15 days of 登记,
# the 责任单位's 受理 within 30 days. Calendar days (DOMAIN §2). Configurable.
TIMELY_ACCEPTANCE_DAYS: Mapping[Track, int] = {Track.DEPARTMENT: 15, Track.UNIT: 30}


class AcceptanceBucket(StrEnum):
    """The three buckets of 及时受理率 (DOMAIN §4), and the matters not yet due (in none)."""

    ON_TIME = "on_time"  # 及时受理
    LATE = "late"  # 超期受理
    OVERDUE = "overdue"  # 超期未受理
    PENDING = "pending"  # 未受理, not yet due: outside the rate until its due day passes

    @property
    def label(self) -> str:
        return {
            AcceptanceBucket.ON_TIME: "及时受理",
            AcceptanceBucket.LATE: "超期受理",
            AcceptanceBucket.OVERDUE: "超期未受理",
            AcceptanceBucket.PENDING: "未到期",
        }[self]


def acceptance_due(
    registered: date, track: Track, days: Mapping[Track, int] = TIMELY_ACCEPTANCE_DAYS
) -> date:
    """The last day on which acceptance still counts as timely: 登记 + 15 (信访部门) or + 30 (责任单位)
    calendar days (DOMAIN §4, configurable)."""
    return registered + timedelta(days=days[track])


def acceptance_bucket(*, due: date, accepted_on: date | None, as_of: date) -> AcceptanceBucket:
    """The bucket of one matter: accepted by ``due`` (on time), after it (late), or not accepted
    when ``as_of`` is past ``due`` (overdue); not accepted and not yet due is PENDING."""
    if accepted_on is not None:
        return AcceptanceBucket.ON_TIME if accepted_on <= due else AcceptanceBucket.LATE
    return AcceptanceBucket.OVERDUE if as_of > due else AcceptanceBucket.PENDING


@dataclass(frozen=True)
class AcceptanceTally:
    """及时受理率 = 及时受理 ÷ (及时受理 + 超期受理 + 超期未受理) (DOMAIN §4), per track.

    Only first matters (初件) are counted; matters not yet due are in no bucket."""

    on_time: int = 0
    late: int = 0
    overdue: int = 0

    def __post_init__(self) -> None:
        _check_counts(on_time=self.on_time, late=self.late, overdue=self.overdue)

    @classmethod
    def of(cls, buckets: Iterable[AcceptanceBucket]) -> AcceptanceTally:
        seen = list(buckets)
        return cls(
            *(
                seen.count(b)
                for b in (AcceptanceBucket.ON_TIME, AcceptanceBucket.LATE, AcceptanceBucket.OVERDUE)
            )
        )

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def timely_rate(self) -> Ratio:
        return Ratio(self.on_time, self.total)


def acceptance_rate(accepted: int, received: int) -> Ratio:
    """受理率 = 受理 ÷ 应受理: matters accepted over the matters received in the period that called
    for an acceptance decision (direct submissions and those forwarded or assigned to the organ,
    第二十二、二十三条). No national formula: common practice, configurable by the selector's base."""
    return _rate(accepted, received, "acceptance_rate")


def closure_rate(closed: int, accepted: int) -> Ratio:
    """办结率 = 办结 ÷ 受理: matters closed over matters accepted (第三十四条 sets the 60-day 办结
    period). No national formula: common practice, configurable by the selector's base."""
    return _rate(closed, accepted, "closure_rate")


class ClosureBucket(StrEnum):
    """The four buckets of 按期办结率 (按期答复率), DOMAIN §4."""

    ON_TIME = "on_time"  # 按期办结: closed on or before the due day
    LATE = "late"  # 超期办结 (超期答复)
    PENDING = "pending"  # 未答复: open, not yet due
    OVERDUE = "overdue"  # 超期未答复: open past due (the one meaning of overdue)

    @property
    def label(self) -> str:
        return {
            ClosureBucket.ON_TIME: "按期办结",
            ClosureBucket.LATE: "超期办结",
            ClosureBucket.PENDING: "未答复",
            ClosureBucket.OVERDUE: "超期未答复",
        }[self]


def closure_bucket(*, due: date, closed_on: date | None, as_of: date) -> ClosureBucket:
    """The bucket of one matter against the due day of its handling clock (限办截止时间, extensions
    included: the ``due_on`` of the organ's duty clock, so "overdue" means what it means elsewhere)."""
    if closed_on is not None:
        return ClosureBucket.ON_TIME if closed_on <= due else ClosureBucket.LATE
    return ClosureBucket.OVERDUE if as_of > due else ClosureBucket.PENDING


@dataclass(frozen=True)
class ClosureTally:
    """按期办结率 = 按期 ÷ (按期 + 超期 + 未答复 + 超期未答复) (DOMAIN §4); cases are selected by their
    限办截止时间 falling in the period. 超期件数 is ``late + overdue``."""

    on_time: int = 0
    late: int = 0
    pending: int = 0
    overdue: int = 0

    def __post_init__(self) -> None:
        _check_counts(on_time=self.on_time, late=self.late, pending=self.pending, overdue=self.overdue)

    @classmethod
    def of(cls, buckets: Iterable[ClosureBucket]) -> ClosureTally:
        seen = list(buckets)
        return cls(*(seen.count(b) for b in ClosureBucket))

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.pending + self.overdue

    @property
    def on_time_rate(self) -> Ratio:
        return Ratio(self.on_time, self.total)

    @property
    def overdue_count(self) -> int:
        return self.late + self.overdue


def entered_in_time(received: date, registered: date, days: int = ENTRY_DAYS) -> bool:
    """录入及时: registered within ``days`` calendar days of receipt (第二十一条 asks for every matter
    to be entered; the reports complain visits are "没有及时录入"). Common practice, configurable."""
    return registered <= received + timedelta(days=days)


def entry_timeliness_rate(in_time: int, registered: int) -> Ratio:
    """录入及时率 = matters registered in time (:func:`entered_in_time`) ÷ matters registered."""
    return _rate(in_time, registered, "entry_timeliness_rate")


@dataclass(frozen=True)
class OneTimeRule:
    """When a closed first-time matter counts as resolved at once (初次信访事项一次性化解).

    No national formula (DOMAIN §4, "could not confirm" 3). Chosen here: a first-time matter (初信初访)
    closed in the period is resolved at once unless the same person came back about the same matter
    (a 重复信访 linked to it) before ``repeat_window_days`` days after closure had passed, or the
    petitioner asked for 复查 (an appeal, 第三十五条). Both parts can be switched off; the window is
    configurable. A repeat while the matter was still open counts too: the petitioner was not
    satisfied by the first handling. The same rule, with 退回重办 as a third failure the selector
    counts, gives 网上信访一次办结率."""

    repeat_window_days: int = 90
    count_repeats: bool = True
    count_appeals: bool = True

    def resolved(self, *, closed_on: date, repeated_on: date | None, appealed: bool) -> bool:
        if self.count_appeals and appealed:
            return False
        if self.count_repeats and repeated_on is not None:
            return repeated_on > closed_on + timedelta(days=self.repeat_window_days)
        return True

    def settled(self, *, closed_on: date, as_of: date) -> bool:
        """Whether the window has run out, so the matter's outcome can no longer change; a report
        up to ``as_of`` on matters closed less than the window earlier is provisional."""
        return as_of > closed_on + timedelta(days=self.repeat_window_days)


def one_time_resolution_rate(resolved: int, closed: int) -> Ratio:
    """初次信访事项一次性化解率 = first-time matters closed in the period and resolved at once
    (:class:`OneTimeRule`) ÷ first-time matters closed in the period. Chosen formula, configurable."""
    return _rate(resolved, closed, "one_time_resolution_rate")


def online_once_closed_rate(closed_once: int, closed: int) -> Ratio:
    """网上信访一次办结率 = online matters closed in the period at the first handling (not sent back
    for 重办, no 复查, no repeat within the :class:`OneTimeRule` window) ÷ online matters closed in
    the period. Common practice, configurable."""
    return _rate(closed_once, closed, "online_once_closed_rate")


def ownership_resolution_rate(resolved: int, owned: int) -> Ratio:
    """包案化解率 = the cases taken on as 包案 in the period whose 包案 was 已化解 by the period end ÷
    the cases taken on in the period (《信访工作条例》第十八条: leaders "亲自包案化解"). No national
    formula: common practice, the cohort being the selector's."""
    return _rate(resolved, owned, "ownership_resolution_rate")


def on_spot_resolution_rate(on_spot: int, concluded: int) -> Ratio:
    """现场化解率 = the joint receptions of the period resolved on the spot (现场解决) ÷ those of the
    period concluded (现场解决, 交办 or 转送; one still under way is outside both). The reports'
    "90%的来访事项在接访大厅得到协调解决" (第十八条第三款: 联合接访 "一站式解决"); no national formula."""
    return _rate(on_spot, concluded, "on_spot_resolution_rate")


# --- satisfaction (DOMAIN §3) --------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionCaseload:
    """满意度件: the matters under satisfaction rating (first registered and accepted in the 信访信息
    系统, 国信发〔2014〕16号), of which 已办结, 未办结 and 已评价 ("满意度件*件，已办结*件，未办结*件，
    已评价*件")."""

    total: int
    closed: int
    rated: int

    def __post_init__(self) -> None:
        _check_counts(total=self.total, closed=self.closed, rated=self.rated)
        if self.closed > self.total or self.rated > self.total:
            raise ValueError("closed and rated matters are part of the caseload")

    @property
    def open(self) -> int:
        return self.total - self.closed


@dataclass(frozen=True)
class SatisfactionTally:
    """One track's ratings (信访部门 or 责任单位, DOMAIN §3).

    - 参评率 = 已评价 ÷ (已评价 + 超期未评价): matters still inside the rating window (待评价) and
      those not yet open for rating (未评价) are in neither;
    - 满意率 = (满意 + 基本满意) ÷ 已评价; 基本满意 and 不满意 have their shares of 已评价 too.

    Whether an unrated matter is deemed satisfied is unconfirmed (DOMAIN "could not confirm" 1):
    :meth:`deemed_satisfied` gives the tally under that reading."""

    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    expired: int = 0  # 超期未评价: the rating window passed without a rating
    awaiting: int = 0  # 待评价 / 未评价: not counted in either rate

    def __post_init__(self) -> None:
        _check_counts(
            satisfied=self.satisfied,
            basically_satisfied=self.basically_satisfied,
            dissatisfied=self.dissatisfied,
            expired=self.expired,
            awaiting=self.awaiting,
        )

    @property
    def rated(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    @property
    def participation_rate(self) -> Ratio:
        return Ratio(self.rated, self.rated + self.expired)

    @property
    def satisfaction_rate(self) -> Ratio:
        return Ratio(self.satisfied + self.basically_satisfied, self.rated)

    @property
    def fully_satisfied_share(self) -> Ratio:
        return Ratio(self.satisfied, self.rated)

    @property
    def basically_satisfied_share(self) -> Ratio:
        return Ratio(self.basically_satisfied, self.rated)

    @property
    def dissatisfied_share(self) -> Ratio:
        return Ratio(self.dissatisfied, self.rated)

    def deemed_satisfied(self) -> SatisfactionTally:
        """The tally if a matter whose window passed unrated counts as rated 满意."""
        return SatisfactionTally(
            self.satisfied + self.expired, self.basically_satisfied, self.dissatisfied, 0, self.awaiting
        )


# --- comparisons (同比 / 环比) -----------------------------------------------------------------


class Comparison(StrEnum):
    """同比: against the same period of the previous year; 环比: against the period just before."""

    YOY = "yoy"
    MOM = "mom"


def _shift_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _is_month_end(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def _shift_end(end: date, months: int) -> date:
    """A period's last day moved by whole months: a month's last day stays its month's last day."""
    shifted = _shift_months(end, months)
    if _is_month_end(end):
        return shifted.replace(day=calendar.monthrange(shifted.year, shifted.month)[1])
    return shifted


def comparison_period(start: date, end: date, comparison: Comparison) -> tuple[date, date]:
    """The period a report compares with (both ends inclusive).

    同比: the same dates one year earlier (29 February becomes 28 February). 环比: a period of whole
    months (1 January–30 June) moves back by its number of months (to 1 July–31 December); any other
    period moves back by its length in days. The two comparisons are DOMAIN §4's; the period
    arithmetic is common practice."""
    if end < start:
        raise ValueError("the period ends before it starts")
    if comparison is Comparison.YOY:
        return _shift_months(start, -12), _shift_end(end, -12)
    if start.day == 1 and _is_month_end(end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return _shift_months(start, -months), _shift_end(end, -months)
    length = (end - start).days + 1
    return start - timedelta(days=length), end - timedelta(days=length)


class Direction(StrEnum):
    """Which way a figure moved, as written (the wording module gives the words)."""

    UP = "up"
    DOWN = "down"
    FLAT = "flat"


def _direction(signed: Decimal | int) -> Direction:
    if signed > 0:
        return Direction.UP
    return Direction.DOWN if signed < 0 else Direction.FLAT


@dataclass(frozen=True)
class Change:
    """A count against its comparison period: ``(current − previous) ÷ previous`` (同比 / 环比,
    DOMAIN §4). From a zero base there is no percentage (``relative`` is None): reports write
    "去年同期为零"."""

    current: int
    previous: int

    def __post_init__(self) -> None:
        _check_counts(current=self.current, previous=self.previous)

    @property
    def delta(self) -> int:
        return self.current - self.previous

    @property
    def zero_base(self) -> bool:
        return self.previous == 0

    @property
    def relative(self) -> Fraction | None:
        return None if self.zero_base else Fraction(self.delta, self.previous)

    def percent(self, places: int = 1) -> Decimal | None:
        """The change in percent, rounded half up: 41 against 52 is ``Decimal("-21.2")``."""
        relative = self.relative
        return None if relative is None else round_half_up(relative * 100, places)

    def direction(self, places: int = 1) -> Direction:
        """The direction as written: that of the rounded percentage (a change that rounds to 0.0% is
        flat), or of the difference itself from a zero base."""
        percent = self.percent(places)
        return _direction(self.delta if percent is None else percent)


@dataclass(frozen=True)
class PointChange:
    """A rate against its comparison period, in percentage points (受理率 "上升1.25个百分点");
    None when either rate is empty. Common practice."""

    current: Ratio
    previous: Ratio

    def points(self, places: int = 2) -> Decimal | None:
        now, before = self.current.value, self.previous.value
        if now is None or before is None:
            return None
        return round_half_up((now - before) * 100, places)

    def direction(self, places: int = 2) -> Direction | None:
        points = self.points(places)
        return None if points is None else _direction(points)
