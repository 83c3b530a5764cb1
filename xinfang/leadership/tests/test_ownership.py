"""包案: taking a case on, progress, 已化解, reopening, handover, and every refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from xinfang.cases.models import Case
from xinfang.cases.services import case_forward
from xinfang.cases.tests.helpers import register
from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.leadership.models import Ownership, OwnershipState
from xinfang.leadership.selectors.ownership import case_ownership, ownership_figures, ownerships_visible_to
from xinfang.leadership.services import ownership as services
from xinfang.leadership.tests.test_reception import county_leader
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Role
from xinfang.testing.world import PASSWORD, World

D = dt.date
Freeze = Callable[[str], dt.datetime]


@pytest.fixture
def case(world: World, freeze: Freeze) -> Case:
    freeze("2025-03-03 10:00")
    return register(world)


def take(world: World, cases: list[Case] | None = None, **overrides: Any) -> Ownership:
    fields: dict[str, Any] = {
        "actor": world.leader,
        "leader": world.leader,
        "org": world.city_gov,
        "cases": cases,
        "title": "某小区住房质量问题",
        "started_on": D(2025, 3, 3),
        "target_on": D(2025, 5, 31),
        "plan": "约谈开发商，督促住建局一个月内完成维修。",
        "leader_title": "副市长",
    }
    fields.update(overrides)
    return services.ownership_take(**fields)


def _kinds(ownership: Ownership) -> list[str]:
    return list(ownership.events.order_by("at", "pk").values_list("kind", flat=True))


def test_a_leader_takes_a_case_records_progress_and_resolves_it(world: World, case: Case) -> None:
    owned = take(world, [case])
    assert (owned.state, list(owned.cases.all())) == ("unresolved", [case])
    assert case.events.get(kind="owned").payload["leader"] == "陈副市长"
    assert case_ownership(world.handler, case) is None  # the unit does not see it yet: not its case
    assert case_ownership(world.registrar, case) == owned

    progressing = services.ownership_progress(
        actor=world.leader, ownership=owned, text="已约谈开发商，同意维修。"
    )
    assert progressing.state == "resolving"
    resolved = services.ownership_resolve(
        actor=world.leader,
        ownership=progressing,
        resolved_on=D(2025, 3, 3),
        evidence="维修完成，信访人签字确认。",
        petitioner_confirmed=True,
        petitioner_rating="满意",
    )
    assert (resolved.state, resolved.resolved_on, resolved.petitioner_rating) == (
        "resolved",
        D(2025, 3, 3),
        "满意",
    )
    assert _kinds(resolved) == ["taken", "progress", "state", "resolved"]
    assert case.events.filter(kind="ownership_resolved").count() == 1


def test_a_leader_cannot_own_a_case_outside_the_organs_reach(world: World, case: Case) -> None:
    elsewhere = case_forward(
        actor=world.registrar,
        case=register(world, problem_region=world.other_county, subject="河口县工资拖欠"),
        to_org=world.other_county_labour,
    )
    leader = county_leader(world)
    with pytest.raises(NotAllowed, match="孔副县长（青山县人民政府）无权查看"):
        take(world, [elsewhere], actor=leader, leader=leader, org=world.county_gov)
    assert not Ownership.objects.exists()


def test_the_leader_must_hold_the_role_and_the_actor_be_the_leader_or_an_organiser(
    world: World, case: Case
) -> None:
    with pytest.raises(ServiceError, match="不是示例市人民政府的领导"):
        take(world, [case], leader=world.handler)
    with pytest.raises(NotAllowed, match="只有包案领导"):
        take(world, [case], actor=world.handler)
    # The bureau may name the leader (指定包案).
    assert take(world, [case], actor=world.bureau_head).created_by == world.bureau_head


def test_input_is_checked_before_anything_is_written(world: World, case: Case) -> None:
    for overrides, field in (
        ({"cases": []}, "cases"),
        ({"title": " "}, "title"),
        ({"plan": ""}, "plan"),
        ({"started_on": D(2025, 3, 4)}, "started_on"),
        ({"target_on": D(2025, 3, 2)}, "target_on"),
        ({"started_on": None}, "started_on"),
    ):
        with pytest.raises(ServiceError) as exc:
            take(world, **{"cases": [case], **overrides})
        assert exc.value.field == field, overrides
    assert not Ownership.objects.exists()
    assert not case.events.filter(kind="owned").exists()


def test_a_case_has_one_unresolved_ownership_at_a_time(world: World, case: Case) -> None:
    first = take(world, [case])
    other = register(world, subject="同一小区另一栋楼漏水")
    with pytest.raises(ServiceError, match="已由陈副市长包案") as exc:
        take(world, [other, case], actor=world.bureau_head)
    assert exc.value.code == "conflict"
    services.ownership_resolve(
        actor=world.leader,
        ownership=first,
        resolved_on=D(2025, 3, 3),
        evidence="已维修。",
        petitioner_rating="基本满意",
    )
    assert take(world, [case]).state == "unresolved"
    with pytest.raises(ServiceError, match="已由陈副市长包案"):
        services.ownership_reopen(actor=world.leader, ownership=first, reason="信访人再次反映")


def test_resolving_needs_evidence_a_date_in_range_and_the_petitioners_word(world: World, case: Case) -> None:
    owned = take(world, [case])
    base: dict[str, Any] = {
        "actor": world.leader,
        "ownership": owned,
        "resolved_on": D(2025, 3, 3),
        "evidence": "已维修。",
    }
    for overrides, field in (
        ({"evidence": ""}, "evidence"),
        ({"resolved_on": D(2025, 3, 4)}, "resolved_on"),
        ({"resolved_on": D(2025, 3, 2)}, "resolved_on"),
        ({"petitioner_rating": "还行"}, "petitioner_rating"),
        ({}, "petitioner_confirmed"),
    ):
        with pytest.raises(ServiceError) as exc:
            services.ownership_resolve(**{**base, **overrides})
        assert exc.value.field == field, overrides
    owned.refresh_from_db()
    assert owned.state == "unresolved"
    done = services.ownership_resolve(**base, petitioner_confirmed=True)
    with pytest.raises(InvalidState, match="已认定化解"):
        services.ownership_resolve(**{**base, "ownership": done}, petitioner_confirmed=True)
    with pytest.raises(InvalidState, match="已化解"):
        services.ownership_progress(actor=world.leader, ownership=done, text="回访")
    reopened = services.ownership_reopen(actor=world.leader, ownership=done, reason="信访人称维修后又漏水")
    assert (reopened.state, reopened.resolved_on) == ("resolving", None)


def test_handover_goes_to_a_leader_who_sees_every_case(world: World, case: Case) -> None:
    owned = take(world, [case])
    successor = org_services.staff_user_create(username="new_leader", full_name="杨副市长", password=PASSWORD)
    with pytest.raises(ServiceError, match="不是示例市人民政府的领导"):
        services.ownership_hand_over(
            actor=world.leader, ownership=owned, leader=successor, org=world.city_gov, reason="调任"
        )
    org_services.membership_grant(user=successor, org=world.city_gov, role=Role.LEADER)
    with pytest.raises(ServiceError, match="请填写变更原因"):
        services.ownership_hand_over(
            actor=world.leader, ownership=owned, leader=successor, org=world.city_gov, reason=""
        )
    # A county leader cannot take over a matter the county cannot see.
    elsewhere = case_forward(
        actor=world.registrar,
        case=register(world, problem_region=world.other_county, subject="河口县工资拖欠"),
        to_org=world.other_county_labour,
    )
    services.ownership_add_case(actor=world.leader, ownership=owned, case=elsewhere)
    with pytest.raises(NotAllowed, match="无权查看"):
        services.ownership_hand_over(
            actor=world.bureau_head,
            ownership=owned,
            leader=county_leader(world),
            org=world.county_gov,
            reason="调整",
        )
    handed = services.ownership_hand_over(
        actor=world.bureau_head,
        ownership=owned,
        leader=successor,
        org=world.city_gov,
        reason="原包案领导调任",
        leader_title="副市长",
    )
    assert (handed.leader, handed.state) == (successor, "unresolved")
    assert case.events.get(kind="owner_changed").payload["previous_leader"] == "陈副市长"
    # The former leader no longer acts on it; the new one does.
    with pytest.raises(NotAllowed):
        services.ownership_progress(actor=world.leader, ownership=handed, text="继续跟进")
    assert (
        services.ownership_progress(actor=successor, ownership=handed, text="继续跟进").state == "resolving"
    )


def test_adding_a_case_of_the_same_kind(world: World, case: Case) -> None:
    owned = take(world, [case])
    with pytest.raises(ServiceError, match="已在本包案中"):
        services.ownership_add_case(actor=world.leader, ownership=owned, case=case)
    other = register(world, subject="同小区另一户墙体开裂")
    services.ownership_add_case(actor=world.leader, ownership=owned, case=other)
    assert set(owned.cases.all()) == {case, other}
    assert other.events.filter(kind="owned").count() == 1


def test_lists_and_figures_follow_the_access_policy(world: World, case: Case) -> None:
    first = take(world, [case, register(world, subject="另一户")])
    services.ownership_resolve(
        actor=world.leader,
        ownership=first,
        resolved_on=D(2025, 3, 3),
        evidence="已维修。",
        petitioner_confirmed=True,
    )
    second = take(world, [register(world, subject="第三户")], actor=world.bureau_head)
    assert set(ownerships_visible_to(world.bureau_head)) == {first, second}
    assert list(ownerships_visible_to(world.other_clerk)) == []
    figures = ownership_figures(ownerships_visible_to(world.bureau_head))
    assert (figures.cases, figures.leaders, figures.resolved_cases) == (3, 2, 2)
    assert figures.rate_text == "66.7%"
    assert ownership_figures(ownerships_visible_to(world.other_clerk)).rate_text == "—"
    assert Ownership.objects.filter(state=OwnershipState.RESOLVED).count() == 1
