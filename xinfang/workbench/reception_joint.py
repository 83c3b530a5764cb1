"""Staff pages of 联合接访 (第十八条第三款): convening the stationed units for a case (from the case or
its ticket), the joint reception with its attendance and conclusion forms, and a hall's list with
the month's figures (联合接访批次, 现场解决数, 现场化解率).

Reads go through ``xinfang.reception.selectors.joint`` (a joint reception whose hall or case the user
may not see is a 404); changes through ``xinfang.reception.services``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.cases.selectors import case_detail, cases_visible_to
from xinfang.cases.services import ReplyInput
from xinfang.cases.services.replies import OUTCOME_TAGS, OUTCOMES
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import Org, User
from xinfang.reception import services
from xinfang.reception.models import Hall, JointOutcome, JointReception, Ticket
from xinfang.reception.selectors import halls_visible_to
from xinfang.reception.selectors import joint as selectors
from xinfang.reception.selectors.queue import halls_run_by, stationed_units_on, ticket_for
from xinfang.reception.services._common import may_run_hall
from xinfang.workbench.cases import staff_required
from xinfang.workbench.form_helpers import IsoDateInput, service_error_on

PER_PAGE = 30
MAX_ASSIST_ROWS = 8
_ASSIST_FIELD = re.compile(r"^assisting\[(\d+)\](?:\.(\w+))?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
NOT_HALL_STAFF = "只有接访大厅所属机关或其上级信访部门的工作人员可以组织联合接访。"
OUTCOME_CHOICES = [
    (JointOutcome.ON_SPOT.value, JointOutcome.ON_SPOT.label),
    (JointOutcome.ASSIGNED.value, JointOutcome.ASSIGNED.label),
    (JointOutcome.FORWARDED.value, JointOutcome.FORWARDED.label),
]


def _id(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


# ---------------------------------------------------------------- forms


def _unit_choices(hall: Hall) -> tuple[dict[int, Org], list[tuple[int, str]]]:
    units = stationed_units_on(hall)
    orgs = {unit.org.pk: unit.org for unit in units}
    return orgs, [
        (unit.org.pk, f"{unit.org.name}（{unit.window}）" if unit.window else unit.org.name) for unit in units
    ]


class ConveneForm(forms.Form):
    lead_org = forms.TypedChoiceField(
        label="牵头单位", coerce=int, error_messages={"required": "请选择牵头单位。"}
    )
    plan = TextField(
        label="现场处理方案",
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="现场研究确定的处理思路、分工；可在结束时补充结果说明。",
    )

    def __init__(self, *args: Any, hall: Hall, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs, choices = _unit_choices(hall)
        self.fields["lead_org"].choices = [("", "请选择驻厅单位"), *choices]

    def lead(self) -> Org | None:
        return self.orgs.get(self.cleaned_data["lead_org"])


class AssistRowForm(forms.Form):
    org = forms.TypedChoiceField(label="配合单位", coerce=int, required=False, empty_value=None)
    task = TextField(label="承担任务", max_length=200, required=False)

    def __init__(self, *args: Any, hall: Hall, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs, choices = _unit_choices(hall)
        self.fields["org"].choices = [("", "请选择"), *choices]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return data.get("org") is None and not (data.get("task") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("org") is None and (data.get("task") or "").strip() and "org" not in self.errors:
            self.add_error("org", "请选择配合单位。")
        return data

    def entry(self) -> tuple[Org | None, str]:
        return self.orgs.get(self.cleaned_data["org"]), self.cleaned_data["task"] or ""


class AttendanceForm(forms.Form):
    org = forms.TypedChoiceField(label="单位", coerce=int)
    # Labelled by aria-label: a visually hidden <label> inside the scrolling table would widen the page.
    attendee = TextField(
        label="到场人员",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"aria-label": "到场人员", "placeholder": "到场人员姓名"}),
    )
    attended = forms.TypedChoiceField(
        label="到场情况", choices=[("1", "到场"), ("0", "未到场")], coerce=lambda v: v == "1", initial="1"
    )

    def __init__(self, *args: Any, joint: JointReception, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {unit.org.pk: unit.org for unit in selectors.joint_units(joint)}
        self.fields["org"].choices = [(pk, org.name) for pk, org in self.orgs.items()]


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="结果", choices=OUTCOME_CHOICES, error_messages={"required": "请选择结果。"}
    )
    note = TextField(
        label="结果说明",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写结果说明。"},
    )
    reply_outcome = forms.ChoiceField(
        label="处理意见", choices=[("", "请选择"), *OUTCOMES.items()], required=False
    )
    reply_request = TextField(
        label="信访请求", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reply_facts = TextField(
        label="查明事实", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reply_reasons = TextField(
        label="处理理由",
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="将写明“经牵头单位……会同……现场研究”。",
    )
    reply_legal_basis = TextField(
        label="法律依据", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reply_tags = forms.MultipleChoiceField(
        label="办理结果（三到位一处理）",
        choices=list(OUTCOME_TAGS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    report_due = forms.DateField(
        label="办结报告期限",
        required=False,
        widget=IsoDateInput(),
        error_messages={"invalid": "办结报告期限应为日期（年-月-日）。"},
    )

    def reply(self) -> ReplyInput | None:
        data = self.cleaned_data
        if data["outcome"] != JointOutcome.ON_SPOT:
            return None
        return ReplyInput(
            outcome=data["reply_outcome"],
            request=data["reply_request"],
            facts=data["reply_facts"],
            reasons=data["reply_reasons"],
            legal_basis=data["reply_legal_basis"],
            tags=list(data["reply_tags"]),
        )


# ---------------------------------------------------------------- convening


def _case_lookup(request: HttpRequest, user: User) -> HttpResponse:
    """No case chosen yet: find one by its number (through the access policy)."""
    number = (request.GET.get("number") or "").strip()[:64]
    error = ""
    if number:
        found = cases_visible_to(user).filter(number=number).first()
        if found is not None:
            return redirect(f"{request.path}?case={found.pk}")
        error = f"信访件 {number} 不存在或您无权查看。"
    return render(request, "workbench/reception/joint/find_case.html", {"number": number, "error": error})


def _apply_convene_error(exc: ServiceError, form: ConveneForm, formset: Any, rows: list[int]) -> None:
    field = exc.field or ""
    match = _ASSIST_FIELD.match(field)
    if match:
        index, name = int(match.group(1)), match.group(2) or "org"
        row = rows[index] if index < len(rows) else None
        if row is not None and name in formset.forms[row].fields:
            formset.forms[row].add_error(name, exc.message)
            return
    if field == "assisting":
        formset.non_form_errors().append(exc.message)
        return
    service_error_on(form, exc)


@staff_required
def joint_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case_id = _id(request.GET.get("case"))
    if request.GET.get("case") is not None and case_id is None:
        raise Http404("信访件不存在或您无权查看。")
    if case_id is None:
        return _case_lookup(request, user)
    case = case_detail(user, case_id)
    if case is None:
        raise Http404("信访件不存在或您无权查看。")
    ticket: Ticket | None = None
    if request.GET.get("ticket"):
        ticket_id = _id(request.GET.get("ticket"))
        ticket = ticket_for(user, ticket_id) if ticket_id is not None else None
        if ticket is None:
            raise Http404("排队号不存在或您无权查看。")
    halls = halls_run_by(user)
    wanted = _id(request.GET.get("hall"))
    hall = ticket.hall if ticket is not None else next((h for h in halls if h.pk == wanted), None)
    hall = hall or (halls[0] if halls else None)
    if hall is None or not may_run_hall(user, hall):
        return render(
            request, "workbench/forbidden.html", {"message": NOT_HALL_STAFF, "case": case}, status=403
        )
    units = stationed_units_on(hall)
    extra = min(max(len(units) - 1, 1), MAX_ASSIST_ROWS)
    formset_class = forms.formset_factory(
        AssistRowForm, extra=extra, max_num=MAX_ASSIST_ROWS, absolute_max=MAX_ASSIST_ROWS
    )
    if request.method == "POST":
        form = ConveneForm(request.POST, hall=hall)
        formset = formset_class(request.POST, prefix="assist", form_kwargs={"hall": hall})
        if form.is_valid() and formset.is_valid():
            rows = [index for index, row in enumerate(formset.forms) if not row.is_blank()]
            try:
                joint = services.joint_convene(
                    actor=user,
                    hall=hall,
                    case=case,
                    lead_org=form.lead(),  # type: ignore[arg-type]
                    assisting=[formset.forms[i].entry() for i in rows],  # type: ignore[misc]
                    plan=form.cleaned_data["plan"],
                    ticket=ticket,
                )
            except ServiceError as exc:
                _apply_convene_error(exc, form, formset, rows)
            else:
                messages.success(
                    request,
                    f"已召集联合接访：牵头单位{joint.lead_org.name}，配合单位 {len(rows)} 个。请登记到场情况。",
                )
                return redirect("workbench:joint-detail", joint.pk)
    else:
        form = ConveneForm(hall=hall)
        formset = formset_class(prefix="assist", form_kwargs={"hall": hall})
    has_errors = bool(form.errors) or formset.total_error_count() > 0
    return render(
        request,
        "workbench/reception/joint/new.html",
        {
            "case": case,
            "ticket": ticket,
            "hall": hall,
            "halls": halls if ticket is None else [],
            "units": units,
            "form": form,
            "formset": formset,
            "has_errors": has_errors,
            "action": request.get_full_path(),
        },
    )


# ---------------------------------------------------------------- one joint reception


def _visible(request: HttpRequest, joint_id: int) -> JointReception:
    joint = selectors.joint_detail(request.user, joint_id)  # type: ignore[arg-type]
    if joint is None:
        raise Http404("联合接访记录不存在或您无权查看。")
    return joint


def _reply_initial(joint: JointReception) -> dict[str, Any]:
    ticket = joint.ticket
    return {
        "outcome": JointOutcome.ON_SPOT,
        "reply_request": ticket.request if ticket is not None and ticket.request else joint.case.subject,
    }


def _detail_page(
    request: HttpRequest,
    joint: JointReception,
    *,
    attendance: tuple[int, AttendanceForm] | None = None,
    conclude_form: ConcludeForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    runs = may_run_hall(user, joint.hall) and joint.outcome == JointOutcome.PENDING
    units = selectors.joint_units(joint)
    for unit in units:
        unit.attendance_form = None  # type: ignore[attr-defined]
        if runs:
            bound = attendance[1] if attendance and attendance[0] == unit.org_id else None
            unit.attendance_form = bound or AttendanceForm(  # type: ignore[attr-defined]
                joint=joint,
                initial={"org": unit.org_id, "attendee": unit.attendee},
                auto_id=f"id_u{unit.pk}_%s",
            )
    if runs and conclude_form is None:
        conclude_form = ConcludeForm(initial=_reply_initial(joint))
    context = {
        "joint": joint,
        "units": units,
        "runs": runs,
        "conclude_form": conclude_form if runs else None,
        "case": joint.case,
        "error": error,
    }
    return render(request, "workbench/reception/joint/detail.html", context, status=status)


@staff_required
def joint_view(request: HttpRequest, joint_id: int) -> HttpResponse:
    return _detail_page(request, _visible(request, joint_id))


@staff_required
@require_POST
def joint_attendance(request: HttpRequest, joint_id: int) -> HttpResponse:
    joint = _visible(request, joint_id)
    org_id = _id(request.POST.get("org"))
    unit = next((u for u in selectors.joint_units(joint) if u.org_id == org_id), None)
    if unit is None:
        raise Http404("该单位不是本次联合接访的参加单位。")
    form = AttendanceForm(request.POST, joint=joint, auto_id=f"id_u{unit.pk}_%s")
    if form.is_valid():
        try:
            recorded = services.joint_record_attendance(
                actor=request.user,  # type: ignore[arg-type]
                joint=joint,
                org=unit.org,
                attendee=form.cleaned_data["attendee"],
                attended=form.cleaned_data["attended"],
            )
        except ServiceError as exc:
            if exc.field not in form.fields:
                return _detail_page(request, joint, attendance=(unit.org_id, form), error=exc.message)
            service_error_on(form, exc)
        else:
            what = f"到场：{recorded.attendee}" if recorded.attended else "未到场"
            messages.success(request, f"已登记{unit.org.name}{what}。")
            return redirect("workbench:joint-detail", joint.pk)
    return _detail_page(request, joint, attendance=(unit.org_id, form))


@staff_required
@require_POST
def joint_conclude(request: HttpRequest, joint_id: int) -> HttpResponse:
    joint = _visible(request, joint_id)
    form = ConcludeForm(request.POST)
    if form.is_valid():
        try:
            done = services.joint_conclude(
                actor=request.user,  # type: ignore[arg-type]
                joint=joint,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                reply=form.reply(),
                report_due=form.cleaned_data["report_due"],
            )
        except ServiceError as exc:
            names = {
                f"reply.{name}": f"reply_{name}"
                for name in ("outcome", "request", "facts", "reasons", "legal_basis", "tags")
            }
            fields = {**names, "reply": "reply_outcome"}
            if fields.get(exc.field or "", exc.field) not in form.fields:
                # Not a fault of the form (already concluded, the case's state, a role): said above.
                return _detail_page(request, joint, conclude_form=form, error=exc.message)
            service_error_on(form, exc, fields=fields)
        else:
            messages.success(request, f"联合接访已结束：{done.get_outcome_display()}。")
            return redirect("workbench:joint-detail", done.pk)
    return _detail_page(request, joint, conclude_form=form)


# ---------------------------------------------------------------- a hall's list


def _month(value: str | None) -> tuple[dt.date, str]:
    today = local_date().replace(day=1)
    match = _MONTH.match((value or "").strip())
    if not value:
        return today, ""
    if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= 2100:
        return dt.date(int(match.group(1)), int(match.group(2)), 1), ""
    return today, "月份应为“年-月”，如 2025-03；已显示本月。"


@staff_required
def joint_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    halls = list(halls_visible_to(user))
    wanted = _id(request.GET.get("hall"))
    if request.GET.get("hall") and (wanted is None or all(h.pk != wanted for h in halls)):
        raise Http404("接访大厅不存在或您无权查看。")
    hall = next((h for h in halls if h.pk == wanted), halls[0] if halls else None)
    month, month_error = _month(request.GET.get("month"))
    rows = selectors.joint_receptions_of(user, hall, month=month) if hall else JointReception.objects.none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/reception/joint/list.html",
        {
            "halls": halls,
            "hall": hall,
            "month": month,
            "month_error": month_error,
            "figures": selectors.joint_figures(rows),
            "page": page,
            "may_convene": bool(hall and may_run_hall(user, hall)),
        },
    )
