"""The deadline sweep: due-soon warnings and overdue flags, exactly once, however many run it.

Like healthchecks' ``sendalerts``, the sweep reads only rows whose stored due moment says they
need work, and every write is either an insert guarded by a unique constraint (ignored on
conflict) or a conditional update, so two workers running it at once do nothing twice:

1. resolve warnings whose clock is no longer the case's concern (``next_due_at`` moved past it
   or is gone), and due-soon warnings whose day has passed (an overdue flag takes over);
2. candidates: open cases whose ``next_due_at`` is within ``XINFANG_DUE_SOON_DAYS`` (default 3)
   or past, and not yet marked as swept at that moment and stage (:class:`SweepMark`);
3. derive their clocks (one query for all their events), insert a warning for every running
   duty clock due within the window and an overdue flag for every overdue one
   (``INSERT ... ON CONFLICT DO NOTHING`` on (case, clock, kind, due date));
4. a window clock (the petitioner's, or the unit's right to object) warns no one but ends: when
   the derived next due moment differs from the stored one, it is written back with a
   conditional update (the same projection a service would write); then the case is marked;
5. 督办 whose feedback date has passed flip from open to overdue, each by a conditional update
   whose winner appends the supervision event.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from xinfang.cases.clocks import CaseClocks, clocks_of_cases, due_moment, store_next_due_at
from xinfang.cases.models import Case
from xinfang.core.timeutil import local_date, now
from xinfang.deadlines.selectors import calendar_gaps
from xinfang.supervision.models import DueWarning, SweepMark
from xinfang.supervision.services import supervisions_mark_overdue

logger = logging.getLogger(__name__)

BATCH = 1000


def due_soon_days() -> int:
    days = getattr(settings, "XINFANG_DUE_SOON_DAYS", 3)
    if not isinstance(days, int) or days < 0:
        raise ValueError(f"XINFANG_DUE_SOON_DAYS must be a whole number of days >= 0, got {days!r}")
    return days


@dataclass
class SweepReport:
    candidates: int = 0
    warnings_offered: int = 0
    refreshed: int = 0
    resolved: int = 0
    supervisions_overdue: int = 0
    calendar_warnings: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        return {**self.__dict__, "calendar_warnings": list(self.calendar_warnings)}


def sweep(*, at: dt.datetime | None = None, batch_size: int = BATCH) -> SweepReport:
    moment = at or now()
    horizon = moment + dt.timedelta(days=due_soon_days())
    report = SweepReport(calendar_warnings=calendar_gaps(local_date(moment)))
    for warning in report.calendar_warnings:
        logger.warning("deadline sweep: %s", warning)
    report.resolved = resolve_warnings(moment)
    last_pk = 0
    while True:
        batch = list(candidates(moment, horizon).filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            break
        last_pk = batch[-1].pk
        report.candidates += len(batch)
        with transaction.atomic():
            offered, refreshed = _sweep_batch(batch, moment, horizon)
        report.warnings_offered += offered
        report.refreshed += refreshed
    report.supervisions_overdue = supervisions_mark_overdue(today=local_date(moment))
    logger.info("deadline sweep: %s", report.as_dict())
    return report


def candidates(moment: dt.datetime, horizon: dt.datetime):  # type: ignore[no-untyped-def]
    """Open cases due by ``horizon`` that the sweep has not handled at their due moment yet."""
    handled = SweepMark.objects.filter(case=OuterRef("pk"), due_at=OuterRef("next_due_at")).filter(
        Q(stage=SweepMark.Stage.OVERDUE) | Q(due_at__gt=moment)
    )
    return (
        Case.objects.filter(next_due_at__lte=horizon, closed_at__isnull=True)
        .filter(~Exists(handled))
        .select_related("problem_region")
        .only("pk", "number", "version", "next_due_at", "current_org_id", "problem_region__code")
    )


def _sweep_batch(cases: Sequence[Case], moment: dt.datetime, horizon: dt.datetime) -> tuple[int, int]:
    today = local_date(moment)
    derived = clocks_of_cases(cases, today=today)
    warnings = [w for item in derived for w in _warnings(item, moment, horizon)]
    DueWarning.objects.bulk_create(warnings, ignore_conflicts=True, batch_size=500)
    marks, refreshed = [], 0
    for item in derived:
        due_at = item.case.next_due_at
        if item.next_due_at != due_at and store_next_due_at(item.case, item.next_due_at):
            refreshed += 1
            due_at = item.next_due_at
        # A moment beyond the window was not looked at yet: leave it unmarked for a later sweep.
        if due_at is not None and due_at <= horizon:
            stage = SweepMark.Stage.OVERDUE if due_at <= moment else SweepMark.Stage.DUE_SOON
            marks.append(SweepMark(case_id=item.case.pk, due_at=due_at, stage=stage, swept_at=moment))
    SweepMark.objects.bulk_create(
        marks, update_conflicts=True, unique_fields=["case"], update_fields=["due_at", "stage", "swept_at"]
    )
    return len(warnings), refreshed


def _warnings(item: CaseClocks, moment: dt.datetime, horizon: dt.datetime) -> list[DueWarning]:
    result = []
    for clock in item.clocks:
        if clock.kind != "duty" or clock.due_on is None or clock.state not in ("running", "overdue"):
            continue
        due_at = due_moment(clock.due_on)
        if due_at <= moment:
            kind = DueWarning.Kind.OVERDUE
        elif due_at <= horizon:
            kind = DueWarning.Kind.DUE_SOON
        else:
            continue
        result.append(
            DueWarning(
                case_id=item.case.pk,
                clock=clock.name,
                kind=kind,
                due_on=clock.due_on,
                due_at=due_at,
                org_id=item.case.current_org_id,
                created_at=moment,
            )
        )
    return result


def resolve_warnings(moment: dt.datetime) -> int:
    """Close warnings that no longer apply (a conditional update: each is resolved once).

    A case's ``next_due_at`` is its earliest open clock, so a warned clock still open keeps
    ``next_due_at`` at or before the warning's moment; a later or empty one means it ended.
    """
    open_warnings = DueWarning.objects.filter(resolved_at__isnull=True)
    moved_on = Case.objects.filter(pk=OuterRef("case_id")).filter(
        Q(next_due_at__isnull=True) | Q(next_due_at__gt=OuterRef("due_at"))
    )
    ended = open_warnings.filter(Exists(moved_on)).update(resolved_at=moment)
    passed = open_warnings.filter(kind=DueWarning.Kind.DUE_SOON, due_at__lte=moment).update(
        resolved_at=moment
    )
    return ended + passed
