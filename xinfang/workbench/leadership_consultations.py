"""Staff pages for 会商研判: the list (with the tab of the user's units' open tasks), the form that
records a consultation, its detail with the tasks, and the task steps (add, complete, reopen).

Reads go through ``xinfang.leadership.selectors.consultations`` (a consultation the user may not
see is a 404, and within one only the cases the user may see are listed). Changes go through
``xinfang.leadership.services.consultations``, which check roles and input; a refusal comes back
on the field it names.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_detail, cases_visible_to
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date
from xinfang.leadership.models import Consultation, ConsultationTask
from xinfang.leadership.selectors import consultations as selectors
from xinfang.leadership.services import consultations as services
from xinfang.leadership.services._common import ORGANISER_ROLES
from xinfang.orgs.models import Org, OrgKind, User
from xinfang.orgs.selectors import user_memberships
from xinfang.workbench.cases import staff_required
from xinfang.workbench.form_helpers import service_error_on
from xinfang.workbench.forms_cases import DATE_INPUT, org_choices

PER_PAGE = 30
TABS = {"meetings": "会商记录", "tasks": "本单位任务"}
TASK_ROWS = 5  # empty task rows on the form; more are added on the consultation afterwards
NOT_ORGANISER = "只有信访部门或党委政府的负责人、审核人、登记员或承办人可以登记会商研判。"
MAX_NUMBERS = 500  # case numbers on one form (a 类案 is rarely more than a few dozen)


# ---------------------------------------------------------------- who may do what (for display)


def organising_orgs(user: User) -> list[Org]:
    """The bureaus and Party committees / governments where ``user`` may record a consultation."""
    found = {
        m.org
        for m in user_memberships(user).filter(
            org__kind__in=(OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT), role__in=ORGANISER_ROLES
        )
    }
    return sorted(found, key=lambda org: org.pk)


def _active_org_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    return org_choices(Org.objects.filter(is_active=True).select_related("region"))


# ---------------------------------------------------------------- forms


class ConsultationForm(forms.Form):
    org = forms.TypedChoiceField(label="召集机关", coerce=int)
    held_on = forms.DateField(
        label="会商日期",
        widget=DATE_INPUT,
        error_messages={"required": "请填写会商日期。", "invalid": "会商日期应为日期（年-月-日）。"},
    )
    topic = TextField(
        label="会商议题",
        max_length=services.MAX_TOPIC,
        error_messages={"required": "请填写会商议题。"},
    )
    case_numbers = TextField(
        label="涉及信访件",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "每行一个信访件编号"}),
        help_text="填写信访件编号，每行一个；类案会商可填写多件。",
        error_messages={"required": "请至少填写一件信访件编号。"},
    )
    units = forms.TypedMultipleChoiceField(
        label="参会单位",
        coerce=int,
        # searchable by workbench/org_picker.js; without scripts a plain list (Ctrl-click)
        widget=forms.SelectMultiple(attrs={"size": 8, "data-org-picker": "1"}),
        help_text="可输入名称筛选，可多选。会商任务只能交给参会单位或召集机关。",
        error_messages={"required": "请至少选择一个参会单位。"},
    )
    chair = TextField(label="主持人", max_length=services.MAX_CHAIR, required=False)
    decision = TextField(
        label="会商意见",
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写会商意见。"},
    )

    def __init__(self, *args: Any, user: User, orgs: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.orgs = {org.pk: org for org in orgs}
        self.fields["org"].choices = [(org.pk, org.name) for org in orgs]
        if len(orgs) == 1:
            self.fields["org"].widget = forms.HiddenInput()
            self.fields["org"].initial = orgs[0].pk
        self.fields["units"].choices = _active_org_choices()
        self.fields["held_on"].widget.attrs.update(max=local_date().isoformat())

    def clean_case_numbers(self) -> list[Case]:
        lines = [line.strip() for line in self.cleaned_data["case_numbers"].splitlines()]
        numbers = list(dict.fromkeys(line for line in lines if line))
        if not numbers:
            raise forms.ValidationError("请至少填写一件信访件编号。")
        if len(numbers) > MAX_NUMBERS:
            raise forms.ValidationError(f"一次会商至多填写 {MAX_NUMBERS} 件信访件。")
        # Through the one access policy: a number the user may not see reads as one that does not exist.
        found = {case.number: case for case in cases_visible_to(self.user).filter(number__in=numbers)}
        missing = [number for number in numbers if number not in found]
        if missing:
            raise forms.ValidationError(f"以下编号不存在或您无权查看：{'、'.join(missing)}。")
        return [found[number] for number in numbers]

    def clean_units(self) -> list[Org]:
        ids = self.cleaned_data["units"]
        return list(Org.objects.filter(pk__in=ids).select_related("region").order_by("path"))


class TaskRowForm(forms.Form):
    title = TextField(
        label="任务内容", max_length=services.MAX_TITLE, error_messages={"required": "请填写任务内容。"}
    )
    owner_org = forms.TypedChoiceField(
        label="责任单位", coerce=int, error_messages={"required": "请选择责任单位。"}
    )
    due_on = forms.DateField(
        label="完成期限",
        widget=DATE_INPUT,
        error_messages={"required": "请填写完成期限。", "invalid": "完成期限应为日期（年-月-日）。"},
    )

    def __init__(self, *args: Any, org_choices: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].choices = [("", "请选择"), *(org_choices or _active_org_choices())]

    def owner(self) -> Org | None:
        return Org.objects.select_related("region").filter(pk=self.cleaned_data["owner_org"]).first()


TaskFormSet = forms.formset_factory(
    TaskRowForm, extra=TASK_ROWS, max_num=services.MAX_TASKS, absolute_max=200
)


class CompleteForm(forms.Form):
    done_on = forms.DateField(
        label="完成日期",
        widget=DATE_INPUT,
        error_messages={"required": "请填写完成日期。", "invalid": "完成日期应为日期（年-月-日）。"},
    )
    note = TextField(
        label="完成情况",
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写完成情况。"},
    )


class ReopenForm(forms.Form):
    reason = TextField(
        label="退回理由",
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写退回理由。"},
    )


# ---------------------------------------------------------------- the list


@staff_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    tab = request.GET.get("tab", "meetings")
    tab = tab if tab in TABS else "meetings"
    visible = selectors.consultations_visible_to(user).order_by("-held_on", "-pk")
    tasks = selectors.open_tasks_for(user)
    counts = {"meetings": visible.count(), "tasks": tasks.count()}
    rows = tasks if tab == "tasks" else visible
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/leadership/consultations/list.html",
        {
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in TABS.items()],
            "page": page,
            "may_record": bool(organising_orgs(user)),
        },
    )


# ---------------------------------------------------------------- recording


def _run_record(user: User, form: ConsultationForm, formset: Any) -> Consultation | None:
    """Call the service with the form's input; put a refusal on its field (or task row)."""
    rows = [(index, row) for index, row in enumerate(formset.forms) if row.has_changed()]
    tasks = [(row.cleaned_data["title"], row.owner(), row.cleaned_data["due_on"]) for _, row in rows]
    try:
        return services.consultation_record(
            actor=user,
            org=form.orgs[form.cleaned_data["org"]],
            held_on=form.cleaned_data["held_on"],
            topic=form.cleaned_data["topic"],
            cases=form.cleaned_data["case_numbers"],
            units=form.cleaned_data["units"],
            chair=form.cleaned_data["chair"],
            decision=form.cleaned_data["decision"],
            tasks=tasks,
        )
    except ServiceError as exc:
        field = exc.field or ""
        if field.startswith("tasks[") and "]." in field:
            index, _, name = field[len("tasks[") :].partition("].")
            if index.isdigit() and int(index) < len(rows):
                row = rows[int(index)][1]
                row.add_error(name if name in row.fields else None, exc.message)
                return None
        service_error_on(form, exc, fields={"cases": "case_numbers", "tasks": "__all__"})
        return None


