"""The reception hall (接访大厅), the units stationed there (驻厅部门) and their duty rota
(带班领导、值班人员) with the check-in and check-out the absence report reads.

《信访工作条例》第十八条第三款: city and county Party committees and governments organise joint
reception by the units concerned; the units station their people in the hall for it, and their duty
leaders must be there when the hall opens (the reports: "带班领导…不到岗，值班人员存在迟到、早退现象").

Who may do what:

- create or change a hall: staff (登记员、承办人、审核人、负责人) of its host organ — a petition
  bureau or a one-stop centre (信访超市 / 综合服务中心) — or of a petition bureau or Party committee /
  government whose region contains the host's;
- station or withdraw a unit, schedule or cancel a shift, note an absence: the hall's staff
  (``require_hall_staff``);
- check in and out: the person on duty (the shift's account) or the hall's staff on their behalf
  (at the desk), on the shift's own day only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Q

from xinfang.core.errors import InvalidState, NotAllowed, ServiceError
from xinfang.core.timeutil import LOCAL_TZ, local_date, now
from xinfang.core.validation import optional_text, required_text
from xinfang.deadlines.selectors import current_calendar
from xinfang.orgs.models import Org, OrgKind, User
from xinfang.orgs.selectors import user_memberships
from xinfang.reception.models import DutyRole, DutyShift, Hall, StationedUnit
from xinfang.reception.services._common import (
    OVERSEEING_KINDS,
    STAFF_ROLES,
    may_run_hall,
    region_prefixes,
    require_hall_staff,
    require_open_hall,
)

__all__ = [
    "HALL_HOST_KINDS",
    "MAX_GRACE_MINUTES",
    "duty_cancel",
    "duty_check_in",
    "duty_check_out",
    "duty_note_absence",
    "duty_schedule",
    "duty_schedule_week",
    "hall_create",
    "hall_station_unit",
    "hall_update",
    "hall_withdraw_unit",
    "may_check_in",
    "may_host_hall",
]

# A hall is the 群众来访接待大厅 of a petition bureau or the hall of a one-stop centre.
HALL_HOST_KINDS = (OrgKind.PETITION_BUREAU, OrgKind.ONE_STOP_CENTRE)
MAX_NAME = 64
MAX_ADDRESS = 200
MAX_WINDOW = 32
MAX_PERSON = 64
MAX_PHONE = 32
MAX_NOTE = 200
# A grace longer than two hours would make 迟到 meaningless.
MAX_GRACE_MINUTES = 120
_PREFIX = re.compile(r"^[A-Z]{1,2}$")
_PHONE = re.compile(r"^[0-9+\-() ]+$")


# ---------------------------------------------------------------- who may do what


def may_host_hall(actor: User, org: Org) -> bool:
    """Whether ``actor`` may create or change a hall hosted by ``org``: staff of ``org`` itself, or
    of a petition bureau or Party committee / government whose region contains ``org``'s (the
    same reach as ``may_run_hall``, for a hall that does not exist yet)."""
    if actor.is_citizen:
        return False
    memberships = user_memberships(actor).filter(role__in=STAFF_ROLES)
    if memberships.filter(org=org).exists():
        return True
    return memberships.filter(
        org__kind__in=OVERSEEING_KINDS, org__region__path__in=region_prefixes(org)
    ).exists()


def may_check_in(actor: User, shift: DutyShift) -> bool:
    """The person on duty themself, or the hall's staff recording it for them."""
    return (shift.user_id is not None and shift.user_id == actor.pk) or may_run_hall(actor, shift.hall)


def _require_host(actor: User, org: object, *, doing: str) -> Org:
    if not isinstance(org, Org):
        raise ServiceError("请选择大厅所属机构。", field="org")
    if org.kind not in HALL_HOST_KINDS:
        raise ServiceError(
            f"{org.name}不是信访部门或综合服务中心（信访超市），不能设立接访大厅。", field="org"
        )
    if not org.is_active:
        raise ServiceError(f"{org.name}已停用，不能设立接访大厅。", field="org")
    if not may_host_hall(actor, org):
        raise NotAllowed(f"只有{org.name}或其上级信访部门、党委政府的工作人员可以{doing}。", field="org")
    return org


