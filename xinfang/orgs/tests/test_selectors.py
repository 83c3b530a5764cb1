from __future__ import annotations

from xinfang.orgs import selectors, services
from xinfang.orgs.models import Role
from xinfang.testing.world import World


def test_orgs_under_a_government_include_its_departments_and_towns(world: World) -> None:
    under_county = set(selectors.orgs_under(world.county_gov))
    assert {world.county_gov, world.county_bureau, world.county_labour, world.town_office} == under_county


def test_orgs_in_a_region_include_lower_regions(world: World) -> None:
    in_county = set(selectors.orgs_in_region(world.county))
    assert world.town_office in in_county
    assert world.other_county_labour not in in_county


def test_ancestors_run_from_the_root_to_the_parent(world: World) -> None:
    assert selectors.org_ancestors(world.town_office) == [
        world.province_gov,
        world.city_gov,
        world.county_gov,
    ]


def test_roles_are_looked_up_per_org(world: World) -> None:
    assert selectors.user_has_role(world.bureau_head, Role.BUREAU_HEAD, org=world.city_bureau)
    assert not selectors.user_has_role(world.handler, Role.REGISTRAR)
    assert list(selectors.user_orgs(world.handler)) == [world.city_housing]


def test_a_revoked_role_no_longer_counts(world: World) -> None:
    membership = world.handler.memberships.get(role=Role.HANDLER)
    services.membership_revoke(membership=membership)
    assert not selectors.user_has_role(world.handler, Role.HANDLER)
