"""Staff pages of 约访 (appointments) and 下访 / 夜访 (visits down, night visits): the lists, the
new forms, the details with the result, outcome and feedback forms.

Reads go through ``xinfang.leadership.selectors.visits`` (what a user may not see is a 404);
changes through ``xinfang.leadership.services.visits``, which check roles, reach and state. The
``may_*`` helpers here only decide which forms to show; a refusal comes back on the form's field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_detail, cases_visible_to
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import LOCAL_TZ, local_date
from xinfang.leadership.models import (
    Appointment,
    AppointmentStatus,
    FieldVisit,
    FieldVisitCase,
    FieldVisitKind,
)
from xinfang.leadership.selectors import visits as selectors
from xinfang.leadership.services import visits as services
from xinfang.leadership.services._common import ORGANISER_ROLES, UNIT_ROLES, within_reach
from xinfang.orgs.models import Membership, Org, OrgKind, Role, User
from xinfang.orgs.permissions import holds_role
from xinfang.orgs.selectors import user_memberships
from xinfang.workbench.cases import staff_required
from xinfang.workbench.form_helpers import IsoDateInput as DateInput

PER_PAGE = 30
MAX_CASE_NUMBERS = 200
APPOINTMENT_TABS = {"planned": "待约见", "done": "已办结", "all": "全部"}
VISIT_TABS = {"down": "下访", "night": "夜访", "awaiting": "待反馈"}
RESOLVED_CHOICES = [("", "请选择"), ("yes", "就地化解"), ("no", "未化解")]


# ---------------------------------------------------------------- who may do what (for display)


def organising_orgs(user: User) -> list[Org]:
    """The bureaus and Party committees / governments where ``user`` organises the leaders' work."""
    found = {
        m.org
        for m in user_memberships(user).filter(
            org__kind__in=(OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT), role__in=ORGANISER_ROLES
        )
    }
    return sorted(found, key=lambda org: org.pk)


def leading_orgs(user: User) -> list[Org]:
    """The organs where ``user`` is a leader (who may invite and record in person)."""
    return sorted({m.org for m in user_memberships(user).filter(role=Role.LEADER)}, key=lambda org: org.pk)


def acting_orgs(user: User) -> list[Org]:
    return sorted({*organising_orgs(user), *leading_orgs(user)}, key=lambda org: org.pk)


def leaders_within_reach(orgs: list[Org]) -> list[tuple[User, Org]]:
    """Each leader (with the organ they lead) who may meet the petitioners of one of ``orgs``: a
    leader of an organ whose region covers it, read by the regions above each organ."""
    codes = {code for org in orgs for code in org.region.path.strip("/").split("/") if code}
    rows = (
        Membership.objects.filter(
            role=Role.LEADER,
            is_active=True,
            org__is_active=True,
            user__is_active=True,
            org__region__code__in=codes,
        )
        .select_related("user", "org", "org__region")
        .order_by("org__region__path", "org_id", "user_id")
    )
    found: dict[int, tuple[User, Org]] = {}
    for m in rows:
        if any(within_reach(org, m.org) for org in orgs):
            found.setdefault(m.user_id, (m.user, m.org))
    return list(found.values())


def townships_within_reach(orgs: list[Org]) -> list[Org]:
    """The active township offices in the region of one of ``orgs`` (a 夜访 is pushed down)."""
    within = Q(pk__in=[])
    for org in orgs:
        within |= Q(region__path__startswith=org.region.path)
    return list(Org.objects.filter(within, kind=OrgKind.TOWNSHIP, is_active=True).order_by("path"))


def may_record_appointment(user: User, appointment: Appointment) -> bool:
    return appointment.status == AppointmentStatus.PLANNED and (
        appointment.leader_id == user.pk or services.may_organise(user, appointment.org)
    )


def may_record_outcome(user: User, item: FieldVisitCase) -> bool:
    visit = item.visit
    return (
        visit.kind == FieldVisitKind.DOWN
        and item.recorded_at is None
        and (visit.leader_id == user.pk or services.may_organise(user, visit.org))
    )


