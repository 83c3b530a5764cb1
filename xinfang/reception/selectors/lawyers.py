"""Reads of 律师参与接访: a hall's lawyers, the week's rota, the consultations of a month and their
figures (批次, 人次, 引导法律援助). A hall is read only by who sees it (``halls_visible_to``); a case
linked to a consultation is shown only to who may see it (``cases_visible_to``)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from xinfang.cases.selectors import cases_visible_to
from xinfang.core.timeutil import local_midnight
from xinfang.orgs.models import User
from xinfang.reception.models import Hall, Lawyer, LawyerConsultation
from xinfang.reception.selectors import halls_visible_to

__all__ = [
    "LawyerFigures",
    "RotaDay",
    "consultation_visible_cases",
    "hall_consultations",
    "hall_lawyers",
    "lawyer_figures",
    "lawyer_hall_for",
    "lawyer_of_hall",
    "lawyer_rota",
    "month_bounds",
    "week_start",
]

WEEKDAY_LABELS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def lawyer_hall_for(user: User, hall_id: int) -> Hall | None:
    """The hall, when ``user`` sees it (runs, oversees or is stationed there); else None (a 404)."""
    return halls_visible_to(user).filter(pk=hall_id).first()


def hall_lawyers(hall: Hall, *, active_only: bool = False) -> QuerySet[Lawyer]:
    """The lawyers of ``hall``, those on the rota first (in the order they were added), with the
    count of their consultations."""
    lawyers = Lawyer.objects.filter(hall=hall)
    if active_only:
        lawyers = lawyers.filter(is_active=True)
    return lawyers.annotate(consultation_count=Count("consultations")).order_by("-is_active", "pk")


def lawyer_of_hall(hall: Hall, lawyer_id: int) -> Lawyer | None:
    return Lawyer.objects.filter(hall=hall, pk=lawyer_id).select_related("hall__org").first()


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.isoweekday() - 1)


@dataclass
class RotaDay:
    day: dt.date
    label: str
    lawyers: list[Lawyer]


def lawyer_rota(hall: Hall, week_of: dt.date) -> list[RotaDay]:
    """The week of ``week_of`` (Monday to Sunday): which of the hall's lawyers on the rota
    receives on which day."""
    monday = week_start(week_of)
    lawyers = list(Lawyer.objects.filter(hall=hall, is_active=True).order_by("pk"))
    days = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        on_duty = [lawyer for lawyer in lawyers if day.isoweekday() in lawyer.weekday_numbers]
        days.append(RotaDay(day=day, label=WEEKDAY_LABELS[offset], lawyers=on_duty))
    return days


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The aware [start, end) of a Beijing calendar month."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    return local_midnight(first), local_midnight(last + dt.timedelta(days=1))


def hall_consultations(hall: Hall, year: int, month: int) -> QuerySet[LawyerConsultation]:
    """The consultations given at ``hall`` in the Beijing month, newest first."""
    start, end = month_bounds(year, month)
    return (
        LawyerConsultation.objects.filter(hall=hall, at__gte=start, at__lt=end)
        .select_related("lawyer", "category", "case", "ticket", "recorded_by")
        .order_by("-at", "-pk")
    )


def consultation_visible_cases(user: User, consultations: Iterable[LawyerConsultation]) -> set[int]:
    """The ids of the consultations' cases that ``user`` may see (the others are not linked)."""
    ids = {c.case_id for c in consultations if c.case_id is not None}
    if not ids:
        return set()
    return set(cases_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


@dataclass
class LawyerFigures:
    """批次 (consultations), 人次 (persons), 引导法律援助 (referred to legal aid), in all and split."""

    batches: int = 0
    persons: int = 0
    legal_aid: int = 0
    off_rota: int = 0
    by_lawyer: list[dict[str, Any]] = field(default_factory=list)
    by_category: list[dict[str, Any]] = field(default_factory=list)


_SUMS = {
    "batches": Count("pk"),
    "persons": Sum("persons"),
    "legal_aid": Count("pk", filter=Q(legal_aid_referred=True)),
    "off_rota": Count("pk", filter=~Q(off_rota_reason="")),
}


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "persons": values["persons"] or 0}


def lawyer_figures(consultations: QuerySet[LawyerConsultation]) -> LawyerFigures:
    """The figures of ``consultations``: in all, per lawyer (most 人次 first) and per content
    category (a consultation without one under "未分类")."""
    base = consultations.order_by()
    total = base.aggregate(**_SUMS)
    by_lawyer = [
        _row(row)
        for row in base.values("lawyer", "lawyer__name", "lawyer__firm")
        .annotate(**_SUMS)
        .order_by("-persons", "lawyer")
    ]
    by_category = []
    for row in base.values("category", "category__code", "category__name").annotate(**_SUMS).order_by():
        row = _row(row)
        row["category__name"] = row["category__name"] or "未分类"
        by_category.append(row)
    # By code, the uncategorised last (databases disagree on where NULL sorts).
    by_category.sort(key=lambda row: (row["category__code"] is None, row["category__code"] or ""))
    return LawyerFigures(
        batches=total["batches"],
        persons=total["persons"] or 0,
        legal_aid=total["legal_aid"],
        off_rota=total["off_rota"],
        by_lawyer=by_lawyer,
        by_category=by_category,
    )
