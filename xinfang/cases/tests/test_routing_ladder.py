"""Routing down the ladder: city bureau -> county bureau -> county department (第二十二、二十三条).

Each hop is one event, restarts the receiving unit's clocks (the bureau's own route clock is met
by its hop) and issues its own 转送单; routing upward or outside the bureau's reach is refused.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from docx import Document

from xinfang.cases import services
from xinfang.cases.clocks import case_clocks, due_day
from xinfang.cases.documents import issued_by_events, render_document
from xinfang.cases.models import Case, CaseFact, CaseUnit, Status
from xinfang.cases.replay import replay
from xinfang.cases.tests.helpers import register
from xinfang.cases.tests.test_documents import text_of
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import Level, Org, OrgKind, Role, User
from xinfang.orgs.services import membership_grant, org_create, staff_user_create
from xinfang.testing.world import PASSWORD, World

Freeze = Callable[[str], dt.datetime]


def _staff(username: str, org: Org, role: str = Role.HANDLER) -> User:
    user = staff_user_create(username=username, full_name=username, password=PASSWORD)
    membership_grant(user=user, org=org, role=role)
    return user


def _clocks(case: Case) -> dict[str, object]:
    return {c.name: c for c in case_clocks(case, today=dt.date(2026, 3, 12))}


def _slip(case: Case, seq: int | None = None) -> str:
    _name, data = render_document(case, "routing_slip", seq=seq)
    return text_of(Document(io.BytesIO(data)))


@pytest.fixture
def county_clerk(world: World) -> User:
    return _staff("county_clerk", world.county_bureau, Role.REGISTRAR)


@pytest.fixture
def labour_clerk(world: World) -> User:
    return _staff("labour_clerk", world.county_labour)


def _two_hops(world: World, freeze: Freeze, county_clerk: User) -> Case:
    freeze("2026-03-02 09:00")  # a Monday; no holiday in March 2026
    case = register(world, received_on=dt.date(2026, 3, 2))
    freeze("2026-03-04 10:00")
    case = services.case_forward(
        actor=world.registrar, case=case, to_org=world.county_bureau, note="请县局办理"
    )
    assert case.status == Status.ROUTED and case.current_org == world.county_bureau
    freeze("2026-03-10 15:00")
    return services.case_assign(
        actor=county_clerk,
        case=case,
        to_org=world.county_labour,
        report_due=dt.date(2026, 4, 30),
        assisting=[world.town_office],
        note="请会同城关镇办理",
    )


def test_a_county_bureau_hands_a_forwarded_case_on_to_a_county_department(
    world: World, freeze: Freeze, county_clerk: User, labour_clerk: User
) -> None:
    case = _two_hops(world, freeze, county_clerk)
    assert case.status == Status.ROUTED and case.current_org == world.county_labour

    # one event per hop, by the bureau that routed it
    hops = list(case.events.filter(kind__in=["forwarded", "assigned"]).order_by("seq"))
    assert [(e.kind, e.org, e.payload["to_org"]) for e in hops] == [
        ("forwarded", world.city_bureau, world.county_bureau.pk),
        ("assigned", world.county_bureau, world.county_labour.pk),
    ]
    assert hops[0].payload["to_bureau"] is True and "onward" not in hops[0].payload
    assert hops[1].payload["onward"] is True and hops[1].payload["to_bureau"] is False
    leads = CaseUnit.objects.filter(case=case, role=CaseUnit.Role.LEAD).order_by("since", "id")
    assert [(u.org, u.is_active) for u in leads] == [
        (world.city_bureau, False),
        (world.county_bureau, False),
        (world.county_labour, True),
    ]
    assert CaseUnit.objects.get(case=case, role=CaseUnit.Role.ASSIST, is_active=True).org == world.town_office
    assert replay(case.events.order_by("seq")).current_org_id == world.county_labour.pk

    # the clocks are those of the organ holding the case, on the calendar
    clocks = _clocks(case)
    route, accept, objection = clocks["route"], clocks["accept"], clocks["object"]
    # the county bureau's own route clock ran from receipt (03-04) and was met by its hop (03-10)
    assert (route.state, route.started_on, route.ended_on) == (
        "met",
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 10),
    )
    # the department's 15 days to accept and 5 working days to object count from its receipt
    assert (accept.state, accept.started_on, accept.due_on) == (
        "running",
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 25),
    )
    assert (objection.started_on, objection.due_on) == (dt.date(2026, 3, 10), dt.date(2026, 3, 17))
    # the report facts count the same clocks: the department's acceptance is due 03-25, not 03-19
    fact = CaseFact.objects.get(pk=case.pk)
    assert (fact.accept_due_on, fact.route_due_on) == (dt.date(2026, 3, 25), route.due_on)
    case.refresh_from_db()
    # the row the lists filter on: the objection window, the earliest open clock, ends 03-17
    assert case.next_due_at is not None and due_day(case.next_due_at) == dt.date(2026, 3, 17)
    assert case.next_due_clock == "object"

    # the department accepts: its accept clock is met, handling starts
    freeze("2026-03-12 09:00")
    case = services.case_accept(actor=labour_clerk, case=case)
    clocks = _clocks(case)
    assert clocks["accept"].state == "met" and clocks["accept"].ended_on == dt.date(2026, 3, 12)
    assert clocks["handle"].started_on == dt.date(2026, 3, 12) and clocks["handle"].state == "running"


def test_between_hops_the_county_bureau_is_under_its_route_and_accept_clocks(
    world: World, freeze: Freeze
) -> None:
    freeze("2026-03-02 09:00")
    case = register(world, received_on=dt.date(2026, 3, 2))
    freeze("2026-03-04 10:00")
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.county_bureau)
    clocks = {c.name: c for c in case_clocks(case, today=dt.date(2026, 3, 5))}
    assert (clocks["route"].state, clocks["route"].started_on, clocks["route"].due_on) == (
        "running",
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 19),
    )
    assert clocks["accept"].started_on == dt.date(2026, 3, 4)


def test_a_forward_to_a_department_starts_no_route_clock_for_it(world: World, freeze: Freeze) -> None:
    freeze("2026-03-02 09:00")
    case = register(world, received_on=dt.date(2026, 3, 2))
    freeze("2026-03-04 10:00")
    case = services.case_forward(actor=world.registrar, case=case, to_org=world.city_housing)
    clocks = {c.name: c for c in case_clocks(case, today=dt.date(2026, 3, 5))}
    assert clocks["route"].state == "met" and clocks["route"].ended_on == dt.date(2026, 3, 4)


def test_each_hop_has_its_own_routing_slip(world: World, freeze: Freeze, county_clerk: User) -> None:
    case = _two_hops(world, freeze, county_clerk)
    slips = issued_by_events(case, "routing_slip")
    assert [(title, to) for _seq, title, to in slips] == [
        ("转送单", world.county_bureau.name),
        ("交办单", world.county_labour.name),
    ]
    first, last = _slip(case, seq=slips[0][0]), _slip(case)
    assert first.startswith(world.city_bureau.name) and f"{world.county_bureau.name}：" in first
    assert "转送你单位" in first and "请县局办理" in first
    assert last.startswith(world.county_bureau.name) and f"{world.county_labour.name}：" in last
    assert "交办你单位" in last and "交办说明" in last and world.town_office.name in last
    assert _slip(case, seq=slips[1][0]) == last
    with pytest.raises(ServiceError) as missing:
        render_document(case, "routing_slip", seq=1)  # the registration issued no slip
    assert missing.value.field == "seq" and "转送单" in missing.value.message


def test_an_accusation_forwarded_upward_at_registration_is_not_addressed_as_a_subordinate(
    world: World,
) -> None:
    case = register(world, nature="accusation", accused_org=world.city_bureau, forward_to=world.city_gov)
    slip = _slip(case)
    assert "转请贵机关依法办理" in slip and "你单位" not in slip


# -- refusals ---------------------------------------------------------------------------------


def test_the_city_bureau_cannot_route_upward(world: World) -> None:
    national = org_create(name="国家信访局", region=world.nation, kind=OrgKind.PETITION_BUREAU)
    for target in (national, world.province_gov, world.city_gov):
        case = register(world)
        with pytest.raises(ServiceError) as refused:
            services.case_forward(actor=world.registrar, case=case, to_org=target)
        assert refused.value.field == "to_org"
        assert f"“{target.name}”是上级机关" in refused.value.message and "转送至" in refused.value.message
        case.refresh_from_db()
        assert case.status == Status.REGISTERED and case.events.count() == 1


def test_a_county_bureau_cannot_route_to_another_countys_department(
    world: World, freeze: Freeze, county_clerk: User
) -> None:
    freeze("2026-03-02 09:00")
    case = services.case_forward(actor=world.registrar, case=register(world), to_org=world.county_bureau)
    for target, why in (
        (world.other_county_labour, "不在“青山县信访局”的交转范围内"),
        (world.city_housing, "“示例市住房和城乡建设局”是上级机关"),  # a level above the county
        (world.city_discipline, "“示例市纪委监委”是上级机关"),
    ):
        with pytest.raises(ServiceError) as refused:
            services.case_forward(actor=county_clerk, case=case, to_org=target)
        assert refused.value.field == "to_org" and why in refused.value.message
    with pytest.raises(ServiceError) as refused:
        services.case_forward(
            actor=county_clerk, case=case, to_org=world.county_labour, assisting=[world.other_county_labour]
        )
    assert refused.value.field == "assisting" and "协办单位" in refused.value.message
    case.refresh_from_db()
    assert case.current_org == world.county_bureau and case.events.count() == 2


def test_a_department_that_received_a_case_cannot_forward_it(
    world: World, freeze: Freeze, county_clerk: User, labour_clerk: User
) -> None:
    case = _two_hops(world, freeze, county_clerk)
    with pytest.raises(ServiceError) as refused:
        services.case_forward(actor=labour_clerk, case=case, to_org=world.town_office)
    assert refused.value.field == "to_org"
    assert "不是信访部门" in refused.value.message and "异议退回" in refused.value.message
    case.refresh_from_db()
    assert case.current_org == world.county_labour


def test_an_objection_after_the_second_hop_returns_to_the_county_bureau(
    world: World, freeze: Freeze, county_clerk: User, labour_clerk: User
) -> None:
    case = _two_hops(world, freeze, county_clerk)
    freeze("2026-03-11 09:00")
    case = services.case_object(actor=labour_clerk, case=case, reasons="属于城关镇职责")
    assert case.status == Status.REGISTERED and case.current_org == world.county_bureau
    case = services.case_forward(actor=county_clerk, case=case, to_org=world.town_office)
    assert case.current_org == world.town_office
    accept = {c.name: c for c in case_clocks(case, today=dt.date(2026, 3, 11))}["accept"]
    assert (accept.state, accept.started_on) == ("running", dt.date(2026, 3, 11))


def test_the_reach_follows_the_organisation_tree(world: World) -> None:
    city = set(services.routing_reach(world.city_bureau))
    assert {world.city_housing, world.city_discipline, world.county_bureau, world.county_labour} <= city
    assert {world.city_bureau, world.city_gov, world.province_gov}.isdisjoint(city)
    county = set(services.routing_reach(world.county_bureau))
    assert county == {world.county_labour, world.town_office}
    inactive = org_create(
        name="青山县已撤并单位", region=world.county, kind=OrgKind.FUNCTIONAL, parent=world.county_gov
    )
    Org.objects.filter(pk=inactive.pk).update(is_active=False)
    assert inactive not in set(services.routing_reach(world.county_bureau))
    assert world.county.level == Level.COUNTY
