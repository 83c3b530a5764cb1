"""The arithmetic of a unit assessment (目标管理考核): points, totals, ranks, differences (pure).

《信访工作条例》第三十九条 asks for an assessment of the units' 信访 work; a bureau does it every
quarter or year with a scheme (考核方案): a list of items, each an indicator of the statistics
vocabulary (按期办结率, 满意率, 进京访批次 …) with a :class:`Rule`. The Django side computes each unit's
figure values; this module turns them into points, totals, ranks and the differences between a
frozen (定稿) period and a live computation. No Django, no database: every rule here is documented
and property-tested, the formulas are common practice, configurable through the rule's fields.

Scoring one item, :func:`score_item` (``rule``, ``value``, ``label=``, ``unit=``) → :class:`ItemScore`:

- ``value`` is a rate in percent (``Fraction(9650, 100)`` for 96.50%, ``unit=PERCENT``) or a count
  (``unit="批"``, "件", "人次" …); None is an empty denominator (:attr:`Ratio.empty`), scored by the
  rule's :class:`WhenEmpty`: FULL (按满分计), ZERO (按0分计) or SKIP (不参加考核, the total is then
  按实际考核项目折算, see below).
- :attr:`RuleKind.LINEAR` (按比例计分): ``weight × clamp((value − floor) ÷ (target − floor), 0, 1)``;
  a floor above the target means lower is better (重复率).
- :attr:`RuleKind.THRESHOLDS` (分档计分): the points of the best step the value reaches (a value
  exactly at a threshold reaches it), 0 if none; ``lower_is_better`` turns "reaches" into ≤.
- :attr:`RuleKind.PER_EVENT` (按次扣分): ``−min(count × weight, cap)``; the item has no full points.
- Arithmetic is exact (:class:`~fractions.Fraction`); points are rounded once, half up, to 2 places
  (:func:`round_half_up`: 2.345 is 2.35). Each score carries its Chinese reason and printed figure.
- A rule is checked by :meth:`Rule.check` (Chinese messages naming the field) or
  :meth:`Rule.problems` (the same per field, for a form); :func:`score_item` refuses a faulty rule.
  :func:`parse_steps` / :func:`format_steps` read and write the steps ("95=10; 90=8; 85=6").

A unit's total, :func:`total_of` (or :meth:`UnitScore.of`): the sum of the items' rounded points, so
a printed table adds up. Where items are skipped, the points gained are rescaled to the full marks
(按实际考核项目折算): ``gained × full_marks ÷ (full_marks − skipped items' full points)``, deductions
added unscaled; with every scoring item skipped the unit has the full marks (nothing to fault). A
total never goes below 0 (a deduction cannot take more than the unit has), and is rounded half up
to 2 places. The items' full points must add up to ``full_marks``.

Ranks, :func:`rank`: competition ranking ("1224"), the highest total first; :func:`rank_change` is
``previous − current`` (positive: moved up).

Frozen periods: :class:`UnitRow` / :class:`ItemRow` are the snapshot of a unit's line as printed
(figure text, points, reason, total, rank); ``to_json()`` / ``from_json()`` round-trip them through
plain JSON (a Decimal as its string) for a JSONField, :func:`rows_to_json` / :func:`rows_from_json`
do a list. :func:`differences` compares frozen rows with live ones (:func:`by_unit` keys a list) and
lists each :class:`Difference` as printed: units or items added and removed, figures, points,
totals and ranks. The reason text is not compared: it follows from the figure and the points.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise
from typing import TypeVar

from xinfang.statistics.indicators import round_half_up
from xinfang.statistics.wording import EMPTY, format_count, format_decimal

__all__ = [
    "ABSENT",
    "FIELD_LABELS",
    "PERCENT",
    "POINTS_PLACES",
    "Aspect",
    "Difference",
    "ItemRow",
    "ItemScore",
    "Rule",
    "RuleKind",
    "UnitRow",
    "UnitScore",
    "WhenEmpty",
    "by_unit",
    "differences",
    "format_steps",
    "parse_steps",
    "rank",
    "rank_change",
    "rows_from_json",
    "rows_to_json",
    "score_item",
    "total_of",
]

PERCENT = "%"  # the unit of a rate: its value, floor, target and thresholds are in percent
POINTS_PLACES = 2  # points and totals: 6.50分, 92.35分
_POINTS_SCALE = 100  # 10 ** POINTS_PLACES
ABSENT = "（无）"  # a unit or item on one side of a comparison only

Steps = tuple[tuple[Decimal, Decimal], ...]
K = TypeVar("K", bound=Hashable)
_ZERO = Decimal(0)


class RuleKind(StrEnum):
    """How an item is scored."""

    LINEAR = "linear"
    THRESHOLDS = "thresholds"
    PER_EVENT = "per_event"

    @property
    def label(self) -> str:
        return {
            RuleKind.LINEAR: "按比例计分",
            RuleKind.THRESHOLDS: "分档计分",
            RuleKind.PER_EVENT: "按次扣分",
        }[self]


class WhenEmpty(StrEnum):
    """How an item is scored when its rate has no denominator (nothing to count)."""

    FULL = "full"
    ZERO = "zero"
    SKIP = "skip"

    @property
    def label(self) -> str:
        return {
            WhenEmpty.FULL: "按满分计",
            WhenEmpty.ZERO: "按0分计",
            WhenEmpty.SKIP: "不参加考核（总分按实际考核项目折算）",
        }[self]


# The rule's fields as a form names them; a PER_EVENT rule's weight is its 每次扣分.
FIELD_LABELS: Mapping[str, str] = {
    "kind": "计分方式",
    "weight": "分值",
    "floor": "底线值",
    "target": "目标值",
    "steps": "计分档次",
    "lower_is_better": "越低越好",
    "cap": "扣分上限",
    "when_empty": "分母为零时",
}


def _plain(value: Decimal) -> str:
    """A configured number without trailing zeros: 10, 0.5, 95.5."""
    return format_decimal(value.normalize()) if value else "0"


def _points_text(points: Decimal) -> str:
    """Computed points: an integer as such ("6"), else two decimals ("6.50")."""
    return (
        format_decimal(points.quantize(Decimal(1)))
        if points == points.to_integral_value()
        else f"{points:.2f}"
    )


def _rounded(value: Fraction | Decimal | int) -> Decimal:
    return round_half_up(Fraction(value), POINTS_PLACES)


def _has_two_places(value: Decimal) -> bool:
    return (Fraction(value) * _POINTS_SCALE).denominator == 1


def _figure(value: Fraction, unit: str) -> str:
    """The value as printed: a rate with two decimals ("96.50%"), a count with its unit ("3批")."""
    if unit == PERCENT:
        return f"{format_decimal(round_half_up(value, 2))}{PERCENT}"
    if value.denominator == 1:
        return format_count(int(value), unit)
    return f"{format_decimal(round_half_up(value, 2))}{unit}"


@dataclass(frozen=True)
class Rule:
    """The scoring rule of one item; built freely (a form may hold a faulty one), checked by
    :meth:`check`.

    - ``weight``: LINEAR / THRESHOLDS: the item's full points; PER_EVENT: the points per event.
    - ``floor`` / ``target`` (LINEAR): the value scoring 0 and the value scoring full points, in
      percent for a rate; ``floor > target`` means lower is better (重复率).
    - ``steps`` (THRESHOLDS): ``(threshold, points)`` pairs; ``lower_is_better``: reached means
      ``value ≤ threshold``. A stricter step may not give fewer points, none more than ``weight``.
    - ``cap`` (PER_EVENT): the most points deducted, None for no limit.
    - ``when_empty``: the score of an empty denominator.
    Numbers have at most two decimals, as points and printed rates do."""

    kind: RuleKind
    weight: Decimal
    floor: Decimal | None = None
    target: Decimal | None = None
    steps: Steps = ()
    lower_is_better: bool = False
    cap: Decimal | None = None
    when_empty: WhenEmpty = WhenEmpty.FULL

    def __post_init__(self) -> None:
        # Values read back from a database or a form arrive as plain strings and lists.
        try:
            object.__setattr__(self, "kind", RuleKind(self.kind))
        except ValueError:
            raise ValueError(f"计分方式“{self.kind}”无效") from None
        try:
            object.__setattr__(self, "when_empty", WhenEmpty(self.when_empty))
        except ValueError:
            raise ValueError(f"分母为零时的计分方式“{self.when_empty}”无效") from None
        object.__setattr__(self, "steps", tuple((t, p) for t, p in self.steps))

    @property
    def weight_label(self) -> str:
        return "每次扣分" if self.kind is RuleKind.PER_EVENT else FIELD_LABELS["weight"]

    @property
    def max_points(self) -> Decimal:
        """The item's full points: its weight, or 0 for a deduction."""
        return _ZERO if self.kind is RuleKind.PER_EVENT else self.weight

    def problems(self) -> dict[str, list[str]]:
        """Each faulty field (a key of :data:`FIELD_LABELS`) with its Chinese messages."""
        found: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            found.setdefault(name, []).append(message)

        def number(name: str, label: str, value: Decimal, *, positive: bool = False) -> bool:
            if not value.is_finite():
                add(name, f"{label}不是有效的数字")
            elif positive and value <= 0:
                add(name, f"{label}必须大于0")
            elif not _has_two_places(value):
                add(name, f"{label}最多保留两位小数")
            else:
                return True
            return False

        weight_ok = number("weight", self.weight_label, self.weight, positive=True)
        self._check_linear(add, number)
        self._check_steps(add, number, weight_ok)
        if self.kind is RuleKind.PER_EVENT:
            if self.cap is not None:
                number("cap", FIELD_LABELS["cap"], self.cap, positive=True)
        elif self.cap is not None:
            add("cap", "扣分上限只用于按次扣分")
        return found

    def _check_linear(
        self, add: Callable[[str, str], None], number: Callable[[str, str, Decimal], bool]
    ) -> None:
        if self.kind is not RuleKind.LINEAR:
            for name in ("floor", "target"):
                if getattr(self, name) is not None:
                    add(name, f"{FIELD_LABELS[name]}只用于按比例计分")
            return
        ok = True
        for name, value in (("floor", self.floor), ("target", self.target)):
            if value is None:
                add(name, f"{FIELD_LABELS[name]}不能为空")
                ok = False
            else:
                ok = number(name, FIELD_LABELS[name], value) and ok
        if ok and self.floor == self.target:
            add("target", "目标值不能等于底线值")

    def _check_steps(
        self, add: Callable[[str, str], None], number: Callable[[str, str, Decimal], bool], weight_ok: bool
    ) -> None:
        if self.kind is not RuleKind.THRESHOLDS:
            if self.steps:
                add("steps", "计分档次只用于分档计分")
            if self.lower_is_better:
                add("lower_is_better", "越低越好只用于分档计分（按比例计分以底线值大于目标值表示越低越好）")
            return
        if not self.steps:
            add("steps", "计分档次不能为空，如“95=10; 90=8”")
            return
        valid: list[tuple[Decimal, Decimal]] = []
        for threshold, points in self.steps:
            step = f"计分档次“{_step_text(threshold, points)}”"
            if not number("steps", f"{step}的门槛", threshold) or not number(
                "steps", f"{step}的分值", points
            ):
                continue
            if points < 0:
                add("steps", f"{step}的分值不能为负数")
            elif weight_ok and points > self.weight:
                add("steps", f"{step}的分值超过该项分值{_plain(self.weight)}分")
            valid.append((threshold, points))
        seen: set[Decimal] = set()
        for threshold, _ in valid:
            if threshold in seen:
                add("steps", f"计分档次的门槛{_plain(threshold)}重复")
            seen.add(threshold)
        # From the easiest step to the strictest, the points may not go down.
        ordered = sorted(valid, key=lambda step: -step[0] if self.lower_is_better else step[0])
        stricter = "更低" if self.lower_is_better else "更高"
        for easier, harder in pairwise(ordered):
            if harder[0] != easier[0] and harder[1] < easier[1]:
                add(
                    "steps",
                    f"计分档次“{_step_text(*harder)}”的门槛{stricter}，分值却低于“{_step_text(*easier)}”",
                )

    def check(self) -> list[str]:
        """Every problem of the rule in Chinese, naming the field; empty when the rule is valid."""
        return [message for messages in self.problems().values() for message in messages]


