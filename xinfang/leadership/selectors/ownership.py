"""Reads of 包案: who sees which, a case's current 包案, a leader's own, and the counts reports use
(包案件数, 参与领导人次, 包案化解率).

A 包案 is shown to its leader and to whoever may see one of its cases under the one access policy
(``sees_case``); its cases are listed only where the reader sees them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value, When

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible, sees_case
from xinfang.leadership.models import Ownership, OwnershipEvent, OwnershipState
from xinfang.orgs.models import User

OwnedCase = Ownership.cases.through


def ownerships_visible_to(user: User) -> QuerySet[Ownership]:
    if not user.is_authenticated or user.is_citizen:
        return Ownership.objects.none()
    seen = OwnedCase.objects.filter(ownership_id=OuterRef("pk")).filter(sees_case(user, "case_id"))
    return (
        Ownership.objects.filter(Q(leader=user) | Q(Exists(seen)))
        .select_related("leader", "org")
        .annotate(case_count=Count("cases", distinct=True))
    )


def _resolved_last() -> DbCase:
    return DbCase(When(state=OwnershipState.RESOLVED, then=Value(1)), default=Value(0))


def ownerships_of(user: User) -> QuerySet[Ownership]:
    """The 包案 ``user`` holds as leader, the running ones first, soonest target first."""
    return ownerships_visible_to(user).filter(leader=user).order_by(_resolved_last(), "target_on", "pk")


def ownership_detail(user: User, ownership_id: int) -> Ownership | None:
    return ownerships_visible_to(user).filter(pk=ownership_id).first()


def ownership_cases(user: User, ownership: Ownership) -> QuerySet[Case]:
    """The cases of a 包案 that ``user`` may see (the leader sees them all by the take-on rule)."""
    return ownership.cases.filter(sees_case(user)).select_related("current_org").order_by("pk")


def ownership_events(ownership: Ownership) -> QuerySet[OwnershipEvent]:
    return ownership.events.select_related("actor").order_by("at", "pk")


def case_ownership(user: User, case: Case) -> Ownership | None:
    """The 包案 of a case the user may see: the one running, else the latest resolved."""
    if not case_visible(user, case.pk).exists():
        return None
    return (
        Ownership.objects.filter(cases=case)
        .select_related("leader", "org")
        .order_by(_resolved_last(), "-started_on", "-pk")
        .first()
    )


@dataclass(frozen=True)
class OwnershipFigures:
    """包案件数 (cases under 包案), 参与领导人次 (a leader counted once per 包案 held, a successor
    after a handover again), and 包案化解率 (cases of resolved 包案 ÷ cases under 包案)."""

    cases: int
    leaders: int
    resolved_cases: int

    @property
    def rate(self) -> float | None:
        return self.resolved_cases / self.cases if self.cases else None

    @property
    def rate_text(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def ownership_figures(ownerships: QuerySet[Ownership]) -> OwnershipFigures:
    ids = ownerships.order_by().values("pk")
    rows = OwnedCase.objects.filter(ownership_id__in=ids)
    resolved = rows.filter(ownership__state=OwnershipState.RESOLVED)
    handovers = OwnershipEvent.objects.filter(ownership_id__in=ids, kind=OwnershipEvent.Kind.HANDOVER).count()
    return OwnershipFigures(
        cases=rows.values("case_id").distinct().count(),
        leaders=Ownership.objects.filter(pk__in=ids).count() + handovers,
        resolved_cases=resolved.values("case_id").distinct().count(),
    )
