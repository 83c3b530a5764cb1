"""Reads of 联合接访: the joint receptions of a hall (by month), one for a user, and the figures
联合接访批次, 现场解决数 and 现场化解率 (on the spot / concluded), as the statistics module counts them.

A joint reception is shown to whoever sees its hall (``halls_visible_to``) and may see its case
under the one access policy (``sees_case``, probed on the row's case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from xinfang.cases.selectors import sees_case
from xinfang.core.timeutil import local_midnight
from xinfang.orgs.models import User
from xinfang.reception.models import Hall, JointOutcome, JointReception, JointRole, JointUnit
from xinfang.reception.selectors import halls_visible_to

__all__ = [
    "JointFigures",
    "case_joint_receptions",
    "joint_detail",
    "joint_figures",
    "joint_receptions_of",
    "joint_receptions_visible_to",
    "joint_units",
    "month_span",
]


def joint_receptions_visible_to(user: User) -> QuerySet[JointReception]:
    return (
        JointReception.objects.filter(hall__in=halls_visible_to(user))
        .filter(sees_case(user, "case_id"))
        .select_related("hall", "hall__org", "case", "lead_org", "convened_by", "concluded_by", "ticket")
    )


def month_span(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware start of ``month``'s first Beijing day and of the next month's."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return local_midnight(first), local_midnight(following)


def joint_receptions_of(user: User, hall: Hall, *, month: dt.date | None = None) -> QuerySet[JointReception]:
    """The joint receptions of ``hall`` that ``user`` may see, newest first; of one month (by the
    Beijing date they were convened) when ``month`` is given."""
    rows = joint_receptions_visible_to(user).filter(hall=hall)
    if month is not None:
        start, end = month_span(month)
        rows = rows.filter(convened_at__gte=start, convened_at__lt=end)
    return rows.order_by("-convened_at", "-pk")


def joint_detail(user: User, joint_id: int) -> JointReception | None:
    return joint_receptions_visible_to(user).filter(pk=joint_id).first()


def joint_units(joint: JointReception) -> list[JointUnit]:
    """The lead unit first, then the assisting units in the order they were named."""
    units = joint.units.select_related("org", "shift")
    return sorted(units, key=lambda unit: (unit.role != JointRole.LEAD, unit.pk))


def case_joint_receptions(user: User, case_id: int) -> QuerySet[JointReception]:
    """The joint receptions of one case that ``user`` may see (for the case page)."""
    return joint_receptions_visible_to(user).filter(case_id=case_id).order_by("-convened_at", "-pk")


@dataclass(frozen=True)
class JointFigures:
    batches: int  # 联合接访批次
    concluded: int
    on_spot: int  # 现场解决数
    assigned: int
    forwarded: int

    @property
    def on_spot_rate(self) -> float | None:
        """现场化解率: on the spot / concluded, as a percentage with one decimal (None without any)."""
        if not self.concluded:
            return None
        return round(100 * self.on_spot / self.concluded, 1)


def joint_figures(rows: QuerySet[JointReception]) -> JointFigures:
    """The figures of a set of joint receptions, in one query."""
    counts = rows.order_by().aggregate(
        batches=Count("pk"),
        concluded=Count("pk", filter=~Q(outcome=JointOutcome.PENDING)),
        on_spot=Count("pk", filter=Q(outcome=JointOutcome.ON_SPOT)),
        assigned=Count("pk", filter=Q(outcome=JointOutcome.ASSIGNED)),
        forwarded=Count("pk", filter=Q(outcome=JointOutcome.FORWARDED)),
    )
    return JointFigures(**counts)
