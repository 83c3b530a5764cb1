"""Reads of 约访 and 下访 / 夜访 for the pages, the API, the case page and the reports.

Who sees a record:

- an appointment: staff of its organ and of the organs above it in the organisation tree, staff of
  a petition bureau whose region covers the organ (it oversees petition work there, as it sees the
  region's cases), and the leader named; and only where they may see its case (``sees_case``): the
  appointment is about that one case, its purpose and outcome are the case's;
- a visit down or a 夜访: the same people, and for a 夜访 the staff of the township it was pushed to;
  its case rows (``items``) only where they may see the case.

The counts for reports (约访件数, 下访天次) read every record of an organ: the report's own access
rules decide who reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Q, QuerySet, Value, When
from django.db.models import Case as DbCase

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible, sees_case
from xinfang.core.timeutil import now
from xinfang.leadership.models import (
    Appointment,
    AppointmentStatus,
    FieldVisit,
    FieldVisitCase,
    FieldVisitKind,
)
from xinfang.leadership.selectors import staff_orgs
from xinfang.orgs.models import Org, User

__all__ = [
    "CaseVisits",
    "appointment_detail",
    "appointments_visible_to",
    "case_visits",
    "field_visit_detail",
    "field_visit_item",
    "field_visits_visible_to",
    "night_visits_awaiting",
    "upcoming_appointments",
    "visit_items",
]


def _scope(orgs: list[Org], ref: str = "org") -> Q:
    """Rows whose organ (at ``ref``) is one of ``orgs``, below one in the tree, or in the region of
    a petition bureau among them."""
    condition = Q(pk__in=[])
    for org in orgs:
        condition |= Q(**{f"{ref}__path__startswith": org.path})
        if org.is_petition_bureau:
            condition |= Q(**{f"{ref}__region__path__startswith": org.region.path})
    return condition


def _seen(user: User) -> DbCase:
    """Whether ``user`` may see the row's case, as a column (rows are shown, their case not)."""
    return DbCase(
        When(sees_case(user, "case_id"), then=Value(True)), default=Value(False), output_field=BooleanField()
    )


# ---------------------------------------------------------------- 约访


def appointments_visible_to(user: User) -> QuerySet[Appointment]:
    orgs = staff_orgs(user)
    if not orgs:
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(_scope(orgs) | Q(leader=user))
        .filter(sees_case(user, "case_id"))
        .select_related("org", "case", "leader", "created_by", "recorded_by")
    )


def appointment_detail(user: User, appointment_id: int) -> Appointment | None:
    return appointments_visible_to(user).filter(pk=appointment_id).first()


def upcoming_appointments(user: User) -> QuerySet[Appointment]:
    """For the leader's home: planned appointments from now on, the user's own as the leader or
    of the organs they work at, soonest first."""
    orgs = staff_orgs(user)
    if not orgs:
        return Appointment.objects.none()
    return (
        Appointment.objects.filter(status=AppointmentStatus.PLANNED, at__gte=now())
        .filter(Q(leader=user) | Q(org__in=orgs))
        .filter(sees_case(user, "case_id"))
        .select_related("org", "case", "leader")
        .order_by("at", "pk")
    )


# ---------------------------------------------------------------- 下访 and 夜访


def field_visits_visible_to(user: User, *, kind: str | None = None) -> QuerySet[FieldVisit]:
    """The visits ``user`` sees, with ``item_count``, ``recorded_count`` (outcome or feedback given)
    and ``resolved_count`` over all their cases (counts, not the cases themselves)."""
    orgs = staff_orgs(user)
    if not orgs:
        return FieldVisit.objects.none()
    visits = FieldVisit.objects.filter(_scope(orgs) | Q(leader=user) | Q(target_org__in=orgs))
    if kind is not None:
        visits = visits.filter(kind=kind)
    return visits.select_related("org", "leader", "target_org", "created_by").annotate(
        item_count=Count("items", distinct=True),
        recorded_count=Count("items", filter=Q(items__recorded_at__isnull=False), distinct=True),
        resolved_count=Count("items", filter=Q(items__resolved=True), distinct=True),
    )


def field_visit_detail(user: User, visit_id: int) -> FieldVisit | None:
    return field_visits_visible_to(user).filter(pk=visit_id).first()


def visit_items(user: User, visit: FieldVisit) -> QuerySet[FieldVisitCase]:
    """The cases of one visit, each with ``case_seen``: a row whose case the user may not see is
    listed without it (the page says how many there are, nothing else)."""
    return (
        visit.items.annotate(case_seen=_seen(user))
        .select_related("case", "case__current_org", "recorded_by")
        .order_by("pk")
    )


def field_visit_item(user: User, item_id: int) -> FieldVisitCase | None:
    """One case of a visit the user sees, if they may see the case too."""
    visits = field_visits_visible_to(user).values("pk")
    return (
        FieldVisitCase.objects.filter(pk=item_id, visit__in=visits)
        .filter(sees_case(user, "case_id"))
        .select_related("visit", "visit__org", "visit__leader", "visit__target_org", "case")
        .first()
    )


def night_visits_awaiting(user: User) -> QuerySet[FieldVisitCase]:
    """The cases pushed for a 夜访 to the user's organs and not yet answered, earliest date first."""
    orgs = staff_orgs(user)
    if not orgs:
        return FieldVisitCase.objects.none()
    return (
        FieldVisitCase.objects.filter(
            visit__kind=FieldVisitKind.NIGHT, visit__target_org__in=orgs, recorded_at__isnull=True
        )
        .filter(sees_case(user, "case_id"))
        .select_related("visit", "visit__org", "visit__target_org", "case")
        .order_by("visit__on", "visit_id", "pk")
    )


# ---------------------------------------------------------------- one case


@dataclass
class CaseVisits:
    appointments: list[Appointment] = field(default_factory=list)
    items: list[FieldVisitCase] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.appointments or self.items)


def case_visits(user: User, case: Case) -> CaseVisits:
    """The appointments and visits of one case, for its page (empty if ``user`` may not see it):
    whoever may read the case reads how leaders met its petitioner."""
    if not case_visible(user, case.pk).exists():
        return CaseVisits()
    appointments = (
        Appointment.objects.filter(case_id=case.pk).select_related("org", "leader").order_by("-at", "-pk")
    )
    items = (
        FieldVisitCase.objects.filter(case_id=case.pk)
        .select_related("visit", "visit__org", "visit__leader", "visit__target_org", "recorded_by")
        .order_by("-visit__on", "-pk")
    )
    return CaseVisits(appointments=list(appointments), items=list(items))
