"""Reads of 会商研判: the consultations a user may see, their cases, and the open tasks of a unit.

A consultation is shown to the staff of the convening organ, of the organs above it in the
organisation tree, and of the units present at the meeting. Within it, a case is shown only to
whom ``sees_case`` lets see it (an accused unit present at the meeting does not see the accusation).
"""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible, sees_case
from xinfang.core.timeutil import local_date
from xinfang.leadership.models import Consultation, ConsultationTask
from xinfang.leadership.selectors import staff_orgs
from xinfang.orgs.models import User

__all__ = [
    "case_consultations",
    "consultation_cases",
    "consultation_detail",
    "consultation_hidden_cases",
    "consultation_tasks",
    "consultation_tasks_visible_to",
    "consultations_visible_to",
    "open_tasks_for",
]


def _staff_orgs(user: User) -> list[tuple[int, str]]:
    return [(org.pk, org.path) for org in staff_orgs(user)]


def consultations_visible_to(user: User) -> QuerySet[Consultation]:
    orgs = _staff_orgs(user)
    if not orgs:
        return Consultation.objects.none()
    ids = [pk for pk, _ in orgs]
    condition = Q(pk__in=Consultation.units.through.objects.filter(org_id__in=ids).values("consultation_id"))
    for _, path in orgs:
        # The convening organ itself, or one below the user's organ (its path starts with ours).
        condition |= Q(org__path__startswith=path)
    return Consultation.objects.filter(condition).select_related("org", "created_by")


def consultation_detail(user: User, consultation_id: int) -> Consultation | None:
    return consultations_visible_to(user).filter(pk=consultation_id).first()


def consultation_cases(user: User, consultation: Consultation) -> QuerySet[Case]:
    """The cases of the consultation that ``user`` may see (each probed by the access policy)."""
    return (
        consultation.cases.filter(sees_case(user))
        .select_related("current_org", "category")
        .order_by("number")
    )


def consultation_hidden_cases(user: User, consultation: Consultation) -> int:
    """How many of its cases ``user`` may not see (shown as a count, never by number)."""
    return consultation.cases.count() - consultation_cases(user, consultation).count()


def _with_lateness(tasks: QuerySet[ConsultationTask]) -> QuerySet[ConsultationTask]:
    today = local_date()
    late = Q(done_on__isnull=True, due_on__lt=today)
    return tasks.annotate(is_late=ExpressionWrapper(late, output_field=BooleanField()))


def consultation_tasks(consultation: Consultation) -> QuerySet[ConsultationTask]:
    """The consultation's tasks, soonest due first, each with ``is_late`` (open and past due)."""
    return _with_lateness(
        consultation.tasks.select_related("owner_org", "done_by", "reopened_by").order_by("due_on", "pk")
    )


def consultation_tasks_visible_to(user: User) -> QuerySet[ConsultationTask]:
    """The tasks of the consultations ``user`` may see (for the task steps)."""
    return ConsultationTask.objects.filter(consultation__in=consultations_visible_to(user))


def open_tasks_for(user: User) -> QuerySet[ConsultationTask]:
    """Tasks given to the user's units and not yet done, overdue first (the earliest due dates are
    the overdue ones, so the due date orders them), each with ``is_late``."""
    ids = [pk for pk, _ in _staff_orgs(user)]
    if not ids:
        return ConsultationTask.objects.none()
    tasks = ConsultationTask.objects.filter(owner_org_id__in=ids, done_on__isnull=True)
    return _with_lateness(
        tasks.select_related("owner_org", "consultation", "consultation__org").order_by("due_on", "pk")
    )


def case_consultations(user: User, case: Case) -> QuerySet[Consultation]:
    """The consultations about one case that ``user`` may see (none if the case is not visible to
    the user), newest first: for the case page."""
    return (
        consultations_visible_to(user)
        .filter(cases__in=case_visible(user, case.pk))
        .order_by("-held_on", "-pk")
    )
