"""Reads of the hall and the grass roots, one module per area. Each list starts from who may see
it: the halls a user runs or oversees (``halls_visible_to``), the points a user serves
(``points_visible_to``); a record about a case the user may not see is not shown."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.core.timeutil import local_date
from xinfang.orgs.models import GRASSROOTS_KINDS, Org, User
from xinfang.orgs.selectors import user_memberships
from xinfang.reception.models import Hall
from xinfang.reception.services._common import OVERSEEING_KINDS, STAFF_ROLES


def _staff_memberships(user: User):  # type: ignore[no-untyped-def]
    if not user.is_authenticated or not user.is_active or user.is_citizen:
        return None
    return user_memberships(user).filter(role__in=STAFF_ROLES).select_related("org__region")


def halls_visible_to(user: User) -> QuerySet[Hall]:
    """The halls the user's organ hosts, or that sit in the region of a petition bureau or Party
    committee / government the user works for; and the halls where the user's organ is stationed
    (its staff see the rota and check in)."""
    memberships = _staff_memberships(user)
    if memberships is None:
        return Hall.objects.none()
    orgs = [m.org_id for m in memberships]
    today = local_date()
    # A unit's staff see a hall while the unit is stationed there (not after it withdrew).
    stationed = Q(units__org__in=orgs) & (Q(units__until__isnull=True) | Q(units__until__gte=today))
    q = Q(org__in=orgs) | stationed
    for m in memberships:
        if m.org.kind in OVERSEEING_KINDS:
            q |= Q(org__region__path__startswith=m.org.region.path)
    return Hall.objects.filter(q).select_related("org__region").distinct()


def points_visible_to(user: User) -> QuerySet[Org]:
    """The grass-roots points the user serves: those of the user's organs and below them, and
    those in the region of a petition bureau or government the user works for."""
    memberships = _staff_memberships(user)
    if memberships is None:
        return Org.objects.none()
    q = Q(pk__in=[])
    for m in memberships:
        q |= Q(path__startswith=m.org.path)
        if m.org.kind in OVERSEEING_KINDS:
            q |= Q(region__path__startswith=m.org.region.path)
    return Org.objects.filter(q, kind__in=GRASSROOTS_KINDS).select_related("region", "parent")
