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

import datetime as dt
from dataclasses import dataclass, field, fields

from django.db.models import BooleanField, Count, Q, QuerySet, Sum, Value, When
from django.db.models import Case as DbCase

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible, sees_case
from xinfang.core.timeutil import local_midnight, now
from xinfang.leadership.models import (
    Appointment,
    AppointmentStatus,
    FieldVisit,
    FieldVisitCase,
    FieldVisitKind,
)
from xinfang.orgs.models import Org, User
from xinfang.orgs.selectors import orgs_in_region, user_orgs

__all__ = [
    "CaseVisits",
    "VisitCounts",
    "appointment_detail",
    "appointments_visible_to",
    "case_visits",
    "field_visit_detail",
    "field_visit_item",
    "field_visits_visible_to",
    "night_visits_awaiting",
    "upcoming_appointments",
    "visit_counts",
    "visit_counts_by_org",
    "visit_items",
]


def _staff_orgs(user: User) -> list[Org]:
    if not user.is_authenticated or not user.is_active or user.is_citizen:
        return []
    return list(user_orgs(user).select_related("region"))


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
    orgs = _staff_orgs(user)
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
    orgs = _staff_orgs(user)
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
    orgs = _staff_orgs(user)
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
    orgs = _staff_orgs(user)
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


# ---------------------------------------------------------------- counts for reports


@dataclass(frozen=True)
class VisitCounts:
    """约访件数 and 下访天次 of an organ in a period, with the figures behind them.

    - ``appointments``: 约访件数, the cases whose petitioner a held appointment met (a case met twice
      counts once); ``appointments_held`` counts the meetings;
    - ``visit_days``: 下访天次, the days of the visits down (a two-day visit counts two);
      ``visits_down`` the visits, ``cases_taken_down`` the cases taken along, ``resolved_on_spot``
      those settled on the spot (就地化解);
    - ``night_cases`` pushed for a 夜访, ``night_answered`` with the township's feedback,
      ``night_resolved`` settled.
    """

    appointments: int = 0
    appointments_held: int = 0
    visit_days: int = 0
    visits_down: int = 0
    cases_taken_down: int = 0
    resolved_on_spot: int = 0
    night_cases: int = 0
    night_answered: int = 0
    night_resolved: int = 0

    @property
    def phrase(self) -> str:
        return f"约访{self.appointments}件、下访{self.visit_days}天次"


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_midnight(start), local_midnight(end + dt.timedelta(days=1))


def _grouped(org_ids: list[int] | QuerySet[Org], start: dt.date, end: dt.date) -> dict[int, VisitCounts]:
    """The counts of each organ of ``org_ids``, by the organ that organised the record: three
    grouped reads."""
    since, until = _period(start, end)
    held = (
        Appointment.objects.filter(
            org__in=org_ids, status=AppointmentStatus.HELD, at__gte=since, at__lt=until
        )
        .order_by()
        .values("org")
        .annotate(cases=Count("case", distinct=True), meetings=Count("pk"))
    )
    down = (
        FieldVisit.objects.filter(org__in=org_ids, kind=FieldVisitKind.DOWN, on__gte=start, on__lte=end)
        .order_by()
        .values("org")
        .annotate(days=Sum("days"), visits=Count("pk"))
    )
    items = (
        FieldVisitCase.objects.filter(visit__org__in=org_ids, visit__on__gte=start, visit__on__lte=end)
        .order_by()
        .values("visit__org", "visit__kind")
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=Q(recorded_at__isnull=False)),
            resolved=Count("pk", filter=Q(resolved=True)),
        )
    )
    found: dict[int, dict[str, int]] = {}
    for row in held:
        found.setdefault(row["org"], {}).update(appointments=row["cases"], appointments_held=row["meetings"])
    for row in down:
        found.setdefault(row["org"], {}).update(visit_days=row["days"] or 0, visits_down=row["visits"])
    for row in items:
        counts = found.setdefault(row["visit__org"], {})
        if row["visit__kind"] == FieldVisitKind.DOWN:
            counts.update(cases_taken_down=row["n"], resolved_on_spot=row["resolved"])
        else:
            counts.update(
                night_cases=row["n"], night_answered=row["answered"], night_resolved=row["resolved"]
            )
    return {pk: VisitCounts(**counts) for pk, counts in found.items()}


def visit_counts_by_org(orgs: list[Org], start: dt.date, end: dt.date) -> dict[int, VisitCounts]:
    """The counts of each organ in ``orgs`` for ``start``..``end`` (inclusive, Beijing dates), by
    the organ that organised the appointment or visit; an organ with none has zeros."""
    found = _grouped([org.pk for org in orgs], start, end)
    return {org.pk: found.get(org.pk, VisitCounts()) for org in orgs}


def visit_counts(org: Org, start: dt.date, end: dt.date, *, region_wide: bool = False) -> VisitCounts:
    """The counts of ``org`` for ``start``..``end`` (inclusive); with ``region_wide`` those of every
    organ located in its region and below (a city's figure for its report)."""
    if not region_wide:
        return visit_counts_by_org([org], start, end)[org.pk]
    within = orgs_in_region(org.region).values("pk")  # a subquery, however many organs
    rows = list(_grouped(within, start, end).values())
    return VisitCounts(
        **{each.name: sum(getattr(row, each.name) for row in rows) for each in fields(VisitCounts)}
    )
