"""The leaders' work in a report: 领导接访, 约访, 下访 / 夜访, 包案 (and 包案化解率) and 会商研判, on a
small world built through the leadership services, its figures worked out by hand.

Reported on 示例市人民政府 over 2025-01-01..2025-06-30 (同比: 2024-01-01..2024-06-30):

- 领导接访: 陈副市长 (市政府) at the city bureau on 03-10, two matters of 3 and 1 people; 孙县长
  (县政府) at the county bureau on 03-11, one matter of 2 people; a day cancelled, a day never
  closed (not held), and a day of 07-01 07:00 Beijing time (06-30 in UTC: not in the period).
  In 2024: one day, one matter of 2 people;
- 约访: one held by the city bureau, one by the county bureau, one the petitioner missed;
- 下访: the city's of 2 days (03-01), the county's of 1 day (03-05); 夜访: one case pushed by the
  city bureau to 城关镇 (of the county) for 03-10;
- 包案: 陈副市长 takes A and B on 03-20 and resolves them on 05-10; takes C, handed over on 04-01 to
  吴副市长, who takes A again on 05-11; 孙县长 takes K on 03-20, resolved on 07-05 (after the
  period). A 包案 of 2024 (its case C0) is handed over on 04-02, 2025: in neither period's
  领导人次 of 2025;
- 会商研判: the city bureau's of 03-07, the county bureau's of 03-08; one of 2024.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.cases import services as case_services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.leadership.models import Ownership, ReceptionDay
from xinfang.leadership.services import consultations, ownership, reception, visits
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Org, OrgKind, Role, User
from xinfang.statistics import conditions
from xinfang.statistics.figure import FIGURES, Kind, Report
from xinfang.statistics.figures import _count_leadership, compute_report
from xinfang.statistics.indicators import Comparison, Ratio, ownership_resolution_rate
from xinfang.statistics.render import render
from xinfang.statistics.render_sample import empty_report, sample_report
from xinfang.testing.clock import beijing
from xinfang.testing.world import PASSWORD, World

D = dt.date
Freeze = Callable[[str], dt.datetime]
START, END = D(2025, 1, 1), D(2025, 6, 30)
LEADERSHIP = (*conditions.LEADERSHIP_COUNTS, "包案化解率")


@dataclass
class Cast:
    county_leader: User
    successor: User
    county_clerk: User
    a: Case
    b: Case
    c: Case
    k: Case  # registered by the county bureau


def _staff(username: str, full_name: str, org: Org, *roles: str) -> User:
    user = org_services.staff_user_create(username=username, full_name=full_name, password=PASSWORD)
    for role in roles:
        org_services.membership_grant(user=user, org=org, role=role)
    return user


def _day(world: World, start: str, end: str, **overrides: object) -> ReceptionDay:
    fields: dict[str, object] = {
        "actor": world.bureau_head,
        "org": world.city_bureau,
        "leader": world.leader,
        "leader_org": world.city_gov,
        "starts_at": beijing(start),
        "ends_at": beijing(end),
        "place": "示例市群众来访接待中心",
    }
    fields.update(overrides)
    return reception.reception_day_schedule(**fields)  # type: ignore[arg-type]


def _close(actor: User, day: ReceptionDay) -> None:
    reception.reception_day_close(actor=actor, day=day, summary="接访情况已登记。")


def _take(world: World, leader: User, org: Org, cases: list[Case], started: D) -> Ownership:
    return ownership.ownership_take(
        actor=world.bureau_head,
        leader=leader,
        org=org,
        cases=cases,
        title="住房质量类案",
        started_on=started,
        target_on=D(2025, 12, 31),
        plan="约谈开发商，督促维修。",
    )


def _consult(actor: User, org: Org, held_on: D, cases: list[Case], unit: Org) -> None:
    consultations.consultation_record(
        actor=actor,
        org=org,
        held_on=held_on,
        topic="住房质量类案会商",
        cases=cases,
        units=[unit],
        decision="由住建部门牵头督促维修。",
    )


def build(world: World, freeze: Freeze) -> Cast:
    successor = _staff("successor", "吴副市长", world.city_gov, Role.LEADER)
    county_leader = _staff("county_leader", "孙县长", world.county_gov, Role.LEADER)
    county_clerk = _staff("county_clerk", "赵县信访", world.county_bureau, Role.REGISTRAR, Role.HANDLER)
    _staff("town_clerk", "钱镇干部", world.town_office, Role.HANDLER)

    # The comparison period (2024).
    freeze("2024-03-01 09:00")
    c0 = register(world, subject="2024年的住房质量问题")
    day = _day(world, "2024-03-05 09:00", "2024-03-05 12:00")
    freeze("2024-03-05 10:00")
    reception.reception_receive_case(
        actor=world.bureau_head, day=day, case=c0, outcome="assigned", headcount=2
    )
    _close(world.bureau_head, day)
    owned_2024 = _take(world, world.leader, world.city_gov, [c0], D(2024, 3, 5))
    _consult(world.registrar, world.city_bureau, D(2024, 3, 5), [c0], world.city_housing)

    # The period (2025).
    freeze("2025-03-03 09:00")
    a, b, c = register(world, subject="甲"), register(world, subject="乙"), register(world, subject="丙")
    k = register(world, actor=county_clerk, org=world.county_bureau, subject="县里登记的事项")
    at_town = case_services.case_forward(
        actor=world.registrar, case=register(world, subject="城关镇宅基地纠纷"), to_org=world.town_office
    )
    city_day = _day(world, "2025-03-10 09:00", "2025-03-10 12:00")
    county_day = _day(
        world,
        "2025-03-11 09:00",
        "2025-03-11 11:00",
        actor=county_clerk,
        org=world.county_bureau,
        leader=county_leader,
        leader_org=world.county_gov,
        place="青山县信访局接待室",
    )
    cancelled = _day(world, "2025-03-12 09:00", "2025-03-12 11:00")
    reception.reception_day_cancel(actor=world.bureau_head, day=cancelled, reason="领导另有公务。")
    never_closed = _day(world, "2025-03-13 09:00", "2025-03-13 11:00")
    after_the_period = _day(world, "2025-07-01 07:00", "2025-07-01 09:00")  # 06-30 23:00 UTC
    held = visits.appointment_schedule(
        actor=world.registrar,
        org=world.city_bureau,
        case=a,
        at=beijing("2025-03-04 09:30"),
        place="市信访局接待大厅",
        leader=world.leader,
    )
    missed = visits.appointment_schedule(
        actor=world.registrar,
        org=world.city_bureau,
        case=b,
        at=beijing("2025-03-04 10:30"),
        place="市信访局接待大厅",
        leader=world.leader,
    )
    county_held = visits.appointment_schedule(
        actor=county_clerk,
        org=world.county_bureau,
        case=k,
        at=beijing("2025-03-04 15:00"),
        place="县信访局",
        leader=county_leader,
    )
    freeze("2025-03-04 18:00")
    for appointment, status in ((held, "held"), (missed, "absent"), (county_held, "held")):
        actor = county_clerk if appointment is county_held else world.registrar
        visits.appointment_record(actor=actor, appointment=appointment, status=status, outcome="已面谈。")

    freeze("2025-03-10 10:00")
    reception.reception_receive_case(
        actor=world.bureau_head, day=city_day, case=a, outcome="assigned", headcount=3
    )
    reception.reception_receive_case(actor=world.leader, day=city_day, case=b, outcome="explained")
    _close(world.leader, city_day)
    visits.field_visit_record(
        actor=world.registrar,
        org=world.city_bureau,
        leader=world.leader,
        on=D(2025, 3, 1),
        days=2,
        place="青山县城关镇",
        cases=[a],
    )
    visits.field_visit_record(
        actor=county_clerk,
        org=world.county_bureau,
        leader=county_leader,
        on=D(2025, 3, 5),
        days=1,
        place="青山县河西村",
        cases=[k],
    )
    visits.field_visit_push(
        actor=world.registrar,
        org=world.city_bureau,
        target_org=world.town_office,
        on=D(2025, 3, 10),
        place="城关镇各村",
        cases=[at_town],
    )
    _consult(world.registrar, world.city_bureau, D(2025, 3, 7), [a], world.city_housing)
    _consult(county_clerk, world.county_bureau, D(2025, 3, 8), [k], world.county_labour)

    freeze("2025-03-11 10:00")
    reception.reception_receive_case(
        actor=county_clerk, day=county_day, case=k, outcome="solved", headcount=2
    )
    _close(county_clerk, county_day)

    freeze("2025-03-20 10:00")
    # A matter received at the day of 03-13, which was never closed: neither counts.
    reception.reception_receive_case(actor=world.bureau_head, day=never_closed, case=c, outcome="assigned")
    first = _take(world, world.leader, world.city_gov, [a, b], D(2025, 3, 20))
    second = _take(world, world.leader, world.city_gov, [c], D(2025, 3, 20))
    county_owned = _take(world, county_leader, world.county_gov, [k], D(2025, 3, 20))
    freeze("2025-04-01 10:00")
    ownership.ownership_hand_over(
        actor=world.bureau_head, ownership=second, leader=successor, org=world.city_gov, reason="职务调整。"
    )
    freeze("2025-04-02 10:00")
    ownership.ownership_hand_over(
        actor=world.bureau_head,
        ownership=owned_2024,
        leader=successor,
        org=world.city_gov,
        reason="职务调整。",
    )
    freeze("2025-05-10 10:00")
    ownership.ownership_resolve(
        actor=world.leader,
        ownership=first,
        resolved_on=D(2025, 5, 10),
        evidence="已维修。",
        petitioner_confirmed=True,
    )
    freeze("2025-05-11 10:00")
    _take(world, successor, world.city_gov, [a], D(2025, 5, 11))  # A again, after its resolution
    freeze("2025-07-01 08:00")
    _close(world.leader, after_the_period)
    freeze("2025-07-05 10:00")
    ownership.ownership_resolve(
        actor=county_leader,
        ownership=county_owned,
        resolved_on=D(2025, 7, 5),
        evidence="已达成协议。",
        petitioner_confirmed=True,
    )
    return Cast(county_leader, successor, county_clerk, a, b, c, k)


@pytest.fixture
def cast(world: World, freeze: Freeze) -> Cast:
    return build(world, freeze)


def report(
    org: Org, start: D = START, end: D = END, comparison: Comparison | None = Comparison.YOY
) -> Report:
    return compute_report(org=org, start=start, end=end, comparison=comparison)


def figures(r: Report, *, previous: bool = False) -> dict[str, object]:
    return {key: (r[key].previous if previous else r[key].current) for key in LEADERSHIP}


def test_the_citys_report_counts_its_organs_and_those_under_it(world: World, cast: Cast) -> None:
    r = report(world.city_gov)
    assert figures(r) == {
        "领导接访.次数": 2,  # 03-10 and 03-11; not the cancelled, the unclosed or the 07-01 day
        "领导接访.批次": 3,
        "领导接访.人次": 6,  # 3 + 1 + 2
        "约访.件次": 2,  # the missed one is not counted
        "下访.天次": 3,  # 2 + 1
        "夜访.件次": 1,
        "包案.件数": 4,  # A, B, C, K: A once, though in two 包案
        "包案.领导人次": 5,  # four 包案 and the handover of C's; not the 2024 one's
        "包案.化解件数": 2,  # A and B; K was resolved after the period end
        "包案化解率": Ratio(2, 4),
        "会商研判.次数": 2,
    }
    assert figures(r, previous=True) == {
        "领导接访.次数": 1,
        "领导接访.批次": 1,
        "领导接访.人次": 2,
        "约访.件次": 0,
        "下访.天次": 0,
        "夜访.件次": 0,
        "包案.件数": 1,
        "包案.领导人次": 1,
        "包案.化解件数": 0,
        "包案化解率": Ratio(0, 1),
        "会商研判.次数": 1,
    }
    assert r["包案化解率"].current.percent() == Decimal("50.00")  # type: ignore[union-attr]
    assert r["领导接访.人次"].change.delta == 4  # type: ignore[union-attr]


def test_a_county_counts_its_own_and_a_township_under_it_none_of_the_citys(world: World, cast: Cast) -> None:
    r = report(world.county_gov, comparison=None)
    assert figures(r) == {
        "领导接访.次数": 1,
        "领导接访.批次": 1,
        "领导接访.人次": 2,
        "约访.件次": 1,
        "下访.天次": 1,
        "夜访.件次": 1,  # pushed by the city bureau to 城关镇, which is under the county
        "包案.件数": 1,
        "包案.领导人次": 1,
        "包案.化解件数": 0,
        "包案化解率": Ratio(0, 1),
        "会商研判.次数": 1,
    }
    # Another county sees nothing, and its rate is empty.
    elsewhere = report(world.other_county_labour, comparison=None)
    assert all(elsewhere[key].current == 0 for key in conditions.LEADERSHIP_COUNTS)
    assert elsewhere["包案化解率"].current == Ratio(0, 0)


def test_a_day_counts_where_either_the_leaders_or_the_receiving_organ_is(
    world: World, cast: Cast, freeze: Freeze
) -> None:
    # The city bureau's own report: the day held there by 陈副市长 of the city government counts;
    # 孙县长's day at the county bureau does not, nor the 包案 of leaders of the governments.
    r = report(world.city_bureau, comparison=None)
    assert (r["领导接访.次数"].current, r["领导接访.批次"].current, r["领导接访.人次"].current) == (1, 2, 4)
    assert (r["约访.件次"].current, r["下访.天次"].current, r["会商研判.次数"].current) == (1, 2, 1)
    assert (r["包案.件数"].current, r["包案.领导人次"].current) == (0, 0)
    province = report(world.province_gov, comparison=None)
    assert province["领导接访.次数"].current == 2 and province["包案.件数"].current == 4
    # 陈副市长 at a reception centre outside the city government's tree: the city's report counts
    # it by the leader's organ, the centre's by its own.
    centre = org_services.org_create(
        name="示例市群众来访接待中心", region=world.city, kind=OrgKind.PETITION_BUREAU
    )
    freeze("2025-07-08 09:00")
    day = _day(world, "2025-07-10 09:00", "2025-07-10 11:00", org=centre)
    freeze("2025-07-10 10:00")
    _close(world.leader, day)
    second_half = (D(2025, 7, 1), D(2025, 12, 31), None)
    assert report(world.city_gov, *second_half)["领导接访.次数"].current == 2  # with the 07-01 day
    assert report(centre, *second_half)["领导接访.次数"].current == 1
    assert report(world.county_gov, *second_half)["领导接访.次数"].current == 0


def test_the_period_is_read_on_beijing_days_and_resolution_as_of_its_end(world: World, cast: Cast) -> None:
    # The day of 07-01 07:00 (06-30 in UTC) is in the second half of the year.
    later = report(world.city_gov, D(2025, 7, 1), D(2025, 12, 31), comparison=None)
    assert (later["领导接访.次数"].current, later["领导接访.批次"].current) == (1, 0)
    assert later["包案.件数"].current == 0 and later["包案化解率"].current == Ratio(0, 0)
    # Through July, K's 包案 (resolved on 07-05) is resolved too.
    through_july = report(world.city_gov, D(2025, 3, 1), D(2025, 7, 31), comparison=None)
    assert (through_july["包案.件数"].current, through_july["包案.化解件数"].current) == (4, 3)
    # Before 05-10 none of them was resolved.
    spring = report(world.city_gov, D(2025, 3, 1), D(2025, 5, 9), comparison=None)
    assert spring["包案化解率"].current == Ratio(0, 4)
    # The handover of 04-01 falls in April, the 包案 it is on in March: not in April's figure.
    april = report(world.city_gov, D(2025, 4, 1), D(2025, 4, 30), comparison=None)
    assert april["包案.领导人次"].current == 0


def test_an_empty_period_writes_zero_and_a_dash_for_the_rate(world: World, cast: Cast) -> None:
    r = report(world.city_gov, D(2023, 1, 1), D(2023, 6, 30), comparison=None)
    assert all(r[key].current == 0 for key in conditions.LEADERSHIP_COUNTS)
    assert render("", "包案化解率{{ 包案化解率 }}", r).text == "包案化解率—"


def test_a_report_says_what_the_leaders_did(world: World, cast: Cast) -> None:
    body = (
        "党政领导接访{{ 领导接访.次数 }}次，接待群众{{ 领导接访.批次 }}批{{ 领导接访.人次 }}人次；"
        "约访{{ 约访.件次 }}件、下访{{ 下访.天次 }}天次；{{ 包案.领导人次 }}人次参与信访包案{{ 包案.件数 }}件，"
        "包案化解率{{ 包案化解率 }}；召开会商研判会议{{ 会商研判.次数 }}次。"
    )
    assert render("", body, report(world.city_gov)).text == (
        "党政领导接访2次，接待群众3批6人次；约访2件、下访3天次；5人次参与信访包案4件，"
        "包案化解率50.00%；召开会商研判会议2次。"
    )


def test_one_query_per_model_for_both_periods(world: World, cast: Cast) -> None:
    scopes = [conditions.Scope.of(world.city_gov, START, END)]
    scopes.append(scopes[0].period(D(2024, 1, 1), D(2024, 6, 30)))
    with CaptureQueriesContext(connection) as queries:
        counted = _count_leadership(scopes)
    assert len(queries) == 7  # days, appointments, visits down, night-visit cases, 包案 cases, 包案, meetings
    assert [set(period) for period in counted] == [set(conditions.LEADERSHIP_COUNTS)] * 2


def test_the_vocabulary_and_the_sample_reports_have_every_new_figure() -> None:
    for key in conditions.LEADERSHIP_COUNTS:
        assert FIGURES[key].kind is Kind.COUNT
    assert FIGURES["包案化解率"].kind is Kind.RATE
    sample, empty = sample_report(), empty_report()
    assert sample["包案化解率"].current == Ratio(169, 198)
    assert sample["包案.化解件数"].current == 169 and sample["包案.件数"].current == 198
    assert all(sample[key].current for key in conditions.LEADERSHIP_COUNTS)
    assert empty["包案化解率"].current == Ratio(0, 0) and empty["领导接访.次数"].current == 0
    assert "包案" in sample.nested() and "包案化解率" in sample.nested()


def test_the_resolution_rate_is_resolved_over_taken() -> None:
    assert ownership_resolution_rate(169, 198).percent(2) == Decimal("85.35")
    assert ownership_resolution_rate(0, 0).value is None
    with pytest.raises(ValueError, match="exceeds its base"):
        ownership_resolution_rate(3, 2)