@staff_required
def consultation_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    orgs = organising_orgs(user)
    if not orgs:
        return render(request, "workbench/forbidden.html", {"message": NOT_ORGANISER}, status=403)
    choices = _active_org_choices()
    initial: dict[str, Any] = {"held_on": local_date()}
    wanted = request.GET.get("case", "")
    case = case_detail(user, int(wanted)) if wanted.isdigit() and len(wanted) < 19 else None
    if case is not None:
        initial["case_numbers"] = case.number
    if request.method == "POST":
        form = ConsultationForm(request.POST, user=user, orgs=orgs)
        formset = TaskFormSet(request.POST, prefix="tasks", form_kwargs={"org_choices": choices})
        if form.is_valid() and formset.is_valid():
            consultation = _run_record(user, form, formset)
            if consultation is not None:
                messages.success(
                    request,
                    f"已登记会商研判“{consultation.topic}”，涉及信访件 {consultation.cases.count()} 件，"
                    f"交办任务 {consultation.tasks.count()} 项。",
                )
                return redirect("workbench:consultation-detail", consultation.pk)
    else:
        form = ConsultationForm(initial=initial, user=user, orgs=orgs)
        formset = TaskFormSet(prefix="tasks", form_kwargs={"org_choices": choices})
    # The rows after the third are folded away unless one of them was filled in.
    more_open = any(row.is_bound and row.has_changed() for row in formset.forms[3:])
    has_errors = (
        bool(form.errors) or any(row.errors for row in formset.forms) or bool(formset.non_form_errors())
    )
    return render(
        request,
        "workbench/leadership/consultations/new.html",
        {
            "form": form,
            "formset": formset,
            "orgs": orgs,
            "case": case,
            "has_errors": has_errors,
            "more_open": more_open,
        },
    )


