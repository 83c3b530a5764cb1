"""Reads of the hall: the halls a user sees, the units stationed there, the week's rota, the
month's attendance report (排班、到岗、缺岗、迟到、早退 per unit) and the hall's dashboard (the
one-stop centre's own dashboard too: a centre's hall has the units' windows as its stationed units).

Every read starts from ``halls_visible_to``: the host organ's staff, the staff of the bureaus and
governments over it, and the staff of the units stationed there. The figures here hold no
personal data of visitors (counts and waiting times only); the duty people are staff.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet, Sum

from xinfang.core.timeutil import LOCAL_TZ, local_date, local_midnight
from xinfang.orgs.models import Membership, Org, User
from xinfang.orgs.selectors import user_memberships
from xinfang.reception.models import (
    DutyRole,
    DutyShift,
    Hall,
    JointReception,
    LawyerConsultation,
    StationedUnit,
    Ticket,
    TicketStatus,
)
from xinfang.reception.selectors import halls_visible_to
from xinfang.reception.selectors.joint import joint_figures
from xinfang.reception.services._common import OVERSEEING_KINDS, STAFF_ROLES, may_run_hall
from xinfang.reception.services.halls import HALL_HOST_KINDS

__all__ = [
    "AttendanceReport",
    "AttendanceRow",
    "Dashboard",
    "Rate",
    "RotaDay",
    "ShiftTimes",
    "Tally",
    "attendance_report",
    "attendance_tally",
    "duty_accounts",
    "hall_dashboard",
    "hall_for",
    "hall_host_orgs",
    "halls_for",
    "month_bounds",
    "own_orgs",
    "rota",
    "shift_for",
    "station_candidates",
    "stationed_during",
    "stationed_for",
    "stationed_history",
    "stationed_units",
]

DASH = "—"
# Units by their window, those without a window last, then in the organisation tree's order.
WINDOW_ORDER = (
    ExpressionWrapper(Q(window=""), output_field=BooleanField()).asc(),
    "window",
    "org__path",
    "pk",
)


# ---------------------------------------------------------------- the pure arithmetic


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """Percent with one decimal, rounded half up (83.3 for 5 of 6); None without a denominator."""
        if not self.denominator:
            return None
        exact = Decimal(self.numerator) * 100 / Decimal(self.denominator)
        return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def text(self) -> str:
        percent = self.percent
        return DASH if percent is None else f"{percent}%"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class ShiftTimes:
    """What the report needs of one shift: its day, and its check-in and check-out in Beijing
    wall-clock time (naive), and whether a reason was noted."""

    on: dt.date
    checked_in: dt.datetime | None
    checked_out: dt.datetime | None
    noted: bool = False


@dataclass(frozen=True)
class Tally:
    scheduled: int  # 排班人次: every shift of the month, days to come included
    due: int  # 应到人次: shifts whose day is over, and today's and later ones already checked in
    present: int  # 到岗
    absent: int  # 缺岗: no check-in on a day that is over
    absent_noted: int  # of them, with a reason noted (请假、公出 …)
    late: int  # 迟到: checked in after the opening time and the grace
    early: int  # 早退: checked out before the closing time
    no_check_out: int  # 未登记离岗: checked in on a day that is over, never checked out

    @property
    def present_rate(self) -> Rate:
        return Rate(self.present, self.due)

    @property
    def absent_rate(self) -> Rate:
        return Rate(self.absent, self.due)

    @property
    def late_rate(self) -> Rate:
        return Rate(self.late, self.present)

    @property
    def early_rate(self) -> Rate:
        return Rate(self.early, self.present)

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            *(getattr(self, name) + getattr(other, name) for name in self.__dataclass_fields__)  # type: ignore[arg-type]
        )


EMPTY_TALLY = Tally(0, 0, 0, 0, 0, 0, 0, 0)


def attendance_tally(
    shifts: Iterable[ShiftTimes],
    *,
    today: dt.date,
    opens_at: dt.time,
    closes_at: dt.time,
    grace_minutes: int,
) -> Tally:
    """The attendance figures of some shifts, as of ``today`` (Beijing).

    A shift of a day not yet over counts as 缺岗 only once the day is over: until then its person
    may still come. 迟到 is a check-in later than ``opens_at`` + ``grace_minutes``; 早退 a check-out
    earlier than ``closes_at``; both as wall-clock times of the shift's day."""
    latest = (dt.datetime.combine(dt.date.min, opens_at) + dt.timedelta(minutes=grace_minutes)).time()
    scheduled = due = present = absent = noted = late = early = open_out = 0
    for shift in shifts:
        scheduled += 1
        over = shift.on < today
        if shift.checked_in is None:
            if over:
                due += 1
                absent += 1
                noted += int(shift.noted)
            continue
        due += 1
        present += 1
        if shift.checked_in.time() > latest:
            late += 1
        if shift.checked_out is not None:
            if shift.checked_out.time() < closes_at:
                early += 1
        elif over:
            open_out += 1
    return Tally(scheduled, due, present, absent, noted, late, early, open_out)


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first day of the month and the first day of the next."""
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None) if moment is not None else None


# ---------------------------------------------------------------- halls and units


def halls_for(user: User) -> QuerySet[Hall]:
    """The halls ``user`` sees, the host organ's tree order, with their host."""
    return halls_visible_to(user).select_related("org__region").order_by("org__path", "name", "pk")


