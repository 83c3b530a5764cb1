"""A scheme's scores for a period, computed from the case facts (never typed in).

Each assessed unit's figures are its work report's (`xinfang.statistics.figures.compute_report`
for the unit and the period, 同比 included), so a figure in the ranking is the figure the
statistics page shows for that unit, and its cases are the same list (`figure_cases`). Each item's
figure becomes points by its rule (`xinfang.assessment.scoring`); the totals are ranked, and the
rank is compared with the same period a year earlier: the frozen rank of last year's version of
the scheme where there is one, else this year's items applied to last year's figures.

A frozen period (`Scorecard`) shows its frozen rows; the live computation is then run too, and what
differs is listed (a case corrected after 定稿 shows, it does not silently change the ranking).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.cache import cache
from django.db.models import Max

from xinfang.assessment import scoring
from xinfang.assessment.models import RuleChoice, Scheme, SchemeItem, Scorecard
from xinfang.assessment.periods import counted_span, period_label
from xinfang.cases.models import CaseEvent, Rating
from xinfang.core.timeutil import local_date, now
from xinfang.orgs.models import Org
from xinfang.statistics import conditions
from xinfang.statistics.figure import FIGURES, Kind, Report, Value
from xinfang.statistics.figures import compute_report
from xinfang.statistics.indicators import Comparison, Ratio
from xinfang.supervision.models import SupervisionEvent

__all__ = [
    "Standing",
    "Standings",
    "check_indicator",
    "drill_keys",
    "indicator_keys",
    "live_rows",
    "rule_of",
    "standings",
]


# --- items: their indicator and rule ---------------------------------------------------------------


def indicator_keys(indicator: str) -> list[str]:
    """The figure keys an item adds up: one key, or counts joined by "+"."""
    return [part.strip() for part in indicator.replace("＋", "+").split("+") if part.strip()]


def check_indicator(indicator: str) -> list[str]:
    """Problems of an item's indicator, in Chinese; empty when every key is a figure and a sum adds
    counts of one unit only."""
    keys = indicator_keys(indicator)
    if not keys:
        return ["请填写指标。"]
    unknown = [key for key in keys if key not in FIGURES]
    if unknown:
        return [f"没有这个统计指标：{'、'.join(unknown)}（指标名称见统计说明）。"]
    if len(keys) > 1:
        if any(FIGURES[key].kind is not Kind.COUNT for key in keys):
            return ["只有件次、批次、人次等数量可以相加，比率不能相加。"]
        if len({FIGURES[key].unit for key in keys}) > 1:
            return ["相加的指标计量单位不同（如批和人次），不能相加。"]
    return []


def rule_of(item: SchemeItem) -> scoring.Rule:
    """The item's rule as the scoring core reads it; ValueError (Chinese) for malformed 分档."""
    steps = scoring.parse_steps(item.steps) if item.rule == RuleChoice.THRESHOLDS and item.steps else ()
    return scoring.Rule(
        kind=scoring.RuleKind(item.rule),
        weight=Decimal(item.weight),
        floor=None if item.floor is None else Decimal(item.floor),
        target=None if item.target is None else Decimal(item.target),
        steps=steps,
        lower_is_better=item.lower_is_better,
        cap=None if item.cap is None else Decimal(item.cap),
        when_empty=scoring.WhenEmpty(item.when_empty),
    )


def drill_keys(item: SchemeItem) -> list[str]:
    """The item's figures that have cases behind them (a rate's base, a count's cases)."""
    return [key for key in indicator_keys(item.indicator) if conditions.has_cases(key)]


def _score_value(value: Value) -> Fraction | int | Decimal | None:
    """What the rule compares: a rate in percent, a count, a density; None for an empty rate."""
    if isinstance(value, Ratio):
        ratio = value.value
        return None if ratio is None else ratio * 100
    return value


def _counted(value: Value) -> bool:
    """Whether a figure counted something: a rate with a base, a count above zero, a density."""
    if isinstance(value, Ratio):
        return not value.empty
    return value is not None and value != 0


def _item_value(item: SchemeItem, report: Report, *, previous: bool) -> Value:
    """The item's figure in `report` (this period, or the comparison period): a sum adds counts."""
    keys = indicator_keys(item.indicator)
    values = [(report[key].previous if previous else report[key].current) for key in keys]
    if len(keys) == 1:
        return values[0]
    return sum(v for v in values if isinstance(v, int))


# --- a unit's row ----------------------------------------------------------------------------------


def _unit_row(
    scheme_items: list[SchemeItem], unit: Org, report: Report, *, previous: bool
) -> scoring.UnitRow:
    scores = [
        scoring.score_item(
            rule_of(item),
            _score_value(_item_value(item, report, previous=previous)),
            label=item.name,
            unit=_unit_word(item),
        )
        for item in scheme_items
    ]
    return scoring.UnitRow.of(
        str(unit.pk), unit.name, scoring.UnitScore.of(scores, full_marks(scheme_items)), None
    )


def _unit_word(item: SchemeItem) -> str:
    keys = indicator_keys(item.indicator)
    return FIGURES[keys[0]].unit if keys and keys[0] in FIGURES else ""


def full_marks(items: list[SchemeItem]) -> Decimal:
    """The scheme's full score: the weights of its items scored up to a full mark (not deductions)."""
    return sum((Decimal(i.weight) for i in items if i.rule != RuleChoice.PER_EVENT), Decimal(0))


