"""The figures of a 积案化解 campaign, pure (no Django): rates, per-unit and per-leader rows, the
overdue rule, the week and month of a progress report, and the report's headline sentence.

Everything is computed *as of* a date: a milestone counts once its date is on or before it, so a
report for an earlier week shows the campaign as it stood then.

- 办结提交率 = submitted ÷ denominator, 化解率 = resolved (实体化解) ÷ denominator; 申请化解 is
  counted, not rated. The denominator is set per campaign (DOMAIN.md §4: the official one is not
  settled): ``all``, every item in the list; ``due``, the items whose plan date is on or before the
  as-of date. The numerators count only items inside the denominator, so a rate never exceeds
  100%: under ``due`` an item done before its plan date is counted once its plan date arrives.
- A rate with an empty denominator is "—", never a division by zero; otherwise one decimal,
  rounded half up: 5 of 6 is "83.3%".
- An item is **overdue** (逾期) when its plan date is before the as-of date and it is not yet
  实体化解 as of that date: the plan date itself is still in time, and an item counts as overdue
  whatever its earlier milestones (a case submitted but not resolved by its plan date is overdue).
- The week of a report is Monday to Sunday containing the as-of date; the month is the calendar
  month. "第N周" counts the campaign's weeks: the week of its receipt is 第1周.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Stage = Literal["submitted", "applied", "resolved"]
STAGES: tuple[Stage, ...] = ("submitted", "applied", "resolved")
STAGE_LABELS: dict[str, str] = {
    "submitted": "办结提交",
    "applied": "申请化解",
    "resolved": "实体化解",
    "none": "未提交",
}
DENOMINATOR_ALL = "all"
DENOMINATOR_DUE = "due"
DENOMINATORS = (DENOMINATOR_ALL, DENOMINATOR_DUE)
PeriodKind = Literal["week", "month"]
PERIODS: tuple[PeriodKind, ...] = ("week", "month")
NO_LEADER = "未明确包案领导"
DASH = "—"


@dataclass(frozen=True)
class Item:
    """One case of a campaign as the figures need it (the model's row, flattened)."""

    key: int
    unit_key: int
    unit: str
    leader_key: int | None
    leader: str | None
    plan_on: dt.date
    submitted_on: dt.date | None = None
    applied_on: dt.date | None = None
    resolved_on: dt.date | None = None
    number: str = ""
    subject: str = ""

    def date_of(self, stage: str) -> dt.date | None:
        return {
            "submitted": self.submitted_on,
            "applied": self.applied_on,
            "resolved": self.resolved_on,
        }[stage]

    def reached(self, stage: str, as_of: dt.date) -> bool:
        day = self.date_of(stage)
        return day is not None and day <= as_of

    def stage_as_of(self, as_of: dt.date) -> str:
        """The furthest milestone reached by ``as_of``: resolved, applied, submitted or none."""
        for stage in reversed(STAGES):
            if self.reached(stage, as_of):
                return stage
        return "none"

    def due(self, as_of: dt.date) -> bool:
        return self.plan_on <= as_of

    def overdue(self, as_of: dt.date) -> bool:
        """Past its plan date and not 实体化解 by ``as_of`` (the rule of the module docstring)."""
        return self.plan_on < as_of and not self.reached("resolved", as_of)

    def days_overdue(self, as_of: dt.date) -> int:
        return (as_of - self.plan_on).days if self.overdue(as_of) else 0


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """The share in [0, 1]; None for an empty denominator."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> Decimal | None:
        """Percent with one decimal, rounded half up (83.3 for 5 of 6)."""
        if not self.denominator:
            return None
        exact = Decimal(self.numerator) * 100 / Decimal(self.denominator)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def text(self, sign: str = "%") -> str:
        """ "83.3%" (the documents use the full-width "％"), or "—" without a denominator."""
        percent = self.percent
        return DASH if percent is None else f"{percent}{sign}"


@dataclass(frozen=True)
class Tally:
    """The figures of a set of items (a campaign, a unit's items, a leader's) as of a date."""

    label: str
    key: int | None
    total: int
    counted: int  # the denominator
    submitted: int  # every item 办结提交 by the date, in the denominator or not
    applied: int
    resolved: int
    overdue: int
    submitted_counted: int  # the numerators: items of the denominator
    resolved_counted: int

    @property
    def submitted_rate(self) -> Rate:
        return Rate(self.submitted_counted, self.counted)

    @property
    def resolved_rate(self) -> Rate:
        return Rate(self.resolved_counted, self.counted)

    @property
    def not_submitted(self) -> int:
        return self.total - self.submitted

    def stacked(self) -> dict[str, int]:
        """Each item once, by its furthest milestone: the bars of the dashboard."""
        return {
            "resolved": self.resolved,
            "applied": self.applied - self.resolved,
            "submitted": self.submitted - self.applied,
            "none": self.total - self.submitted,
        }


def in_denominator(item: Item, denominator: str, as_of: dt.date) -> bool:
    if denominator not in DENOMINATORS:
        raise ValueError(f"unknown denominator {denominator!r}")
    return denominator == DENOMINATOR_ALL or item.due(as_of)


def tally(
    items: Iterable[Item], *, as_of: dt.date, denominator: str, label: str = "", key: int | None = None
) -> Tally:
    rows = list(items)
    counted = [item for item in rows if in_denominator(item, denominator, as_of)]
    return Tally(
        label=label,
        key=key,
        total=len(rows),
        counted=len(counted),
        submitted=sum(item.reached("submitted", as_of) for item in rows),
        applied=sum(item.reached("applied", as_of) for item in rows),
        resolved=sum(item.reached("resolved", as_of) for item in rows),
        overdue=sum(item.overdue(as_of) for item in rows),
        submitted_counted=sum(item.reached("submitted", as_of) for item in counted),
        resolved_counted=sum(item.reached("resolved", as_of) for item in counted),
    )


def _grouped(
    items: Iterable[Item],
    group: Callable[[Item], tuple[int | None, str]],
    *,
    as_of: dt.date,
    denominator: str,
) -> list[Tally]:
    groups: dict[int | None, tuple[str, list[Item]]] = {}
    for item in items:
        key, label = group(item)
        groups.setdefault(key, (label, []))[1].append(item)
    rows = [
        tally(members, as_of=as_of, denominator=denominator, label=label, key=key)
        for key, (label, members) in groups.items()
    ]
    # The most items first (the units that carry the campaign), then by name; no leader last.
    return sorted(rows, key=lambda row: (row.key is None, -row.total, row.label))


def by_unit(items: Iterable[Item], *, as_of: dt.date, denominator: str) -> list[Tally]:
    return _grouped(items, lambda item: (item.unit_key, item.unit), as_of=as_of, denominator=denominator)


def by_leader(items: Iterable[Item], *, as_of: dt.date, denominator: str) -> list[Tally]:
    """One row per 包案 leader; the items without one together, last, as 未明确包案领导."""
    return _grouped(
        items,
        lambda item: (
            (item.leader_key, item.leader or NO_LEADER) if item.leader_key is not None else (None, NO_LEADER)
        ),
        as_of=as_of,
        denominator=denominator,
    )


def overdue_items(items: Iterable[Item], *, as_of: dt.date) -> list[Item]:
    """The overdue items, longest overdue first."""
    return sorted((item for item in items if item.overdue(as_of)), key=lambda item: (item.plan_on, item.key))


def meets_target(rate: Rate, target_percent: Decimal) -> bool | None:
    """Whether the 化解率 reached the campaign's target; None without a denominator."""
    percent = rate.percent
    return None if percent is None else percent >= target_percent


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: dt.date
    end: dt.date

    def label(self, received_on: dt.date) -> str:
        """第3周 (the campaign's week) or 3月 (with the year when it is not the receipt's year)."""
        if self.kind == "week":
            return f"第{campaign_week(received_on, self.start)}周"
        if self.start.year != received_on.year:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.month}月"


