"""Reads of the grass-roots points: the points a user serves, a point's talks, one talk with its
mediations, the escalated matters waiting for an organ's registration, and the figures per point
(说事人次, 件数, 调解, 调解成功, 就地化解, 上报, with the rates).

A point is read by who serves it (``points_visible_to``); a talk also by the staff of the organ it
was escalated to. Names and phones are decrypted only for the one talk shown, masked in lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from xinfang.cases import pii
from xinfang.cases.services.registration import REGISTER_ROLES
from xinfang.core.timeutil import local_midnight
from xinfang.orgs.models import Org, User
from xinfang.orgs.permissions import holds_role
from xinfang.orgs.selectors import user_memberships
from xinfang.reception.models import Mediation, MediationOutcome, Talk, TalkStatus
from xinfang.reception.selectors import _staff_memberships, points_visible_to

__all__ = [
    "PointFigures",
    "figures_total",
    "masked_name",
    "masked_phone",
    "may_register_case",
    "point_figures",
    "point_for",
    "point_talks",
    "talk_for",
    "talk_mediations",
    "talks_awaiting_registration",
]


def point_for(user: User, point_id: int) -> Org | None:
    """The point, when ``user`` serves it; else None (a 404)."""
    return points_visible_to(user).filter(pk=point_id).first()


def point_talks(
    point: Org, *, status: str | None = None, month: tuple[int, int] | None = None
) -> QuerySet[Talk]:
    """The talks of ``point``, newest first; ``status`` one of TalkStatus, ``month`` (year, month)
    of the Beijing date they were received."""
    talks = Talk.objects.filter(point=point)
    if status:
        talks = talks.filter(status=status)
    if month is not None:
        year, number = month
        first = dt.date(year, number, 1)
        following = dt.date(year + number // 12, number % 12 + 1, 1)
        talks = talks.filter(
            received_at__gte=local_midnight(first), received_at__lt=local_midnight(following)
        )
    return talks.select_related("category", "escalated_to", "case").order_by("-received_at", "-pk")


def talk_for(user: User, talk_id: int) -> Talk | None:
    """The talk, when ``user`` serves its point or works for the organ it was escalated to."""
    memberships = _staff_memberships(user)
    if memberships is None:
        return None
    orgs = [m.org_id for m in memberships]
    return (
        Talk.objects.filter(Q(point__in=points_visible_to(user)) | Q(escalated_to__in=orgs), pk=talk_id)
        .select_related("point__region", "point__parent", "category", "escalated_to", "case", "recorded_by")
        .first()
    )


def talk_mediations(talk: Talk) -> QuerySet[Mediation]:
    return talk.mediations.select_related("recorded_by").order_by("started_on", "pk")


def may_register_case(user: User, talk: Talk) -> bool:
    """Whether ``user`` may register the escalated ``talk`` as a case (a registrar of the organ)."""
    return (
        talk.status == TalkStatus.ESCALATED
        and talk.case_id is None
        and talk.escalated_to is not None
        and holds_role(user, talk.escalated_to, REGISTER_ROLES)
    )


def talks_awaiting_registration(user: User) -> QuerySet[Talk]:
    """上报待登记: the talks escalated to an organ where ``user`` registers cases, not yet a case;
    the oldest escalation first."""
    if not user.is_authenticated or user.is_citizen:
        return Talk.objects.none()
    orgs = user_memberships(user).filter(role__in=REGISTER_ROLES).values_list("org", flat=True)
    return (
        Talk.objects.filter(status=TalkStatus.ESCALATED, case__isnull=True, escalated_to__in=list(orgs))
        .select_related("point", "escalated_to", "category")
        .order_by("escalated_at", "pk")
    )


def masked_name(talk: Talk) -> str:
    return pii.mask_name(talk.name)


def masked_phone(talk: Talk) -> str:
    return pii.mask_phone(talk.phone)


# ---------------------------------------------------------------- figures


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class PointFigures:
    """One point's figures in a period. Each counts what happened in the period: talks received,
    mediations started, agreements reached, resolutions, escalations (so a talk received in March
    and resolved in April counts in March's 件数 and April's 就地化解)."""

    point: Org | None
    talks: int = 0  # 件数
    persons: int = 0  # 说事人次: the headcount of the talks
    mediations: int = 0  # 调解件数: mediations started
    mediations_concluded: int = 0  # mediations ended (agreed or failed)
    mediations_agreed: int = 0  # 调解成功
    resolved: int = 0  # 就地化解
    escalated: int = 0  # 上报

    @property
    def mediation_rate(self) -> float | None:
        """调解成功率: agreements ÷ mediations ended in the period."""
        return _rate(self.mediations_agreed, self.mediations_concluded)

    @property
    def resolution_rate(self) -> float | None:
        """就地化解率: matters resolved on the spot ÷ those the point closed (resolved or escalated)."""
        return _rate(self.resolved, self.resolved + self.escalated)


def _by_point(rows: Iterable[dict[str, object]], key: str) -> dict[int, dict[str, object]]:
    return {int(row[key]): row for row in rows}  # type: ignore[call-overload]


def point_figures(points: Iterable[Org], start: dt.date, end: dt.date) -> list[PointFigures]:
    """Per point, the figures of the Beijing days ``start`` to ``end`` (both included), in the
    order the points were given."""
    points = list(points)
    ids = [point.pk for point in points]
    since, until = local_midnight(start), local_midnight(end + dt.timedelta(days=1))
    talks = Talk.objects.filter(point__in=ids).order_by()
    received = _by_point(
        talks.filter(received_at__gte=since, received_at__lt=until)
        .values("point")
        .annotate(n=Count("pk"), persons=Sum("headcount")),
        "point",
    )
    closed = _by_point(
        talks.values("point").annotate(
            resolved=Count(
                "pk",
                filter=Q(status=TalkStatus.RESOLVED, resolved_at__gte=since, resolved_at__lt=until),
            ),
            escalated=Count(
                "pk",
                filter=Q(status=TalkStatus.ESCALATED, escalated_at__gte=since, escalated_at__lt=until),
            ),
        ),
        "point",
    )
    ended = Q(concluded_on__gte=start, concluded_on__lte=end)
    mediated = _by_point(
        Mediation.objects.filter(talk__point__in=ids)
        .order_by()
        .values("talk__point")
        .annotate(
            started=Count("pk", filter=Q(started_on__gte=start, started_on__lte=end)),
            concluded=Count("pk", filter=ended & ~Q(outcome=MediationOutcome.ONGOING)),
            agreed=Count("pk", filter=ended & Q(outcome=MediationOutcome.AGREED)),
        ),
        "talk__point",
    )
    rows = []
    for point in points:
        r, c, m = received.get(point.pk, {}), closed.get(point.pk, {}), mediated.get(point.pk, {})
        rows.append(
            PointFigures(
                point=point,
                talks=int(r.get("n", 0) or 0),  # type: ignore[call-overload]
                persons=int(r.get("persons", 0) or 0),  # type: ignore[call-overload]
                mediations=int(m.get("started", 0) or 0),  # type: ignore[call-overload]
                mediations_concluded=int(m.get("concluded", 0) or 0),  # type: ignore[call-overload]
                mediations_agreed=int(m.get("agreed", 0) or 0),  # type: ignore[call-overload]
                resolved=int(c.get("resolved", 0) or 0),  # type: ignore[call-overload]
                escalated=int(c.get("escalated", 0) or 0),  # type: ignore[call-overload]
            )
        )
    return rows


def figures_total(rows: Iterable[PointFigures]) -> PointFigures:
    """The sum of the points' figures (its rates from the sums, not an average of rates)."""
    total = PointFigures(point=None)
    for row in rows:
        for name in (
            "talks",
            "persons",
            "mediations",
            "mediations_concluded",
            "mediations_agreed",
            "resolved",
            "escalated",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total
