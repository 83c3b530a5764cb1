"""Shared fixtures of the reception tests: a county hall with two stationed units and today's duty,
and a village point under the town. Rows are made directly here (tests only), so each area's tests
stand without another area's services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xinfang.core.timeutil import local_date
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Org, OrgKind, Role, User
from xinfang.reception.models import DutyRole, DutyShift, Hall, StationedUnit
from xinfang.testing.world import PASSWORD, World


@dataclass
class HallWorld:
    hall: Hall
    labour: Org  # 青山县人力资源和社会保障局, stationed at window 3
    housing: Org  # 青山县住房和城乡建设局, stationed at window 4
    clerk: User  # 登记员 of 青山县信访局, who runs the desk
    labour_leader: User  # the labour bureau's duty leader (带班领导) today
    housing_leader: User
    point: Org  # 城关镇东村村级服务点, under the town
    point_clerk: User  # 承办人 at the point
    town_clerk: User  # 登记员 of the town's government (its 信访办)


def _staff(username: str, name: str, org: Org, role: str) -> User:
    user = org_services.staff_user_create(username=username, full_name=name, password=PASSWORD)
    org_services.membership_grant(user=user, org=org, role=role)
    return user


def build_hall_world(world: World, *, on: dt.date | None = None) -> HallWorld:
    """The hall of 青山县信访局 with the labour and housing bureaus stationed since 2024-01-01, and a
    duty leader of each on ``on`` (default today, Beijing time), 08:30–17:30."""
    on = on or local_date()
    housing = org_services.org_create(
        name="青山县住房和城乡建设局", region=world.county, kind=OrgKind.FUNCTIONAL, parent=world.county_gov
    )
    hall = Hall.objects.create(
        org=world.county_bureau, name="青山县群众来访接待大厅", address="青山县人民路1号"
    )
    StationedUnit.objects.create(
        hall=hall, org=world.county_labour, window="3号窗口", since=dt.date(2024, 1, 1)
    )
    StationedUnit.objects.create(hall=hall, org=housing, window="4号窗口", since=dt.date(2024, 1, 1))
    clerk = _staff("qs_desk", "林登记", world.county_bureau, Role.REGISTRAR)
    labour_leader = _staff("qs_labour_duty", "郑科长", world.county_labour, Role.HANDLER)
    housing_leader = _staff("qs_housing_duty", "冯科长", housing, Role.HANDLER)
    for org, user in ((world.county_labour, labour_leader), (housing, housing_leader)):
        DutyShift.objects.create(
            hall=hall,
            org=org,
            on=on,
            role=DutyRole.LEADER,
            person=user.full_name,
            user=user,
            created_by=clerk,
        )
    point = org_services.org_create(
        name="城关镇东村村级服务点", region=world.town, kind=OrgKind.VILLAGE_POINT, parent=world.town_office
    )
    point_clerk = _staff("dongcun", "何网格员", point, Role.HANDLER)
    town_clerk = _staff("cg_office", "韩信访员", world.town_office, Role.REGISTRAR)
    return HallWorld(
        hall=hall,
        labour=world.county_labour,
        housing=housing,
        clerk=clerk,
        labour_leader=labour_leader,
        housing_leader=housing_leader,
        point=point,
        point_clerk=point_clerk,
        town_clerk=town_clerk,
    )
