"""What the leadership services share: who may act, the reach of a leader, the case note.

Every service is keyword-only, atomic and refuses with ``ServiceError`` (bad input, wrong state)
or ``NotAllowed`` (wrong organisation or role), naming the field, like the case services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible
from xinfang.cases.services import case_note_leadership
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.orgs.models import Org, OrgKind, Role, User
from xinfang.orgs.permissions import holds_role, require_role
from xinfang.orgs.selectors import user_memberships

# Staff of a petition bureau (or of a Party committee / government's office) who organise the
# leaders' work: schedule reception days, record visits, open campaigns and consultations.
ORGANISER_ROLES = (Role.BUREAU_HEAD, Role.APPROVER, Role.REGISTRAR, Role.HANDLER)
# Staff of a responsible unit who report on what was given to the unit.
UNIT_ROLES = (Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD)


def require_organiser(actor: User, org: Org, *, doing: str) -> None:
    """``actor`` holds an organising role in ``org``, a petition bureau or a Party committee /
    government (whose office organises its leaders' reception days)."""
    if org.kind not in (OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT):
        raise NotAllowed(f"{org.name}不是信访部门或党委政府，不能{doing}。", field="org")
    require_role(actor, org, ORGANISER_ROLES, doing=doing)


def may_organise(actor: User, org: Org) -> bool:
    """Whether ``actor`` holds an organising role in a petition bureau or Party committee /
    government whose region contains ``org``'s: a city bureau arranges its leaders' reception at a
    county's bureau (下沉接访), a county bureau not at the city's."""
    parts = [p for p in org.region.path.strip("/").split("/") if p]
    prefixes = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return (
        user_memberships(actor)
        .filter(
            role__in=ORGANISER_ROLES,
            org__kind__in=(OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT),
            org__region__path__in=prefixes,
        )
        .exists()
    )


def require_organiser_over(actor: User, org: Org, *, doing: str) -> None:
    """``require_organiser`` in ``org`` or in a bureau or government above it (``may_organise``)."""
    if org.kind not in (OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT):
        raise NotAllowed(f"{org.name}不是信访部门或党委政府，不能{doing}。", field="org")
    if not may_organise(actor, org):
        raise NotAllowed(f"只有{org.name}或其上级信访部门、党委政府的工作人员可以{doing}。", field="org")


def require_leader(leader: User, org: Org, *, field: str = "leader") -> None:
    """``leader`` holds the 领导 role in ``org``."""
    if not holds_role(leader, org, (Role.LEADER,)):
        raise ServiceError(f"{leader}不是{org.name}的领导，请选择该机关的领导。", field=field)


def within_reach(org: Org, of: Org) -> bool:
    """Whether ``org`` sits in the region of ``of`` or below it: a city leader may receive or take on
    matters of the whole city, a county leader those of the county, never another county's."""
    return org.region.path.startswith(of.region.path)


def require_sees(user: User, case: Case, *, field: str = "case", who: str = "") -> None:
    """``user`` may see ``case`` under the one access policy (``cases_visible_to``)."""
    if not case_visible(user, case.pk).exists():
        subject = who or "您"
        raise NotAllowed(f"{subject}无权查看信访件 {case.number}，不在其职责范围内。", field=field)


def distinct_cases(cases: Iterable[Case], *, field: str = "cases") -> list[Case]:
    found: dict[int, Case] = {}
    for case in cases:
        found.setdefault(case.pk, case)
    if not found:
        raise ServiceError("请至少选择一件信访件。", field=field)
    return list(found.values())


def require_date(value: object, *, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ServiceError(f"请填写{label}（年-月-日）。", field=field)
    return value


def note_on_case(*, actor: User, org: Org, case: Case, kind: str, payload: dict[str, Any]) -> None:
    """The step in the case's own history (timeline, case file), through the case services."""
    case_note_leadership(actor=actor, org=org, case=case, kind=kind, payload=payload)
