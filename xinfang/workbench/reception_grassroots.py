"""Staff pages of the grass-roots points (镇级工作站、村级服务点、基层调解平台): the points a user serves
with the month's figures and the escalated matters waiting for the user's organ to register them;
a point's talks ("说事") with filters and the form that registers one; one talk with its mediations
and the forms of each step (调解 start / conclude / 回访, 就地化解, 上报, 登记为信访件).

Reads go through ``xinfang.reception.selectors.grassroots`` (a point or talk the user may not see is a
404; names and phones are masked in lists). Changes go through
``xinfang.reception.services.grassroots``; a refusal comes back on the field it names.
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

from xinfang.cases.models import ContentCategory, Nature
from xinfang.cases.selectors import case_detail
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date, now
from xinfang.core.validation import MAX_CONTENT, MAX_HEADCOUNT, MAX_PERSON_NAME, MAX_SUBJECT
from xinfang.orgs.models import Org, Region, User
from xinfang.reception.models import Mediation, MediationOutcome, Talk, TalkStatus
from xinfang.reception.selectors import grassroots as selectors
from xinfang.reception.selectors import points_visible_to
from xinfang.reception.services import grassroots as services
from xinfang.reception.services._common import may_serve_point
from xinfang.workbench.cases import staff_required
from xinfang.workbench.form_helpers import (
    LOCAL_DATETIME_FORMATS,
    IsoDateInput,
    LocalDateTimeInput,
    service_error_on,
)
from xinfang.workbench.forms_cases import category_choices, region_choices

PER_PAGE = 30
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DATE_ERRORS = {"required": "请填写{label}。", "invalid": "{label}应为日期（年-月-日）。"}


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=IsoDateInput(),
        error_messages={key: text.format(label=label) for key, text in DATE_ERRORS.items()},
    )


def _text(label: str, max_length: int, *, rows: int = 0, required: bool = True, **kwargs: Any) -> TextField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return TextField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={"required": f"请填写{label}。"},
        **({"widget": widget} if widget else {}),
        **kwargs,
    )


# ---------------------------------------------------------------- forms


class TalkForm(forms.Form):
    name = _text("姓名", MAX_PERSON_NAME)
    phone = _text("联系电话", services.MAX_PHONE, required=False)
    address = _text("住址", services.MAX_ADDRESS, required=False)
    headcount = forms.IntegerField(
        label="人数",
        min_value=1,
        max_value=MAX_HEADCOUNT,
        initial=1,
        error_messages={
            "required": "请填写人数。",
            "invalid": "人数应为整数。",
            "min_value": f"人数应为 1 至 {MAX_HEADCOUNT} 之间的整数。",
            "max_value": f"人数应为 1 至 {MAX_HEADCOUNT} 之间的整数。",
        },
    )
    received_at = forms.DateTimeField(
        label="接待时间",
        widget=LocalDateTimeInput(),
        input_formats=LOCAL_DATETIME_FORMATS,
        error_messages={"required": "请填写接待时间。", "invalid": "接待时间应为“年-月-日 时:分”。"},
    )
    category = forms.ChoiceField(label="内容分类", required=False)
    subject = _text("事项", MAX_SUBJECT)
    content = _text("具体情况", MAX_CONTENT, rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "未分类"), *category_choices()]

    def clean_category(self) -> ContentCategory | None:
        code = self.cleaned_data["category"]
        return ContentCategory.objects.filter(code=code).first() if code else None


class FilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *TalkStatus.choices])
    month = forms.CharField(
        label="接待月份",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2025-03"}),
    )

    def clean_month(self) -> tuple[int, int] | None:
        return _parse_month(self.cleaned_data["month"])


class MediationStartForm(forms.Form):
    parties = _text("当事人", services.MAX_PARTIES, rows=2, help_text="双方（各方）当事人的姓名或名称。")
    mediator = _text("调解员", services.MAX_MEDIATOR)
    started_on = _date_field("调解日期")


class MediationConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="调解结果",
        choices=[(MediationOutcome.AGREED, "达成协议"), (MediationOutcome.FAILED, "调解不成")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择调解结果。"},
    )
    agreement = _text(
        "调解协议内容", services.MAX_TEXT, rows=3, required=False, help_text="达成协议的必填（第三十三条）。"
    )
    concluded_on = _date_field("结束日期")
    follow_up_on = _date_field("回访日期", required=False)


class FollowUpForm(forms.Form):
    note = _text("回访情况", services.MAX_TEXT, rows=2, help_text="协议是否履行，群众是否满意。")


class ResolveForm(forms.Form):
    resolution = _text("化解情况", services.MAX_TEXT, rows=3)
    confirmation = _text(
        "群众确认方式",
        services.MAX_CONFIRMATION,
        help_text="就地化解须经群众本人确认，如“本人签字”“电话确认”。",
    )


class EscalateForm(forms.Form):
    to_org = forms.TypedChoiceField(
        label="上报机关", coerce=int, error_messages={"required": "请选择上报机关。"}
    )
    reason = _text("上报理由", services.MAX_TEXT, rows=3)

    def __init__(self, *args: Any, targets: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.targets = {org.pk: org for org in targets}
        self.fields["to_org"].choices = [("", "请选择"), *((org.pk, org.name) for org in targets)]

    def clean_to_org(self) -> Org:
        return self.targets[self.cleaned_data["to_org"]]


class RegisterCaseForm(forms.Form):
    nature = forms.ChoiceField(label="信访性质", choices=Nature.choices, initial=Nature.APPEAL)
    category = forms.ChoiceField(label="内容分类", error_messages={"required": "请选择内容分类。"})
    subject = _text("标题", MAX_SUBJECT)
    content = _text("主要内容", MAX_CONTENT, rows=5)
    problem_region = forms.ChoiceField(label="问题属地", error_messages={"required": "请选择问题属地。"})

    def __init__(self, *args: Any, org: Org, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "请选择内容分类"), *category_choices()]
        self.fields["problem_region"].choices = [("", "请选择问题属地"), *region_choices([org])]

    def clean_category(self) -> ContentCategory:
        category = ContentCategory.objects.filter(code=self.cleaned_data["category"]).first()
        if category is None:
            raise forms.ValidationError("请选择内容分类。")
        return category

    def clean_problem_region(self) -> Region:
        region = Region.objects.filter(code=self.cleaned_data["problem_region"]).first()
        if region is None:
            raise forms.ValidationError("请选择问题属地。")
        return region


# ---------------------------------------------------------------- helpers


def _parse_month(text: str) -> tuple[int, int] | None:
    match = _MONTH.match((text or "").strip())
    if match and 2000 <= int(match[1]) <= 2999 and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    return None


def _shift_month(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.date(year, month, 1), following - dt.timedelta(days=1)


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _point(request: HttpRequest, point_id: int) -> Org:
    point = selectors.point_for(request.user, point_id)  # type: ignore[arg-type]
    if point is None:
        raise Http404("服务点不存在或您无权查看。")
    return point


def _talk(request: HttpRequest, talk_id: int) -> Talk:
    talk = selectors.talk_for(request.user, talk_id)  # type: ignore[arg-type]
    if talk is None:
        raise Http404("说事记录不存在或您无权查看。")
    return talk


def _mediation(request: HttpRequest, mediation_id: int) -> Mediation:
    mediation = Mediation.objects.filter(pk=mediation_id).only("pk", "talk_id").first()
    if mediation is None or selectors.talk_for(request.user, mediation.talk_id) is None:  # type: ignore[arg-type]
        raise Http404("调解记录不存在或您无权查看。")
    return Mediation.objects.select_related("talk").get(pk=mediation_id)


def _listed(talks: Any) -> list[dict[str, Any]]:
    """The talks of a list, the names and phones masked."""
    return [{"talk": t, "name": selectors.masked_name(t), "phone": selectors.masked_phone(t)} for t in talks]


# ---------------------------------------------------------------- the points


@staff_required
def point_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    year, month = _parse_month(request.GET.get("month", "")) or (local_date().year, local_date().month)
    points = list(points_visible_to(user).order_by("path"))
    start, end = _month_days(year, month)
    rows = selectors.point_figures(points, start, end)
    total = selectors.figures_total(rows)
    return render(
        request,
        "workbench/reception/points/list.html",
        {
            "year": year,
            "month": month,
            "previous_month": _shift_month(year, month, -1),
            "next_month": _shift_month(year, month, 1),
            "rows": [(row, percent(row.mediation_rate), percent(row.resolution_rate)) for row in rows],
            "total": (total, percent(total.mediation_rate), percent(total.resolution_rate)),
            "awaiting": _listed(selectors.talks_awaiting_registration(user)),
        },
    )


@staff_required
def point_detail(request: HttpRequest, point_id: int) -> HttpResponse:
    point = _point(request, point_id)
    user: User = request.user  # type: ignore[assignment]
    serves = point.is_active and may_serve_point(user, point)
    form = TalkForm(initial={"received_at": now(), "headcount": 1}) if serves else None
    if request.method == "POST":
        if not serves:
            return render(
                request,
                "workbench/forbidden.html",
                {"message": f"{point.name}已停用或您不是其工作人员，不能登记群众说事。"},
                status=403,
            )
        form = TalkForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                talk = services.talk_register(actor=user, point=point, **data)
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, f"已登记{selectors.masked_name(talk)}反映的“{talk.subject}”。")
                return redirect("workbench:talk-detail", talk.pk)
    filters = FilterForm(request.GET or None)
    status = month = None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or None
        month = filters.cleaned_data["month"]
    page = Paginator(selectors.point_talks(point, status=status, month=month), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workbench/reception/points/detail.html",
        {
            "point": point,
            "form": form,
            "filters": filters,
            "page": page,
            "rows": _listed(page),
            "query": query.urlencode(),
        },
    )


# ---------------------------------------------------------------- one talk


def _talk_page(request: HttpRequest, talk: Talk, *, bound: dict[str, Any] | None = None) -> HttpResponse:
    """The talk with the forms the user may use; ``bound`` holds a posted form shown again with its
    errors (always, so a refusal is read where it was made), keyed "start", "conclude-<id>",
    "follow-<id>", "resolve", "escalate" or "register"."""
    user: User = request.user  # type: ignore[assignment]
    bound = bound or {}
    point = talk.point
    serves = point.is_active and may_serve_point(user, point)
    mediations = list(selectors.talk_mediations(talk))
    ongoing = any(m.outcome == MediationOutcome.ONGOING for m in mediations)
    open_talk = talk.status in (TalkStatus.OPEN, TalkStatus.MEDIATING)
    may_act = serves and open_talk and not ongoing
    today = local_date()

    def form(key: str, offered: bool, make: Any) -> forms.Form | None:
        return bound.get(key) or (make() if offered else None)

    rows = []
    for m in mediations:
        conclude = form(
            f"conclude-{m.pk}",
            serves and m.outcome == MediationOutcome.ONGOING,
            lambda m=m: MediationConcludeForm(initial={"concluded_on": today}, auto_id=f"id_c{m.pk}_%s"),
        )
        follow = form(
            f"follow-{m.pk}",
            may_serve_point(user, point)
            and m.outcome == MediationOutcome.AGREED
            and m.followed_up_at is None,
            lambda m=m: FollowUpForm(auto_id=f"id_f{m.pk}_%s"),
        )
        rows.append({"mediation": m, "conclude": conclude, "follow": follow})
    targets = services.escalation_targets(point) if may_act else []
    register_form = form(
        "register",
        selectors.may_register_case(user, talk),
        lambda: RegisterCaseForm(
            org=talk.escalated_to,  # type: ignore[arg-type]
            initial={
                "category": talk.category.code if talk.category else "",
                "subject": talk.subject,
                "content": talk.content,
                "problem_region": point.region.code,
            },
        ),
    )
    context = {
        "talk": talk,
        # the case registered from it, when the user may see it (the one access policy)
        "case": case_detail(user, talk.case_id) if talk.case_id else None,
        "point": point,
        "serves": serves,
        "rows": rows,
        "agreed": any(m.outcome == MediationOutcome.AGREED for m in mediations),
        "start_form": form(
            "start", may_act, lambda: MediationStartForm(initial={"started_on": today}, auto_id="id_s_%s")
        ),
        "resolve_form": form("resolve", may_act, lambda: ResolveForm(auto_id="id_r_%s")),
        "escalate_form": form(
            "escalate", may_act and bool(targets), lambda: EscalateForm(targets=targets, auto_id="id_e_%s")
        ),
        "register_form": register_form,
    }
    return render(request, "workbench/reception/points/talk.html", context)


@staff_required
def talk_detail(request: HttpRequest, talk_id: int) -> HttpResponse:
    return _talk_page(request, _talk(request, talk_id))


def _after(request: HttpRequest, talk: Talk, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("workbench:talk-detail", talk.pk)


@staff_required
@require_POST
def mediation_start(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = _talk(request, talk_id)
    form = MediationStartForm(request.POST, auto_id="id_s_%s")
    if form.is_valid():
        try:
            services.mediation_start(actor=request.user, talk=talk, **form.cleaned_data)  # type: ignore[arg-type]
        except ServiceError as exc:
            service_error_on(form, exc, fields={"talk": "__all__"})
        else:
            return _after(request, talk, f"已开始调解，调解员：{form.cleaned_data['mediator']}。")
    return _talk_page(request, talk, bound={"start": form})


@staff_required
@require_POST
def mediation_conclude(request: HttpRequest, mediation_id: int) -> HttpResponse:
    mediation = _mediation(request, mediation_id)
    talk = _talk(request, mediation.talk_id)
    form = MediationConcludeForm(request.POST, auto_id=f"id_c{mediation.pk}_%s")
    if form.is_valid():
        try:
            done = services.mediation_conclude(actor=request.user, mediation=mediation, **form.cleaned_data)  # type: ignore[arg-type]
        except ServiceError as exc:
            service_error_on(form, exc, fields={"mediation": "__all__"})
        else:
            text = (
                f"已登记调解达成协议，请于 {done.follow_up_on:%Y-%m-%d} 回访协议履行情况。"
                if done.outcome == MediationOutcome.AGREED
                else "已登记调解不成，可再次调解、就地化解或上报。"
            )
            return _after(request, talk, text)
    return _talk_page(request, talk, bound={f"conclude-{mediation.pk}": form})


@staff_required
@require_POST
def mediation_follow_up(request: HttpRequest, mediation_id: int) -> HttpResponse:
    mediation = _mediation(request, mediation_id)
    talk = _talk(request, mediation.talk_id)
    form = FollowUpForm(request.POST, auto_id=f"id_f{mediation.pk}_%s")
    if form.is_valid():
        try:
            services.mediation_follow_up(
                actor=request.user, mediation=mediation, note=form.cleaned_data["note"]
            )  # type: ignore[arg-type]
        except ServiceError as exc:
            service_error_on(form, exc, fields={"mediation": "__all__"})
        else:
            return _after(request, talk, "已登记调解回访情况。")
    return _talk_page(request, talk, bound={f"follow-{mediation.pk}": form})


@staff_required
@require_POST
def talk_resolve(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = _talk(request, talk_id)
    form = ResolveForm(request.POST, auto_id="id_r_%s")
    if form.is_valid():
        try:
            services.talk_resolve(actor=request.user, talk=talk, **form.cleaned_data)  # type: ignore[arg-type]
        except ServiceError as exc:
            service_error_on(form, exc, fields={"talk": "__all__"})
        else:
            return _after(request, talk, f"已登记就地化解（群众确认：{form.cleaned_data['confirmation']}）。")
    return _talk_page(request, talk, bound={"resolve": form})


@staff_required
@require_POST
def talk_escalate(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = _talk(request, talk_id)
    form = EscalateForm(request.POST, targets=services.escalation_targets(talk.point), auto_id="id_e_%s")
    if form.is_valid():
        try:
            done = services.talk_escalate(actor=request.user, talk=talk, **form.cleaned_data)  # type: ignore[arg-type]
        except ServiceError as exc:
            service_error_on(form, exc, fields={"talk": "__all__"})
        else:
            assert done.escalated_to is not None
            return _after(request, talk, f"已上报{done.escalated_to.name}，待其登记为信访件。")
    return _talk_page(request, talk, bound={"escalate": form})


@staff_required
@require_POST
def talk_register_case(request: HttpRequest, talk_id: int) -> HttpResponse:
    talk = _talk(request, talk_id)
    if not selectors.may_register_case(request.user, talk):  # type: ignore[arg-type]
        messages.error(request, "该事项不是上报本机关待登记的事项，或您不是本机关的登记人员。")
        return redirect("workbench:talk-detail", talk.pk)
    assert talk.escalated_to is not None
    form = RegisterCaseForm(request.POST, org=talk.escalated_to)
    if form.is_valid():
        try:
            case = services.talk_register_case(actor=request.user, talk=talk, **form.cleaned_data)  # type: ignore[arg-type]
        except ServiceError as exc:
            service_error_on(form, exc, fields={"talk": "__all__"})
        else:
            messages.success(request, f"已将{talk.point.name}上报的事项登记为信访件 {case.number}。")
            return redirect("workbench:case-detail", case.pk)
    return _talk_page(request, talk, bound={"register": form})
