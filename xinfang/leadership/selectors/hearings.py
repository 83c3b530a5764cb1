"""Reads of the hearings (信访听证), every one through the one access policy: a hearing is shown to
whoever may see its case (``sees_case``, or ``case_visible`` for one case), and to nobody else."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible, sees_case
from xinfang.leadership.models.hearings import Hearing, HearingEvent, HearingParticipant, ParticipantRole
from xinfang.orgs.models import User

__all__ = [
    "case_hearings",
    "hearing_counts",
    "hearing_detail",
    "hearing_events",
    "hearing_participants",
    "hearings_visible_to",
    "participants_by_role",
]


def hearings_visible_to(user: User) -> QuerySet[Hearing]:
    """The hearings on the cases ``user`` may see, newest first."""
    return Hearing.objects.filter(sees_case(user, "case_id")).select_related("case", "org")


def hearing_counts(user: User) -> dict[str, int]:
    """How many visible hearings are in each status (one grouped read)."""
    rows = hearings_visible_to(user).order_by().values_list("status").annotate(n=Count("pk"))
    return dict(rows)


def case_hearings(user: User, case: Case) -> QuerySet[Hearing]:
    """The hearings of one case (empty if ``user`` may not see it), probing the policy for that
    case only; newest first."""
    return Hearing.objects.filter(case__in=case_visible(user, case.pk)).select_related("case", "org")


def hearing_detail(user: User, hearing_id: int) -> Hearing | None:
    return (
        hearings_visible_to(user)
        .select_related("case__current_org", "case__accused_org", "created_by")
        .filter(pk=hearing_id)
        .first()
    )


def hearing_participants(hearing: Hearing) -> list[HearingParticipant]:
    """The participants in the order of their roles (主持人 first), then as added."""
    order = {role: i for i, role in enumerate(ParticipantRole.values)}
    return sorted(hearing.participants.all(), key=lambda p: (order.get(p.role, len(order)), p.pk))


def participants_by_role(hearing: Hearing) -> list[tuple[str, list[HearingParticipant]]]:
    """(role label, participants) for each role that has any, in the order of the roles."""
    grouped: dict[str, list[HearingParticipant]] = {}
    for person in hearing_participants(hearing):
        grouped.setdefault(person.role, []).append(person)
    return [(ParticipantRole(role).label, people) for role, people in grouped.items()]


def hearing_events(hearing: Hearing) -> QuerySet[HearingEvent]:
    return hearing.events.select_related("actor", "org").order_by("seq")
