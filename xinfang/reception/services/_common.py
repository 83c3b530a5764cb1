"""What the reception services share: who may act at a hall or a grass-roots point, and the note on
the case.

- A hall is run by the staff (登记员、承办人、审核人、负责人) of the organ that hosts it (a petition
  bureau, a one-stop centre) and of the petition bureaus and Party committees / governments whose
  region contains it (a city bureau oversees a county's hall).
- A grass-roots point (镇级工作站、村级服务点、基层调解平台) is served by its own staff and by the staff of
  the organs above it in the tree (the township, the county government and bureau ...).
"""

from __future__ import annotations

from typing import Any

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible
from xinfang.cases.services import case_note_reception
from xinfang.core.errors import NotAllowed, ServiceError
from xinfang.orgs.models import GRASSROOTS_KINDS, Org, OrgKind, Role, User
from xinfang.orgs.selectors import user_memberships
from xinfang.reception.models import Hall

STAFF_ROLES = (Role.REGISTRAR, Role.HANDLER, Role.APPROVER, Role.BUREAU_HEAD)
OVERSEEING_KINDS = (OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT)


def region_prefixes(org: Org) -> list[str]:
    """The paths of ``org``'s region and of every region above it."""
    parts = [p for p in org.region.path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def may_run_hall(actor: User, hall: Hall) -> bool:
    memberships = user_memberships(actor).filter(role__in=STAFF_ROLES)
    if memberships.filter(org=hall.org_id).exists():
        return True
    return memberships.filter(
        org__kind__in=OVERSEEING_KINDS, org__region__path__in=region_prefixes(hall.org)
    ).exists()


def require_hall_staff(actor: User, hall: Hall, *, doing: str) -> None:
    if not may_run_hall(actor, hall):
        raise NotAllowed(f"只有{hall.org.name}或其上级信访部门的工作人员可以{doing}。", field="hall")


def require_open_hall(hall: Hall) -> None:
    if not hall.is_active:
        raise ServiceError(f"{hall.name}已停用。", field="hall")


def require_point(org: Org, *, field: str = "point") -> None:
    if org.kind not in GRASSROOTS_KINDS:
        raise ServiceError(f"{org.name}不是镇级工作站、村级服务点或基层调解平台。", field=field)
    if not org.is_active:
        raise ServiceError(f"{org.name}已停用。", field=field)


def may_serve_point(actor: User, point: Org) -> bool:
    """Staff of the point, or of an organ above it in the tree (its township and upward), or of a
    petition bureau whose region contains the point's."""
    memberships = user_memberships(actor).filter(role__in=STAFF_ROLES)
    ancestors = [int(p) for p in point.path.strip("/").split("/") if p]
    if memberships.filter(org__in=ancestors).exists():
        return True
    return memberships.filter(
        org__kind__in=OVERSEEING_KINDS, org__region__path__in=region_prefixes(point)
    ).exists()


def require_point_staff(actor: User, point: Org, *, doing: str) -> None:
    if not may_serve_point(actor, point):
        raise NotAllowed(f"只有{point.name}或其所属乡镇、上级机关的工作人员可以{doing}。", field="point")


def require_sees(user: User, case: Case, *, field: str = "case") -> None:
    """``user`` may see ``case`` under the one access policy."""
    if not case_visible(user, case.pk).exists():
        raise NotAllowed(f"您无权查看信访件 {case.number}，不在您的职责范围内。", field=field)


def note_on_case(*, actor: User, org: Org, case: Case, kind: str, payload: dict[str, Any]) -> None:
    """The step in the case's own history (timeline, case file), through the case services."""
    case_note_reception(actor=actor, org=org, case=case, kind=kind, payload=payload)