def period_bounds(kind: str, as_of: dt.date) -> Period:
    """The week (Monday to Sunday) or the calendar month containing ``as_of``."""
    if kind == "week":
        start = as_of - dt.timedelta(days=as_of.weekday())
        return Period("week", start, start + dt.timedelta(days=6))
    if kind == "month":
        start = as_of.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return Period("month", start, following - dt.timedelta(days=1))
    raise ValueError(f"unknown period {kind!r}")


def campaign_week(received_on: dt.date, day: dt.date) -> int:
    """The campaign's week of ``day``: the Monday-to-Sunday week of the receipt is 1 (a day before
    the receipt is still week 1)."""
    first = received_on - dt.timedelta(days=received_on.weekday())
    return max((day - first).days // 7 + 1, 1)


@dataclass(frozen=True)
class PeriodProgress:
    period: Period
    until: dt.date  # the period's end, or the as-of date when earlier
    submitted: int
    applied: int
    resolved: int


def period_progress(items: Iterable[Item], *, kind: str, as_of: dt.date) -> PeriodProgress:
    """How many items reached each milestone within the period, up to ``as_of``."""
    period = period_bounds(kind, as_of)
    until = min(period.end, as_of)
    rows = list(items)

    def within(stage: str) -> int:
        return sum(
            1 for item in rows if (day := item.date_of(stage)) is not None and period.start <= day <= until
        )

    return PeriodProgress(period, until, within("submitted"), within("applied"), within("resolved"))


# ---------------------------------------------------------------- wording


PLACE_SUFFIXES = "省市县区旗州盟镇乡"
LEVEL_PLACES = {"province": "省", "city": "市", "county": "县", "township": "乡镇", "national": "国"}


def place_word(region_name: str, level: str) -> str:
    """我县 / 我市 / 我区: from the region's name, else the level."""
    last = region_name[-1:] if region_name else ""
    return "我" + (last if last and last in PLACE_SUFFIXES else LEVEL_PLACES.get(level, "地"))


def batch_lead(name: str, *, handed_down: bool) -> str:
    """The batch as the headline names it: 中央第三批交办 from 中央第三批 or 中央第三批交办信访积案."""
    lead = name.strip()
    for tail in ("信访积案", "积案"):
        if lead.endswith(tail) and len(lead) > len(tail):
            lead = lead[: -len(tail)]
            break
    if handed_down and "交办" not in lead:
        lead += "交办"
    return lead


def report_title_parts(name: str) -> tuple[str, str]:
    """The batch and the rest of the title, where a long title breaks: (中央第三批交办信访积案,
    化解工作进展情况通报), never saying 积案 twice."""
    name = name.strip()
    if "积案化解" in name:
        return name, "工作进展情况通报"
    if name.endswith("积案"):
        return name, "化解工作进展情况通报"
    return name, "积案化解工作进展情况通报"


def report_title(name: str) -> str:
    """…积案化解工作进展情况通报."""
    return "".join(report_title_parts(name))


def headline(
    *,
    name: str,
    handed_down: bool,
    place: str,
    figures: Tally,
    denominator: str,
    target: Decimal | None = None,
    sign: str = "％",
) -> str:
    """中央第三批交办我县共6件信访积案，已办结提交5件，办结提交率83.3％，……"""
    lead = batch_lead(name, handed_down=handed_down)
    opening = (
        f"{lead}{place}共{figures.total}件信访积案"
        if handed_down
        else f"{lead}{place}排查列入化解的信访积案共{figures.total}件"
    )
    parts = [opening]
    if denominator == DENOMINATOR_DUE:
        parts.append(f"计划完成时间已到的{figures.counted}件")
        parts.append(
            f"其中已办结提交{figures.submitted_counted}件，办结提交率{figures.submitted_rate.text(sign)}"
        )
    else:
        parts.append(f"已办结提交{figures.submitted}件，办结提交率{figures.submitted_rate.text(sign)}")
    parts.append(f"已申请化解{figures.applied}件")
    resolved = figures.resolved_counted if denominator == DENOMINATOR_DUE else figures.resolved
    tail = f"已实体化解{resolved}件，化解率{figures.resolved_rate.text(sign)}"
    if target is not None:
        tail += f"（目标{_percent_text(target)}{sign}）"
    parts.append(tail)
    return "，".join(parts) + "。"


def _percent_text(value: Decimal) -> str:
    """90 for 90.0, 92.5 for 92.5."""
    text = f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
    return text[:-2] if text.endswith(".0") else text


def target_text(value: Decimal, sign: str = "%") -> str:
    return f"{_percent_text(value)}{sign}"


def progress_sentence(progress: PeriodProgress, *, label: str, sign: str = "％") -> str:
    """本周（3月3日至3月9日）新增办结提交2件、申请化解1件、实体化解1件。"""
    period = progress.period
    word = "本周" if period.kind == "week" else "本月"
    span = f"{_md(period.start)}至{_md(progress.until)}"
    counts = (
        f"新增办结提交{progress.submitted}件、申请化解{progress.applied}件、实体化解{progress.resolved}件"
    )
    if not (progress.submitted or progress.applied or progress.resolved):
        counts = "没有新增办结提交、申请化解或实体化解的事项"
    return f"{word}（{label}，{span}）{counts}。"


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"
