"""What the tests of the queue, the 诉求单 and joint reception share: a filled ticket, a case
registered from it, and a one-stop centre with a stationed unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from xinfang.cases.models import Case
from xinfang.cases.services import PetitionerInput
from xinfang.cases.tests.helpers import ID_NUMBER, category
from xinfang.orgs import services as org_services
from xinfang.orgs.models import Org, OrgKind, Role, User
from xinfang.reception.models import Hall, StationedUnit, Ticket
from xinfang.reception.services import (
    ticket_call,
    ticket_fill_form,
    ticket_issue,
    ticket_register_case,
)
from xinfang.reception.tests.helpers import HallWorld
from xinfang.testing.world import PASSWORD, World

PHONE = "13800138000"


def staff(username: str, name: str, org: Org, role: str = Role.REGISTRAR) -> User:
    user = org_services.staff_user_create(username=username, full_name=name, password=PASSWORD)
    org_services.membership_grant(user=user, org=org, role=role)
    return user


def a_person(**overrides: Any) -> PetitionerInput:
    fields: dict[str, Any] = {
        "name": "赵大姐",
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "address": "青山县城关镇幸福路1号",
    }
    fields.update(overrides)
    return PetitionerInput(**fields)


def filled_ticket(
    hw: HallWorld, world: World, *, headcount: int = 1, people: list[Any] | None = None
) -> Ticket:
    ticket = ticket_issue(actor=hw.clerk, hall=hw.hall, headcount=headcount)
    return ticket_fill_form(
        actor=hw.clerk,
        ticket=ticket,
        people=people or [a_person()],
        subject="小区停车位被开发商违规出售",
        request="请求责令开发商退还违规出售的车位款并恢复公共车位。",
        facts="开发商将规划为公共区域的车位出售，住建部门和人社部门互相推诿。",
        category=category("030100"),
        problem_region=world.county,
        units_involved="县住建局、县人社局",
    )


def registered_case(hw: HallWorld, world: World, **kwargs: Any) -> tuple[Ticket, Case]:
    ticket = filled_ticket(hw, world, **kwargs)
    ticket = ticket_call(actor=hw.clerk, ticket=ticket, window="1号窗口")
    case = ticket_register_case(actor=hw.clerk, ticket=ticket, nature="appeal")
    ticket.refresh_from_db()
    return ticket, case


@dataclass
class Centre:
    org: Org
    hall: Hall
    clerk: User  # 登记员 of the centre


def build_centre(world: World, hw: HallWorld) -> Centre:
    """青山县群众信访诉求综合服务中心 (信访超市) with the labour bureau stationed at its window 6."""
    org = org_services.org_create(
        name="青山县群众信访诉求综合服务中心",
        region=world.county,
        kind=OrgKind.ONE_STOP_CENTRE,
        parent=world.county_gov,
    )
    hall = Hall.objects.create(org=org, name="青山县信访超市", ticket_prefix="B")
    StationedUnit.objects.create(hall=hall, org=hw.labour, window="6号窗口", since=dt.date(2024, 1, 1))
    return Centre(org=org, hall=hall, clerk=staff("centre_desk", "秦导办", org))
