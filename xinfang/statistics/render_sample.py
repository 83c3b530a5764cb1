"""Invented reports for previewing a report template in the back office, and for tests (pure).

`sample_report` has every figure of `FIGURES` with figures shaped like the excerpts of a real
half-year report (4,210件次6,835人次, 赴京集体上访41批187人 against 52批240人, …); `empty_report` is
a period without a single case: zeros everywhere and empty rates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xinfang.statistics.figure import FIGURES, Figure, Kind, Report, Row, Value
from xinfang.statistics.indicators import Comparison, Ratio, comparison_period

# Counts: (this period, the comparison period).
_COUNTS: dict[str, tuple[int, int]] = {
    "信访总量.件次": (4210, 4349),
    "信访总量.人次": (6835, 7203),
    "来信.件次": (1102, 1203),
    "网上信访.件次": (1421, 1414),
    "电话.件次": (132, 140),
    "其他.件次": (25, 31),
    "来访.批次": (1530, 1561),
    "来访.人次": (2981, 2931),
    "来访.个访.批次": (1472, 1506),
    "来访.个访.人次": (1777, 1790),
    "来访.集体访.批次": (58, 55),
    "来访.集体访.人次": (1204, 1141),
    "越级访.批次": (35, 44),
    "越级访.人次": (61, 80),
    "逐级访.批次": (1495, 1517),
    "逐级访.人次": (2920, 2851),
    "重复信访.件次": (212, 239),
    "重复信访.人次": (398, 431),
    "初信初访.件次": (3998, 4110),
    "受理.件次": (3850, 3901),
    "办结.件次": (3702, 3655),
    "超期.件次": (12, 20),
    "复查.件次": (31, 28),
    "复查.维持": (25, 22),
    "复查.撤销": (2, 3),
    "复查.变更": (4, 3),
    "复核.件次": (9, 11),
    "复核.维持": (8, 10),
    "复核.撤销": (0, 1),
    "复核.变更": (1, 0),
    "终结.件次": (3, 2),
    "不予受理.件次": (41, 47),
    "不再受理.件次": (18, 15),
    "督办.发起": (70, 64),
    "督办.办结": (61, 58),
    "督办.提醒函": (45, 39),
    "督办.问责建议函": (25, 21),
    "被督办.件数": (12, 15),
    "被督办.问责建议函": (3, 4),
    "类案预警.发出": (14, 0),
    "类案预警.已研判": (12, 0),
    "领导批示": (28, 25),
    # "党政领导接访86次，接待群众312批1,024人次；约访45件、下访120天次；236人次参与信访包案198件"
    "领导接访.次数": (86, 79),
    "领导接访.批次": (312, 290),
    "领导接访.人次": (1024, 958),
    "约访.件次": (45, 38),
    "下访.天次": (120, 104),
    "夜访.件次": (64, 51),
    "包案.件数": (198, 183),
    "包案.领导人次": (236, 214),
    "包案.化解件数": (169, 150),
    "会商研判.次数": (32, 27),
    # "共联合接待群众来访123批，90%的来访事项在接访大厅得到协调解决"; "律师…提供法律咨询和服务";
    # "接待群众'说事'3200多人次，成功调解…950余起"
    "联合接访.批次": (123, 110),
    "联合接访.现场解决": (110, 96),
    "联合接访.已结束": (122, 108),
    "律师接访.批次": (486, 455),
    "律师接访.人次": (731, 690),
    "法定途径导入.件次": (265, 241),
    "基层说事.件数": (2420, 2210),
    "基层说事.人次": (3215, 2986),
    "基层调解.件数": (1102, 1015),
    "基层调解.成功": (953, 871),
    "基层就地化解.件数": (1630, 1502),
    "基层上报.件数": (212, 236),
    "进京.个访.批次": (503, 540),
    "进京.个访.人次": (611, 660),
    "进京.集访.批次": (41, 52),
    "进京.集访.人次": (187, 240),
    "赴省.个访.批次": (690, 702),
    "赴省.个访.人次": (801, 815),
    "赴省.集访.批次": (122, 130),
    "赴省.集访.人次": (1406, 1512),
    "到市.个访.批次": (812, 790),
    "到市.个访.人次": (1090, 1032),
    "到市.集访.批次": (97, 101),
    "到市.集访.人次": (2315, 2406),
    "到县.个访.批次": (1210, 1188),
    "到县.个访.人次": (1402, 1377),
    "到县.集访.批次": (133, 129),
    "到县.集访.人次": (2760, 2702),
    "满意度件.信访部门.办结": (1350, 1290),
    "满意度件.信访部门.未办结": (71, 90),
    "满意度件.信访部门.已评价": (1202, 1103),
    "满意度件.责任单位.办结": (1350, 1290),
    "满意度件.责任单位.未办结": (71, 90),
    "满意度件.责任单位.已评价": (1180, 1089),
}
# Rates: (numerator, denominator) this period and in the comparison period.
_RATES: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "重复率": ((212, 4210), (239, 4349)),
    "受理率": ((3850, 3850), (3901, 3901)),
    "办结率": ((3702, 3850), (3655, 3901)),
    "按期办结率": ((3650, 3702), (3580, 3655)),
    "录入及时率": ((4108, 4210), (4201, 4349)),
    "网上信访一次办结率": ((1301, 1390), (1240, 1350)),
    "一次性化解率": ((1893, 2000), (1850, 2000)),
    "及时受理率.信访部门": ((3801, 3850), (3850, 3901)),
    "及时受理率.责任单位": ((3700, 3850), (3703, 3901)),
    "参评率.信访部门": ((1202, 1350), (1103, 1290)),
    "满意率.信访部门": ((1190, 1202), (1080, 1103)),
    "基本满意率.信访部门": ((210, 1202), (198, 1103)),
    "不满意率.信访部门": ((12, 1202), (23, 1103)),
    "参评率.责任单位": ((1180, 1350), (1089, 1290)),
    "满意率.责任单位": ((1150, 1180), (1050, 1089)),
    "基本满意率.责任单位": ((230, 1180), (215, 1089)),
    "不满意率.责任单位": ((30, 1180), (39, 1089)),
    "包案化解率": ((169, 198), (150, 183)),
    "现场化解率": ((110, 122), (96, 108)),
}
# Level-1 categories: name, (件次, 人次), (集体访批次, 集体访人次), the comparison period's 件次.
_CATEGORIES = [
    ("城乡建设", (1010, 1702), (17, 402), 1080),
    ("政法", (642, 905), (5, 61), 690),
    ("自然资源", (598, 1020), (12, 260), 571),
    ("农村农业", (331, 560), (8, 150), 352),
    ("劳动和社会保障", (302, 633), (10, 211), 298),
    ("卫生健康", (233, 301), (2, 40), 240),
    ("教育", (201, 260), (1, 20), 199),
    ("其他", (893, 1454), (3, 60), 919),
]
_MONTHS = [(688, 1102), (590, 981), (745, 1230), (720, 1150), (701, 1189), (766, 1183)]


def _totals(code: str, label: str, count: int, persons: int) -> Row:
    """A breakdown row with only the totals (件次, 人次)."""
    return Row(
        code,
        label,
        {"信访总量.件次": Figure("信访总量.件次", count), "信访总量.人次": Figure("信访总量.人次", persons)},
    )


def _figure(key: str, current: Value, previous: Value, comparison: Comparison | None) -> Figure:
    return Figure(key, current, previous if comparison else None)


def sample_report(
    *,
    org_name: str = "示例市",
    start: dt.date = dt.date(2025, 1, 1),
    end: dt.date = dt.date(2025, 6, 30),
    comparison: Comparison | None = Comparison.YOY,
) -> Report:
    figures: dict[str, Figure] = {}
    for key, term in FIGURES.items():
        if key in _COUNTS:
            now, before = _COUNTS[key]
            figures[key] = _figure(key, now, before, comparison)
        elif key in _RATES:
            (num, den), (pnum, pden) = _RATES[key]
            figures[key] = _figure(key, Ratio(num, den), Ratio(pnum, pden), comparison)
        elif term.kind is Kind.DENSITY:
            figures[key] = _figure(key, Decimal("10.53"), Decimal("10.87"), comparison)
        else:  # a figure added to the vocabulary after these samples were written
            empty: Value = Ratio(0, 0) if term.kind is Kind.RATE else 0
            figures[key] = _figure(key, empty, empty, comparison)
    categories = tuple(
        Row(
            f"C{index:02d}",
            name,
            {
                "信访总量.件次": _figure("信访总量.件次", count, previous, comparison),
                "信访总量.人次": _figure("信访总量.人次", persons, None, comparison),
                "来访.集体访.批次": _figure("来访.集体访.批次", batches, None, comparison),
                "来访.集体访.人次": _figure("来访.集体访.人次", people, None, comparison),
            },
        )
        for index, (name, (count, persons), (batches, people), previous) in enumerate(_CATEGORIES, start=1)
    )
    months = tuple(
        _totals(f"{start.year}-{month:02d}", f"{month}月", count, persons)
        for month, (count, persons) in enumerate(_MONTHS, start=1)
    )
    channels = tuple(
        _totals(code, label, count, persons)
        for code, label, count, persons in (
            ("visit", "来访", 1530, 2981),
            ("online", "网上信访", 1421, 1600),
            ("letter", "来信", 1102, 2047),
            ("phone", "电话", 132, 180),
            ("other", "其他", 25, 27),
        )
    )
    regions = tuple(
        _totals(code, label, count, persons)
        for code, label, count, persons in (
            ("990102", "东城区", 1320, 2140),
            ("990121", "示例县", 1190, 1902),
            ("990103", "西城区", 980, 1603),
            ("990122", "北山县", 720, 1190),
        )
    )
    units = tuple(
        _totals(code, label, count, persons)
        for code, label, count, persons in (
            ("u1", "市住房和城乡建设局", 802, 1310),
            ("u2", "市自然资源和规划局", 560, 960),
            ("u3", "市人力资源和社会保障局", 301, 630),
        )
    )
    compare_start, compare_end = comparison_period(start, end, comparison) if comparison else (None, None)
    return Report(
        org_name,
        start,
        end,
        comparison,
        compare_start,
        compare_end,
        figures,
        {
            "内容分类": categories,
            "内容分类二级": (),
            "月度": months,
            "问题属地": regions,
            "责任单位": units,
            "信访形式": channels,
        },
    )


def empty_report(
    *,
    org_name: str = "示例县",
    start: dt.date = dt.date(2025, 1, 1),
    end: dt.date = dt.date(2025, 6, 30),
    comparison: Comparison | None = Comparison.YOY,
) -> Report:
    """A period without cases: every count 0 in both periods, every rate empty, no population."""
    figures: dict[str, Figure] = {}
    for key, term in FIGURES.items():
        if term.kind is Kind.RATE:
            figures[key] = _figure(key, Ratio(0, 0), Ratio(0, 0), comparison)
        elif term.kind is Kind.DENSITY:
            figures[key] = Figure(key, None, None)
        else:
            figures[key] = _figure(key, 0, 0, comparison)
    compare_start, compare_end = comparison_period(start, end, comparison) if comparison else (None, None)
    return Report(org_name, start, end, comparison, compare_start, compare_end, figures, {})