def _step_text(threshold: Decimal, points: Decimal) -> str:
    return f"{_plain(threshold) if threshold.is_finite() else threshold}={_plain(points) if points.is_finite() else points}"


_STEP_SEPARATORS = re.compile(r"[;,、\n]+")
_PAIR_SEPARATORS = re.compile(r"[=:]")


def parse_steps(text: str) -> Steps:
    """The steps of a THRESHOLDS rule from "95=10; 90=8; 85=6".

    Steps are separated by ; , 、 or a new line, a threshold from its points by = or :, full-width
    forms included ("95：10，90：8"); a threshold may end in %, points in 分. Blank text is no steps
    (:meth:`Rule.check` then asks for some). Raises ValueError with a Chinese message naming the
    bad part."""
    steps: list[tuple[Decimal, Decimal]] = []
    parts = [part.strip() for part in _STEP_SEPARATORS.split(unicodedata.normalize("NFKC", text))]
    for position, part in enumerate((part for part in parts if part), 1):
        pair = _PAIR_SEPARATORS.split(part)
        if len(pair) != 2:
            raise ValueError(f"计分档次第{position}项“{part}”应写作“门槛=分值”，如“95=10”")
        threshold_text, points_text = pair[0].strip().removesuffix("%"), pair[1].strip().removesuffix("分")
        steps.append(
            (
                _parse_number(threshold_text.strip(), f"计分档次第{position}项“{part}”的门槛"),
                _parse_number(points_text.strip(), f"计分档次第{position}项“{part}”的分值"),
            )
        )
    return tuple(steps)


