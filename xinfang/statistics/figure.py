"""What a work report is made of: named figures, each against its comparison period (pure).

The vocabulary (`FIGURES`) is the one list of figures a bureau's report can print. Its keys are
the dotted Chinese names the report templates use (`{{ 来访.集体访.批次 }}`); each names its
definition in docs/statistics.md (`definition`), its unit and whether it is a count or a rate.
`xinfang.statistics.figures` computes every key for an organisation and a period; the templates,
the .docx/.xlsx/.json renderings and the statistics page only read `Report`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from xinfang.statistics.indicators import Change, Comparison, PointChange, Ratio


class Kind(StrEnum):
    COUNT = "count"  # an integer: 件次, 批次, 人次, 件
    RATE = "rate"  # a Ratio: written in percent with two decimals
    DENSITY = "density"  # a Decimal per 10,000 inhabitants


@dataclass(frozen=True)
class Term:
    label: str  # as a report writes it
    unit: str  # 件次 / 批 / 人次 / 件 / 份 / 次 / 天次 / "%" / "件次/万人"
    kind: Kind
    definition: str  # the anchor of its row in docs/statistics.md


def _count(label: str, unit: str, definition: str) -> Term:
    return Term(label, unit, Kind.COUNT, definition)


def _rate(label: str, definition: str) -> Term:
    return Term(label, "%", Kind.RATE, definition)


# Visits counted by where they were registered (DOMAIN §4: 进京 / 赴省 / 到市 / 到县), each 个访 and 集访.
_VISIT_PLACES = {"进京": "national", "赴省": "province", "到市": "city", "到县": "county"}
# The two tracks of acceptance timeliness and satisfaction (DOMAIN §3, §4).
_TRACKS = ("信访部门", "责任单位")


def _vocabulary() -> dict[str, Term]:
    terms: dict[str, Term] = {
        "信访总量.件次": _count("信访总量", "件次", "total"),
        "信访总量.人次": _count("信访总量", "人次", "total"),
        "来信.件次": _count("来信", "件次", "letters"),
        "网上信访.件次": _count("网上信访", "件次", "online"),
        "电话.件次": _count("电话", "件次", "phone"),
        "其他.件次": _count("其他形式", "件次", "other-channels"),
        "来访.批次": _count("来访", "批", "visits"),
        "来访.人次": _count("来访", "人次", "visits"),
        "来访.个访.批次": _count("个访", "批", "individual-visits"),
        "来访.个访.人次": _count("个访", "人次", "individual-visits"),
        "来访.集体访.批次": _count("集体访", "批", "collective-visits"),
        "来访.集体访.人次": _count("集体访", "人次", "collective-visits"),
        "越级访.批次": _count("越级访", "批", "skip-level"),
        "越级访.人次": _count("越级访", "人次", "skip-level"),
        "逐级访.批次": _count("逐级访", "批", "skip-level"),
        "逐级访.人次": _count("逐级访", "人次", "skip-level"),
        "重复信访.件次": _count("重复信访", "件次", "repeats"),
        "重复信访.人次": _count("重复信访", "人次", "repeats"),
        "重复率": _rate("重复信访率", "repeat-rate"),
        "初信初访.件次": _count("初信初访", "件次", "first-time"),
        "受理.件次": _count("受理", "件次", "acceptance-rate"),
        "受理率": _rate("受理率", "acceptance-rate"),
        "办结.件次": _count("办结", "件次", "closure-rate"),
        "办结率": _rate("办结率", "closure-rate"),
        "按期办结率": _rate("按期办结率", "on-time-closure"),
        "超期.件次": _count("超期", "件次", "overdue"),
        "录入及时率": _rate("录入及时率", "entry-timeliness"),
        "网上信访一次办结率": _rate("网上信访一次办结率", "online-once-closed"),
        "一次性化解率": _rate("初次信访事项一次性化解率", "one-time-resolution"),
        "每万人信访量": Term("每万人信访量", "件次/万人", Kind.DENSITY, "per-ten-thousand"),
        "复查.件次": _count("复查", "件次", "reviews"),
        "复查.维持": _count("复查维持", "件", "reviews"),
        "复查.撤销": _count("复查撤销", "件", "reviews"),
        "复查.变更": _count("复查变更", "件", "reviews"),
        "复核.件次": _count("复核", "件次", "reviews"),
        "复核.维持": _count("复核维持", "件", "reviews"),
        "复核.撤销": _count("复核撤销", "件", "reviews"),
        "复核.变更": _count("复核变更", "件", "reviews"),
        "终结.件次": _count("终结", "件次", "terminations"),
        "不予受理.件次": _count("不予受理", "件次", "declined"),
        "不再受理.件次": _count("不再受理", "件次", "declined"),
        "督办.发起": _count("督办", "件", "supervision"),
        "督办.办结": _count("督办办结", "件", "supervision"),
        "督办.提醒函": _count("督办提醒函", "份", "supervision"),
        "督办.问责建议函": _count("问责建议函", "份", "supervision"),
        "被督办.件数": _count("被督办", "件", "supervision"),
        "被督办.问责建议函": _count("被发问责建议函", "份", "supervision"),
        "类案预警.发出": _count("类案预警", "次", "cluster-alerts"),
        "类案预警.已研判": _count("已研判类案预警", "次", "cluster-alerts"),
        "领导批示": _count("领导批示", "次", "leader-instructions"),
        # The leaders' work (《信访工作条例》第十八条): counted from the rows of xinfang.leadership.
        "领导接访.次数": _count("领导接访", "次", "leader-reception"),
        "领导接访.批次": _count("领导接访群众", "批", "leader-reception"),
        "领导接访.人次": _count("领导接访群众", "人次", "leader-reception"),
        "约访.件次": _count("约访", "件", "appointments"),
        "下访.天次": _count("领导下访", "天次", "field-visits"),
        "夜访.件次": _count("夜访", "件", "field-visits"),
        "包案.件数": _count("领导包案", "件", "leader-ownership"),
        "包案.领导人次": _count("包案领导", "人次", "leader-ownership"),
        "包案.化解件数": _count("包案化解", "件", "leader-ownership"),
        "包案化解率": _rate("包案化解率", "leader-ownership"),
        "会商研判.次数": _count("会商研判会议", "次", "consultations"),
        # The hall and the grass roots (第十八条第三款、第三十一条): counted from xinfang.reception.
        "联合接访.批次": _count("联合接访", "批", "joint-reception"),
        "联合接访.现场解决": _count("联合接访现场解决", "批", "joint-reception"),
        "联合接访.已结束": _count("联合接访已结束", "批", "joint-reception"),
        "现场化解率": _rate("联合接访现场化解率", "joint-reception"),
        "律师接访.批次": _count("律师参与接访", "批", "lawyers-at-reception"),
        "律师接访.人次": _count("律师参与接访", "人次", "lawyers-at-reception"),
        "法定途径导入.件次": _count("导入法定途径", "件", "legal-routes"),
        "基层说事.件数": _count("基层服务点接待群众说事", "件", "grassroots"),
        "基层说事.人次": _count("基层服务点接待群众说事", "人次", "grassroots"),
        "基层调解.件数": _count("基层调解", "件", "grassroots"),
        "基层调解.成功": _count("基层调解成功", "件", "grassroots"),
        "基层就地化解.件数": _count("基层就地化解", "件", "grassroots"),
        "基层上报.件数": _count("基层上报", "件", "grassroots"),
    }
    for place in _VISIT_PLACES:
        for kind, label in (("个访", "个访"), ("集访", "集体访")):
            for unit, word in (("批次", "批"), ("人次", "人次")):
                terms[f"{place}.{kind}.{unit}"] = _count(f"{place}{label}", word, "visits-by-place")
    for track in _TRACKS:
        terms[f"及时受理率.{track}"] = _rate(f"{track}及时受理率", "timely-acceptance")
        terms[f"满意度件.{track}.办结"] = _count(f"{track}满意度件（已办结）", "件", "satisfaction")
        terms[f"满意度件.{track}.未办结"] = _count(f"{track}满意度件（未办结）", "件", "satisfaction")
        terms[f"满意度件.{track}.已评价"] = _count(f"{track}满意度件（已评价）", "件", "satisfaction")
        terms[f"参评率.{track}"] = _rate(f"{track}参评率", "satisfaction")
        terms[f"满意率.{track}"] = _rate(f"{track}满意率", "satisfaction")
        terms[f"基本满意率.{track}"] = _rate(f"{track}基本满意率", "satisfaction")
        terms[f"不满意率.{track}"] = _rate(f"{track}不满意率", "satisfaction")
    return terms


FIGURES: dict[str, Term] = _vocabulary()
VISIT_PLACE_LEVELS = _VISIT_PLACES
TRACKS = _TRACKS

# A count, a rate, or a density per 10,000 inhabitants; None: not known (no population recorded).
Value = int | Ratio | Decimal | None


@dataclass(frozen=True)
class Figure:
    """One figure of a report: this period's value and, with a comparison, the other period's."""

    key: str
    current: Value
    previous: Value = None

    @property
    def term(self) -> Term:
        return FIGURES[self.key]

    @property
    def change(self) -> Change | PointChange | None:
        """同比 / 环比: a count's relative change, a rate's change in percentage points."""
        if self.previous is None or self.current is None:
            return None
        if isinstance(self.current, Ratio) and isinstance(self.previous, Ratio):
            return PointChange(self.current, self.previous)
        if isinstance(self.current, int) and isinstance(self.previous, int):
            return Change(self.current, self.previous)
        return None


@dataclass(frozen=True)
class Row:
    """One row of a breakdown (a category, a month, a region, a unit, a channel) with its figures."""

    code: str
    label: str
    figures: Mapping[str, Figure]


@dataclass(frozen=True)
class Report:
    """Every figure of `FIGURES` for one organisation and period, and the breakdowns.

    `breakdowns` keys: "内容分类" (level 1), "内容分类二级", "月度", "问题属地", "责任单位", "信访形式";
    each row carries at least 信访总量.件次 and 信访总量.人次 (rows are ordered as a report lists them:
    the largest first, months in order)."""

    org_name: str
    start: dt.date
    end: dt.date
    comparison: Comparison | None
    compare_start: dt.date | None
    compare_end: dt.date | None
    figures: Mapping[str, Figure]
    breakdowns: Mapping[str, tuple[Row, ...]] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Figure:
        return self.figures[key]

    def nested(self) -> dict[str, Any]:
        """The figures as nested mappings for a template: ``nested()["来访"]["集体访"]["批次"]``."""
        tree: dict[str, Any] = {}
        for key, figure in self.figures.items():
            *parents, leaf = key.split(".")
            node = tree
            for part in parents:
                child = node.setdefault(part, {})
                if isinstance(child, Figure):  # "重复率" beside "重复信访.件次": never a clash today
                    raise ValueError(f"figure key {key!r} nests under a figure")
                node = child
            node[leaf] = figure
        return tree
