"""Staff pages of 律师参与接访: the hall's lawyers with the week's rota and the form that adds one,
a lawyer's edit form and deactivation, the form that records a consultation (opened from a case or
a ticket, too), and the month's consultations with their figures (批次, 人次, 引导法律援助).

Reads go through ``xinfang.reception.selectors.lawyers`` (a hall the user does not see is a 404, a
case the user may not see is not linked). Changes go through ``xinfang.reception.services.lawyers``;
a refusal comes back on the field it names. Whoever sees the hall (its stationed units too) reads the
rota; only the hall's staff (``may_run_hall``) keep the lawyers and record consultations.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.selectors import case_detail, cases_visible_to
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date, now
from xinfang.orgs.models import User
from xinfang.reception.models import Hall, Lawyer, Ticket
from xinfang.reception.selectors import lawyers as selectors
from xinfang.reception.services import lawyers as services
from xinfang.reception.services._common import may_run_hall
from xinfang.workbench.cases import staff_required
from xinfang.workbench.form_helpers import LOCAL_DATETIME_FORMATS, LocalDateTimeInput, service_error_on
from xinfang.workbench.forms_cases import category_choices

NOT_STAFF = "只有本大厅所属机关或其上级信访部门的工作人员可以管理接访律师、登记律师接访。"
WEEKDAY_CHOICES = [(str(day), f"星期{name}") for day, name in services.WEEKDAY_NAMES.items()]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


# ---------------------------------------------------------------- forms


class LawyerForm(forms.Form):
    name = TextField(
        label="姓名", max_length=services.MAX_NAME, error_messages={"required": "请填写律师姓名。"}
    )
    firm = TextField(
        label="律师事务所", max_length=services.MAX_FIRM, error_messages={"required": "请填写律师事务所。"}
    )
    licence_number = TextField(
        label="执业证号",
        max_length=32,
        help_text="17 位数字（只核对位数，不核验真伪）。",
        error_messages={"required": "请填写律师执业证号。"},
    )
    phone = TextField(label="联系电话", max_length=services.MAX_PHONE, required=False)
    weekdays = forms.MultipleChoiceField(
        label="接访日",
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["3", "5"],
        help_text="按接访制度，通常为每周三、五。",
        error_messages={"required": "请至少选择一个接访日（星期几）。"},
    )


class ConsultationForm(forms.Form):
    lawyer = forms.TypedChoiceField(label="律师", coerce=int, error_messages={"required": "请选择律师。"})
    at = forms.DateTimeField(
        label="咨询时间",
        widget=LocalDateTimeInput(),
        input_formats=LOCAL_DATETIME_FORMATS,
        error_messages={"required": "请填写咨询时间。", "invalid": "咨询时间应为“年-月-日 时:分”。"},
    )
    persons = forms.IntegerField(
        label="接待人次",
        min_value=1,
        max_value=services.MAX_PERSONS,
        initial=1,
        error_messages={
            "required": "请填写接待人次。",
            "invalid": "接待人次应为整数。",
            "min_value": f"接待人次应为 1 至 {services.MAX_PERSONS} 之间的整数。",
            "max_value": f"接待人次应为 1 至 {services.MAX_PERSONS} 之间的整数。",
        },
    )
    category = forms.ChoiceField(label="内容分类", required=False)
    topic = TextField(
        label="咨询事项", max_length=services.MAX_TOPIC, error_messages={"required": "请填写咨询事项。"}
    )
    advice = TextField(
        label="法律意见",
        max_length=services.MAX_ADVICE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写律师给出的法律意见。"},
    )
    legal_aid_referred = forms.BooleanField(label="引导申请法律援助", required=False)
    off_rota_reason = TextField(
        label="非接访日说明",
        max_length=services.MAX_REASON,
        required=False,
        help_text="律师不在其接访日接访的（如群体来访临时请律师到场、调班），请说明原因。",
    )
    case_number = TextField(
        label="信访件编号", max_length=32, required=False, help_text="咨询涉及已登记的信访件的，填写其编号。"
    )
    ticket = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args: Any, user: User, hall: Hall, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.hall = user, hall
        self.lawyers = {lawyer.pk: lawyer for lawyer in selectors.hall_lawyers(hall, active_only=True)}
        self.fields["lawyer"].choices = [("", "请选择")] + [
            (pk, f"{lawyer.name}（{lawyer.firm}，{services.weekdays_text(lawyer.weekday_numbers)}）")
            for pk, lawyer in self.lawyers.items()
        ]
        self.fields["category"].choices = [("", "未分类"), *category_choices()]

    def clean_lawyer(self) -> Lawyer:
        return self.lawyers[self.cleaned_data["lawyer"]]

    def clean_category(self) -> ContentCategory | None:
        code = self.cleaned_data["category"]
        return ContentCategory.objects.filter(code=code).first() if code else None

    def clean_case_number(self) -> Case | None:
        number = self.cleaned_data["case_number"].strip()
        if not number:
            return None
        # Through the one access policy: a number the user may not see reads as one that does not exist.
        case = cases_visible_to(self.user).filter(number=number).first()
        if case is None:
            raise forms.ValidationError(f"信访件 {number} 不存在或您无权查看。")
        return case

    def clean_ticket(self) -> Ticket | None:
        ticket_id = self.cleaned_data["ticket"]
        if ticket_id is None:
            return None
        ticket = Ticket.objects.filter(pk=ticket_id, hall=self.hall).select_related("case").first()
        if ticket is None:
            raise forms.ValidationError("排队号不是本大厅的排队号。")
        return ticket


# ---------------------------------------------------------------- helpers


def _hall(request: HttpRequest, hall_id: int) -> Hall:
    hall = selectors.lawyer_hall_for(request.user, hall_id)  # type: ignore[arg-type]
    if hall is None:
        raise Http404("接访大厅不存在或您无权查看。")
    return hall


def _lawyer(hall: Hall, lawyer_id: int) -> Lawyer:
    lawyer = selectors.lawyer_of_hall(hall, lawyer_id)
    if lawyer is None:
        raise Http404("接访律师不存在。")
    return lawyer


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "workbench/forbidden.html", {"message": NOT_STAFF}, status=403)


def _month(request: HttpRequest) -> tuple[int, int]:
    """?month=YYYY-MM, else this Beijing month."""
    match = _MONTH.match(request.GET.get("month", ""))
    if match and 2000 <= int(match[1]) <= 2999 and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    today = local_date()
    return today.year, today.month


def _shift_month(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _week_of(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        return local_date()


def _lawyer_kwargs(form: LawyerForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "firm": data["firm"],
        "licence_number": data["licence_number"],
        "phone": data["phone"],
        "weekdays": [int(day) for day in data["weekdays"]],
    }


# ---------------------------------------------------------------- the lawyers and the rota


@staff_required
def lawyer_list(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _hall(request, hall_id)
    user: User = request.user  # type: ignore[assignment]
    runs = may_run_hall(user, hall)
    form = LawyerForm(auto_id="id_add_%s") if runs else None
    if request.method == "POST":
        if not runs:
            return _forbidden(request)
        form = LawyerForm(request.POST, auto_id="id_add_%s")
        if form.is_valid():
            try:
                lawyer = services.lawyer_add(actor=user, hall=hall, **_lawyer_kwargs(form))
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(
                    request,
                    f"已将{lawyer.name}律师（{lawyer.firm}）列入接访名单，"
                    f"{services.weekdays_text(lawyer.weekday_numbers)}接访。",
                )
                return redirect("workbench:lawyer-list", hall.pk)
    week_of = _week_of(request)
    monday = selectors.week_start(week_of)
    return render(
        request,
        "workbench/reception/lawyers/list.html",
        {
            "hall": hall,
            "runs": runs,
            "form": form,
            "lawyers": [
                (lawyer, services.weekdays_text(lawyer.weekday_numbers))
                for lawyer in selectors.hall_lawyers(hall)
            ],
            "rota": selectors.lawyer_rota(hall, week_of),
            "today": local_date(),
            "previous_week": monday - dt.timedelta(days=7),
            "next_week": monday + dt.timedelta(days=7),
        },
    )


@staff_required
def lawyer_edit(request: HttpRequest, hall_id: int, lawyer_id: int) -> HttpResponse:
    hall = _hall(request, hall_id)
    lawyer = _lawyer(hall, lawyer_id)
    user: User = request.user  # type: ignore[assignment]
    if not may_run_hall(user, hall):
        return _forbidden(request)
    if request.method == "POST":
        form = LawyerForm(request.POST)
        if form.is_valid():
            try:
                lawyer = services.lawyer_update(actor=user, lawyer=lawyer, **_lawyer_kwargs(form))
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, f"已保存{lawyer.name}律师的信息。")
                return redirect("workbench:lawyer-list", hall.pk)
    else:
        form = LawyerForm(
            initial={
                "name": lawyer.name,
                "firm": lawyer.firm,
                "licence_number": lawyer.licence_number,
                "phone": lawyer.phone,
                "weekdays": [str(day) for day in lawyer.weekday_numbers],
            }
        )
    return render(
        request,
        "workbench/reception/lawyers/edit.html",
        {"hall": hall, "lawyer": lawyer, "form": form},
    )


@staff_required
@require_POST
def lawyer_deactivate(request: HttpRequest, hall_id: int, lawyer_id: int) -> HttpResponse:
    hall = _hall(request, hall_id)
    lawyer = _lawyer(hall, lawyer_id)
    try:
        services.lawyer_deactivate(actor=request.user, lawyer=lawyer)  # type: ignore[arg-type]
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已将{lawyer.name}律师移出接访名单，其已登记的接访记录仍计入统计。")
    return redirect("workbench:lawyer-list", hall.pk)


# ---------------------------------------------------------------- a consultation


def _initial(
    request: HttpRequest, user: User, hall: Hall
) -> tuple[dict[str, Any], Case | None, Ticket | None]:
    """The form's start: now, and the case (?case=<id>) or the ticket (?ticket=<id>) it was opened
    from, when the user may see it."""
    initial: dict[str, Any] = {"at": now(), "persons": 1}
    case = ticket = None
    wanted = request.GET.get("ticket", "")
    if wanted.isdigit() and len(wanted) < 19:
        ticket = Ticket.objects.filter(pk=int(wanted), hall=hall).select_related("case").first()
        if ticket is not None:
            initial.update(ticket=ticket.pk, persons=ticket.headcount, topic=ticket.subject)
            if ticket.case_id is not None:
                case = case_detail(user, ticket.case_id)
    wanted = request.GET.get("case", "")
    if case is None and wanted.isdigit() and len(wanted) < 19:
        case = case_detail(user, int(wanted))
    if case is not None:
        initial.update(case_number=case.number, topic=initial.get("topic") or case.subject)
        if case.category_id and case.category.is_active:
            initial["category"] = case.category.code
    return initial, case, ticket


@staff_required
def consultation_new(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _hall(request, hall_id)
    user: User = request.user  # type: ignore[assignment]
    if not may_run_hall(user, hall):
        return _forbidden(request)
    initial, case, ticket = _initial(request, user, hall)
    if request.method == "POST":
        form = ConsultationForm(request.POST, user=user, hall=hall)
        if form.is_valid():
            data = form.cleaned_data
            try:
                consultation = services.lawyer_consultation_record(
                    actor=user,
                    lawyer=data["lawyer"],
                    at=data["at"],
                    persons=data["persons"],
                    topic=data["topic"],
                    advice=data["advice"],
                    category=data["category"],
                    legal_aid_referred=data["legal_aid_referred"],
                    case=data["case_number"],
                    ticket=data["ticket"],
                    off_rota_reason=data["off_rota_reason"],
                )
            except ServiceError as exc:
                service_error_on(form, exc, fields={"case": "case_number", "ticket": "__all__"})
            else:
                messages.success(
                    request,
                    f"已登记{consultation.lawyer.name}律师接访 1 批次 {consultation.persons} 人次"
                    + (f"，并记入信访件 {consultation.case.number}" if consultation.case else "")
                    + "。",
                )
                if consultation.case is not None:
                    return redirect("workbench:case-detail", consultation.case.pk)
                return redirect("workbench:lawyer-consultation-list", hall.pk)
    else:
        form = ConsultationForm(initial=initial, user=user, hall=hall)
    return render(
        request,
        "workbench/reception/lawyers/consultation_new.html",
        {"hall": hall, "form": form, "case": case, "ticket": ticket, "has_lawyers": bool(form.lawyers)},
    )


@staff_required
def consultation_list(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _hall(request, hall_id)
    user: User = request.user  # type: ignore[assignment]
    year, month = _month(request)
    consultations = list(selectors.hall_consultations(hall, year, month))
    visible = selectors.consultation_visible_cases(user, consultations)
    return render(
        request,
        "workbench/reception/lawyers/consultation_list.html",
        {
            "hall": hall,
            "runs": may_run_hall(user, hall),
            "year": year,
            "month": month,
            "previous_month": _shift_month(year, month, -1),
            "next_month": _shift_month(year, month, 1),
            "rows": [(c, c.case if c.case_id in visible else None) for c in consultations],
            "figures": selectors.lawyer_figures(selectors.hall_consultations(hall, year, month)),
        },
    )
