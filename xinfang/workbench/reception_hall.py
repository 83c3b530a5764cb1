"""Staff pages of the reception hall (接访大厅): the halls a user sees, a hall's form, its page (the
dashboard, the stationed units, today's duty with the check-in and check-out buttons), stationing
and withdrawing a unit, the week's rota with the schedule form, the shift steps (到岗, 离岗, 取消,
说明) and the month's attendance report (驻厅单位值班考勤) with its .xlsx download.

Reads go through ``xinfang.reception.selectors.halls`` (a hall the user does not see is a 404).
Changes go through ``xinfang.reception.services.halls``, which check roles and input; a refusal
comes back on the field it names. Whoever sees the hall (a stationed unit's staff too) reads its
page and rota; only the hall's staff change them, and a person on duty checks in and out for their
own shift only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import LOCAL_TZ, local_date
from xinfang.orgs.models import Org, User
from xinfang.reception.models import DutyRole, DutyShift, Hall, StationedUnit
from xinfang.reception.selectors import halls as selectors
from xinfang.reception.services import halls as services
from xinfang.workbench.cases import staff_required
from xinfang.workbench.downloads import XLSX_MIME, file_download
from xinfang.workbench.form_helpers import IsoDateInput, service_error_on
from xinfang.workbench.forms_cases import org_choices

NOT_HOST = "只有信访部门、综合服务中心（信访超市）或其上级信访部门、党委政府的工作人员可以设立接访大厅。"
NOT_STAFF = "只有本大厅所属机关或其上级信访部门的工作人员可以进行此项操作。"
WEEKDAYS = "一二三四五六日"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ---------------------------------------------------------------- forms


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}应为“时:分”，如 08:30。"},
    )


def _date_field(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=IsoDateInput(),
        error_messages={"required": f"请填写{label}。", "invalid": f"{label}应为日期（年-月-日）。"},
        **kwargs,
    )


class HallForm(forms.Form):
    org = forms.TypedChoiceField(
        label="所属机构", coerce=int, error_messages={"required": "请选择所属机构。"}
    )
    name = TextField(
        label="大厅名称", max_length=services.MAX_NAME, error_messages={"required": "请填写大厅名称。"}
    )
    address = TextField(label="地址", max_length=services.MAX_ADDRESS, required=False)
    opens_at = _time_field("接待开始时间")
    closes_at = _time_field("接待结束时间")
    grace_minutes = forms.IntegerField(
        label="迟到宽限（分钟）",
        min_value=0,
        max_value=services.MAX_GRACE_MINUTES,
        help_text="到岗晚于接待开始时间加宽限的，记为迟到；离岗早于接待结束时间的，记为早退。",
        error_messages={
            "required": "请填写迟到宽限（分钟）。",
            "invalid": "迟到宽限应为分钟数。",
            "min_value": "迟到宽限应在 0 至 120 分钟之间。",
            "max_value": "迟到宽限应在 0 至 120 分钟之间。",
        },
    )
    ticket_prefix = TextField(
        label="排队号前缀",
        max_length=2,
        help_text="1 至 2 个英文字母，排队号如 A001。",
        error_messages={"required": "请填写排队号前缀。", "max_length": "排队号前缀应为 1 至 2 个英文字母。"},
    )
    is_active = forms.BooleanField(label="启用", required=False)

    def __init__(self, *args: Any, orgs: list[Org], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {org.pk: org for org in orgs}
        self.fields["org"].choices = org_choices(orgs)
        if editing:
            del self.fields["org"]
        else:
            del self.fields["is_active"]
            if len(orgs) == 1:
                self.fields["org"].widget = forms.HiddenInput()
                self.fields["org"].initial = orgs[0].pk


class StationForm(forms.Form):
    org = forms.TypedChoiceField(
        label="驻厅单位",
        coerce=int,
        error_messages={"required": "请选择驻厅单位。"},
    )
    window = TextField(
        label="窗口", max_length=services.MAX_WINDOW, required=False, help_text="如“3号窗口”。"
    )
    since = _date_field("进驻日期")

    def __init__(self, *args: Any, hall: Hall, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {org.pk: org for org in selectors.station_candidates(hall)}
        self.fields["org"].choices = [("", "请选择"), *org_choices(list(self.candidates.values()))]


class WithdrawForm(forms.Form):
    until = _date_field("撤出日期", help_text="该单位在大厅的最后一天。")


class ScheduleForm(forms.Form):
    org = forms.TypedChoiceField(
        label="驻厅单位", coerce=int, error_messages={"required": "请选择驻厅单位。"}
    )
    role = forms.ChoiceField(
        label="职责",
        choices=DutyRole.choices,
        initial=DutyRole.LEADER,
        error_messages={"required": "请选择职责。"},
    )
    user = forms.TypedChoiceField(
        label="账号",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="选择账号后，值班人员可自行登记到岗、离岗；姓名可不填。",
    )
    person = TextField(label="姓名", max_length=services.MAX_PERSON, required=False)
    phone = TextField(label="联系电话", max_length=services.MAX_PHONE, required=False)
    days = forms.MultipleChoiceField(
        label="值班日期",
        widget=forms.CheckboxSelectMultiple,
        help_text="可多选；多选时跳过已过去、法定节假日、未进驻和已排班的日期。",
        error_messages={"required": "请至少选择一天。", "invalid_choice": "请选择本周的日期。"},
    )

    def __init__(self, *args: Any, units: list[StationedUnit], week: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {unit.org_id: unit.org for unit in units}
        self.fields["org"].choices = [("", "请选择")] + [
            (unit.org_id, f"{unit.org.name}{'（' + unit.window + '）' if unit.window else ''}")
            for unit in units
        ]
        self.users: dict[int, User] = {}
        users: list[tuple[str, list[tuple[int, str]]]] = []
        for org, people in selectors.duty_accounts(list(self.orgs.values())):
            self.users.update((person.pk, person) for person in people)
            users.append((org.name, [(person.pk, str(person)) for person in people]))
        self.fields["user"].choices = [("", "不关联账号"), *users]
        self.fields["days"].choices = [
            (day.isoformat(), f"{day:%m-%d} 周{WEEKDAYS[day.weekday()]}") for day in week
        ]


class NoteForm(forms.Form):
    note = TextField(
        label="说明",
        max_length=services.MAX_NOTE,
        help_text="如请假、公出、迟到或早退的原因。",
        error_messages={"required": "请填写说明（如请假、公出）。"},
    )


class CheckForm(forms.Form):
    """The time the hall's staff record for the person (empty: now)."""

    time = forms.TimeField(
        label="时间",
        required=False,
        input_formats=["%H:%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "时间应为“时:分”，如 08:30。"},
    )


# ---------------------------------------------------------------- helpers


def _hall(request: HttpRequest, hall_id: int) -> Hall:
    hall = selectors.hall_for(request.user, hall_id)  # type: ignore[arg-type]
    if hall is None:
        raise Http404("接访大厅不存在或您无权查看。")
    return hall


def _shift(request: HttpRequest, shift_id: int) -> DutyShift:
    shift = selectors.shift_for(request.user, shift_id)  # type: ignore[arg-type]
    if shift is None:
        raise Http404("排班不存在或您无权查看。")
    return shift


def _forbidden(request: HttpRequest, message: str = NOT_STAFF) -> HttpResponse:
    return render(request, "workbench/forbidden.html", {"message": message}, status=403)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _week_of(text: str) -> dt.date:
    """The Monday of the week of a YYYY-MM-DD text (this week when it is none)."""
    day = local_date()
    if _WEEK.match(text):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(text)
    return day - dt.timedelta(days=day.weekday())


def _month_of(request: HttpRequest) -> tuple[int, int]:
    match = _MONTH.match(request.GET.get("month", ""))
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    today = local_date()
    return today.year, today.month


def _hall_fields(form: HallForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "address": data["address"],
        "opens_at": data["opens_at"],
        "closes_at": data["closes_at"],
        "grace_minutes": data["grace_minutes"],
        "ticket_prefix": data["ticket_prefix"],
    }


# ---------------------------------------------------------------- halls


@staff_required
def hall_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    halls = list(selectors.halls_for(user))
    for hall in halls:
        hall.unit_count = selectors.stationed_units(hall).count()  # type: ignore[attr-defined]
    return render(
        request,
        "workbench/reception/hall/list.html",
        {"halls": halls, "may_create": bool(selectors.hall_host_orgs(user))},
    )


@staff_required
def hall_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    orgs = selectors.hall_host_orgs(user)
    if not orgs:
        return _forbidden(request, NOT_HOST)
    if request.method == "POST":
        form = HallForm(request.POST, orgs=orgs)
        if form.is_valid():
            try:
                hall = services.hall_create(
                    actor=user, org=form.orgs[form.cleaned_data["org"]], **_hall_fields(form)
                )
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, f"已设立接访大厅“{hall.name}”，请安排驻厅单位。")
                return redirect("workbench:hall-detail", hall.pk)
    else:
        form = HallForm(
            orgs=orgs,
            initial={
                "opens_at": dt.time(8, 30),
                "closes_at": dt.time(17, 30),
                "grace_minutes": 10,
                "ticket_prefix": "A",
            },
        )
    return render(request, "workbench/reception/hall/form.html", {"form": form, "orgs": orgs, "hall": None})