def _ranked(rows: list[scoring.UnitRow]) -> list[scoring.UnitRow]:
    ranks = scoring.rank({row.unit_key: row.total for row in rows})
    ranked = [row.with_rank(ranks[row.unit_key]) for row in rows]
    return sorted(ranked, key=lambda row: (row.rank, row.unit_name))


# The live table is kept this long per process: a ranking page, its .xlsx and its 通报 read the
# same computation (one report per unit) instead of repeating it. 定稿 always computes afresh.
LIVE_SECONDS = 300


def live_rows(
    scheme: Scheme,
    period: str,
    *,
    today: dt.date | None = None,
    fresh: bool = False,
    items: list[SchemeItem] | None = None,
) -> tuple[list[scoring.UnitRow], dict[str, int], dt.datetime]:
    """Every assessed unit's row for the period as the facts stand, ranked; the ranks of the same
    period a year earlier computed with the same items (by unit key); when it was computed.
    `items`: the scheme's items, when the caller has read them already."""
    start, end = counted_span(scheme.year, period, today or local_date())
    items = list(scheme.items.all()) if items is None else items
    units = list(scheme.units.select_related("region").order_by("path", "pk"))
    key = _cache_key(scheme, period, end, items, units)
    cached = None if fresh else cache.get(key)
    if cached is not None:
        rows, previous, at = cached
        return scoring.rows_from_json(rows), previous, at
    current: list[scoring.UnitRow] = []
    before: list[scoring.UnitRow] = []
    counted_before = False
    for unit in units:
        report = compute_report(org=unit, start=start, end=end, comparison=Comparison.YOY, breakdowns=False)
        current.append(_unit_row(items, unit, report, previous=False))
        before.append(_unit_row(items, unit, report, previous=True))
        counted_before = counted_before or any(
            _counted(_item_value(item, report, previous=True)) for item in items
        )
    ranked = _ranked(current)
    # A year with nothing counted for any unit ranks every unit first on the scheme's empty-rate
    # rule alone: no comparison is better than a meaningless "下降2位".
    ranked_before = _ranked(before) if counted_before else []
    previous = {row.unit_key: row.rank for row in ranked_before if row.rank is not None}
    at = now()
    cache.set(key, (scoring.rows_to_json(ranked), previous, at), LIVE_SECONDS)
    return ranked, previous, at


def _data_version() -> tuple[int | None, ...]:
    """The newest case event, supervision step and rating: a new one (a late entry, a correction)
    makes the next page count afresh instead of showing the table of five minutes ago."""
    return tuple(
        model.objects.aggregate(newest=Max("pk"))["newest"] for model in (CaseEvent, SupervisionEvent, Rating)
    )


def _cache_key(scheme: Scheme, period: str, end: dt.date, items: list[SchemeItem], units: list[Org]) -> str:
    """Changes with the scheme's items and units and with the facts (`_data_version`), so an
    edited scheme or a corrected case is never shown stale."""
    fields = [
        (
            i.pk,
            i.name,
            i.indicator,
            i.rule,
            i.weight,
            i.floor,
            i.target,
            i.steps,
            i.lower_is_better,
            i.cap,
            i.when_empty,
        )
        for i in items
    ]
    state = (fields, [u.pk for u in units], [u.name for u in units], _data_version())
    signature = hashlib.sha256(repr(state).encode()).hexdigest()
    return f"assessment:{scheme.pk}:{period}:{end.isoformat()}:{signature[:16]}"


# --- the page's table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    row: scoring.UnitRow
    previous_rank: int | None
    change: int | None  # places moved up since the same period last year (negative: down)


@dataclass(frozen=True)
class Standings:
    scheme: Scheme
    period: str
    label: str
    start: dt.date
    end: dt.date  # the period's last day, or today while it runs
    items: list[SchemeItem]
    rows: list[Standing]
    card: Scorecard | None
    differences: list[scoring.Difference]
    computed_at: dt.datetime  # when the live figures were counted

    @property
    def frozen(self) -> bool:
        return self.card is not None

    @property
    def full_marks(self) -> Decimal:
        return full_marks(self.items)


def _last_year_ranks(scheme: Scheme, period: str) -> dict[str, int] | None:
    """The frozen ranks of last year's version of the scheme for the same period, if frozen."""
    card = (
        Scorecard.objects.filter(
            scheme__org=scheme.org, scheme__name=scheme.name, scheme__year=scheme.year - 1, period=period
        )
        .only("rows")
        .first()
    )
    if card is None:
        return None
    return {row.unit_key: row.rank for row in scoring.rows_from_json(card.rows) if row.rank is not None}


def standings(scheme: Scheme, period: str, *, today: dt.date | None = None) -> Standings:
    """The period's table: the frozen one with its differences from the facts now, or the live one."""
    today = today or local_date()
    start, end = counted_span(scheme.year, period, today)
    card = Scorecard.objects.filter(scheme=scheme, period=period).first()
    items = list(scheme.items.all())
    live, computed_before, computed_at = live_rows(scheme, period, today=today, items=items)
    frozen_before = _last_year_ranks(scheme, period)
    before = frozen_before if frozen_before is not None else computed_before
    if card is not None:
        rows = scoring.rows_from_json(card.rows)
        differences = scoring.differences(scoring.by_unit(rows), scoring.by_unit(live))
    else:
        rows, differences = live, []
    table = [
        Standing(row, before.get(row.unit_key), scoring.rank_change(row.rank, before.get(row.unit_key)))
        for row in rows
    ]
    return Standings(
        scheme=scheme,
        period=period,
        label=period_label(scheme.year, period),
        start=start,
        end=end,
        items=items,
        rows=table,
        card=card,
        differences=differences,
        computed_at=computed_at,
    )
