"""The assessment in the demo, through the assessment services:

- 示例市信访局 assesses the city's functional departments with 《市直单位信访工作目标管理考核方案》,
  a 2025 version and this year's copy (work figures only: acceptance, closure on time, ratings,
  一次性化解, and deductions for each 督办 and 问责建议函 received); last year's third quarter is
  frozen, so this year's shows the rank against it; this year's third quarter is frozen and
  published to the departments;
- 青山县信访局 assesses its townships with 《乡镇（街道）信访工作考核方案》, where the figures by
  问题属地 apply too (重复信访率, deductions for each 越级访 and each 进京/赴省 visit); live, not frozen.

Runs once: nothing is added where a scheme exists. Quarters that have not ended are left live.
"""

from __future__ import annotations

from decimal import Decimal

from xinfang.assessment.models import RuleChoice, Scheme, SchemeItem
from xinfang.assessment.periods import period_dates
from xinfang.assessment.services import (
    scheme_copy_to_year,
    scheme_create,
    scorecard_freeze,
    scorecard_publish,
)
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Org, OrgKind, User

CITY_SCHEME = "市直单位信访工作目标管理考核方案"
COUNTY_SCHEME = "乡镇（街道）信访工作考核方案"


def _linear(name: str, indicator: str, weight: int, floor: str, target: str, **more: object) -> SchemeItem:
    return SchemeItem(
        name=name,
        indicator=indicator,
        rule=RuleChoice.LINEAR,
        weight=Decimal(weight),
        floor=Decimal(floor),
        target=Decimal(target),
        **more,
    )


def _per_event(name: str, indicator: str, each: str, cap: str) -> SchemeItem:
    return SchemeItem(
        name=name, indicator=indicator, rule=RuleChoice.PER_EVENT, weight=Decimal(each), cap=Decimal(cap)
    )


def _city_items() -> list[SchemeItem]:
    return [
        _linear("及时受理率", "及时受理率.责任单位", 15, "60", "100"),
        _linear("按期办结率", "按期办结率", 30, "60", "100"),
        SchemeItem(
            name="参评率",
            indicator="参评率.责任单位",
            rule=RuleChoice.THRESHOLDS,
            weight=Decimal(10),
            steps="90=10; 70=6; 50=3",
        ),
        _linear("满意率", "满意率.责任单位", 25, "50", "95"),
        _linear("一次性化解率", "一次性化解率", 20, "50", "90"),
        _per_event("被督办", "被督办.件数", "1", "5"),
        _per_event("问责建议函", "被督办.问责建议函", "3", "10"),
    ]


def _county_items() -> list[SchemeItem]:
    return [
        _linear("按期办结率", "按期办结率", 30, "60", "100"),
        _linear("满意率", "满意率.责任单位", 20, "50", "95"),
        _linear("一次性化解率", "一次性化解率", 30, "50", "90"),
        # Lower is better: 30% of repeats scores nothing, 5% or fewer full marks.
        _linear("重复信访率", "重复率", 20, "30", "5", when_empty="full"),
        _per_event("越级访", "越级访.批次", "2", "10"),
        _per_event("进京赴省访", "进京.个访.批次+进京.集访.批次+赴省.个访.批次+赴省.集访.批次", "5", "20"),
    ]


def _ended(year: int, period: str) -> bool:
    return period_dates(year, period)[1] < local_date()


def assessment_work() -> None:
    if Scheme.objects.exists():
        return
    bureau = Org.objects.get(name="示例市信访局")
    head = User.objects.get(username="juzhang")
    departments = list(Org.objects.filter(region=bureau.region, kind=OrgKind.FUNCTIONAL).order_by("path"))
    this_year = local_date().year
    earlier = scheme_create(
        org=bureau,
        year=this_year - 1,
        name=CITY_SCHEME,
        units=departments,
        items=_city_items(),
        description="按季度考核市直各职能部门办理信访事项的情况，年度考核取全年数据。",
    )
    current = scheme_copy_to_year(earlier, this_year)
    if _ended(this_year - 1, "q3"):
        scorecard_freeze(user=head, scheme=earlier, period="q3")
    if _ended(this_year, "q3"):
        card = scorecard_freeze(user=head, scheme=current, period="q3")
        scorecard_publish(user=head, card=card)

    county_bureau = Org.objects.get(name="青山县信访局")
    towns = list(
        Org.objects.filter(kind=OrgKind.TOWNSHIP, region__parent=county_bureau.region).order_by("path")
    )
    scheme_create(
        org=county_bureau,
        year=this_year,
        name=COUNTY_SCHEME,
        units=towns,
        items=_county_items(),
        description="按季度考核各乡镇（街道）信访工作，问题属地在本乡镇（街道）的信访事项计入。",
    )