@staff_required
def hall_edit(request: HttpRequest, hall_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    hall = _hall(request, hall_id)
    if not selectors.may_run(user, hall):
        return _forbidden(request)
    if request.method == "POST":
        form = HallForm(request.POST, orgs=[hall.org], editing=True)
        if form.is_valid():
            try:
                services.hall_update(
                    actor=user, hall=hall, is_active=form.cleaned_data["is_active"], **_hall_fields(form)
                )
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, f"已保存接访大厅“{form.cleaned_data['name']}”。")
                return redirect("workbench:hall-detail", hall.pk)
    else:
        form = HallForm(
            orgs=[hall.org],
            editing=True,
            initial={
                "name": hall.name,
                "address": hall.address,
                "opens_at": hall.opens_at,
                "closes_at": hall.closes_at,
                "grace_minutes": hall.grace_minutes,
                "ticket_prefix": hall.ticket_prefix,
                "is_active": hall.is_active,
            },
        )
    return render(
        request, "workbench/reception/hall/form.html", {"form": form, "orgs": [hall.org], "hall": hall}
    )


def _duty_rows(user: User, rows: list[Any], *, runs: bool) -> list[dict[str, Any]]:
    """Today's duty with what ``user`` may do on each shift (a person on duty: their own only)."""
    out = []
    for row in rows:
        shift = row.shift
        own = shift.user_id is not None and shift.user_id == user.pk
        may = runs or own
        out.append(
            {
                "row": row,
                "check_in": may and shift.checked_in_at is None,
                "check_out": may and shift.checked_in_at is not None and shift.checked_out_at is None,
                "own": own,
            }
        )
    return out