def _parse_number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not text or not value.is_finite():
        raise ValueError(f"{what}“{text}”不是数字")
    return value


def format_steps(steps: Iterable[tuple[Decimal, Decimal]]) -> str:
    """The steps as :func:`parse_steps` reads them: "95=10; 90=8; 85=6"."""
    return "; ".join(_step_text(threshold, points) for threshold, points in steps)


# --- scoring an item -------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemScore:
    """One item's score for one unit.

    ``points`` are rounded half up to 2 places, negative for a deduction; ``max_points`` is the
    item's full points (0 for PER_EVENT), kept when the item is skipped so that :func:`total_of`
    can rescale; ``counted`` is False when skipped (empty denominator under SKIP). ``figure_text``
    is the value as printed ("96.50%", "3批", "—"), ``reason`` the Chinese explanation."""

    label: str
    figure_text: str
    points: Decimal
    max_points: Decimal
    counted: bool
    reason: str


def score_item(rule: Rule, value: Fraction | int | Decimal | None, *, label: str, unit: str) -> ItemScore:
    """The score of one item: ``value`` is a rate in percent (``unit=PERCENT``) or a count in
    ``unit``; None is an empty denominator. Raises ValueError for a faulty rule or value."""
    problems = rule.check()
    if problems:
        raise ValueError(f"{label}的计分规则有误：{'；'.join(problems)}")
    full = _rounded(rule.max_points)
    if value is None:
        return _score_empty(rule, label, full)
    exact = Fraction(value)
    figure = _figure(exact, unit)
    if rule.kind is RuleKind.LINEAR:
        points, reason = _score_linear(rule, exact, unit)
    elif rule.kind is RuleKind.THRESHOLDS:
        points, reason = _score_thresholds(rule, exact, unit)
    else:
        points, reason = _score_per_event(rule, exact, unit, label, figure)
    return ItemScore(label, figure, points, full, True, f"{label}{figure}，{reason}")


