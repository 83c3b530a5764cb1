"""The setup the 约访 / 下访 / 夜访 tests share (services, pages, API), built through the services.

Besides the personas' world: a leader of 青山县, staff of 青山县信访局 and of 城关镇, a township in
another county; a case about 青山县 registered at the city bureau; a case the county bureau
registered about 河口县; and a case forwarded to 城关镇 (which only then sees it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from xinfang.cases import services as case_services
from xinfang.cases.models import Case
from xinfang.cases.tests.helpers import register
from xinfang.leadership.models import Appointment, FieldVisit
from xinfang.leadership.services import visits as services
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Level, Org, OrgKind, Role, User
from xinfang.testing.clock import beijing
from xinfang.testing.world import PASSWORD, World

NOW = "2025-03-03 10:00"  # a Monday
TOMORROW_AT = beijing("2025-03-04 09:30")


@dataclass
class Cast:
    county_leader: User
    county_clerk: User
    town_clerk: User
    far_town: Org
    case: Case  # about 青山县, registered by the city bureau
    elsewhere: Case  # registered by 青山县信访局 about 河口县
    at_town: Case  # forwarded to 城关镇


def _staff(username: str, full_name: str, org: Org, *roles: str) -> User:
    user = org_services.staff_user_create(username=username, full_name=full_name, password=PASSWORD)
    for role in roles:
        org_services.membership_grant(user=user, org=org, role=role)
    return user


def cast(world: World) -> Cast:
    far_region = org_services.region_create(
        code="990122001", name="河口镇", level=Level.TOWNSHIP, parent=world.other_county
    )
    far_town = org_services.org_create(name="河口县河口镇人民政府", region=far_region, kind=OrgKind.TOWNSHIP)
    county_clerk = _staff("county_clerk", "赵县信访", world.county_bureau, Role.REGISTRAR, Role.HANDLER)
    elsewhere = register(
        world,
        actor=county_clerk,
        org=world.county_bureau,
        problem_region=world.other_county,
        subject="河口县工资拖欠",
    )
    at_town = register(world, subject="城关镇宅基地纠纷")
    at_town = case_services.case_forward(actor=world.registrar, case=at_town, to_org=world.town_office)
    return Cast(
        county_leader=_staff("county_leader", "孙县长", world.county_gov, Role.LEADER),
        county_clerk=county_clerk,
        town_clerk=_staff("town_clerk", "钱镇干部", world.town_office, Role.HANDLER),
        far_town=far_town,
        case=register(world),
        elsewhere=elsewhere,
        at_town=at_town,
    )


def schedule(world: World, case: Case, **overrides: Any) -> Appointment:
    """The city bureau's registrar invites the petitioner to meet 陈副市长 tomorrow morning."""
    fields: dict[str, Any] = {
        "actor": world.registrar,
        "org": world.city_bureau,
        "case": case,
        "at": TOMORROW_AT,
        "place": "市信访局接待大厅",
        "purpose": "听取住房质量问题诉求",
        "leader": world.leader,
    }
    fields.update(overrides)
    return services.appointment_schedule(**fields)


def visit_down(world: World, cases: list[Case], **overrides: Any) -> FieldVisit:
    """陈副市长 went down to 青山县 yesterday for two days, recorded by the city bureau's registrar."""
    fields: dict[str, Any] = {
        "actor": world.registrar,
        "org": world.city_bureau,
        "leader": world.leader,
        "on": dt.date(2025, 3, 1),
        "days": 2,
        "place": "青山县城关镇",
        "participants": "市住建局、青山县政府",
        "summary": "现场查看住房裂缝",
        "cases": cases,
    }
    fields.update(overrides)
    return services.field_visit_record(**fields)


def push(world: World, cases: list[Case], **overrides: Any) -> FieldVisit:
    """The city bureau pushes cases to 城关镇 for a 夜访 this evening."""
    fields: dict[str, Any] = {
        "actor": world.registrar,
        "org": world.city_bureau,
        "target_org": world.town_office,
        "on": dt.date(2025, 3, 3),
        "place": "城关镇各村",
        "cases": cases,
    }
    fields.update(overrides)
    return services.field_visit_push(**fields)