def hall_for(user: User, hall_id: int) -> Hall | None:
    """The hall, or None when ``user`` may not see it (a 404 for the page)."""
    return halls_visible_to(user).filter(pk=hall_id).select_related("org__region").first()


def hall_host_orgs(user: User) -> list[Org]:
    """The petition bureaus and one-stop centres where ``user`` may set up a hall: those the user
    works for, and those in the region of a bureau or government the user works for."""
    if not user.is_authenticated or user.is_citizen:
        return []
    memberships = list(user_memberships(user).filter(role__in=STAFF_ROLES))
    if not memberships:
        return []
    q = Q(pk__in=[m.org_id for m in memberships])
    for m in memberships:
        if m.org.kind in OVERSEEING_KINDS:
            q |= Q(region__path__startswith=m.org.region.path)
    return list(
        Org.objects.filter(q, kind__in=HALL_HOST_KINDS, is_active=True)
        .select_related("region")
        .order_by("path")
    )


def own_orgs(user: User) -> set[int]:
    """The organs ``user`` works for (any active role): a stationed unit's staff see its rows."""
    return set(user_memberships(user).values_list("org_id", flat=True))


def stationed_units(hall: Hall, on: dt.date | None = None) -> QuerySet[StationedUnit]:
    """The units stationed in the hall on ``on`` (default today, Beijing), by window."""
    day = on or local_date()
    return (
        hall.units.filter(since__lte=day)
        .filter(Q(until__isnull=True) | Q(until__gte=day))
        .select_related("org__region")
        .order_by(*WINDOW_ORDER)
    )


def stationed_during(hall: Hall, start: dt.date, end: dt.date) -> QuerySet[StationedUnit]:
    """The units stationed in the hall on at least one day from ``start`` to ``end``."""
    return (
        hall.units.filter(since__lte=end)
        .filter(Q(until__isnull=True) | Q(until__gte=start))
        .select_related("org__region")
        .order_by(*WINDOW_ORDER)
    )


def stationed_history(hall: Hall) -> QuerySet[StationedUnit]:
    """Every unit ever stationed there, those still there first."""
    return hall.units.select_related("org").order_by(F("until").desc(nulls_first=True), *WINDOW_ORDER)


def station_candidates(hall: Hall) -> QuerySet[Org]:
    """The active organs of the hall's region that may be stationed there now: not the host, not
    one already there (``hall_station_unit`` decides)."""
    there = StationedUnit.objects.filter(hall=hall, until__isnull=True).values("org")
    return (
        Org.objects.filter(region__path__startswith=hall.org.region.path, is_active=True)
        .exclude(pk=hall.org_id)
        .exclude(pk__in=there)
        .select_related("region")
    )