def _score_empty(rule: Rule, label: str, full: Decimal) -> ItemScore:
    counted = rule.when_empty is not WhenEmpty.SKIP
    points, weight = _ZERO, _plain(rule.weight)
    if not counted:
        reason = "无应统计的事项（分母为零），不参加考核，总分按实际考核项目折算"
    elif rule.kind is RuleKind.PER_EVENT:
        reason = "无应统计的事项，不扣分"
    elif rule.when_empty is WhenEmpty.FULL:
        points, reason = full, f"无应统计的事项（分母为零），按满分计{weight}分"
    else:
        reason = f"无应统计的事项（分母为零），按0分计（满分{weight}分）"
    return ItemScore(label, EMPTY, _rounded(points), full, counted, f"{label}：{reason}")


def _score_linear(rule: Rule, value: Fraction, unit: str) -> tuple[Decimal, str]:
    assert rule.floor is not None and rule.target is not None  # Rule.check
    floor, target = Fraction(rule.floor), Fraction(rule.target)
    progress = (value - floor) / (target - floor)
    floor_text, target_text = _figure(floor, unit), _figure(target, unit)
    weight = _plain(rule.weight)
    if progress >= 1:
        return _rounded(rule.weight), f"达到目标{target_text}，得满分{weight}分"
    if progress <= 0:
        side = "未超过" if target > floor else "未低于"
        return _rounded(0), f"{side}底线{floor_text}，得0分（满分{weight}分）"
    points = _rounded(Fraction(rule.weight) * progress)
    return (
        points,
        f"介于底线{floor_text}与目标{target_text}之间，按比例得{_points_text(points)}分（满分{weight}分）",
    )