# ---------------------------------------------------------------- input checks


def _date(value: object, *, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ServiceError(f"请填写{label}（年-月-日）。", field=field)
    return value


def _time(value: object, *, field: str, label: str) -> dt.time:
    if not isinstance(value, dt.time):
        raise ServiceError(f"请填写{label}（时:分）。", field=field)
    return value.replace(second=0, microsecond=0, tzinfo=None)


def _hours(opens_at: object, closes_at: object, grace_minutes: object) -> tuple[dt.time, dt.time, int]:
    opens = _time(opens_at, field="opens_at", label="接待开始时间")
    closes = _time(closes_at, field="closes_at", label="接待结束时间")
    if closes <= opens:
        raise ServiceError(
            f"接待结束时间（{closes:%H:%M}）应晚于开始时间（{opens:%H:%M}）。", field="closes_at"
        )
    if not isinstance(grace_minutes, int) or isinstance(grace_minutes, bool):
        raise ServiceError("迟到宽限应为分钟数。", field="grace_minutes")
    if not 0 <= grace_minutes <= MAX_GRACE_MINUTES:
        raise ServiceError(f"迟到宽限应在 0 至 {MAX_GRACE_MINUTES} 分钟之间。", field="grace_minutes")
    span = dt.datetime.combine(dt.date.min, closes) - dt.datetime.combine(dt.date.min, opens)
    if dt.timedelta(minutes=grace_minutes) >= span:
        raise ServiceError("迟到宽限不能长于整个接待时间。", field="grace_minutes")
    return opens, closes, grace_minutes


def _prefix(value: object) -> str:
    text = optional_text(value if isinstance(value, str) else None).upper()
    if not _PREFIX.match(text):
        raise ServiceError("排队号前缀应为 1 至 2 个英文字母，如“A”。", field="ticket_prefix")
    return text


def _name(value: object, *, org: Org, exclude: int | None = None) -> str:
    name = required_text(
        value if isinstance(value, str) else None,
        field="name",
        label="大厅名称",
        max_length=MAX_NAME,
        empty="请填写{label}。",
    )
    same = Hall.objects.filter(org=org, name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise ServiceError(f"{org.name}已有名为“{name}”的接访大厅。", field="name")
    return name


def _address(value: object) -> str:
    text = optional_text(value if isinstance(value, str) else None)
    if len(text) > MAX_ADDRESS:
        raise ServiceError(f"地址不能超过 {MAX_ADDRESS} 个字。", field="address")
    return text


def _phone(value: object) -> str:
    text = optional_text(value if isinstance(value, str) else None)
    if len(text) > MAX_PHONE:
        raise ServiceError(f"联系电话不能超过 {MAX_PHONE} 个字符。", field="phone")
    if text and not _PHONE.match(text):
        raise ServiceError("联系电话只能包含数字、空格和“+-()”。", field="phone")
    return text


def _lock_hall(hall: Hall) -> Hall:
    try:
        return Hall.objects.select_for_update(of=("self",)).select_related("org__region").get(pk=hall.pk)
    except Hall.DoesNotExist:
        raise ServiceError("接访大厅不存在。", field="hall", code="not_found") from None


def _lock_stationed(stationed: StationedUnit) -> StationedUnit:
    try:
        return (
            StationedUnit.objects.select_for_update(of=("self",))
            .select_related("hall__org__region", "org")
            .get(pk=stationed.pk)
        )
    except StationedUnit.DoesNotExist:
        raise ServiceError("驻厅单位记录不存在。", field="stationed", code="not_found") from None


def _lock_shift(shift: DutyShift) -> DutyShift:
    try:
        return (
            DutyShift.objects.select_for_update(of=("self",))
            .select_related("hall__org__region", "org", "user")
            .get(pk=shift.pk)
        )
    except DutyShift.DoesNotExist:
        raise ServiceError("该排班不存在或已取消。", field="shift", code="not_found") from None


def _stationed_on(hall: Hall, org: Org, day: dt.date) -> StationedUnit | None:
    return (
        StationedUnit.objects.filter(hall=hall, org=org, since__lte=day)
        .filter(Q(until__isnull=True) | Q(until__gte=day))
        .order_by("-since")
        .first()
    )


# ---------------------------------------------------------------- the hall


@transaction.atomic
def hall_create(
    *,
    actor: User,
    org: Org,
    name: str,
    address: str = "",
    opens_at: dt.time,
    closes_at: dt.time,
    grace_minutes: int = 10,
    ticket_prefix: str = "A",
) -> Hall:
    """A reception hall hosted by ``org`` (a petition bureau or a one-stop centre)."""
    host = _require_host(actor, org, doing="设立接访大厅")
    Org.objects.select_for_update().filter(pk=host.pk).first()  # one name check at a time per organ
    hall_name = _name(name, org=host)
    opens, closes, grace = _hours(opens_at, closes_at, grace_minutes)
    return Hall.objects.create(
        org=host,
        name=hall_name,
        address=_address(address),
        opens_at=opens,
        closes_at=closes,
        grace_minutes=grace,
        ticket_prefix=_prefix(ticket_prefix),
    )


@transaction.atomic
def hall_update(
    *,
    actor: User,
    hall: Hall,
    name: str | None = None,
    address: str | None = None,
    opens_at: dt.time | None = None,
    closes_at: dt.time | None = None,
    grace_minutes: int | None = None,
    ticket_prefix: str | None = None,
    is_active: bool | None = None,
) -> Hall:
    """Change the hall's name, address, hours, grace, number prefix or whether it is in use; a field
    left None keeps its value. The hours apply to the attendance report of every month shown
    afterwards (the report reads the hall's hours as they are)."""
    locked = _lock_hall(hall)
    _require_host(actor, locked.org, doing="修改接访大厅")
    if name is not None:
        locked.name = _name(name, org=locked.org, exclude=locked.pk)
    if address is not None:
        locked.address = _address(address)
    locked.opens_at, locked.closes_at, locked.grace_minutes = _hours(
        locked.opens_at if opens_at is None else opens_at,
        locked.closes_at if closes_at is None else closes_at,
        locked.grace_minutes if grace_minutes is None else grace_minutes,
    )
    if ticket_prefix is not None:
        locked.ticket_prefix = _prefix(ticket_prefix)
    if is_active is not None:
        if not isinstance(is_active, bool):
            raise ServiceError("请选择是否启用。", field="is_active")
        locked.is_active = is_active
    locked.save()
    return locked


# ---------------------------------------------------------------- stationed units


@transaction.atomic
def hall_station_unit(
    *, actor: User, hall: Hall, org: Org, window: str = "", since: dt.date
) -> StationedUnit:
    """``org`` is stationed in the hall from ``since`` at ``window``."""
    locked = _lock_hall(hall)
    require_hall_staff(actor, locked, doing="安排驻厅单位")
    require_open_hall(locked)
    if not isinstance(org, Org):
        raise ServiceError("请选择驻厅单位。", field="org")
    if org.pk == locked.org_id:
        raise ServiceError(f"{org.name}是大厅的所属机构，无需作为驻厅单位进驻。", field="org")
    if not org.is_active:
        raise ServiceError(f"{org.name}已停用，不能进驻大厅。", field="org")
    if not org.region.path.startswith(locked.org.region.path):
        # A hall gathers the units of its own area (属地管理): another county's bureau is not
        # summoned to this county's joint reception.
        raise ServiceError(
            f"{org.name}不在{locked.org.region.name}范围内，不能进驻{locked.name}。", field="org"
        )
    start = _date(since, field="since", label="进驻日期")
    if StationedUnit.objects.filter(hall=locked, org=org, until__isnull=True).exists():
        raise InvalidState(f"{org.name}已进驻{locked.name}，如需调整窗口请先撤出。", field="org")
    last = StationedUnit.objects.filter(hall=locked, org=org, until__gte=start).order_by("-until").first()
    if last is not None:
        raise ServiceError(f"{org.name}上次进驻至 {last.until:%Y-%m-%d}，进驻日期应晚于该日。", field="since")
    window_text = optional_text(window)
    if len(window_text) > MAX_WINDOW:
        raise ServiceError(f"窗口不能超过 {MAX_WINDOW} 个字。", field="window")
    return StationedUnit.objects.create(hall=locked, org=org, window=window_text, since=start)


@transaction.atomic
def hall_withdraw_unit(*, actor: User, stationed: StationedUnit, until: dt.date) -> StationedUnit:
    """The unit leaves the hall after ``until`` (its last day there). Shifts scheduled after that
    day must be cancelled first: the rota never names a unit that is no longer in the hall."""
    locked = _lock_stationed(stationed)
    require_hall_staff(actor, locked.hall, doing="撤出驻厅单位")
    if locked.until is not None:
        raise InvalidState(f"{locked.org.name}已于 {locked.until:%Y-%m-%d} 撤出。", field="stationed")
    last_day = _date(until, field="until", label="撤出日期")
    if last_day < locked.since:
        raise ServiceError(f"撤出日期不能早于进驻日期（{locked.since:%Y-%m-%d}）。", field="until")
    later = DutyShift.objects.filter(hall=locked.hall, org=locked.org, on__gt=last_day).order_by("on")
    first = later.first()
    if first is not None:
        raise ServiceError(
            f"{locked.org.name}在撤出日期以后还有 {later.count()} 个排班（最早 {first.on:%Y-%m-%d}），"
            "请先取消这些排班或改选撤出日期。",
            field="until",
        )
    locked.until = last_day
    locked.save(update_fields=["until"])
    return locked


# ---------------------------------------------------------------- the rota


def _check_person(*, org: Org, person: object, user: object, phone: object) -> tuple[str, User | None, str]:
    account: User | None = None
    if user is not None:
        if not isinstance(user, User) or user.is_citizen or not user.is_active:
            raise ServiceError("值班人员的账号无效。", field="user")
        if not user_memberships(user).filter(org=org).exists():
            raise ServiceError(f"{user}不是{org.name}的工作人员，请选择该单位的账号。", field="user")
        account = user
    text = optional_text(person if isinstance(person, str) else None)
    if not text and account is not None:
        text = account.full_name or account.username
    if not text:
        raise ServiceError("请填写值班人员姓名。", field="person")
    if len(text) > MAX_PERSON:
        raise ServiceError(f"姓名不能超过 {MAX_PERSON} 个字。", field="person")
    return text, account, _phone(phone)


def _check_role(role: object) -> str:
    if role not in DutyRole.values:
        raise ServiceError("请选择值班职责（带班领导或值班人员）。", field="role")
    return str(role)


def _duplicate(hall: Hall, org: Org, day: dt.date, person: str, user: User | None) -> DutyShift | None:
    same = Q(person=person)
    if user is not None:
        same |= Q(user=user)
    return DutyShift.objects.filter(same, hall=hall, org=org, on=day).first()


def _create_shift(**fields: object) -> DutyShift:
    try:
        with transaction.atomic():
            return DutyShift.objects.create(**fields)
    except IntegrityError:  # the same person, unit and day, written by a concurrent request
        raise ServiceError(
            f"{fields['person']}在 {fields['on']:%Y-%m-%d} 已有该单位的排班。", field="person"
        ) from None


@transaction.atomic
def duty_schedule(
    *,
    actor: User,
    hall: Hall,
    org: Org,
    on: dt.date,
    role: str,
    person: str,
    user: User | None = None,
    phone: str = "",
) -> DutyShift:
    """``person`` is on duty for ``org`` at the hall on ``on`` as 带班领导 or 值班人员. With an
    account (``user``), the person checks in and out themself."""
    locked = _lock_hall(hall)
    require_hall_staff(actor, locked, doing="排班")
    require_open_hall(locked)
    if not isinstance(org, Org):
        raise ServiceError("请选择驻厅单位。", field="org")
    day = _date(on, field="on", label="值班日期")
    if day < local_date():
        raise ServiceError("值班日期不能早于今天。", field="on")
    if _stationed_on(locked, org, day) is None:
        raise ServiceError(f"{org.name}在 {day:%Y-%m-%d} 未进驻{locked.name}，不能排班。", field="org")
    duty_role = _check_role(role)
    name, account, phone_text = _check_person(org=org, person=person, user=user, phone=phone)
    if _duplicate(locked, org, day, name, account) is not None:
        raise ServiceError(f"{name}在 {day:%Y-%m-%d} 已有{org.name}的排班。", field="person")
    return _create_shift(
        hall=locked,
        org=org,
        on=day,
        role=duty_role,
        person=name,
        user=account,
        phone=phone_text,
        created_by=actor,
    )


def _week_days(week_start: dt.date, weekdays: Iterable[int]) -> list[dt.date]:
    """The days of the week (Monday to Sunday) containing ``week_start`` whose ISO weekday is
    chosen, leaving out official holidays and adding the make-up working days (调休) of the week:
    the hall receives visitors on working days."""
    chosen = set(weekdays)
    monday = week_start - dt.timedelta(days=week_start.isoweekday() - 1)
    calendar = current_calendar()
    days = []
    for offset in range(7):
        day = monday + dt.timedelta(days=offset)
        if calendar.is_holiday(day):
            continue
        if day.isoweekday() in chosen or calendar.is_makeup_workday(day):
            days.append(day)
    return days


@transaction.atomic
def duty_schedule_week(
    *,
    actor: User,
    hall: Hall,
    org: Org,
    week_start: dt.date,
    role: str,
    person: str,
    user: User | None = None,
    phone: str = "",
    weekdays: Iterable[int] = (1, 2, 3, 4, 5),
) -> list[DutyShift]:
    """One shift of ``person`` on each chosen weekday of the week containing ``week_start``
    (official holidays left out, 调休 working days added). Days already past, days the unit is not
    stationed and days the person is already on the rota are skipped; at least one must remain."""
    locked = _lock_hall(hall)
    require_hall_staff(actor, locked, doing="排班")
    require_open_hall(locked)
    if not isinstance(org, Org):
        raise ServiceError("请选择驻厅单位。", field="org")
    start = _date(week_start, field="week_start", label="排班周")
    chosen = list(weekdays)
    if not chosen or any(not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 7 for d in chosen):
        raise ServiceError("请选择星期一至星期日中的值班日。", field="weekdays")
    duty_role = _check_role(role)
    name, account, phone_text = _check_person(org=org, person=person, user=user, phone=phone)
    today = local_date()
    made: list[DutyShift] = []
    for day in _week_days(start, chosen):
        if day < today or _stationed_on(locked, org, day) is None:
            continue
        if _duplicate(locked, org, day, name, account) is not None:
            continue
        made.append(
            _create_shift(
                hall=locked,
                org=org,
                on=day,
                role=duty_role,
                person=name,
                user=account,
                phone=phone_text,
                created_by=actor,
            )
        )
    if not made:
        raise ServiceError(
            f"本周没有可为{name}排班的日期（已过去、非工作日、未进驻或已排班）。", field="week_start"
        )
    return made


@transaction.atomic
def duty_cancel(*, actor: User, shift: DutyShift) -> None:
    """A shift taken off the rota before it started: not once checked in, not on a past day (a past
    absence stays on the record; its reason is noted instead)."""
    locked = _lock_shift(shift)
    require_hall_staff(actor, locked.hall, doing="取消排班")
    if locked.checked_in_at is not None:
        raise InvalidState(
            f"{locked.person}已于 {_hm(locked.checked_in_at)} 到岗，不能取消该排班。", field="shift"
        )
    if locked.on < local_date():
        raise InvalidState("已过去的排班不能取消；如有缺岗原因，请登记说明。", field="shift")
    locked.delete()


def _hm(moment: dt.datetime) -> str:
    return f"{moment.astimezone(LOCAL_TZ):%H:%M}"


def _moment(shift: DutyShift, at: object, *, label: str) -> dt.datetime:
    """The moment of a check-in or check-out: now, or the time the hall's staff records for the
    person (earlier the same day); always on the shift's own Beijing day."""
    current = now()
    if at is None:
        moment = current
    elif isinstance(at, dt.datetime) and at.tzinfo is not None:
        moment = at
    else:
        raise ServiceError(f"请填写{label}时间。", field="at")
    if moment > current:
        raise ServiceError(f"{label}时间不能晚于现在。", field="at")
    if local_date(moment) != shift.on:
        raise InvalidState(f"该排班是 {shift.on:%Y-%m-%d} 的，只能在当天{label}。", field="shift")
    return moment


def _require_checker(actor: User, shift: DutyShift, *, doing: str) -> None:
    if not may_check_in(actor, shift):
        raise NotAllowed(
            f"只有值班人员本人或{shift.hall.org.name}的工作人员可以为{shift.person}{doing}。", field="shift"
        )


@transaction.atomic
def duty_check_in(*, actor: User, shift: DutyShift, at: dt.datetime | None = None) -> DutyShift:
    """The person on duty arrives at the hall (到岗), once, on the shift's day."""
    locked = _lock_shift(shift)
    _require_checker(actor, locked, doing="登记到岗")
    if locked.checked_in_at is not None:
        raise InvalidState(
            f"{locked.person}已于 {_hm(locked.checked_in_at)} 到岗，不能重复登记。", field="shift"
        )
    locked.checked_in_at = _moment(locked, at, label="到岗")
    locked.save(update_fields=["checked_in_at"])
    return locked


@transaction.atomic
def duty_check_out(*, actor: User, shift: DutyShift, at: dt.datetime | None = None) -> DutyShift:
    """The person on duty leaves (离岗): after checking in, once, on the shift's day."""
    locked = _lock_shift(shift)
    _require_checker(actor, locked, doing="登记离岗")
    if locked.checked_in_at is None:
        raise InvalidState(f"{locked.person}尚未登记到岗，不能登记离岗。", field="shift")
    if locked.checked_out_at is not None:
        raise InvalidState(
            f"{locked.person}已于 {_hm(locked.checked_out_at)} 离岗，不能重复登记。", field="shift"
        )
    moment = _moment(locked, at, label="离岗")
    if moment < locked.checked_in_at:
        raise ServiceError(f"离岗时间不能早于到岗时间（{_hm(locked.checked_in_at)}）。", field="at")
    locked.checked_out_at = moment
    locked.save(update_fields=["checked_out_at"])
    return locked


@transaction.atomic
def duty_note_absence(*, actor: User, shift: DutyShift, note: str) -> DutyShift:
    """The reason of an absence, a late arrival or an early leave (请假、公出 …), recorded by the
    hall's staff; it is shown beside the shift and in the report (the shift still counts)."""
    locked = _lock_shift(shift)
    require_hall_staff(actor, locked.hall, doing="登记缺岗说明")
    locked.note = required_text(
        note if isinstance(note, str) else None,
        field="note",
        label="说明",
        max_length=MAX_NOTE,
        empty="请填写{label}（如请假、公出）。",
    )
    locked.save(update_fields=["note"])
    return locked
