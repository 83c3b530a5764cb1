"""Staff pages of the queue at the desk: the halls, a hall's queue board of the day (取号, 叫号, 过号,
接待完毕), the 诉求单 on a tablet (large inputs, one column), a ticket's page with the printable form
and the one-step registration of the case.

Reads go through ``xinfang.reception.selectors.queue`` (a hall the user does not see, or a ticket
the user may not act on, is a 404); changes through ``xinfang.reception.services``, whose refusal
comes back on the field it names.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.cases.documents import DOCX_MIME
from xinfang.cases.models import ContentCategory, Nature
from xinfang.cases.services import PetitionerInput
from xinfang.core.errors import ServiceError, ServiceErrors
from xinfang.core.forms import TextField
from xinfang.core.validation import MAX_CONTENT, MAX_HEADCOUNT, MAX_SUBJECT
from xinfang.orgs.models import Org, OrgKind, Region, User
from xinfang.reception import services
from xinfang.reception.documents import request_form_docx, request_form_filename
from xinfang.reception.models import Hall, Ticket, TicketStatus
from xinfang.reception.selectors import halls_visible_to
from xinfang.reception.selectors import queue as selectors
from xinfang.reception.services._common import may_run_hall
from xinfang.reception.services.queue import MAX_WINDOW
from xinfang.workbench.cases import staff_required
from xinfang.workbench.downloads import file_download
from xinfang.workbench.form_helpers import service_error_on
from xinfang.workbench.forms_cases import PetitionerForm, category_choices, region_choices

_PERSON_FIELD = re.compile(r"^people\[(\d+)\]\.(\w+)$")


# ---------------------------------------------------------------- forms


class IssueForm(forms.Form):
    headcount = forms.IntegerField(
        label="来访人数",
        min_value=1,
        max_value=MAX_HEADCOUNT,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "请填写来访人数。",
            "invalid": "来访人数应为整数。",
            "min_value": "来访人数至少为 1。",
            "max_value": f"来访人数不能超过 {MAX_HEADCOUNT}。",
        },
    )


class CallForm(forms.Form):
    window_org = forms.TypedChoiceField(label="接待单位", coerce=int, required=False, empty_value=None)
    window = TextField(
        label="窗口",
        max_length=MAX_WINDOW,
        required=False,
        help_text="选择驻厅单位时默认为该单位的窗口。",
    )

    def __init__(self, *args: Any, hall: Hall, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = selectors.stationed_units_on(hall)
        self.orgs = {unit.org.pk: unit.org for unit in units}
        blank = (
            "请选择驻厅单位" if hall.org.kind == OrgKind.ONE_STOP_CENTRE else f"{hall.org.name}（本厅窗口）"
        )
        self.fields["window_org"].choices = [
            ("", blank),
            *((unit.org.pk, f"{unit.window or '窗口'} · {unit.org.name}") for unit in units),
        ]

    def org(self) -> Org | None:
        pk = self.cleaned_data.get("window_org")
        return self.orgs.get(pk) if pk is not None else None


def _category(code: str | None) -> ContentCategory | None:
    return ContentCategory.objects.filter(code=code).first() if code else None


def _region(code: str | None) -> Region | None:
    return Region.objects.filter(code=code).first() if code else None


class TicketForm(forms.Form):
    """The 诉求单 (its people are the formset of PetitionerForm rows)."""

    subject = TextField(
        label="诉求事项",
        max_length=MAX_SUBJECT,
        widget=forms.TextInput(attrs={"placeholder": "一句话说明要反映的事"}),
        error_messages={"required": "请填写诉求事项。"},
    )
    request = TextField(
        label="具体诉求",
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "希望解决什么问题"}),
        error_messages={"required": "请填写具体诉求。"},
    )
    facts = TextField(
        label="事实和理由",
        max_length=MAX_CONTENT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "发生了什么，有什么依据"}),
    )
    units_involved = TextField(label="涉及单位", max_length=200, required=False)
    category = forms.ChoiceField(label="内容分类（工作人员填写）", required=False)
    problem_region = forms.ChoiceField(label="问题属地（工作人员填写）", required=False)

    def __init__(self, *args: Any, hall: Hall, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择内容分类"), *category_choices()]
        self.fields["problem_region"].choices = [("", "请选择问题属地"), *region_choices([hall.org])]


PeopleFormSet = forms.formset_factory(
    PetitionerForm,
    extra=services.TICKET_MAX_PEOPLE,
    max_num=services.TICKET_MAX_PEOPLE,
    absolute_max=services.TICKET_MAX_PEOPLE,
)


class RegisterForm(forms.Form):
    """登记为信访件: prefilled from the 诉求单."""

    nature = forms.ChoiceField(label="信访性质", choices=Nature.choices, initial=Nature.APPEAL)
    category = forms.ChoiceField(label="内容分类", error_messages={"required": "请选择内容分类。"})
    problem_region = forms.ChoiceField(label="问题属地", error_messages={"required": "请选择问题属地。"})
    subject = TextField(label="标题", max_length=MAX_SUBJECT, error_messages={"required": "请填写标题。"})
    content = TextField(
        label="主要内容",
        max_length=MAX_CONTENT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "请填写主要内容。"},
    )
    via_proper_ladder = forms.BooleanField(
        label="依法逐级走访", required=False, initial=True, help_text="越级走访时取消勾选（第二十条）。"
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择内容分类"), *category_choices()]
        try:
            org = services.ticket_registering_org(ticket)
        except ServiceError:
            org = ticket.hall.org
        self.fields["problem_region"].choices = [("", "请选择问题属地"), *region_choices([org])]
        if not self.is_bound:
            self.initial.update(
                subject=ticket.subject,
                content="\n".join(part for part in (ticket.request, ticket.facts) if part),
                category=ticket.category.code if ticket.category else "",
                problem_region=ticket.problem_region.code if ticket.problem_region else "",
            )


# ---------------------------------------------------------------- lookups


def _hall(request: HttpRequest, hall_id: int) -> Hall:
    hall = selectors.hall_for(request.user, hall_id)  # type: ignore[arg-type]
    if hall is None:
        raise Http404("接访大厅不存在或您无权查看。")
    return hall


def _ticket(request: HttpRequest, hall_id: int, ticket_id: int) -> Ticket:
    hall = _hall(request, hall_id)
    ticket = selectors.ticket_for(request.user, ticket_id, hall=hall)  # type: ignore[arg-type]
    if ticket is None:
        raise Http404("排队号不存在或您无权查看。")
    return ticket


def _board_url(ticket: Ticket) -> Any:
    return redirect("workbench:queue", ticket.hall_id)


# ---------------------------------------------------------------- the halls and the board


@staff_required
def queue_home(request: HttpRequest) -> HttpResponse:
    halls = list(halls_visible_to(request.user).filter(is_active=True))  # type: ignore[arg-type]
    if len(halls) == 1:
        return redirect("workbench:queue", halls[0].pk)
    return render(request, "workbench/reception/queue/home.html", {"halls": halls})


def _board_page(
    request: HttpRequest,
    hall: Hall,
    *,
    issue_form: IssueForm | None = None,
    bound_call: tuple[int, CallForm] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    board = selectors.hall_queue(hall)
    runs = may_run_hall(user, hall)
    openable = selectors.tickets_served_by(user, hall)
    for ticket in (*board.waiting, *board.called):
        if runs:
            form = bound_call[1] if bound_call and bound_call[0] == ticket.pk else None
            ticket.call_form = form or CallForm(  # type: ignore[attr-defined]
                hall=hall,
                auto_id=f"id_c{ticket.pk}_%s",
                initial={"window_org": ticket.window_org_id, "window": ticket.window},
            )
    context = {
        "hall": hall,
        "board": board,
        "runs": runs,
        "openable": openable,
        "issue_form": issue_form or IssueForm(),
        "error": error,
        "sections": [
            ("waiting", "等候中", board.waiting),
            ("called", "已叫号", board.called),
            ("served", "已接待", board.served),
            ("left", "过号", board.left),
        ],
    }
    return render(request, "workbench/reception/queue/board.html", context, status=status)


@staff_required
def queue_board(request: HttpRequest, hall_id: int) -> HttpResponse:
    return _board_page(request, _hall(request, hall_id))


@staff_required
@require_POST
def ticket_issue(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _hall(request, hall_id)
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            ticket = services.ticket_issue(
                actor=request.user,  # type: ignore[arg-type]
                hall=hall,
                headcount=form.cleaned_data["headcount"],
            )
        except ServiceError as exc:
            if exc.field not in form.fields:
                # Not the form's fault (who may issue, a closed hall): said above the board.
                return _board_page(request, hall, issue_form=form, error=exc.message)
            service_error_on(form, exc)
        else:
            messages.success(request, f"已取号 {ticket.number}（{ticket.headcount} 人），请填写诉求单。")
            return redirect("workbench:ticket-form", hall.pk, ticket.pk)
    return _board_page(request, hall, issue_form=form)


@staff_required
@require_POST
def ticket_call(request: HttpRequest, hall_id: int, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, hall_id, ticket_id)
    form = CallForm(request.POST, hall=ticket.hall, auto_id=f"id_c{ticket.pk}_%s")
    if form.is_valid():
        try:
            called = services.ticket_call(
                actor=request.user,  # type: ignore[arg-type]
                ticket=ticket,
                window=form.cleaned_data["window"],
                window_org=form.org(),
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            where = f"{called.window}（{called.window_org.name}）" if called.window_org else called.window
            messages.success(request, f"请 {called.number} 号到 {where} 办理。")
            return _board_url(called)
    return _board_page(request, ticket.hall, bound_call=(ticket.pk, form))


def _step(request: HttpRequest, hall_id: int, ticket_id: int, step: Any, done: str) -> HttpResponse:
    ticket = _ticket(request, hall_id, ticket_id)
    try:
        changed = step(actor=request.user, ticket=ticket)
    except ServiceError as exc:
        return _board_page(request, ticket.hall, error=exc.message)
    messages.success(request, done.format(number=changed.number))
    return _board_url(changed)


@staff_required
@require_POST
def ticket_skip(request: HttpRequest, hall_id: int, ticket_id: int) -> HttpResponse:
    return _step(request, hall_id, ticket_id, services.ticket_skip, "{number} 已过号。")


@staff_required
@require_POST
def ticket_finish(request: HttpRequest, hall_id: int, ticket_id: int) -> HttpResponse:
    return _step(request, hall_id, ticket_id, services.ticket_finish, "{number} 接待完毕。")


@staff_required
def request_form_blank_docx(request: HttpRequest, hall_id: int) -> HttpResponse:
    hall = _hall(request, hall_id)
    return file_download(request_form_docx(None, hall=hall), request_form_filename(None), DOCX_MIME)


# ---------------------------------------------------------------- the 诉求单 on a tablet


def _people_initial(ticket: Ticket) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "id_number": p.id_number,
            "phone": p.phone,
            "address": p.address,
            "is_representative": p.is_representative,
        }
        for p in selectors.ticket_people(ticket)
    ]


def _apply_fill_error(exc: ServiceError, form: TicketForm, formset: Any, rows: list[int]) -> None:
    if isinstance(exc, ServiceErrors):
        for each in exc.errors:
            _apply_fill_error(each, form, formset, rows)
        return
    field = exc.field or ""
    match = _PERSON_FIELD.match(field)
    if match:
        index, name = int(match.group(1)), match.group(2)
        row = rows[index] if index < len(rows) else index
        if row < len(formset.forms) and name in formset.forms[row].fields:
            formset.forms[row].add_error(name, exc.message)
            return
    if field == "people":
        formset.non_form_errors().append(exc.message)
        return
    service_error_on(form, exc)


def _fill(user: User, ticket: Ticket, form: TicketForm, formset: Any) -> Ticket | None:
    rows = [index for index, row in enumerate(formset.forms) if not row.is_blank()]
    people = [
        PetitionerInput(
            name=formset.forms[i].cleaned_data["name"] or "",
            id_number=formset.forms[i].cleaned_data["id_number"],
            phone=formset.forms[i].cleaned_data["phone"],
            address=formset.forms[i].cleaned_data["address"] or "",
            is_representative=formset.forms[i].cleaned_data["is_representative"],
        )
        for i in rows
    ]
    data = form.cleaned_data
    try:
        return services.ticket_fill_form(
            actor=user,
            ticket=ticket,
            people=people,
            subject=data["subject"],
            request=data["request"],
            facts=data["facts"],
            category=_category(data["category"]),
            problem_region=_region(data["problem_region"]),
            units_involved=data["units_involved"],
        )
    except ServiceError as exc:
        _apply_fill_error(exc, form, formset, rows)
        return None


@staff_required
def ticket_form(request: HttpRequest, hall_id: int, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, hall_id, ticket_id)
    user: User = request.user  # type: ignore[assignment]
    if ticket.case_id is not None:
        messages.info(request, f"{ticket.number} 已登记为信访件，诉求单不能再修改。")
        return redirect("workbench:ticket-detail", ticket.hall_id, ticket.pk)
    if request.method == "POST":
        form = TicketForm(request.POST, hall=ticket.hall)
        formset = PeopleFormSet(request.POST, prefix="people")
        if form.is_valid() and formset.is_valid():
            filled = _fill(user, ticket, form, formset)
            if filled is not None:
                messages.success(request, f"已保存 {filled.number} 的诉求单，请来访人核对后签字。")
                return redirect("workbench:ticket-detail", filled.hall_id, filled.pk)
    else:
        initial = {
            "subject": ticket.subject,
            "request": ticket.request,
            "facts": ticket.facts,
            "units_involved": ticket.units_involved,
            "category": ticket.category.code if ticket.category else "",
            "problem_region": ticket.problem_region.code if ticket.problem_region else "",
        }
        form = TicketForm(initial=initial, hall=ticket.hall)
        formset = PeopleFormSet(prefix="people", initial=_people_initial(ticket))
    more_open = any(
        (row.is_bound and row.has_changed()) or bool(row.initial) or row.errors for row in formset.forms[1:]
    )
    has_errors = bool(form.errors) or formset.total_error_count() > 0
    return render(
        request,
        "workbench/reception/queue/form.html",
        {
            "ticket": ticket,
            "form": form,
            "formset": formset,
            "more_open": more_open,
            "has_errors": has_errors,
            "collective": ticket.headcount >= settings.XINFANG_COLLECTIVE_THRESHOLD,
        },
    )


# ---------------------------------------------------------------- the ticket and its case


def _detail_page(
    request: HttpRequest, ticket: Ticket, *, register_form: RegisterForm | None = None, status: int = 200
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    runs = may_run_hall(user, ticket.hall)
    registrable = ticket.case_id is None and ticket.form_filled_at is not None
    if register_form is None and registrable and ticket.status != TicketStatus.LEFT:
        register_form = RegisterForm(ticket=ticket)
    context = {
        "ticket": ticket,
        "hall": ticket.hall,
        "people": selectors.ticket_people(ticket),
        "register_form": register_form,
        "runs": runs,
        "wait_minutes": int(ticket.waited.total_seconds() // 60) if ticket.waited is not None else None,
        "call_form": CallForm(
            hall=ticket.hall, initial={"window_org": ticket.window_org_id, "window": ticket.window}
        )
        if runs and ticket.status in (TicketStatus.WAITING, TicketStatus.CALLED)
        else None,
    }
    return render(request, "workbench/reception/queue/detail.html", context, status=status)


@staff_required
def ticket_detail(request: HttpRequest, hall_id: int, ticket_id: int) -> HttpResponse:
    return _detail_page(request, _ticket(request, hall_id, ticket_id))


@staff_required
def ticket_form_docx(request: HttpRequest, hall_id: int, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, hall_id, ticket_id)
    return file_download(request_form_docx(ticket), request_form_filename(ticket), DOCX_MIME)


@staff_required
@require_POST
def ticket_register(request: HttpRequest, hall_id: int, ticket_id: int) -> HttpResponse:
    ticket = _ticket(request, hall_id, ticket_id)
    form = RegisterForm(request.POST, ticket=ticket)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.ticket_register_case(
                actor=request.user,  # type: ignore[arg-type]
                ticket=ticket,
                nature=data["nature"],
                category=_category(data["category"]),
                subject=data["subject"],
                content=data["content"],
                problem_region=_region(data["problem_region"]),
                via_proper_ladder=data["via_proper_ladder"],
            )
        except ServiceError as exc:
            errors = exc.errors if isinstance(exc, ServiceErrors) else [exc]
            for each in errors:
                if (each.field or "").startswith("petitioners"):
                    # The people come from the 诉求单: they are corrected there.
                    form.add_error(None, f"诉求单中的来访人信息有误：{each.message}请先修改诉求单。")
                else:
                    service_error_on(form, each)
        else:
            messages.success(request, f"已将 {ticket.number} 的诉求单登记为信访件 {case.number}。")
            return redirect("workbench:case-detail", case.pk)
    return _detail_page(request, ticket, register_form=form)