def _score_thresholds(rule: Rule, value: Fraction, unit: str) -> tuple[Decimal, str]:
    lower = rule.lower_is_better
    reached = [
        (threshold, points)
        for threshold, points in rule.steps
        if (value <= threshold if lower else value >= threshold)
    ]
    weight = _plain(rule.weight)
    relation = "不高于" if lower else "不低于"
    if not reached:
        easiest = max(t for t, _ in rule.steps) if lower else min(t for t, _ in rule.steps)
        return (
            _rounded(0),
            f"未达到任一档次（最低一档为{relation}{_figure(Fraction(easiest), unit)}），得0分（满分{weight}分）",
        )
    # The best step: the most points; among equal points the strictest threshold, for the reason.
    threshold, points = max(reached, key=lambda step: (step[1], -step[0] if lower else step[0]))
    return (
        _rounded(points),
        f"{relation}{_figure(Fraction(threshold), unit)}，得{_plain(points)}分（满分{weight}分）",
    )


def _score_per_event(rule: Rule, count: Fraction, unit: str, label: str, figure: str) -> tuple[Decimal, str]:
    if unit == PERCENT:
        raise ValueError(f"{label}按次扣分，指标应是次数，不能是比率")
    if count < 0 or count.denominator != 1:
        raise ValueError(f"{label}的次数应是不小于0的整数，而不是{figure}")
    if count == 0:
        return _rounded(0), "不扣分"
    each = f"每{unit or '次'}扣{_plain(rule.weight)}分"
    due = count * Fraction(rule.weight)
    if rule.cap is not None and due > rule.cap:
        cap = _rounded(rule.cap)
        return (
            _rounded(-Fraction(cap)),
            f"{each}，应扣{_points_text(_rounded(due))}分，扣分以{_plain(rule.cap)}分为限，扣{_points_text(cap)}分",
        )
    deducted = _rounded(due)
    return _rounded(-Fraction(deducted)), f"{each}，扣{_points_text(deducted)}分"


# --- a unit's total and the ranking ----------------------------------------------------------


def total_of(items: Sequence[ItemScore], full_marks: Decimal) -> Decimal:
    """A unit's total from its items' (rounded) points; see the module docstring for the rescaling
    of skipped items and the floor at 0. ``full_marks`` must equal the items' full points."""
    if not full_marks.is_finite() or full_marks < 0:
        raise ValueError(f"满分“{full_marks}”应是不小于0的数字")
    declared = sum((item.max_points for item in items), _ZERO)
    if declared != full_marks:
        raise ValueError(f"各项分值之和{_plain(declared)}分与满分{_plain(full_marks)}分不一致")
    skipped = sum((item.max_points for item in items if not item.counted), _ZERO)
    gained = sum((item.points for item in items if item.counted and item.points > 0), _ZERO)
    lost = sum((item.points for item in items if item.counted and item.points < 0), _ZERO)
    assessed = full_marks - skipped
    if not skipped:
        scaled = Fraction(gained)
    elif assessed > 0:
        scaled = Fraction(gained) * Fraction(full_marks) / Fraction(assessed)  # 按实际考核项目折算
    else:
        scaled = Fraction(full_marks)  # every scoring item skipped: nothing to fault
    return _rounded(max(scaled + Fraction(lost), Fraction(0)))


@dataclass(frozen=True)
class UnitScore:
    """A unit's item scores and total (:func:`total_of`) out of ``full_marks``."""

    items: tuple[ItemScore, ...]
    total: Decimal
    full_marks: Decimal

    @classmethod
    def of(cls, items: Iterable[ItemScore], full_marks: Decimal) -> UnitScore:
        scored = tuple(items)
        return cls(scored, total_of(scored, full_marks), full_marks)

    @property
    def skipped_marks(self) -> Decimal:
        """The full points of the items not assessed (skipped)."""
        return sum((item.max_points for item in self.items if not item.counted), _ZERO)

    @property
    def rescaled(self) -> bool:
        """Whether the total was 按实际考核项目折算 (some scoring item was skipped)."""
        return self.skipped_marks > 0


