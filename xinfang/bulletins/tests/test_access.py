"""Who reads a bulletin: its organ and those above see drafts; once issued, the organs it is sent to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from xinfang.bulletins import services
from xinfang.bulletins.selectors import (
    bulletin_for,
    bulletins_visible_to,
    items_visible_to,
    may_edit,
    may_issue,
)
from xinfang.bulletins.tests.helpers import brief, issue
from xinfang.orgs.models import Org, Role, User
from xinfang.orgs.services import membership_grant, staff_user_create
from xinfang.testing.world import PASSWORD, World

Freeze = Callable[[str], dt.datetime]


def _staff(username: str, org: Org, role: str = Role.HANDLER) -> User:
    user = staff_user_create(username=username, full_name=username, password=PASSWORD)
    membership_grant(user=user, org=org, role=role)
    return user


@pytest.fixture
def readers(world: World, freeze: Freeze) -> dict[str, User]:
    freeze("2026-03-10 10:00")
    return {
        "bureau": world.registrar,
        "head": world.bureau_head,
        "city_gov": world.leader,
        "province_gov": _staff("province", world.province_gov),
        "county_bureau": _staff("county", world.county_bureau),
        "town": _staff("town", world.town_office),
        "housing": world.handler,
        "citizen": world.citizen,
    }


def _who_sees(bulletin_id: int, readers: dict[str, User]) -> set[str]:
    return {name for name, user in readers.items() if bulletin_for(user, bulletin_id) is not None}


def test_a_draft_is_read_by_its_organ_and_the_organs_above_it(world: World, readers: dict[str, User]) -> None:
    draft = brief(world)
    assert _who_sees(draft.pk, readers) == {"bureau", "head", "city_gov", "province_gov"}


def test_an_issued_bulletin_is_sent_down_to_the_bureaus_region(
    world: World, readers: dict[str, User]
) -> None:
    issued = issue(world, brief(world))
    assert _who_sees(issued.pk, readers) == {
        "bureau",
        "head",
        "city_gov",
        "province_gov",
        "county_bureau",
        "town",
        "housing",
    }
    assert bulletins_visible_to(world.citizen).count() == 0


def test_a_county_bureaus_bulletin_goes_up_to_the_city_bureau_once_issued(
    world: World, readers: dict[str, User]
) -> None:
    county_writer = readers["county_bureau"]
    membership_grant(user=county_writer, org=world.county_bureau, role=Role.BUREAU_HEAD)
    draft = brief(world, actor=county_writer, org=world.county_bureau)
    # the city bureau is not above the county bureau in the tree: it waits for the issue
    assert _who_sees(draft.pk, readers) == {"county_bureau", "city_gov", "province_gov"}
    services.bulletin_issue(actor=county_writer, bulletin=draft)
    assert _who_sees(draft.pk, readers) == {
        "county_bureau",
        "city_gov",
        "province_gov",
        "bureau",
        "head",
        "town",
    }


def test_writing_and_issuing_are_for_the_organs_staff_in_their_roles(
    world: World, readers: dict[str, User]
) -> None:
    draft = brief(world)
    assert may_edit(world.registrar, draft) and not may_issue(world.registrar, draft)
    assert may_edit(world.bureau_head, draft) and may_issue(world.bureau_head, draft)
    assert not may_edit(world.leader, draft) and not may_issue(world.leader, draft)  # reads only
    issued = issue(world, draft)
    assert not may_edit(world.bureau_head, issued) and not may_issue(world.bureau_head, issued)


def test_items_are_read_by_their_organ_and_those_above(world: World, readers: dict[str, User]) -> None:
    item = services.item_create(actor=world.registrar, org=world.city_bureau, title="动态", body="内容")
    seeing = {name for name, user in readers.items() if items_visible_to(user).filter(pk=item.pk).exists()}
    assert seeing == {"bureau", "head", "city_gov", "province_gov"}