def may_feedback(user: User, item: FieldVisitCase) -> bool:
    visit = item.visit
    return (
        visit.kind == FieldVisitKind.NIGHT
        and item.recorded_at is None
        and visit.target_org is not None
        and holds_role(user, visit.target_org, UNIT_ROLES)
    )


# ---------------------------------------------------------------- forms


def _org_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, error_messages={"required": f"请选择{label}。"})


def _set_orgs(field: forms.Field, orgs: list[Org]) -> None:
    field.choices = [(org.pk, org.name) for org in orgs]  # type: ignore[attr-defined]
    if len(orgs) == 1:
        field.initial = orgs[0].pk


class CasesField(TextField):
    """信访件编号, one a line (spaces, commas and 、 separate too)."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return list(dict.fromkeys(part for part in re.split(r"[\s,，、;；]+", text) if part))


def _visible_cases(user: User, form: forms.Form, field: str = "cases") -> list[Case] | None:
    """The cases named in ``form``'s ``field`` that ``user`` may see, in the order typed; None (with
    the error on the field) when a number is unknown or not visible."""
    numbers: list[str] = form.cleaned_data.get(field) or []
    if not numbers:
        form.add_error(field, "请至少填写一个信访件编号。")
        return None
    if len(numbers) > MAX_CASE_NUMBERS:
        form.add_error(field, f"一次至多 {MAX_CASE_NUMBERS} 件。")
        return None
    found = {case.number: case for case in cases_visible_to(user).filter(number__in=numbers)}
    unknown = [number for number in numbers if number not in found]
    if unknown:
        form.add_error(field, f"以下编号不存在或您无权查看：{'、'.join(unknown)}。")
        return None
    return [found[number] for number in numbers]


class AppointmentForm(forms.Form):
    case = TextField(label="信访件编号", max_length=32, error_messages={"required": "请填写信访件编号。"})
    org = _org_field("约访机关")
    leader = forms.TypedChoiceField(label="约访领导", coerce=int, required=False, empty_value=None)
    on = forms.DateField(
        label="约见日期",
        widget=DateInput,
        error_messages={"required": "请填写约见日期。", "invalid": "约见日期应为日期（年-月-日）。"},
    )
    time = forms.TimeField(
        label="约见时间",
        input_formats=["%H:%M"],
        widget=forms.TextInput(attrs={"placeholder": "09:30", "inputmode": "numeric"}),
        error_messages={"required": "请填写约见时间。", "invalid": "约见时间应为“时:分”，如 09:30。"},
    )
    place = TextField(
        label="约见地点", max_length=services.MAX_PLACE, error_messages={"required": "请填写约见地点。"}
    )
    purpose = TextField(label="约访事由", max_length=services.MAX_PURPOSE, required=False)

    def __init__(self, *args: Any, orgs: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {org.pk: org for org in orgs}
        _set_orgs(self.fields["org"], orgs)
        self.leaders = {user.pk: user for user, _ in leaders_within_reach(orgs)}
        self.fields["leader"].choices = [("", "不指定（以本机关名义约访）")] + [  # type: ignore[attr-defined]
            (user.pk, f"{user}（{org.name}）") for user, org in leaders_within_reach(orgs)
        ]
        self.fields["leader"].help_text = "领导本人安排约访时，约访领导即本人。"
        self.fields["on"].widget.attrs["min"] = local_date().isoformat()


class AppointmentRecordForm(forms.Form):
    status = forms.ChoiceField(
        label="约访结果",
        choices=[("", "请选择"), *[(s.value, s.label) for s in services.RECORDABLE_STATUSES]],
        error_messages={"required": "请选择约访结果。"},
    )
    outcome = TextField(
        label="约访情况",
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "约见经过、信访人诉求、领导意见与后续安排"}),
        help_text="“已约见”须填写；“信访人未到”“已取消”可写明原因。",
    )


class FieldVisitForm(forms.Form):
    """下访 (kind down) or 夜访 (kind night): the fields of both, the other kind's left out."""

    org = _org_field("组织机关")
    leader = forms.TypedChoiceField(
        label="带队领导", coerce=int, error_messages={"required": "请选择带队领导。"}
    )
    target_org = forms.TypedChoiceField(
        label="承接乡镇", coerce=int, error_messages={"required": "请选择承接乡镇。"}
    )
    on = forms.DateField(
        label="日期",
        widget=DateInput,
        error_messages={"required": "请填写日期。", "invalid": "日期应为年-月-日。"},
    )
    days = forms.IntegerField(
        label="下访天数",
        min_value=1,
        max_value=services.MAX_VISIT_DAYS,
        initial=1,
        error_messages={
            "required": "请填写下访天数。",
            "invalid": "下访天数应为整数。",
            "min_value": f"下访天数应为 1 至 {services.MAX_VISIT_DAYS} 天。",
            "max_value": f"下访天数应为 1 至 {services.MAX_VISIT_DAYS} 天。",
        },
    )
    place = TextField(
        label="地点", max_length=services.MAX_PLACE, error_messages={"required": "请填写地点。"}
    )
    participants = TextField(
        label="参加人员", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = TextField(
        label="情况小结", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cases = CasesField(
        label="信访件编号",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "每行一个信访件编号"}),
        error_messages={"required": "请至少填写一个信访件编号。"},
    )

    def __init__(self, *args: Any, kind: str, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == FieldVisitKind.DOWN:
            orgs = acting_orgs(user)
            del self.fields["target_org"]
            self.leaders = {u.pk: u for u, _ in leaders_within_reach(orgs)}
            self.fields["leader"].choices = [("", "请选择")] + [  # type: ignore[attr-defined]
                (u.pk, f"{u}（{org.name}）") for u, org in leaders_within_reach(orgs)
            ]
            self.fields["on"].label = "下访日期"
            self.fields["on"].widget.attrs["max"] = local_date().isoformat()
            self.fields["on"].help_text = "下访结束后登记；多日下访填第一天。"
            self.fields["cases"].help_text = "带案下访的信访件，每行一个编号。"
        else:
            orgs = organising_orgs(user)
            del self.fields["leader"], self.fields["days"], self.fields["summary"]
            self.towns = {town.pk: town for town in townships_within_reach(orgs)}
            self.fields["target_org"].choices = [("", "请选择")] + [  # type: ignore[attr-defined]
                (town.pk, town.name) for town in self.towns.values()
            ]
            self.fields["on"].label = "夜访日期"
            self.fields["on"].widget.attrs["min"] = local_date().isoformat()
            self.fields["place"].label = "夜访地点"
            self.fields[
                "cases"
            ].help_text = "推送乡镇夜访的信访件，每行一个编号；乡镇须能查看（已转送或交办该乡镇）。"
        self.orgs = {org.pk: org for org in orgs}
        _set_orgs(self.fields["org"], orgs)


class ItemForm(forms.Form):
    """The outcome of a case taken down, or the township's feedback on a 夜访 case."""

    resolved = forms.ChoiceField(
        label="是否就地化解", choices=RESOLVED_CHOICES, error_messages={"required": "请选择是否就地化解。"}
    )
    outcome = TextField(
        label="情况",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写情况。"},
    )


def _service_error_on(form: forms.Form, exc: ServiceError, *, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the field it names, or above the form."""
    name = (fields or {}).get(exc.field or "", exc.field)
    form.add_error(name if name in form.fields else None, exc.message)


# ---------------------------------------------------------------- 约访


@staff_required
def appointment_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    tab = request.GET.get("tab", "planned")
    tab = tab if tab in APPOINTMENT_TABS else "planned"
    visible = selectors.appointments_visible_to(user)
    by_status = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    planned = by_status.get(AppointmentStatus.PLANNED, 0)
    counts = {"planned": planned, "done": sum(by_status.values()) - planned, "all": sum(by_status.values())}
    if tab == "planned":
        rows = visible.filter(status=AppointmentStatus.PLANNED).order_by("at", "pk")
    elif tab == "done":
        rows = visible.exclude(status=AppointmentStatus.PLANNED).order_by("-at", "-pk")
    else:
        rows = visible.order_by("-at", "-pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/leadership/visits/appointment_list.html",
        {
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in APPOINTMENT_TABS.items()],
            "page": page,
            "may_schedule": bool(acting_orgs(user)),
        },
    )


@staff_required
def appointment_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    orgs = acting_orgs(user)
    case: Case | None = None
    wanted = request.GET.get("case", "")
    if wanted:
        case = case_detail(user, int(wanted)) if wanted.isdigit() and len(wanted) < 19 else None
        if case is None:
            raise Http404("信访件不存在或您无权查看。")
    initial = {"case": case.number} if case else {}
    form = AppointmentForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and orgs and form.is_valid():
        data = form.cleaned_data
        chosen = cases_visible_to(user).filter(number=data["case"]).first()
        if chosen is None:
            form.add_error("case", f"信访件 {data['case']} 不存在或您无权查看。")
        else:
            try:
                appointment = services.appointment_schedule(
                    actor=user,
                    org=form.orgs[data["org"]],
                    case=chosen,
                    at=dt.datetime.combine(data["on"], data["time"], tzinfo=LOCAL_TZ),
                    place=data["place"],
                    purpose=data["purpose"],
                    leader=form.leaders.get(data["leader"]) if data["leader"] else None,
                )
            except ServiceError as exc:
                _service_error_on(form, exc, fields={"at": "on"})
            else:
                messages.success(
                    request,
                    f"已安排约访：{appointment.at.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}，{appointment.place}。",
                )
                return redirect("workbench:appointment-detail", appointment.pk)
    return render(
        request,
        "workbench/leadership/visits/appointment_new.html",
        {"form": form, "case": case, "orgs": orgs},
    )


def _appointment(request: HttpRequest, appointment_id: int) -> Appointment:
    appointment = selectors.appointment_detail(request.user, appointment_id)  # type: ignore[arg-type]
    if appointment is None:
        raise Http404("约访不存在或您无权查看。")
    return appointment


def _appointment_page(
    request: HttpRequest, appointment: Appointment, form: AppointmentRecordForm | None = None
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    may_record = may_record_appointment(user, appointment)
    return render(
        request,
        "workbench/leadership/visits/appointment_detail.html",
        {
            "appointment": appointment,
            "case": appointment.case,
            "form": form or (AppointmentRecordForm() if may_record else None),
        },
    )


@staff_required
def appointment_detail(request: HttpRequest, appointment_id: int) -> HttpResponse:
    return _appointment_page(request, _appointment(request, appointment_id))


@staff_required
@require_POST
def appointment_record(request: HttpRequest, appointment_id: int) -> HttpResponse:
    appointment = _appointment(request, appointment_id)
    form = AppointmentRecordForm(request.POST)
    if form.is_valid():
        try:
            done = services.appointment_record(
                actor=request.user,  # type: ignore[arg-type]
                appointment=appointment,
                status=form.cleaned_data["status"],
                outcome=form.cleaned_data["outcome"],
            )
        except ServiceError as exc:
            _service_error_on(form, exc)
        else:
            messages.success(request, f"已记录约访结果：{done.get_status_display()}。")
            return redirect("workbench:appointment-detail", done.pk)
    return _appointment_page(request, appointment, form)


# ---------------------------------------------------------------- 下访 and 夜访


@staff_required
def field_visit_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    tab = request.GET.get("tab", "down")
    tab = tab if tab in VISIT_TABS else "down"
    visible = selectors.field_visits_visible_to(user)
    by_kind = dict(visible.order_by().values_list("kind").annotate(n=Count("pk", distinct=True)))
    awaiting = selectors.night_visits_awaiting(user)
    counts = {"down": by_kind.get("down", 0), "night": by_kind.get("night", 0), "awaiting": awaiting.count()}
    rows: Any = awaiting if tab == "awaiting" else visible.filter(kind=tab).order_by("-on", "-pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/leadership/visits/field_visit_list.html",
        {
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in VISIT_TABS.items()],
            "page": page,
            "may_record_down": bool(acting_orgs(user)),
            "may_push": bool(organising_orgs(user)),
        },
    )


@staff_required
def field_visit_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    kind = request.GET.get("kind", FieldVisitKind.DOWN)
    kind = kind if kind in FieldVisitKind.values else FieldVisitKind.DOWN
    form = FieldVisitForm(request.POST or None, kind=kind, user=user)
    if request.method == "POST" and form.orgs and form.is_valid():
        cases = _visible_cases(user, form)
        if cases is not None:
            try:
                visit = _create_visit(user, form, cases)
            except ServiceError as exc:
                _service_error_on(form, exc)
            else:
                done = (
                    f"已登记下访，带案 {len(cases)} 件。"
                    if kind == FieldVisitKind.DOWN
                    else f"已向{visit.target_org.name if visit.target_org else ''}推送夜访 {len(cases)} 件。"
                )
                messages.success(request, done)
                return redirect("workbench:field-visit-detail", visit.pk)
    return render(
        request,
        "workbench/leadership/visits/field_visit_new.html",
        {"form": form, "kind": kind, "kind_label": FieldVisitKind(kind).label},
    )


def _create_visit(user: User, form: FieldVisitForm, cases: list[Case]) -> FieldVisit:
    data = form.cleaned_data
    org = form.orgs[data["org"]]
    if form.kind == FieldVisitKind.DOWN:
        leader = form.leaders.get(data["leader"])
        if leader is None:
            raise ServiceError("请选择带队领导。", field="leader")
        return services.field_visit_record(
            actor=user,
            org=org,
            leader=leader,
            on=data["on"],
            days=data["days"],
            place=data["place"],
            participants=data["participants"],
            summary=data["summary"],
            cases=cases,
        )
    town = form.towns.get(data["target_org"])
    if town is None:
        raise ServiceError("请选择承接乡镇。", field="target_org")
    return services.field_visit_push(
        actor=user,
        org=org,
        target_org=town,
        on=data["on"],
        place=data["place"],
        participants=data["participants"],
        cases=cases,
    )


def _visit(request: HttpRequest, visit_id: int) -> FieldVisit:
    visit = selectors.field_visit_detail(request.user, visit_id)  # type: ignore[arg-type]
    if visit is None:
        raise Http404("下访记录不存在或您无权查看。")
    return visit


def _visit_page(
    request: HttpRequest, visit: FieldVisit, bound: ItemForm | None = None, bound_item: int = 0
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rows = []
    hidden = 0
    for item in selectors.visit_items(user, visit):
        if not item.case_seen:
            hidden += 1
            continue
        item.visit = visit
        form: ItemForm | None = None
        if bound is not None and item.pk == bound_item:
            form = bound
        elif may_record_outcome(user, item) or may_feedback(user, item):
            form = ItemForm(prefix=f"item{item.pk}")
        if form is not None:
            form.fields["outcome"].label = "化解情况" if visit.kind == FieldVisitKind.DOWN else "夜访情况"
        step = (
            "field-visit-item-outcome" if visit.kind == FieldVisitKind.DOWN else "field-visit-item-feedback"
        )
        rows.append({"item": item, "form": form, "url": reverse(f"workbench:{step}", args=[item.pk])})
    return render(
        request,
        "workbench/leadership/visits/field_visit_detail.html",
        {"visit": visit, "rows": rows, "hidden": hidden},
    )


@staff_required
def field_visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    return _visit_page(request, _visit(request, visit_id))


def _item_step(request: HttpRequest, item_id: int, *, feedback: bool) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    item = selectors.field_visit_item(user, item_id)
    if item is None:
        raise Http404("下访件不存在或您无权查看。")
    form = ItemForm(request.POST, prefix=f"item{item.pk}")
    if form.is_valid():
        step = services.field_visit_feedback if feedback else services.field_visit_case_outcome
        try:
            step(
                actor=user,
                item=item,
                resolved=form.cleaned_data["resolved"] == "yes",
                outcome=form.cleaned_data["outcome"],
            )
        except ServiceError as exc:
            _service_error_on(form, exc)
        else:
            messages.success(request, f"已{'反馈' if feedback else '记录'}信访件 {item.case.number} 的情况。")
            return redirect("workbench:field-visit-detail", item.visit_id)
    return _visit_page(request, _visit(request, item.visit_id), bound=form, bound_item=item.pk)


@staff_required
@require_POST
def field_visit_item_outcome(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_step(request, item_id, feedback=False)


@staff_required
@require_POST
def field_visit_item_feedback(request: HttpRequest, item_id: int) -> HttpResponse:
    return _item_step(request, item_id, feedback=True)