def rank(totals: Mapping[K, Decimal]) -> dict[K, int]:
    """Competition ranking ("1224"): the highest total is 1, equal totals share a rank and the
    next rank skips as many places as shared it."""
    for total in totals.values():
        if not total.is_finite():
            raise ValueError(f"总分“{total}”不是有效的数字")
    first: dict[Decimal, int] = {}
    for position, total in enumerate(sorted(totals.values(), reverse=True), 1):
        first.setdefault(total, position)
    return {key: first[total] for key, total in totals.items()}


def rank_change(current: int | None, previous: int | None) -> int | None:
    """Places moved since the previous period: ``previous − current``, positive = moved up; None
    when the unit was not ranked in either."""
    if current is None or previous is None:
        return None
    return previous - current


# --- frozen snapshots and their differences --------------------------------------------------

Json = dict[str, object]


def _json_error(where: str, problem: str) -> ValueError:
    return ValueError(f"定稿数据有误：{where}{problem}")


def _json_mapping(data: object, where: str) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise _json_error(where, "应是一个对象")
    return data


def _json_str(data: Mapping[str, object], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise _json_error(where, f"缺少“{key}”或它不是文字")
    return value


def _json_decimal(data: Mapping[str, object], key: str, where: str) -> Decimal:
    text = _json_str(data, key, where)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _json_error(where, f"的“{key}”“{text}”不是数字") from None
    if not value.is_finite():
        raise _json_error(where, f"的“{key}”“{text}”不是数字")
    return value


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


@dataclass(frozen=True)
class ItemRow:
    """One item of a unit's line as printed: the figure ("96.50%", "3批", "—"), points and reason."""

    label: str
    figure_text: str
    points: Decimal
    reason: str

    @classmethod
    def of(cls, item: ItemScore) -> ItemRow:
        return cls(item.label, item.figure_text, item.points, item.reason)

    def to_json(self) -> Json:
        return {
            "label": self.label,
            "figure_text": self.figure_text,
            "points": _decimal_text(self.points),
            "reason": self.reason,
        }

    @classmethod
    def from_json(cls, data: object, where: str = "考核项目") -> ItemRow:
        row = _json_mapping(data, where)
        return cls(
            _json_str(row, "label", where),
            _json_str(row, "figure_text", where),
            _json_decimal(row, "points", where),
            _json_str(row, "reason", where),
        )


@dataclass(frozen=True)
class UnitRow:
    """A unit's line of an assessment table: its items (labels unique), total and rank (None when
    not ranked). ``unit_key`` identifies the unit across computations."""

    unit_key: str
    unit_name: str
    items: tuple[ItemRow, ...]
    total: Decimal
    rank: int | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))
        labels = [item.label for item in self.items]
        for label in labels:
            if labels.count(label) > 1:
                raise ValueError(f"{self.unit_name}的考核项目“{label}”重复")

    @classmethod
    def of(cls, unit_key: str, unit_name: str, score: UnitScore, rank: int | None) -> UnitRow:
        items = tuple(ItemRow.of(item) for item in score.items)
        return cls(unit_key, unit_name, items, score.total, rank)

    def with_rank(self, rank: int | None) -> UnitRow:
        return replace(self, rank=rank)

    def item(self, label: str) -> ItemRow | None:
        return next((item for item in self.items if item.label == label), None)

    def to_json(self) -> Json:
        return {
            "unit_key": self.unit_key,
            "unit_name": self.unit_name,
            "items": [item.to_json() for item in self.items],
            "total": _decimal_text(self.total),
            "rank": self.rank,
        }

    @classmethod
    def from_json(cls, data: object, where: str = "考核单位") -> UnitRow:
        row = _json_mapping(data, where)
        items = row.get("items")
        if not isinstance(items, list):
            raise _json_error(where, "缺少“items”或它不是列表")
        ranked = row.get("rank")
        if ranked is not None and (not isinstance(ranked, int) or isinstance(ranked, bool)):
            raise _json_error(where, "的“rank”应是整数")
        return cls(
            _json_str(row, "unit_key", where),
            _json_str(row, "unit_name", where),
            tuple(ItemRow.from_json(item, f"{where}第{i}个考核项目") for i, item in enumerate(items, 1)),
            _json_decimal(row, "total", where),
            ranked,
        )


def rows_to_json(rows: Iterable[UnitRow]) -> list[Json]:
    """A table's rows for a JSONField."""
    return [row.to_json() for row in rows]


