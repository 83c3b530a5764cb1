"""The hall and the grass roots in a report: 联合接访 (and 现场化解率), 律师接访, 导入法定途径, and the
grass-roots points' 说事, 调解, 就地化解 and 上报, worked out by hand on rows written directly.

Reported on 青山县人民政府 (and the city above it) over 2025-01-01..2025-06-30, 同比 2024:

- the county hall: joint receptions on 03-10 (现场解决), 03-11 (交办), 03-12 (still under way), one of
  2024-03-10 (现场解决); lawyers' consultations on 03-12 (3 people) and 04-02 (1 person); one at
  07-01 07:00 Beijing time (06-30 in UTC: outside);
- 导入法定途径: one by the county bureau on 03-15;
- the village point under 城关镇: talks of 03-01 (2 people, mediated, agreed 03-05, resolved 03-06),
  03-02 (1 person, mediation failed 03-09, escalated 03-10), 2024-05-01 (4 people).
"""

from __future__ import annotations

import datetime as dt

import pytest

from xinfang.cases import pii
from xinfang.cases.tests.helpers import category, register
from xinfang.orgs.models import Org
from xinfang.reception.models import (
    JointOutcome,
    JointReception,
    Lawyer,
    LawyerConsultation,
    LegalGuidance,
    Mediation,
    MediationOutcome,
    Talk,
    TalkStatus,
)
from xinfang.reception.tests.helpers import HallWorld, build_hall_world
from xinfang.statistics import conditions
from xinfang.statistics.figure import Report
from xinfang.statistics.figures import compute_report
from xinfang.statistics.indicators import Comparison, Ratio
from xinfang.testing.clock import beijing
from xinfang.testing.world import World

D = dt.date
START, END = D(2025, 1, 1), D(2025, 6, 30)
RECEPTION = (*conditions.RECEPTION_COUNTS, "现场化解率")


@pytest.fixture
def hw(world: World) -> HallWorld:
    hw = build_hall_world(world, on=D(2025, 3, 10))
    case = register(world)
    for at, outcome in (
        ("2025-03-10 10:00", JointOutcome.ON_SPOT),
        ("2025-03-11 10:00", JointOutcome.ASSIGNED),
        ("2025-03-12 10:00", JointOutcome.PENDING),
        ("2024-03-10 10:00", JointOutcome.ON_SPOT),
    ):
        JointReception.objects.create(
            hall=hw.hall,
            case=case if outcome == JointOutcome.PENDING else register(world),
            convened_at=beijing(at),
            convened_by=hw.clerk,
            lead_org=hw.labour,
            outcome=outcome,
        )
    lawyer = Lawyer.objects.create(
        hall=hw.hall, name="钱律师", firm="青山律师事务所", licence_number="13301200910112233"
    )
    for at, persons in (("2025-03-12 09:30", 3), ("2025-04-02 09:30", 1), ("2025-07-01 07:00", 5)):
        LawyerConsultation.objects.create(
            lawyer=lawyer,
            hall=hw.hall,
            at=beijing(at),
            persons=persons,
            topic="工资",
            advice="申请仲裁",
            recorded_by=hw.clerk,
        )
    LegalGuidance.objects.create(
        case=register(world),
        channel="labour_arbitration",
        route_name="劳动人事争议仲裁",
        category=category("040100"),
        org=world.county_bureau,
        at=beijing("2025-03-15 10:00"),
        by=hw.clerk,
    )
    agreed = _talk(hw, "2025-03-01 09:00", 2, TalkStatus.RESOLVED, resolved_at=beijing("2025-03-06 10:00"))
    Mediation.objects.create(
        talk=agreed,
        parties="甲、乙",
        mediator="调解员",
        started_on=D(2025, 3, 2),
        outcome=MediationOutcome.AGREED,
        concluded_on=D(2025, 3, 5),
        recorded_by=hw.point_clerk,
    )
    failed = _talk(hw, "2025-03-02 09:00", 1, TalkStatus.ESCALATED, escalated_at=beijing("2025-03-10 10:00"))
    Mediation.objects.create(
        talk=failed,
        parties="丙、丁",
        mediator="调解员",
        started_on=D(2025, 3, 3),
        outcome=MediationOutcome.FAILED,
        concluded_on=D(2025, 3, 9),
        recorded_by=hw.point_clerk,
    )
    _talk(hw, "2024-05-01 09:00", 4, TalkStatus.OPEN)
    return hw


def _talk(hw: HallWorld, at: str, headcount: int, status: str, **fields: object) -> Talk:
    return Talk.objects.create(
        point=hw.point,
        received_at=beijing(at),
        name_enc=pii.encrypt("赵某"),
        headcount=headcount,
        subject="宅基地边界",
        content="邻里宅基地边界纠纷",
        status=status,
        recorded_by=hw.point_clerk,
        **fields,
    )


def figures(r: Report, *, previous: bool = False) -> dict[str, object]:
    return {key: (r[key].previous if previous else r[key].current) for key in RECEPTION}


def report(org: Org, comparison: Comparison | None = Comparison.YOY) -> Report:
    return compute_report(org=org, start=START, end=END, comparison=comparison)


def test_the_countys_report_counts_its_hall_its_bureau_and_the_points_under_its_townships(
    world: World, hw: HallWorld
) -> None:
    r = report(world.county_gov)
    assert figures(r) == {
        "联合接访.批次": 3,
        "联合接访.现场解决": 1,
        "联合接访.已结束": 2,  # the one under way is outside the rate
        "律师接访.批次": 2,  # not the one of 07-01 Beijing time
        "律师接访.人次": 4,
        "法定途径导入.件次": 1,
        "基层说事.件数": 2,
        "基层说事.人次": 3,
        "基层调解.件数": 2,
        "基层调解.成功": 1,
        "基层就地化解.件数": 1,
        "基层上报.件数": 1,
        "现场化解率": Ratio(1, 2),
    }
    previous = figures(r, previous=True)
    assert (previous["联合接访.批次"], previous["现场化解率"], previous["基层说事.人次"]) == (
        1,
        Ratio(1, 1),
        4,
    )
    assert r["现场化解率"].current.percent() == 50  # type: ignore[union-attr]


def test_the_city_counts_the_county_under_it_another_county_nothing(world: World, hw: HallWorld) -> None:
    assert figures(report(world.city_gov, None)) == figures(report(world.county_gov, None))
    elsewhere = report(world.other_county_labour, None)
    assert all(elsewhere[key].current == 0 for key in conditions.RECEPTION_COUNTS)
    assert elsewhere["现场化解率"].current == Ratio(0, 0)


def test_a_township_counts_its_points_only(world: World, hw: HallWorld) -> None:
    r = report(world.town_office, None)
    assert (r["基层说事.件数"].current, r["联合接访.批次"].current, r["法定途径导入.件次"].current) == (
        2,
        0,
        0,
    )
