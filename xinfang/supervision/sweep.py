"""The deadline sweep: due-soon warnings and overdue flags, exactly once, however many run it.

Like healthchecks' ``sendalerts``, the sweep reads only rows whose stored due moment says they
need work, and every write is either an insert guarded by a unique constraint (ignored on
conflict) or a conditional update, so two workers running it at once do nothing twice:

1. resolve warnings whose clock is no longer the case's concern (``next_due_at`` moved past it
   or is gone), and due-soon warnings whose day has passed (an overdue flag takes over);
2. candidates: open cases whose ``next_due_at`` is within ``XINFANG_DUE_SOON_DAYS`` (default 3)
   or past, and not yet marked as swept at that moment and stage (:class:`SweepMark`);
3. a candidate whose stored ``next_due_clock`` is a duty clock (the case's only open one, see
   :func:`xinfang.cases.clocks.next_due_clock`) needs no derivation: its warning is built from
   the row itself (that clock, due on the Beijing day before ``next_due_at``, overdue once that
   moment has passed, else due soon), inserted set-wise (``INSERT ... ON CONFLICT DO NOTHING`` on
   (case, clock, kind, due date));
4. the others, few, are derived (one query for all their events): those whose clock is a window
   in some profile (the petitioner's, or the unit's right to object), and those whose clock is
   blank (not known: several duty clocks open, or stored before the field existed). Which names
   are duties is :func:`xinfang.cases.clocks.duty_clock_names`, the same that ``overdue_q`` reads. A warning is
   inserted for every running duty clock due within the window and an overdue flag for every
   overdue one, as in step 3. A window clock warns no one but ends: when the derived next due
   moment or clock differs from the stored one, it is written back with a conditional update
   (the same projection a service would write). Then every candidate is marked;
5. 督办 whose feedback date has passed flip from open to overdue, each by a conditional update
   whose winner appends the supervision event.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from xinfang.cases.clocks import (
    CaseClocks,
    clocks_of_cases,
    due_day,
    due_moment,
    duty_clock_names,
    store_next_due_at,
)
from xinfang.cases.models import Case
from xinfang.core.timeutil import LOCAL_TZ, local_date, now
from xinfang.deadlines.selectors import calendar_gaps
from xinfang.supervision.models import DueWarning, SweepMark
from xinfang.supervision.services import supervisions_mark_overdue

logger = logging.getLogger(__name__)

BATCH = 1000
# After a sweep that changed many rows of the warnings or the marks compared with what the
# planner believes they hold (the first sweep of a new installation, after an import, or after
# every case changed at once), their statistics are brought up to date at once, by the rule
# autovacuum applies later (50 rows plus a tenth of the table): the 期限预警 list and the next
# sweep would otherwise plan against a table they take for nearly empty (at a million cases the
# list's first page read every overdue warning per row shown: 50 ms instead of 5; and the sweep's
# anti-join against the marks took minutes instead of a second).
ANALYZE_BASE, ANALYZE_FRACTION = 50, 0.1


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
    duties = duty_clock_names()
    if connection.vendor == "postgresql":
        offered = _sweep_stored_clocks_in_sql(moment, horizon, duties)
        report.candidates += offered
        report.warnings_offered += offered
    rows = candidates(moment, horizon).values_list("pk", "next_due_at", "next_due_clock", "current_org_id")
    last_pk = 0
    while True:
        batch = list(rows.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            break
        last_pk = batch[-1][0]
        report.candidates += len(batch)
        with transaction.atomic():
            offered, refreshed = _sweep_batch(batch, moment, horizon, duties)
        report.warnings_offered += offered
        report.refreshed += refreshed
    report.supervisions_overdue = supervisions_mark_overdue(today=local_date(moment))
    if connection.vendor == "postgresql":
        _analyze_if_stale(warnings=report.warnings_offered + report.resolved, marks=report.candidates)
    logger.info("deadline sweep: %s", report.as_dict())
    return report


def candidates(moment: dt.datetime, horizon: dt.datetime):  # type: ignore[no-untyped-def]
    """Open cases due by ``horizon`` that the sweep has not handled at their due moment yet."""
    handled = SweepMark.objects.filter(case=OuterRef("pk"), due_at=OuterRef("next_due_at")).filter(
        Q(stage=SweepMark.Stage.OVERDUE) | Q(due_at__gt=moment)
    )
    return Case.objects.filter(next_due_at__lte=horizon, closed_at__isnull=True).filter(~Exists(handled))


Row = tuple[int, dt.datetime, str, int]  # pk, next_due_at, next_due_clock, current_org_id


def _sweep_batch(
    rows: Sequence[Row], moment: dt.datetime, horizon: dt.datetime, duties: frozenset[str]
) -> tuple[int, int]:
    warnings, marks, refreshed = [], [], 0
    to_derive = []
    for pk, due_at, clock, org_id in rows:
        if clock not in duties:
            to_derive.append(pk)
            continue
        warnings.append(_warning(pk, clock, due_day(due_at), org_id, moment, horizon))
        marks.append(_mark(pk, due_at, moment))
    if to_derive:
        cases = (
            Case.objects.filter(pk__in=to_derive)
            .select_related("problem_region")
            .only(
                "pk",
                "number",
                "version",
                "next_due_at",
                "next_due_clock",
                "current_org_id",
                "problem_region__code",
            )
            .order_by("pk")
        )
        for item in clocks_of_cases(list(cases), today=local_date(moment)):
            warnings.extend(_derived_warnings(item, moment, horizon))
            due_at, case = item.case.next_due_at, item.case
            if (item.next_due_at, item.next_due_clock) != (due_at, case.next_due_clock) and store_next_due_at(
                case, item.next_due_at, item.next_due_clock
            ):
                refreshed += 1
                due_at = item.next_due_at
            # A moment beyond the window was not looked at yet: leave it unmarked for a later sweep.
            if due_at is not None and due_at <= horizon:
                marks.append(_mark(case.pk, due_at, moment))
    found = [w for w in warnings if w is not None]
    DueWarning.objects.bulk_create(found, ignore_conflicts=True, batch_size=1000)
    SweepMark.objects.bulk_create(
        marks,
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["due_at", "stage", "swept_at"],
        batch_size=1000,
    )
    return len(found), refreshed


def _sweep_stored_clocks_in_sql(moment: dt.datetime, horizon: dt.datetime, duties: frozenset[str]) -> int:
    """Step 3 in one PostgreSQL statement: warn and mark every candidate whose clock is a duty.

    The same rows, warnings and marks as :func:`_sweep_batch` makes for them, without a row
    reaching Python. Returns how many cases (and so warnings offered) it covered; the candidates
    left unmarked (clocks to derive) are for the batches that follow.
    """
    if not duties:
        return 0
    case, warning, mark = Case._meta.db_table, DueWarning._meta.db_table, SweepMark._meta.db_table
    stage = "CASE WHEN c.next_due_at <= %(moment)s THEN %(overdue)s ELSE %(due_soon)s END"
    statement = f"""
        WITH c AS (
            SELECT id, next_due_at, next_due_clock, current_org_id FROM {case}
            WHERE next_due_at <= %(horizon)s AND closed_at IS NULL AND next_due_clock = ANY(%(duties)s)
              AND NOT EXISTS (
                SELECT 1 FROM {mark} m WHERE m.case_id = {case}.id AND m.due_at = {case}.next_due_at
                  AND (m.stage = %(overdue)s OR m.due_at > %(moment)s)
              )
        ), warned AS (
            INSERT INTO {warning} (case_id, clock, kind, due_on, due_at, org_id, created_at)
            SELECT c.id, c.next_due_clock, {stage},
                   (c.next_due_at AT TIME ZONE %(tz)s)::date - 1, c.next_due_at, c.current_org_id, %(moment)s
            FROM c
            ON CONFLICT DO NOTHING
        ), marked AS (
            INSERT INTO {mark} (case_id, due_at, stage, swept_at)
            SELECT c.id, c.next_due_at, {stage}, %(moment)s FROM c
            ON CONFLICT (case_id) DO UPDATE
            SET due_at = EXCLUDED.due_at, stage = EXCLUDED.stage, swept_at = EXCLUDED.swept_at
        )
        SELECT count(*) FROM c
    """
    params = {
        "moment": moment,
        "horizon": horizon,
        "duties": sorted(duties),
        "overdue": DueWarning.Kind.OVERDUE.value,
        "due_soon": DueWarning.Kind.DUE_SOON.value,
        "tz": LOCAL_TZ.key,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
        return int(cursor.fetchone()[0])


def _analyze_if_stale(*, warnings: int, marks: int) -> list[str]:
    """ANALYZE the tables of warnings and marks whose changed rows exceed the autovacuum rule
    against the row count the planner holds for them; returns the tables analyzed."""
    changed = {DueWarning._meta.db_table: warnings, SweepMark._meta.db_table: marks}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, GREATEST(reltuples, 0) FROM pg_class WHERE oid = ANY(%s::regclass[])",
            [list(changed)],
        )
        known = dict(cursor.fetchall())
        stale = [
            table
            for table, rows in changed.items()
            if rows > ANALYZE_BASE + ANALYZE_FRACTION * float(known.get(table, 0))
        ]
        if stale:
            cursor.execute(f"ANALYZE {', '.join(stale)}")
    return stale


def _mark(case_id: int, due_at: dt.datetime, moment: dt.datetime) -> SweepMark:
    stage = SweepMark.Stage.OVERDUE if due_at <= moment else SweepMark.Stage.DUE_SOON
    return SweepMark(case_id=case_id, due_at=due_at, stage=stage, swept_at=moment)


def _warning(
    case_id: int, clock: str, due_on: dt.date, org_id: int, moment: dt.datetime, horizon: dt.datetime
) -> DueWarning | None:
    """The warning (or overdue flag) of a duty clock due on ``due_on``; None if not due yet."""
    due_at = due_moment(due_on)
    if due_at <= moment:
        kind = DueWarning.Kind.OVERDUE
    elif due_at <= horizon:
        kind = DueWarning.Kind.DUE_SOON
    else:
        return None
    return DueWarning(
        case_id=case_id,
        clock=clock,
        kind=kind,
        due_on=due_on,
        due_at=due_at,
        org_id=org_id,
        created_at=moment,
    )


def _derived_warnings(item: CaseClocks, moment: dt.datetime, horizon: dt.datetime) -> list[DueWarning | None]:
    return [
        _warning(item.case.pk, clock.name, clock.due_on, item.case.current_org_id, moment, horizon)
        for clock in item.clocks
        if clock.kind == "duty" and clock.due_on is not None and clock.state in ("running", "overdue")
    ]


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