def rows_from_json(data: object) -> list[UnitRow]:
    """The rows :func:`rows_to_json` wrote; ValueError (in Chinese) for anything else."""
    if not isinstance(data, list):
        raise _json_error("", "应是考核单位的列表")
    return [UnitRow.from_json(row, f"第{i}个考核单位") for i, row in enumerate(data, 1)]


def by_unit(rows: Iterable[UnitRow]) -> dict[str, UnitRow]:
    """Rows keyed by ``unit_key``, in their order; a unit twice is a ValueError."""
    keyed: dict[str, UnitRow] = {}
    for row in rows:
        if row.unit_key in keyed:
            raise ValueError(f"考核单位“{row.unit_name}”出现了两次")
        keyed[row.unit_key] = row
    return keyed


class Aspect(StrEnum):
    """What differs between a frozen and a live row."""

    UNIT = "unit"  # a unit in one of them only
    ITEM = "item"  # an item in one of them only
    FIGURE = "figure"
    POINTS = "points"
    TOTAL = "total"
    RANK = "rank"

    @property
    def label(self) -> str:
        return {
            Aspect.UNIT: "考核单位",
            Aspect.ITEM: "考核项目",
            Aspect.FIGURE: "指标值",
            Aspect.POINTS: "得分",
            Aspect.TOTAL: "总分",
            Aspect.RANK: "排名",
        }[self]


@dataclass(frozen=True)
class Difference:
    """One difference, its values as printed (:data:`ABSENT` on the side that lacks it).

    ``unit`` is the unit's key; ``item`` the item's label, None for the unit's total, rank or
    presence."""

    unit: str
    unit_name: str
    item: str | None
    aspect: Aspect
    frozen: str
    live: str


def _points_shown(points: Decimal) -> str:
    return f"{_rounded(points):.2f}分"


def _rank_shown(ranked: int | None) -> str:
    return EMPTY if ranked is None else f"第{ranked}名"


def _unit_shown(row: UnitRow) -> str:
    return f"总分{_points_shown(row.total)}，{_rank_shown(row.rank)}"


def _item_shown(item: ItemRow) -> str:
    return f"{item.figure_text}，得{_points_shown(item.points)}"


def _ordered_keys(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


def differences(frozen: Mapping[str, UnitRow], live: Mapping[str, UnitRow]) -> list[Difference]:
    """Every difference between the frozen rows of a 定稿 period and a live computation, both keyed
    by unit key (:func:`by_unit`): in the frozen order, units only live at the end; within a unit
    its items (figure, then points), then its total and rank."""
    found: list[Difference] = []
    for key in _ordered_keys(frozen, live):
        before, now = frozen.get(key), live.get(key)
        shown = now or before
        name = shown.unit_name if shown is not None else key
        if before is None or now is None:
            found.append(
                Difference(
                    key,
                    name,
                    None,
                    Aspect.UNIT,
                    ABSENT if before is None else _unit_shown(before),
                    ABSENT if now is None else _unit_shown(now),
                )
            )
            continue
        found.extend(_item_differences(key, name, before, now))
        if before.total != now.total:
            found.append(
                Difference(
                    key, name, None, Aspect.TOTAL, _points_shown(before.total), _points_shown(now.total)
                )
            )
        if before.rank != now.rank:
            found.append(
                Difference(key, name, None, Aspect.RANK, _rank_shown(before.rank), _rank_shown(now.rank))
            )
    return found


def _item_differences(key: str, name: str, before: UnitRow, now: UnitRow) -> list[Difference]:
    found: list[Difference] = []
    labels = _ordered_keys((i.label for i in before.items), (i.label for i in now.items))
    for label in labels:
        old, new = before.item(label), now.item(label)
        if old is None or new is None:
            found.append(
                Difference(
                    key,
                    name,
                    label,
                    Aspect.ITEM,
                    ABSENT if old is None else _item_shown(old),
                    ABSENT if new is None else _item_shown(new),
                )
            )
            continue
        if old.figure_text != new.figure_text:
            found.append(Difference(key, name, label, Aspect.FIGURE, old.figure_text, new.figure_text))
        if old.points != new.points:
            found.append(
                Difference(
                    key, name, label, Aspect.POINTS, _points_shown(old.points), _points_shown(new.points)
                )
            )
    return found
