"""The figures of a work report on a small set of cases, each worked out by hand.

The set (entered through the case services on their own dates, and one row through the importer):

- A  2025-03-03 来访, 5 people (exactly the collective threshold), about 青山县, registered by the
     city bureau, forwarded to the city housing bureau, accepted 03-04, replied and delivered 03-20
     (办结), rated 满意 (信访部门) and 基本满意 (责任单位);
- B  2025-03-10 来信, 1 person, about 河口县, registered only (still open);
- C  2025-04-01 来访, 4 people, about 青山县, linked as the repeat (同人同事) of A: 12 days after A's
     closure, so A is not resolved at once;
- D  2024-03-05 来信, 1 person, about 青山县: the comparison year's only matter;
- E  imported: 2025-02-01 来访 of 2 people registered at the national bureau (outside this
     installation) about 城关镇: a 进京个访 about the city.

The report is for the city government (示例市人民政府) over 2025-01-01..2025-06-30 against the same
half of 2024, unless a test says otherwise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from xinfang.cases import services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import a_reply, category, register, reply_approved
from xinfang.core.timeutil import pinned_now
from xinfang.orgs.models import RegionPopulation
from xinfang.statistics.conditions import CASE_CONDITIONS, SUPERVISION_CONDITIONS
from xinfang.statistics.figure import FIGURES, Report
from xinfang.statistics.figures import compute_report, figure_cases
from xinfang.statistics.importer import import_file
from xinfang.statistics.indicators import Comparison, Ratio
from xinfang.statistics.tests.helpers import write_csv
from xinfang.testing.clock import beijing
from xinfang.testing.supervision import open_supervision
from xinfang.testing.world import World

START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
# Queries of one compute_report with a comparison (printed by the test); the leaders' work adds
# one aggregate per model of xinfang.leadership (7) and of xinfang.reception (5), whatever the
# number of rows.
QUERY_BUDGET = 32


class Cases:
    def __init__(self, world: World, tmp_path: Path) -> None:
        with pinned_now(beijing("2025-03-03 09:00")):
            a = register(world, headcount=5, problem_region=world.county)
            a = services.case_forward(actor=world.registrar, case=a, to_org=world.city_housing)
        with pinned_now(beijing("2025-03-04 10:00")):
            a = services.case_accept(actor=world.handler, case=a)
        with pinned_now(beijing("2025-03-20 10:00")):
            a = reply_approved(actor=world.handler, case=a, reply=a_reply())
            a = services.case_deliver(actor=world.handler, case=a, method="in_person")
        with pinned_now(beijing("2025-03-21 10:00")):
            a = services.case_rate(actor=world.registrar, case=a, track="bureau", value="satisfied")
            a = services.case_rate(
                actor=world.registrar, case=a, track="unit", value="basically", reason="基本解决"
            )
        with pinned_now(beijing("2025-03-10 09:00")):
            b = register(
                world, channel="letter", problem_region=world.other_county, category=category("040300")
            )
        with pinned_now(beijing("2025-04-01 09:00")):
            c = register(world, headcount=4, problem_region=world.county)
            c = services.case_link(actor=world.registrar, case=c, target=a, kind="repeat")
        with pinned_now(beijing("2024-03-05 09:00")):
            d = register(world, channel="letter", problem_region=world.county)
        path = write_csv(
            tmp_path / "old.csv",
            [
                {
                    "信访件编号": "NAT-1",
                    "信访日期": "2025-02-01",
                    "登记机构": "国家信访局",
                    "登记机构级别": "国家",
                    "信访形式": "来访",
                    "人数": "2",
                    "问题属地": "城关镇",
                    "标题": "土地征收补偿未到位",
                    "内容": "集体土地被征收后补偿款至今未发放。",
                    "信访人姓名": "赵强",
                }
            ],
        )
        result = import_file(path, today=dt.date(2025, 7, 1))
        assert not result.errors
        e = Case.objects.get(import_record__external_number="NAT-1")
        self.a, self.b, self.c, self.d, self.e = a, b, c, d, e


@pytest.fixture
def cases(world: World, tmp_path: Path) -> Cases:
    return Cases(world, tmp_path)


def report(world: World, org: object = None, comparison: Comparison | None = Comparison.YOY) -> Report:
    return compute_report(org=org or world.city_gov, start=START, end=END, comparison=comparison)


def test_volumes_of_the_territory_by_channel_and_visit(world: World, cases: Cases) -> None:
    r = report(world)
    # A, B, C, E: 4 matters of 5 + 1 + 4 + 2 people
    assert (r["信访总量.件次"].current, r["信访总量.人次"].current) == (4, 12)
    assert r["来信.件次"].current == 1  # B
    assert r["网上信访.件次"].current == 0
    assert (r["来访.批次"].current, r["来访.人次"].current) == (3, 11)  # A, C, E
    # A has exactly the threshold of 5 people: collective; C (4) and E (2) are individual
    assert (r["来访.集体访.批次"].current, r["来访.集体访.人次"].current) == (1, 5)
    assert (r["来访.个访.批次"].current, r["来访.个访.人次"].current) == (2, 6)
    assert (r["逐级访.批次"].current, r["越级访.批次"].current) == (3, 0)


def test_collective_follows_the_threshold_in_force(world: World, cases: Cases) -> None:
    with override_settings(XINFANG_COLLECTIVE_THRESHOLD=6):
        r = report(world)
    assert r["来访.集体访.批次"].current == 0
    assert (r["来访.个访.批次"].current, r["来访.个访.人次"].current) == (3, 11)


def test_visits_by_place_count_an_imported_visit_at_its_source_level(world: World, cases: Cases) -> None:
    r = report(world)
    assert (r["进京.个访.批次"].current, r["进京.个访.人次"].current) == (1, 2)  # E
    assert (r["到市.集访.批次"].current, r["到市.集访.人次"].current) == (1, 5)  # A
    assert (r["到市.个访.批次"].current, r["到市.个访.人次"].current) == (1, 4)  # C
    assert r["赴省.个访.批次"].current == r["到县.个访.批次"].current == 0


def test_a_repeat_petition(world: World, cases: Cases) -> None:
    r = report(world)
    assert (r["重复信访.件次"].current, r["重复信访.人次"].current) == (1, 4)  # C
    assert r["初信初访.件次"].current == 3
    assert r["重复率"].current == Ratio(1, 4)
    # A, the only first-time matter closed, was repeated 12 days after closure: not resolved at once
    assert r["一次性化解率"].current == Ratio(0, 1)
    with override_settings(XINFANG_ONE_TIME_DAYS=10):
        assert report(world)["一次性化解率"].current == Ratio(1, 1)


def test_yoy_with_a_zero_base(world: World, cases: Cases) -> None:
    r = report(world)
    assert (r.compare_start, r.compare_end) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    total = r["信访总量.件次"]
    assert (total.current, total.previous) == (4, 1)  # D only, a year earlier
    assert total.change is not None and total.change.percent() == Decimal("300.0")
    visits = r["来访.批次"].change
    assert visits is not None and visits.zero_base and visits.percent() is None
    assert report(world, comparison=None)["信访总量.件次"].previous is None


def test_work_acceptance_and_closure(world: World, cases: Cases) -> None:
    r = report(world)
    # the city bureau (under the city government) registered A, B, C and E; only A was accepted
    assert r["受理.件次"].current == 1
    assert r["受理率"].current == Ratio(1, 4)
    assert r["办结.件次"].current == 1
    assert r["办结率"].current == Ratio(1, 1)
    assert (r["满意度件.信访部门.办结"].current, r["满意度件.信访部门.未办结"].current) == (1, 0)
    assert r["满意度件.责任单位.已评价"].current == 1
    assert r["满意率.信访部门"].current == Ratio(1, 1)
    assert r["基本满意率.责任单位"].current == Ratio(1, 1)
    assert r["参评率.信访部门"].current == Ratio(1, 1)
    # 2024: D registered, never accepted
    assert r["受理率"].previous == Ratio(0, 1)


def test_a_rate_with_an_empty_denominator(world: World, cases: Cases) -> None:
    r = report(world)
    online = r["网上信访一次办结率"]
    assert online.current == Ratio(0, 0) and online.current.percent() is None
    assert online.change is not None and online.change.points() is None


def test_territory_and_work_are_counted_separately(world: World, cases: Cases) -> None:
    county = report(world, world.county_gov)
    # the county's territory: A, C and E (城关镇 lies in 青山县); B is about 河口县
    assert (county["信访总量.件次"].current, county["信访总量.人次"].current) == (3, 11)
    # no organ under the county government registered or accepted any of them
    assert county["受理率"].current == Ratio(0, 0)
    assert county["受理.件次"].current == 0


def test_per_ten_thousand_uses_the_latest_population_not_after_the_end(world: World, cases: Cases) -> None:
    assert report(world)["每万人信访量"].current is None
    RegionPopulation.objects.create(region=world.city, year=2024, population=40_000)
    RegionPopulation.objects.create(region=world.city, year=2026, population=1)
    r = report(world)
    assert r["每万人信访量"].current == Decimal("1.00")  # 4 × 10,000 ÷ 40,000
    assert r["每万人信访量"].previous == Decimal("0.25")  # 1 × 10,000 ÷ 40,000


def supervise_b(world: World, cases: Cases) -> None:
    """B forwarded to the housing bureau on 03-11, and supervised by the city bureau on 03-12."""
    with pinned_now(beijing("2025-03-11 09:00")):
        services.case_forward(actor=world.registrar, case=cases.b, to_org=world.city_housing)
    with pinned_now(beijing("2025-03-12 09:00")):
        open_supervision(world, cases.b, feedback_due=dt.date(2025, 3, 20))


def test_supervision_counts_and_letters(world: World, cases: Cases) -> None:
    supervise_b(world, cases)
    r = report(world)
    assert (r["督办.发起"].current, r["督办.提醒函"].current, r["督办.问责建议函"].current) == (1, 1, 0)
    assert r["督办.发起"].previous == 0


def test_breakdowns(world: World, cases: Cases) -> None:
    r = report(world)
    regions = {row.label: row.figures["信访总量.件次"] for row in r.breakdowns["问题属地"]}
    assert (regions["青山县"].current, regions["青山县"].previous) == (3, 1)
    assert (regions["河口县"].current, regions["河口县"].previous) == (1, 0)
    level1 = [(row.code, row.figures["信访总量.件次"].current) for row in r.breakdowns["内容分类"]]
    assert level1[0][1] >= level1[-1][1] and sum(n for _, n in level1) == 4
    months = r.breakdowns["月度"]
    assert [row.code for row in months] == [f"2025-{m:02d}" for m in range(1, 7)]
    march = months[2].figures
    assert (march["信访总量.件次"].current, march["信访总量.人次"].current) == (2, 6)  # A, B
    assert march["信访总量.件次"].previous == 1  # D in March 2024
    # Collective visits per row too (the reception summary ranks categories by them): A only.
    assert (march["来访.集体访.批次"].current, march["来访.集体访.人次"].current) == (1, 5)
    collective = [row.figures["来访.集体访.批次"].current for row in r.breakdowns["内容分类"]]
    assert sum(collective) == r["来访.集体访.批次"].current == 1
    county = next(row for row in r.breakdowns["问题属地"] if row.label == "青山县")
    assert county.figures["来访.集体访.人次"].current == 5
    channels = {row.code: row.figures["信访总量.人次"].current for row in r.breakdowns["信访形式"]}
    assert channels == {"visit": 11, "letter": 1}
    units = {row.label: row.figures["信访总量.件次"].current for row in r.breakdowns["责任单位"]}
    assert units == {"示例市住房和城乡建设局": 1}


def test_every_figure_is_computed(world: World, cases: Cases) -> None:
    assert set(report(world).figures) == set(FIGURES)


def test_figure_cases_are_exactly_the_counted_cases(world: World, cases: Cases) -> None:
    supervise_b(world, cases)
    r = report(world)
    head = world.bureau_head  # the city bureau sees every matter of the city
    for key in [*CASE_CONDITIONS, *SUPERVISION_CONDITIONS]:
        listed = figure_cases(head, org=world.city_gov, key=key, start=START, end=END)
        persons = key in CASE_CONDITIONS and CASE_CONDITIONS[key].persons
        found = listed.aggregate(n=Sum("headcount"))["n"] or 0 if persons else listed.count()
        assert found == r[key].current, key
    total = figure_cases(head, org=world.city_gov, key="信访总量.件次", start=START, end=END)
    assert set(total) == {cases.a, cases.b, cases.c, cases.e}
    # the housing bureau's handler sees only the matters forwarded to it (A, and B before its 督办)
    narrow = figure_cases(world.handler, org=world.city_gov, key="信访总量.件次", start=START, end=END)
    assert set(narrow) == {cases.a, cases.b}
    base = figure_cases(head, org=world.city_gov, key="受理率", start=START, end=END)
    assert base.count() == 4


def test_a_report_takes_a_bounded_number_of_queries(world: World, cases: Cases) -> None:
    with CaptureQueriesContext(connection) as queries:
        report(world)
    print(f"compute_report: {len(queries)} queries")
    assert len(queries) <= QUERY_BUDGET


def test_an_empty_period_gives_zeros(world: World) -> None:
    r = compute_report(org=world.city_gov, start=START, end=END, comparison=Comparison.MOM)
    assert r["信访总量.件次"].current == 0
    assert r["信访总量.件次"].change is not None and r["信访总量.件次"].change.zero_base
    assert r["受理率"].current == Ratio(0, 0)


def test_an_imported_case_counts_on_its_historic_dates(world: World, tmp_path: Path) -> None:
    """A matter of 2024 imported in 2025: received 03-04, accepted 03-05, answered 04-10, closed
    06-20 (终结), rated 满意: it counts in 2024's first half, as a live case would have."""
    path = write_csv(
        tmp_path / "2024.csv",
        [
            {
                "信访件编号": "OLD-1",
                "信访日期": "2024-03-04",
                "登记机构": "示例市信访局",
                "信访形式": "来访",
                "人数": "6",
                "问题属地": "990121",
                "内容分类": "040300",
                "标题": "工地拖欠农民工工资",
                "内容": "我们在工地务工，包工头拖欠工资三个月，请求帮助追讨。",
                "信访人姓名": "王小明",
                "责任单位": "示例市住房和城乡建设局",
                "受理日期": "2024-03-05",
                "答复日期": "2024-04-10",
                "答复类型": "支持",
                "办结日期": "2024-06-20",
                "信访部门评价": "满意",
            }
        ],
    )
    assert not import_file(path, today=dt.date(2025, 7, 1)).errors
    r = report(world)  # 2025 against 2024
    assert r["信访总量.件次"].current == 0
    previous = {
        key: r[key].previous for key in ("信访总量.人次", "来访.集体访.批次", "受理.件次", "办结.件次")
    }
    assert previous == {"信访总量.人次": 6, "来访.集体访.批次": 1, "受理.件次": 1, "办结.件次": 1}
    assert r["满意率.信访部门"].previous == Ratio(1, 1)
    assert r["到市.集访.人次"].previous == 6