# ---------------------------------------------------------------- one consultation


def _visible(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = selectors.consultation_detail(request.user, consultation_id)  # type: ignore[arg-type]
    if consultation is None:
        raise Http404("会商记录不存在或您无权查看。")
    return consultation


def _visible_task(request: HttpRequest, task_id: int) -> ConsultationTask:
    task = (
        selectors.consultation_tasks_visible_to(request.user)  # type: ignore[arg-type]
        .filter(pk=task_id)
        .select_related("consultation", "consultation__org", "owner_org")
        .first()
    )
    if task is None:
        raise Http404("会商任务不存在或您无权查看。")
    return task


def _detail_page(
    request: HttpRequest,
    consultation: Consultation,
    *,
    bound: tuple[int, str, forms.Form] | None = None,
    add_form: TaskRowForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The consultation; ``bound`` is a posted (task id, "complete" | "reopen", form) shown again
    with its errors in its row."""
    user: User = request.user  # type: ignore[assignment]
    organiser = services.may_organise(user, consultation)
    units = list(consultation.units.order_by("path"))
    allowed = {unit.pk: unit for unit in units}
    allowed.setdefault(consultation.org.pk, consultation.org)
    owner_choices = [(pk, org.name) for pk, org in allowed.items()]
    rows = []
    for task in selectors.consultation_tasks(consultation):
        task.consultation = consultation  # one organ to check, read once
        complete_form = reopen_form = None
        if bound is not None and bound[0] == task.pk:
            complete_form = bound[2] if bound[1] == "complete" else None
            reopen_form = bound[2] if bound[1] == "reopen" else None
        if complete_form is None and task.done_on is None and services.may_complete(user, task):
            complete_form = CompleteForm(initial={"done_on": local_date()}, auto_id=f"id_t{task.pk}_%s")
        if reopen_form is None and task.done_on is not None and organiser:
            reopen_form = ReopenForm(auto_id=f"id_r{task.pk}_%s")
        rows.append({"task": task, "complete_form": complete_form, "reopen_form": reopen_form})
    if add_form is None and organiser:
        add_form = TaskRowForm(org_choices=owner_choices, auto_id="id_add_%s")
    context = {
        "consultation": consultation,
        "cases": selectors.consultation_cases(user, consultation),
        "hidden_cases": selectors.consultation_hidden_cases(user, consultation),
        "units": units,
        "rows": rows,
        "add_form": add_form,
        "today": local_date(),
    }
    return render(request, "workbench/leadership/consultations/detail.html", context, status=status)


@staff_required
def consultation_view(request: HttpRequest, consultation_id: int) -> HttpResponse:
    return _detail_page(request, _visible(request, consultation_id))


@staff_required
@require_POST
def consultation_task_add(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _visible(request, consultation_id)
    units = {unit.pk: unit for unit in consultation.units.all()}
    units.setdefault(consultation.org.pk, consultation.org)
    form = TaskRowForm(
        request.POST, org_choices=[(pk, org.name) for pk, org in units.items()], auto_id="id_add_%s"
    )
    if form.is_valid():
        try:
            task = services.consultation_add_task(
                actor=request.user,  # type: ignore[arg-type]
                consultation=consultation,
                title=form.cleaned_data["title"],
                owner_org=form.owner(),  # type: ignore[arg-type]
                due_on=form.cleaned_data["due_on"],
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, f"已添加任务“{task.title}”，责任单位：{task.owner_org.name}。")
            return redirect("workbench:consultation-detail", consultation.pk)
    return _detail_page(request, consultation, add_form=form)


@staff_required
@require_POST
def consultation_task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _visible_task(request, task_id)
    form = CompleteForm(request.POST, auto_id=f"id_t{task.pk}_%s")
    if form.is_valid():
        try:
            services.consultation_task_complete(
                actor=request.user,  # type: ignore[arg-type]
                task=task,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, f"已反馈任务“{task.title}”完成。")
            return redirect("workbench:consultation-detail", task.consultation_id)
    return _detail_page(request, task.consultation, bound=(task.pk, "complete", form))


@staff_required
@require_POST
def consultation_task_reopen(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _visible_task(request, task_id)
    form = ReopenForm(request.POST, auto_id=f"id_r{task.pk}_%s")
    if form.is_valid():
        try:
            services.consultation_task_reopen(
                actor=request.user,  # type: ignore[arg-type]
                task=task,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, f"已退回任务“{task.title}”，请责任单位重新办理。")
            return redirect("workbench:consultation-detail", task.consultation_id)
    return _detail_page(request, task.consultation, bound=(task.pk, "reopen", form))
