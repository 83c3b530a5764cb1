"""Who sees which assessment: the one access rule of the ranking page, its cases, the .xlsx and the 通报.

- The assessing organ (the scheme's `org`) and every organ above it see the whole table, live or
  frozen: a bureau sees everything under its assessment.
- An assessed unit sees its own row (its figures, points and the reasons), live and frozen, and
  the ranking (every unit's total and rank) once the bureau has published the period (发布).
- Freezing (定稿) is for the assessing organ's head or statistician; publishing for its head.

The cases behind a figure are listed through the case access policy on top of this
(`xinfang.statistics.figures.figure_cases`), so a unit's drill-down shows only what its staff may
see of its own cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from xinfang.assessment.models import Scheme, Scorecard
from xinfang.orgs.models import Org, Role, User
from xinfang.orgs.selectors import user_memberships, user_orgs

FREEZE_ROLES = (Role.BUREAU_HEAD, Role.STATS_VIEWER)
PUBLISH_ROLES = (Role.BUREAU_HEAD,)


def _orgs(user: User) -> list[Org]:
    if not user.is_authenticated or user.is_citizen:
        return []
    return list(user_orgs(user))


def schemes_visible_to(user: User) -> QuerySet[Scheme]:
    """The active schemes whose organ is the user's or under it, and those assessing the user's."""
    orgs = _orgs(user)
    if not orgs:
        return Scheme.objects.none()
    where = Q(units__in=[org.pk for org in orgs])
    for org in orgs:
        where |= Q(org__path__startswith=org.path)
    ids = Scheme.objects.filter(where, is_active=True).values("pk")
    return Scheme.objects.filter(pk__in=ids).select_related("org")


@dataclass(frozen=True)
class Visibility:
    """What one user sees of one scheme's period."""

    whole: bool  # every unit's row, figures and points
    own: frozenset[int]  # the assessed units that are the user's
    ranking: bool  # every unit's total and rank (whole, or a published period)
    may_freeze: bool
    may_publish: bool

    def sees_row(self, unit_id: int) -> bool:
        return self.whole or unit_id in self.own

    @property
    def any(self) -> bool:
        return self.whole or bool(self.own)


def _holds(user: User, org: Org, roles: tuple[Role, ...]) -> bool:
    return user_memberships(user).filter(org=org, role__in=roles).exists()


def visibility(user: User, scheme: Scheme, card: Scorecard | None = None) -> Visibility:
    orgs = _orgs(user)
    whole = any(scheme.org.path.startswith(org.path) for org in orgs)
    mine = {org.pk for org in orgs}
    own = frozenset(scheme.units.filter(pk__in=mine).values_list("pk", flat=True))
    published = card is not None and card.published_at is not None
    return Visibility(
        whole=whole,
        own=own,
        ranking=whole or (published and bool(own)),
        may_freeze=bool(orgs) and _holds(user, scheme.org, FREEZE_ROLES),
        may_publish=bool(orgs) and _holds(user, scheme.org, PUBLISH_ROLES),
    )