def duty_accounts(orgs: list[Org]) -> list[tuple[Org, list[User]]]:
    """The active staff accounts of each unit (for the rota's choice of account), each once."""
    found: dict[int, dict[int, User]] = {org.pk: {} for org in orgs}
    memberships = (
        Membership.objects.filter(org__in=list(found), is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__username", "pk")
    )
    for m in memberships:
        found[m.org_id].setdefault(m.user_id, m.user)
    return [(org, list(found[org.pk].values())) for org in orgs]


def stationed_for(user: User, stationed_id: int) -> StationedUnit | None:
    return (
        StationedUnit.objects.filter(pk=stationed_id, hall__in=halls_visible_to(user))
        .select_related("hall__org__region", "org__region")
        .first()
    )


def shift_for(user: User, shift_id: int) -> DutyShift | None:
    """A shift of a hall ``user`` sees (None otherwise)."""
    return (
        DutyShift.objects.filter(pk=shift_id, hall__in=halls_visible_to(user))
        .select_related("hall__org__region", "org", "user")
        .first()
    )


# ---------------------------------------------------------------- the rota


@dataclass
class RotaUnit:
    org: Org
    window: str
    shifts: list[DutyShift] = field(default_factory=list)

    @property
    def has_leader(self) -> bool:
        return any(s.role == DutyRole.LEADER for s in self.shifts)


@dataclass
class RotaDay:
    day: dt.date
    units: list[RotaUnit]

    @property
    def weekday(self) -> str:
        return "周" + "一二三四五六日"[self.day.weekday()]

    @property
    def shift_count(self) -> int:
        return sum(len(unit.shifts) for unit in self.units)


def rota(hall: Hall, start: dt.date, end: dt.date) -> list[RotaDay]:
    """The shifts of each day from ``start`` to ``end`` (both included), grouped by the units
    stationed that day (a unit without a shift is listed empty, so a gap shows) and by any unit
    that has a shift that day although it has left since."""
    units = list(stationed_during(hall, start, end))
    shifts = list(
        hall.shifts.filter(on__gte=start, on__lte=end)
        .select_related("org", "user")
        .order_by("on", "org__path", "role", "pk")
    )
    days: list[RotaDay] = []
    day = start
    while day <= end:
        rows: dict[int, RotaUnit] = {}
        for unit in units:
            if unit.since <= day and (unit.until is None or unit.until >= day):
                rows.setdefault(unit.org_id, RotaUnit(org=unit.org, window=unit.window))
        for shift in shifts:
            if shift.on == day:
                rows.setdefault(shift.org_id, RotaUnit(org=shift.org, window="")).shifts.append(shift)
        days.append(RotaDay(day=day, units=list(rows.values())))
        day += dt.timedelta(days=1)
    return days


# ---------------------------------------------------------------- attendance


@dataclass(frozen=True)
class AttendanceRow:
    org: Org
    window: str
    tally: Tally


@dataclass(frozen=True)
class AttendanceReport:
    hall: Hall
    year: int
    month: int
    as_of: dt.date
    rows: list[AttendanceRow]
    total: Tally
    leaders: Tally  # 带班领导 only
    staff: Tally  # 值班人员 only

    @property
    def title(self) -> str:
        return f"{self.hall.name}{self.year}年{self.month}月驻厅单位值班考勤"


def attendance_report(
    hall: Hall, year: int, month: int, *, orgs: Iterable[int] | None = None
) -> AttendanceReport:
    """Per unit with shifts in the month (or stationed during it): 排班人次, 到岗, 缺岗, 迟到, 早退
    and their rates, by the hall's hours. ``orgs`` limits the rows to those units (a stationed
    unit's staff see their own unit only)."""
    first, following = month_bounds(year, month)
    last = following - dt.timedelta(days=1)
    today = local_date()
    shifts = hall.shifts.filter(on__gte=first, on__lt=following)
    units = hall.units.filter(since__lte=last).filter(Q(until__isnull=True) | Q(until__gte=first))
    if orgs is not None:
        wanted = list(orgs)
        shifts, units = shifts.filter(org__in=wanted), units.filter(org__in=wanted)
    windows: dict[int, tuple[Org, str]] = {}
    for unit in units.select_related("org").order_by(*WINDOW_ORDER[:-1], "-since"):
        windows.setdefault(unit.org_id, (unit.org, unit.window))
    by_org: dict[int, list[ShiftTimes]] = {org_id: [] for org_id in windows}
    by_role: dict[str, list[ShiftTimes]] = {DutyRole.LEADER: [], DutyRole.STAFF: []}
    for shift in shifts.select_related("org").order_by("on", "pk"):
        times = ShiftTimes(
            on=shift.on,
            checked_in=_local(shift.checked_in_at),
            checked_out=_local(shift.checked_out_at),
            noted=bool(shift.note),
        )
        if shift.org_id not in windows:
            windows[shift.org_id] = (shift.org, "")
            by_org[shift.org_id] = []
        by_org[shift.org_id].append(times)
        by_role.setdefault(shift.role, []).append(times)
    hours = {
        "today": today,
        "opens_at": hall.opens_at,
        "closes_at": hall.closes_at,
        "grace_minutes": hall.grace_minutes,
    }
    rows = [
        AttendanceRow(org=org, window=window, tally=attendance_tally(by_org[org_id], **hours))  # type: ignore[arg-type]
        for org_id, (org, window) in windows.items()
    ]
    total = EMPTY_TALLY
    for row in rows:
        total = total + row.tally
    return AttendanceReport(
        hall=hall,
        year=year,
        month=month,
        as_of=today,
        rows=rows,
        total=total,
        leaders=attendance_tally(by_role[DutyRole.LEADER], **hours),  # type: ignore[arg-type]
        staff=attendance_tally(by_role[DutyRole.STAFF], **hours),  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- the dashboard


@dataclass(frozen=True)
class WindowRow:
    label: str
    org: Org | None
    called: int  # tickets called to this window this month
    cases: int  # cases registered from them


@dataclass(frozen=True)
class DutyRow:
    shift: DutyShift
    late: bool
    early: bool


@dataclass(frozen=True)
class Dashboard:
    hall: Hall
    day: dt.date
    month: tuple[dt.date, dt.date]
    # today's queue
    tickets: int
    persons: int
    waiting: int
    called: int
    served: int
    average_wait: dt.timedelta | None
    longest_wait: dt.timedelta | None
    # this month
    windows: list[WindowRow]
    joint_batches: int
    joint_on_spot: int
    joint_pending: int
    lawyer_batches: int
    lawyer_persons: int
    # today's duty
    duty: list[DutyRow]

    @property
    def joint_on_spot_rate(self) -> Rate:
        """现场化解率: of the month's joint receptions that are concluded, those resolved on the spot
        (the statistics' figure: one still under way is outside both)."""
        return Rate(self.joint_on_spot, self.joint_batches - self.joint_pending)

    @property
    def duty_present(self) -> int:
        return sum(1 for row in self.duty if row.shift.checked_in_at is not None)


def minutes(span: dt.timedelta | None) -> str:
    """A waiting time as whole minutes ("12 分钟"), or "—"."""
    if span is None:
        return DASH
    return f"{int(span.total_seconds() // 60)} 分钟"


def hall_dashboard(hall: Hall, day: dt.date | None = None) -> Dashboard:
    """Today's queue and duty, and the month's windows, joint receptions and lawyers' work."""
    today = day or local_date()
    first, following = month_bounds(today.year, today.month)
    start, end = local_midnight(first), local_midnight(following)

    tickets = list(
        Ticket.objects.filter(hall=hall, day=today).only(
            "status", "headcount", "issued_at", "called_at", "served_at"
        )
    )
    waits = [t.waited for t in tickets if t.waited is not None]
    average = sum(waits, dt.timedelta()) / len(waits) if waits else None

    called = (
        Ticket.objects.filter(hall=hall, day__gte=first, day__lt=following, called_at__isnull=False)
        .values("window_org", "window")
        .annotate(called=Count("pk"), cases=Count("case"))
        .order_by()
    )
    units = {unit.org_id: unit for unit in stationed_units(hall, today)}
    by_org: dict[int, list[int]] = {org_id: [0, 0] for org_id in units}
    by_window: dict[str, list[int]] = {}
    for row in called:
        if row["window_org"] is not None and row["window_org"] != hall.org_id:
            counts = by_org.setdefault(row["window_org"], [0, 0])
        else:
            counts = by_window.setdefault(row["window"] or "综合窗口", [0, 0])
        counts[0] += row["called"]
        counts[1] += row["cases"]
    other_orgs = Org.objects.in_bulk([pk for pk in by_org if pk not in units])
    windows = [
        WindowRow(
            label=units[pk].window if pk in units else "",
            org=units[pk].org if pk in units else other_orgs.get(pk),
            called=counts[0],
            cases=counts[1],
        )
        for pk, counts in by_org.items()
    ]
    windows += [
        WindowRow(label=label, org=None, called=counts[0], cases=counts[1])
        for label, counts in sorted(by_window.items())
    ]

    joints = joint_figures(
        JointReception.objects.filter(hall=hall, convened_at__gte=start, convened_at__lt=end)
    )
    lawyers = LawyerConsultation.objects.filter(hall=hall, at__gte=start, at__lt=end).aggregate(
        batches=Count("pk"), persons=Sum("persons")
    )

    latest = (dt.datetime.combine(today, hall.opens_at) + dt.timedelta(minutes=hall.grace_minutes)).time()
    duty = []
    for shift in (
        hall.shifts.filter(on=today).select_related("org", "user").order_by("org__path", "role", "pk")
    ):
        came, left = _local(shift.checked_in_at), _local(shift.checked_out_at)
        duty.append(
            DutyRow(
                shift=shift,
                late=came is not None and came.time() > latest,
                early=left is not None and left.time() < hall.closes_at,
            )
        )

    return Dashboard(
        hall=hall,
        day=today,
        month=(first, following - dt.timedelta(days=1)),
        tickets=len(tickets),
        persons=sum(t.headcount for t in tickets),
        waiting=sum(1 for t in tickets if t.status == TicketStatus.WAITING),
        called=len(waits),
        served=sum(1 for t in tickets if t.status == TicketStatus.SERVED),
        average_wait=average,
        longest_wait=max(waits) if waits else None,
        windows=windows,
        joint_batches=joints.batches,
        joint_on_spot=joints.on_spot,
        joint_pending=joints.batches - joints.concluded,
        lawyer_batches=lawyers["batches"],
        lawyer_persons=lawyers["persons"] or 0,
        duty=duty,
    )


def may_run(user: User, hall: Hall) -> bool:
    """Whether ``user`` runs the hall (its staff: stations units, schedules, records for others)."""
    return may_run_hall(user, hall)


__all__ += ["DutyRow", "WindowRow", "may_run", "minutes"]
