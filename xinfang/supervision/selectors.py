"""Reads for the workbench and the API: due-soon and overdue lists, warnings and 督办 of a case.

Everything goes through the one access policy (``cases_visible_to``, or ``sees_case`` for rows
already narrowed to few cases), so a unit never sees another's cases here, and an accused unit
never sees an accusation against it.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_visible, sees_case
from xinfang.orgs.models import Org, User
from xinfang.supervision.models import ACTIVE_STATUSES, DueWarning, Supervision, SupervisionEvent


def first_warnings(user: User, kind: str, *, org: Org | None = None) -> QuerySet[DueWarning]:
    """Each flagged case ``user`` sees, once, by its earliest unresolved warning of ``kind``;
    soonest first, with ``supervised`` (a 督办 is running).

    The rows come in the order of the warnings' (kind, due_at) index and the access policy is
    probed row by row, so a page of twenty costs about twenty probes instead of one for every
    flagged case in the province (the whole list is never sorted after filtering).
    """
    earlier = DueWarning.objects.filter(
        case_id=OuterRef("case_id"), kind=kind, resolved_at__isnull=True
    ).filter(
        Q(due_at__lt=OuterRef("due_at"))
        | Q(due_at=OuterRef("due_at"), clock__lt=OuterRef("clock"))
        | Q(due_at=OuterRef("due_at"), clock=OuterRef("clock"), pk__lt=OuterRef("pk"))
    )
    rows = DueWarning.objects.filter(kind=kind, resolved_at__isnull=True).filter(~Exists(earlier))
    if org is not None:
        rows = rows.filter(case__current_org=org)
    running = Supervision.objects.filter(case_id=OuterRef("case_id"), status__in=ACTIVE_STATUSES)
    return (
        rows.filter(sees_case(user, "case_id"))
        .annotate(supervised=Exists(running))
        .select_related("case", "case__current_org", "case__category")
        .order_by("due_at", "case_id", "clock")
    )


def warnings_visible_to(
    user: User, *, kind: str | None = None, org: Org | None = None
) -> QuerySet[DueWarning]:
    """Unresolved warnings on the cases ``user`` may see, soonest first."""
    warnings = DueWarning.objects.filter(sees_case(user, "case_id"), resolved_at__isnull=True)
    if kind is not None:
        warnings = warnings.filter(kind=kind)
    if org is not None:
        # The unit's open cases first (an index range on the cases' holder), then their warnings:
        # not every open warning of the province probed for its holder.
        warnings = warnings.filter(case_id__in=_held_by(org))
    return warnings.select_related("case", "case__current_org").order_by("due_at", "case_id", "clock")


def _held_by(org: Org) -> QuerySet[Case]:
    return Case.objects.filter(current_org=org, closed_at__isnull=True).order_by().values("pk")


def flagged_by_unit(
    user: User, *, kind: str | None = None, org: Org | None = None
) -> dict[tuple[str, int], int]:
    """How many visible cases each unit has flagged, per kind (or of `kind` only, which probes
    only those warnings; or of the cases `org` holds only): one grouped read of the warnings."""
    if org is not None:
        # Every warning counted is on a case `org` holds: the unit is known, no probe per row.
        held = warnings_visible_to(user, kind=kind, org=org).order_by().values_list("kind")
        return {(found, org.pk): n for found, n in held.annotate(n=Count("case", distinct=True))}
    rows = (
        warnings_visible_to(user, kind=kind)
        # The unit by a probe of each counted case, not a join of every case (see sees_case).
        # Without the cases' default ordering: one primary-key read per case, no sort.
        .annotate(
            unit=Subquery(Case.objects.filter(pk=OuterRef("case_id")).order_by().values("current_org")[:1])
        )
        .order_by()
        .values_list("kind", "unit")
        .annotate(n=Count("case", distinct=True))
    )
    return {(kind, org): n for kind, org, n in rows}


def case_warnings(user: User, case: Case) -> QuerySet[DueWarning]:
    """The unresolved warnings of one case (empty if ``user`` may not see it).

    The policy is probed for this one case, not evaluated over every case the user may see.
    """
    return (
        DueWarning.objects.filter(case__in=case_visible(user, case.pk), resolved_at__isnull=True)
        .select_related("case", "case__current_org")
        .order_by("due_at", "case_id", "clock")
    )


def supervisions_visible_to(user: User) -> QuerySet[Supervision]:
    return Supervision.objects.filter(sees_case(user, "case_id")).select_related(
        "case", "opened_by_org", "unit"
    )


def case_supervisions(user: User, case: Case) -> QuerySet[Supervision]:
    """The 督办 of one case (empty if ``user`` may not see it), probing the policy for that case."""
    return Supervision.objects.filter(case__in=case_visible(user, case.pk)).select_related(
        "case", "opened_by_org", "unit"
    )


def supervision_detail(user: User, supervision_id: int) -> Supervision | None:
    return supervisions_visible_to(user).filter(pk=supervision_id).first()


def supervision_events(supervision: Supervision) -> QuerySet[SupervisionEvent]:
    return supervision.events.select_related("actor", "org").order_by("seq")
