"""An accusation against the registering organ itself (第三十条): forwarded in the same step.

Nobody at the accused organ may see the matter once it is registered, so it could never be routed
later: the registration names the organ above or a 纪检监察 organ and hands it on atomically.
"""

from __future__ import annotations

import pytest

from xinfang.cases import services
from xinfang.cases.models import Case, CaseEvent, CaseUnit, IdempotencyKey, Petitioner
from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.services import routing
from xinfang.cases.tests.helpers import category, register
from xinfang.core.errors import ServiceError
from xinfang.orgs import services as org_services
from xinfang.orgs.models import OrgKind, Role, User
from xinfang.testing.world import World


def _against_the_bureau(world: World, **overrides: object) -> Case:
    return register(world, nature="accusation", accused_org=world.city_bureau, **overrides)


def _staff_of(org: object) -> list[User]:
    return list(User.objects.filter(memberships__org=org).distinct())


def test_without_a_destination_it_is_refused_and_nothing_is_registered(world: World) -> None:
    # Before: the case was created, then hidden from every user of the only organ holding it.
    with pytest.raises(ServiceError) as refused:
        _against_the_bureau(world)
    assert refused.value.field == "forward_to"
    assert "登记机关“示例市信访局”本身" in refused.value.message
    assert "示例市纪委监委" in refused.value.message  # names what may be chosen
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_it_is_registered_and_forwarded_at_once_and_the_accused_organ_never_sees_it(world: World) -> None:
    case = _against_the_bureau(world, forward_to=world.city_discipline)
    assert case.status == "routed" and case.current_org == world.city_discipline
    assert case.registered_org == world.city_bureau and case.accused_org == world.city_bureau
    events = list(case.events.order_by("seq"))
    assert [e.kind for e in events] == ["registered", "forwarded"]
    forwarded = events[1]
    assert forwarded.org == world.city_bureau and forwarded.actor == world.registrar
    assert forwarded.payload["to_org"] == world.city_discipline.pk
    assert forwarded.payload["at_registration"] is True
    lead = CaseUnit.objects.get(case=case, is_active=True)
    assert lead.org == world.city_discipline and lead.role == "lead"

    accused_staff = _staff_of(world.city_bureau)
    assert {world.registrar, world.bureau_head} <= set(accused_staff)
    for user in accused_staff:
        assert case not in cases_visible_to(user), user.username

    inspector = org_services.staff_user_create(username="jw1", full_name="纪检员", password="x-Pass-2026")
    org_services.membership_grant(user=inspector, org=world.city_discipline, role=Role.HANDLER)
    assert case in cases_visible_to(inspector)
    accepted = services.case_accept(actor=inspector, case=case)  # the destination can take it on
    assert accepted.status == "accepted"


def test_the_organ_above_is_a_competent_destination(world: World) -> None:
    case = _against_the_bureau(world, forward_to=world.city_gov)
    assert case.current_org == world.city_gov
    assert case in cases_visible_to(world.leader)
    assert case not in cases_visible_to(world.bureau_head)


def test_the_competent_destinations_come_from_the_organisation_data(world: World) -> None:
    from xinfang.orgs.selectors import supervising_orgs

    assert set(supervising_orgs(world.city_bureau)) == {
        world.province_gov,
        world.city_gov,
        world.city_discipline,
    }
    county_discipline = org_services.org_create(
        name="青山县纪委监委", region=world.county, kind=OrgKind.DISCIPLINE
    )
    assert county_discipline in supervising_orgs(world.county_labour)
    assert county_discipline not in supervising_orgs(world.city_bureau)  # below the city: no reach


@pytest.mark.parametrize(
    "pick", ["accused", "below_accused", "not_competent", "lower_discipline", "inactive"]
)
def test_a_destination_that_is_not_competent_is_refused_on_its_field(world: World, pick: str) -> None:
    destinations = {
        "accused": world.city_bureau,
        "below_accused": org_services.org_create(
            name="示例市信访局接访中心", region=world.city, kind=OrgKind.FUNCTIONAL, parent=world.city_bureau
        ),
        "not_competent": world.city_housing,
        "lower_discipline": org_services.org_create(
            name="青山县纪委监委", region=world.county, kind=OrgKind.DISCIPLINE
        ),
        "inactive": org_services.org_create(
            name="示例市监察委员会", region=world.city, kind=OrgKind.DISCIPLINE
        ),
    }
    if pick == "inactive":
        destinations[pick].is_active = False
        destinations[pick].save(update_fields=["is_active"])
    with pytest.raises(ServiceError) as refused:
        _against_the_bureau(world, forward_to=destinations[pick])
    assert refused.value.field == "forward_to" and refused.value.message
    assert not Case.objects.exists()


def test_a_destination_is_refused_for_any_other_matter(world: World) -> None:
    with pytest.raises(ServiceError) as refused:
        register(world, forward_to=world.city_discipline)
    assert refused.value.field == "forward_to"
    with pytest.raises(ServiceError):
        register(world, nature="accusation", accused_org=world.city_housing, forward_to=world.city_discipline)
    assert not Case.objects.exists()


def test_if_the_forward_fails_nothing_is_left_behind(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    real = routing.append_event

    def failing(case: Case, *, kind: str, **kwargs: object) -> CaseEvent:
        if kind == "forwarded":
            raise ServiceError("该信访件刚被他人处理，请刷新后重试。", code="conflict")
        return real(case, kind=kind, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(routing, "append_event", failing)
    with pytest.raises(ServiceError):
        services.case_register_idempotent(
            key="k-accuse-1",
            actor=world.registrar,
            org=world.city_bureau,
            channel="visit",
            nature="accusation",
            category=category("030100"),
            subject="反映信访局工作人员推诿",
            content="信访局某工作人员多次拒收材料。",
            problem_region=world.city,
            petitioners=[services.PetitionerInput(name="王五")],
            accused_org=world.city_bureau,
            forward_to=world.city_discipline,
        )
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert not CaseUnit.objects.exists() and not Petitioner.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_the_destination_cannot_send_it_back_to_the_accused(world: World) -> None:
    case = _against_the_bureau(world, forward_to=world.city_discipline)
    inspector = org_services.staff_user_create(username="jw2", full_name="纪检员", password="x-Pass-2026")
    org_services.membership_grant(user=inspector, org=world.city_discipline, role=Role.HANDLER)
    with pytest.raises(ServiceError) as refused:
        services.case_object(actor=inspector, case=case, reasons="不属本机关职责。")
    assert "不能退回" in refused.value.message
    case.refresh_from_db()
    assert case.current_org == world.city_discipline
    # Nor can the accused bureau, which still holds the routing event, add units to it.
    with pytest.raises(ServiceError):
        services.case_add_assisting(actor=world.bureau_head, case=case, org=world.city_housing)


def test_a_registrar_of_another_organ_than_the_accused_routes_as_usual(world: World) -> None:
    # Accused: the housing department, whose handler also registers for the bureau.
    org_services.membership_grant(user=world.handler, org=world.city_bureau, role=Role.REGISTRAR)
    case = register(world, actor=world.handler, nature="accusation", accused_org=world.city_housing)
    assert case.status == "registered" and case not in cases_visible_to(world.handler)
    assert case in cases_visible_to(world.registrar)  # the bureau's other staff can route it
    services.case_forward(actor=world.registrar, case=case, to_org=world.city_discipline)