@staff_required
def hall_detail(request: HttpRequest, hall_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    hall = _hall(request, hall_id)
    runs = selectors.may_run(user, hall)
    board = selectors.hall_dashboard(hall)
    return render(
        request,
        "workbench/reception/hall/detail.html",
        {
            "hall": hall,
            "board": board,
            "runs": runs,
            "units": list(selectors.stationed_history(hall)),
            "duty": _duty_rows(user, board.duty, runs=runs),
            "average_wait": selectors.minutes(board.average_wait),
            "longest_wait": selectors.minutes(board.longest_wait),
            "today": local_date(),
        },
    )


# ---------------------------------------------------------------- stationed units


@staff_required
def hall_station_unit(request: HttpRequest, hall_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    hall = _hall(request, hall_id)
    if not selectors.may_run(user, hall):
        return _forbidden(request)
    if request.method == "POST":
        form = StationForm(request.POST, hall=hall)
        if form.is_valid():
            org = form.candidates[form.cleaned_data["org"]]
            try:
                unit = services.hall_station_unit(
                    actor=user,
                    hall=hall,
                    org=org,
                    window=form.cleaned_data["window"],
                    since=form.cleaned_data["since"],
                )
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(
                    request,
                    f"{unit.org.name}已进驻{hall.name}{'（' + unit.window + '）' if unit.window else ''}。",
                )
                return redirect("workbench:hall-detail", hall.pk)
    else:
        form = StationForm(hall=hall, initial={"since": local_date()})
    return render(request, "workbench/reception/hall/station.html", {"form": form, "hall": hall})


@staff_required
def hall_withdraw_unit(request: HttpRequest, stationed_id: int) -> HttpResponse:
    """GET: the form (the last day); POST: the withdrawal (also posted from the hall's page)."""
    user: User = request.user  # type: ignore[assignment]
    unit = selectors.stationed_for(user, stationed_id)
    if unit is None:
        raise Http404("驻厅单位不存在或您无权查看。")
    if not selectors.may_run(user, unit.hall):
        return _forbidden(request)
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.hall_withdraw_unit(actor=user, stationed=unit, until=form.cleaned_data["until"])
            except ServiceError as exc:
                service_error_on(form, exc, fields={"stationed": "__all__"})
            else:
                messages.success(
                    request,
                    f"{unit.org.name}已撤出{unit.hall.name}，最后一天为 {form.cleaned_data['until']:%Y-%m-%d}。",
                )
                return redirect("workbench:hall-detail", unit.hall_id)
    else:
        form = WithdrawForm(initial={"until": local_date()})
    return render(
        request, "workbench/reception/hall/withdraw.html", {"form": form, "unit": unit, "hall": unit.hall}
    )


# ---------------------------------------------------------------- the rota


@staff_required
def hall_rota(request: HttpRequest, hall_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    hall = _hall(request, hall_id)
    runs = selectors.may_run(user, hall)
    # The schedule form posts its week back, so a refusal is shown on the week it was made on.
    monday = _week_of(
        request.POST.get("week", "") if request.method == "POST" else request.GET.get("week", "")
    )
    week = [monday + dt.timedelta(days=offset) for offset in range(7)]
    units = list(selectors.stationed_during(hall, week[0], week[-1]))
    form = None
    if runs:
        if request.method == "POST":
            form = ScheduleForm(request.POST, units=units, week=week)
            if form.is_valid():
                done = _schedule(request, user, hall, form, week)
                if done:
                    return redirect(
                        f"{reverse('workbench:hall-rota', args=[hall.pk])}?week={monday.isoformat()}"
                    )
        else:
            form = ScheduleForm(
                units=units,
                week=week,
                initial={"days": [d.isoformat() for d in week if d.weekday() < 5 and d >= local_date()]},
            )
    elif request.method == "POST":
        return _forbidden(request)
    today = local_date()
    days = selectors.rota(hall, week[0], week[-1])
    for rota_day in days:
        for unit in rota_day.units:
            for shift in unit.shifts:
                own = shift.user_id is not None and shift.user_id == user.pk
                may = (runs or own) and shift.on == today
                shift.own = own  # type: ignore[attr-defined]
                shift.can_in = may and shift.checked_in_at is None  # type: ignore[attr-defined]
                shift.can_out = (  # type: ignore[attr-defined]
                    may and shift.checked_in_at is not None and shift.checked_out_at is None
                )
    return render(
        request,
        "workbench/reception/hall/rota.html",
        {
            "hall": hall,
            "runs": runs,
            "form": form,
            "days": days,
            "monday": monday,
            "sunday": week[-1],
            "previous": (monday - dt.timedelta(days=7)).isoformat(),
            "following": (monday + dt.timedelta(days=7)).isoformat(),
            "today": today,
        },
    )


def _schedule(request: HttpRequest, user: User, hall: Hall, form: ScheduleForm, week: list[dt.date]) -> bool:
    data = form.cleaned_data
    org = form.orgs[data["org"]]
    account = form.users.get(data["user"]) if data["user"] else None
    days = sorted(dt.date.fromisoformat(value) for value in data["days"])
    common = {
        "actor": user,
        "hall": hall,
        "org": org,
        "role": data["role"],
        "person": data["person"],
        "user": account,
        "phone": data["phone"],
    }
    try:
        if len(days) == 1:
            shift = services.duty_schedule(on=days[0], **common)
            messages.success(
                request, f"已排班：{shift.on:%Y-%m-%d} {org.name} {shift.get_role_display()} {shift.person}。"
            )
        else:
            made = services.duty_schedule_week(
                week_start=week[0], weekdays=sorted({day.isoweekday() for day in days}), **common
            )
            skipped = len(days) - len(made)
            note = f"，跳过 {skipped} 天（已过去、节假日、未进驻或已排班）" if skipped > 0 else ""
            messages.success(request, f"已为{made[0].person}排班 {len(made)} 天{note}。")
    except ServiceError as exc:
        service_error_on(form, exc, fields={"on": "days", "week_start": "days", "weekdays": "days"})
        return False
    return True


# ---------------------------------------------------------------- the shift steps


def _at(shift: DutyShift, form: CheckForm) -> dt.datetime | None:
    value = form.cleaned_data.get("time") if form.is_valid() else None
    return dt.datetime.combine(shift.on, value, tzinfo=LOCAL_TZ) if value else None


def _shift_step(request: HttpRequest, shift_id: int, step: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    shift = _shift(request, shift_id)
    back = _next(request, reverse("workbench:hall-detail", args=[shift.hall_id]))
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    runs = selectors.may_run(user, shift.hall)
    at = _at(shift, form) if runs else None  # only the hall's staff record another time
    try:
        if step == "in":
            done = services.duty_check_in(actor=user, shift=shift, at=at)
            messages.success(
                request, f"{done.person}已到岗（{done.checked_in_at.astimezone(LOCAL_TZ):%H:%M}）。"
            )  # type: ignore[union-attr]
        elif step == "out":
            done = services.duty_check_out(actor=user, shift=shift, at=at)
            messages.success(
                request, f"{done.person}已离岗（{done.checked_out_at.astimezone(LOCAL_TZ):%H:%M}）。"
            )  # type: ignore[union-attr]
        else:
            services.duty_cancel(actor=user, shift=shift)
            messages.success(request, f"已取消 {shift.on:%Y-%m-%d} {shift.org.name} {shift.person} 的排班。")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(back)


@staff_required
@require_POST
def duty_check_in(request: HttpRequest, shift_id: int) -> HttpResponse:
    return _shift_step(request, shift_id, "in")


@staff_required
@require_POST
def duty_check_out(request: HttpRequest, shift_id: int) -> HttpResponse:
    return _shift_step(request, shift_id, "out")


@staff_required
@require_POST
def duty_cancel(request: HttpRequest, shift_id: int) -> HttpResponse:
    return _shift_step(request, shift_id, "cancel")


@staff_required
def duty_note(request: HttpRequest, shift_id: int) -> HttpResponse:
    """GET: the form of a shift's reason (请假、公出 …); POST: saves it."""
    user: User = request.user  # type: ignore[assignment]
    shift = _shift(request, shift_id)
    if not selectors.may_run(user, shift.hall):
        return _forbidden(request)
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.duty_note_absence(actor=user, shift=shift, note=form.cleaned_data["note"])
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, f"已登记 {shift.on:%Y-%m-%d} {shift.person} 的说明。")
                week = shift.on - dt.timedelta(days=shift.on.weekday())
                return redirect(
                    f"{reverse('workbench:hall-rota', args=[shift.hall_id])}?week={week.isoformat()}"
                )
    else:
        form = NoteForm(initial={"note": shift.note})
    return render(
        request, "workbench/reception/hall/note.html", {"form": form, "shift": shift, "hall": shift.hall}
    )


# ---------------------------------------------------------------- attendance


ATTENDANCE_COLUMNS = (
    "驻厅单位",
    "窗口",
    "排班人次",
    "应到人次",
    "到岗",
    "缺岗",
    "其中有说明",
    "迟到",
    "早退",
    "未登记离岗",
    "到岗率",
    "缺岗率",
    "迟到率",
    "早退率",
)


def _cells(label: str, window: str, tally: selectors.Tally) -> list[Any]:
    return [
        label,
        window,
        tally.scheduled,
        tally.due,
        tally.present,
        tally.absent,
        tally.absent_noted,
        tally.late,
        tally.early,
        tally.no_check_out,
        tally.present_rate,
        tally.absent_rate,
        tally.late_rate,
        tally.early_rate,
    ]


def _xlsx(report: selectors.AttendanceReport) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "值班考勤"
    sheet.append([report.title])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    hall = report.hall
    sheet.append(
        [
            f"接待时间 {hall.opens_at:%H:%M}—{hall.closes_at:%H:%M}，迟到宽限 {hall.grace_minutes} 分钟；"
            f"统计截至 {report.as_of:%Y-%m-%d}（当天及以后未到岗的不计缺岗）。"
        ]
    )
    sheet.append(list(ATTENDANCE_COLUMNS))
    header = sheet.max_row
    for index in range(1, len(ATTENDANCE_COLUMNS) + 1):
        cell = sheet.cell(row=header, column=index)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = 30 if index == 1 else 11
    rows = [_cells(row.org.name, row.window, row.tally) for row in report.rows]
    rows.append(_cells("合计", "", report.total))
    rows.append(_cells("其中：带班领导", "", report.leaders))
    rows.append(_cells("其中：值班人员", "", report.staff))
    for values in rows:
        sheet.append(
            [
                v.value
                if isinstance(v, selectors.Rate) and v.value is not None
                else ("—" if isinstance(v, selectors.Rate) else v)
                for v in values
            ]
        )
        for column in range(11, 15):
            cell = sheet.cell(row=sheet.max_row, column=column)
            if isinstance(cell.value, float):
                cell.number_format = "0.0%"
            else:
                cell.alignment = Alignment(horizontal="right")
    sheet.freeze_panes = f"A{header + 1}"
    book.properties.title = report.title
    book.properties.creator = hall.org.name
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@staff_required
def hall_attendance(request: HttpRequest, hall_id: int) -> HttpResponse:
    """The month's report (?month=YYYY-MM); ?download=xlsx gives the same as .xlsx. A stationed
    unit's staff see their own unit's rows only."""
    user: User = request.user  # type: ignore[assignment]
    hall = _hall(request, hall_id)
    year, month = _month_of(request)
    runs = selectors.may_run(user, hall)
    report = selectors.attendance_report(hall, year, month, orgs=None if runs else selectors.own_orgs(user))
    if request.GET.get("download") == "xlsx":
        return file_download(_xlsx(report), f"{report.title}.xlsx", XLSX_MIME)
    first = dt.date(year, month, 1)
    previous = first - dt.timedelta(days=1)
    following = first + dt.timedelta(days=32)
    return render(
        request,
        "workbench/reception/hall/attendance.html",
        {
            "hall": hall,
            "report": report,
            "runs": runs,
            "month": f"{year:04d}-{month:02d}",
            "totals": [
                ("合计", report.total),
                ("其中：带班领导", report.leaders),
                ("其中：值班人员", report.staff),
            ],
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
        },
    )
