"""Pages of 领导接访日: the schedule with the check against each level's rule, scheduling a day,
a day's page (the visits received, an existing case attached, the day closed or cancelled), and
the registration of a new visitor at a day (the registration page with ``?reception_day=<id>``).

Reads go through ``xinfang.leadership.selectors.reception`` (a day the user may not see is a 404);
changes through ``xinfang.leadership.services.reception``, whose refusals come back on the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.cases.models import Case
from xinfang.cases.selectors import cases_visible_to
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import LOCAL_TZ, local_date, now
from xinfang.leadership.models import ReceptionDay, ReceptionDayStatus, VisitOutcome
from xinfang.leadership.selectors import reception as selectors
from xinfang.leadership.services import reception as services
from xinfang.leadership.services._common import ORGANISER_ROLES, may_organise, within_reach
from xinfang.orgs.models import Membership, Org, OrgKind, Role, User
from xinfang.orgs.selectors import user_memberships
from xinfang.workbench.cases import staff_required
from xinfang.workbench.form_helpers import LOCAL_DATETIME_FORMATS, LocalDateTimeInput, service_error_on

TABS = {"upcoming": "待接访", "held": "已接访", "cancelled": "已取消"}


def organising_orgs(user: User) -> list[Org]:
    """The bureaus and governments where ``user`` may arrange a reception day."""
    found = {
        m.org
        for m in user_memberships(user).filter(
            role__in=ORGANISER_ROLES,
            org__kind__in=(OrgKind.PETITION_BUREAU, OrgKind.PARTY_GOVERNMENT),
        )
    }
    return sorted(found, key=lambda org: org.path)


def leader_posts(orgs: list[Org]) -> list[Membership]:
    """The leaders who may receive at one of ``orgs``: 领导 of an organ whose region contains it."""
    posts = Membership.objects.filter(
        role=Role.LEADER, is_active=True, org__is_active=True, user__is_active=True
    ).select_related("user", "org", "org__region")
    return [
        p for p in posts.order_by("org__path", "user__username") if any(within_reach(o, p.org) for o in orgs)
    ]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(LOCAL_TZ) if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)


class ScheduleForm(forms.Form):
    org = forms.TypedChoiceField(label="接访机关", coerce=int)
    leader = forms.TypedChoiceField(label="接访领导", coerce=int, help_text="可选本级及上级党委政府的领导。")
    leader_title = TextField(label="领导职务", max_length=64, required=False)
    starts_at = forms.DateTimeField(
        label="开始时间", widget=LocalDateTimeInput(), input_formats=LOCAL_DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label="结束时间", widget=LocalDateTimeInput(), input_formats=LOCAL_DATETIME_FORMATS
    )
    place = TextField(label="接访地点", max_length=128)
    topics = TextField(label="接访主题", max_length=256, required=False, help_text="如：住房保障、征地拆迁。")
    published = forms.BooleanField(label="在网上信访平台公布", required=False, initial=True)

    def __init__(self, *args: Any, orgs: list[Org], posts: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = {o.pk: o for o in orgs}
        self.posts = {p.pk: p for p in posts}
        self.fields["org"].choices = [(o.pk, o.name) for o in orgs]
        self.fields["leader"].choices = [("", "请选择")] + [
            (p.pk, f"{p.user}（{p.org.name}）") for p in posts
        ]
        messages_ = {
            "org": "请选择接访机关。",
            "leader": "请选择接访领导。",
            "starts_at": "请填写开始时间。",
            "ends_at": "请填写结束时间。",
            "place": "请填写接访地点。",
        }
        for name, text in messages_.items():
            self.fields[name].error_messages.update(required=text, invalid_choice=text)
        for name in ("starts_at", "ends_at"):
            self.fields[name].error_messages["invalid"] = "时间格式应为 年-月-日 时:分。"

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        post = self.posts[data["leader"]]
        return {
            "org": self.orgs[data["org"]],
            "leader": post.user,
            "leader_org": post.org,
            "leader_title": data["leader_title"],
            "starts_at": _aware(data["starts_at"]),
            "ends_at": _aware(data["ends_at"]),
            "place": data["place"],
            "topics": data["topics"],
            "published": data["published"],
        }


class ReceiveForm(forms.Form):
    number = TextField(label="信访件编号", max_length=32, error_messages={"required": "请填写信访件编号。"})
    outcome = forms.ChoiceField(label="接访结果", choices=[("", "请选择"), *VisitOutcome.choices])
    headcount = forms.IntegerField(label="来访人数", min_value=1, max_value=services.MAX_HEADCOUNT, initial=1)
    note = TextField(
        label="领导意见", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages.update(
            required="请选择接访结果。", invalid_choice="请选择接访结果。"
        )
        self.fields["headcount"].error_messages.update(
            required="请填写来访人数。", invalid="来访人数应为整数。", min_value="来访人数至少为 1。"
        )


class VisitOutcomeForm(forms.Form):
    """The two fields a registration at a reception day adds (prefix ``rv``)."""

    outcome = forms.ChoiceField(label="接访结果", choices=[("", "请选择"), *VisitOutcome.choices])
    note = TextField(
        label="领导意见", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages.update(
            required="请选择接访结果。", invalid_choice="请选择接访结果。"
        )


class SummaryForm(forms.Form):
    summary = TextField(
        label="接访情况小结",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写接访情况小结。"},
    )


class CancelForm(forms.Form):
    reason = TextField(label="取消原因", max_length=200, error_messages={"required": "请填写取消原因。"})


def _day_or_404(user: User, day_id: int) -> ReceptionDay:
    day = selectors.reception_day_detail(user, day_id)
    if day is None:
        raise Http404("接访日不存在，或您无权查看。")
    return day


def may_record(user: User, day: ReceptionDay) -> bool:
    return day.status == ReceptionDayStatus.SCHEDULED and (
        user.pk == day.leader_id or may_organise(user, day.org)
    )


# ---------------------------------------------------------------- pages


@staff_required
def reception_day_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    tab = request.GET.get("tab", "upcoming")
    if tab not in TABS:
        tab = "upcoming"
    days = selectors.reception_days_visible_to(user)
    moment = now()
    lists = {
        "upcoming": days.filter(status=ReceptionDayStatus.SCHEDULED).order_by("starts_at"),
        "held": days.filter(status=ReceptionDayStatus.HELD).order_by("-starts_at"),
        "cancelled": days.filter(status=ReceptionDayStatus.CANCELLED).order_by("-starts_at"),
    }
    context = {
        "tab": tab,
        "tabs": [(key, label, lists[key].count()) for key, label in TABS.items()],
        "days": list(lists[tab][:100]),
        "now": moment,
        "may_schedule": bool(organising_orgs(user)),
        "standings": selectors.reception_standings(user),
        "figures": selectors.reception_figures(days.filter(starts_at__year=local_date().year)),
        "year": local_date().year,
    }
    return render(request, "workbench/leadership/reception/list.html", context)


@staff_required
def reception_day_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    orgs = organising_orgs(user)
    if not orgs:
        raise Http404("只有信访部门或党委政府的工作人员可以安排领导接访。")
    form = ScheduleForm(request.POST or None, orgs=orgs, posts=leader_posts(orgs))
    if request.method == "POST" and form.is_valid():
        try:
            day = services.reception_day_schedule(actor=user, **form.service_kwargs())
        except ServiceError as exc:
            service_error_on(form, exc, fields={"leader_org": "leader"})
        else:
            messages.success(
                request, f"已安排{day.leader}于 {local_date(day.starts_at):%Y-%m-%d} 在{day.place}接访。"
            )
            return redirect("workbench:reception-day-detail", day.pk)
    return render(request, "workbench/leadership/reception/new.html", {"form": form})


def _detail_context(user: User, day: ReceptionDay, **forms_: Any) -> dict[str, Any]:
    recording = may_record(user, day)
    organiser = may_organise(user, day.org)
    return {
        "day": day,
        "visits": list(selectors.day_visits(user, day)),
        "started": local_date() >= local_date(day.starts_at),
        "may_record": recording,
        "may_register": recording
        and bool(
            user_memberships(user).filter(
                org=day.org, role__in=(Role.REGISTRAR, Role.BUREAU_HEAD, Role.HANDLER)
            )
        ),
        "receive_form": forms_.get("receive_form") or (ReceiveForm() if recording else None),
        "summary_form": forms_.get("summary_form") or (SummaryForm() if recording else None),
        "cancel_form": forms_.get("cancel_form")
        or (CancelForm() if organiser and day.status == ReceptionDayStatus.SCHEDULED else None),
    }


@staff_required
def reception_day_detail(request: HttpRequest, day_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    day = _day_or_404(user, day_id)
    return render(request, "workbench/leadership/reception/detail.html", _detail_context(user, day))


def _receive(user: User, day: ReceptionDay, form: forms.Form) -> str:
    data = form.cleaned_data
    case = cases_visible_to(user).filter(number=data["number"].strip()).first()
    if case is None:
        raise ServiceError(f"没有编号为 {data['number']} 的信访件，或您无权查看。", field="number")
    services.reception_receive_case(
        actor=user,
        day=day,
        case=case,
        outcome=data["outcome"],
        note=data["note"],
        headcount=data["headcount"],
    )
    return f"已登记：信访件 {case.number} 在本次接访中{VisitOutcome(data['outcome']).label}。"


def _close(user: User, day: ReceptionDay, form: forms.Form) -> str:
    services.reception_day_close(actor=user, day=day, summary=form.cleaned_data["summary"])
    return "本次接访已结束。"


def _cancel(user: User, day: ReceptionDay, form: forms.Form) -> str:
    services.reception_day_cancel(actor=user, day=day, reason=form.cleaned_data["reason"])
    return "已取消该接访日。"


# step -> (its form, the name of the form on the page, what it does)
STEPS: dict[str, tuple[type[forms.Form], str, Callable[[User, ReceptionDay, forms.Form], str]]] = {
    "receive": (ReceiveForm, "receive_form", _receive),
    "close": (SummaryForm, "summary_form", _close),
    "cancel": (CancelForm, "cancel_form", _cancel),
}


@staff_required
@require_POST
def reception_day_step(request: HttpRequest, day_id: int, step: str) -> HttpResponse:
    """One step on a day's page; a refusal comes back on the step's form (400)."""
    user: User = request.user  # type: ignore[assignment]
    day = _day_or_404(user, day_id)
    if step not in STEPS:
        raise Http404("没有这个接访办理步骤。")
    make, name, act = STEPS[step]
    form = make(request.POST)
    if form.is_valid():
        try:
            text = act(user, day, form)
        except ServiceError as exc:
            service_error_on(form, exc, fields={"case": "number"})
        else:
            messages.success(request, text)
            return redirect("workbench:reception-day-detail", day.pk)
    context = _detail_context(user, day, **{name: form})
    return render(request, "workbench/leadership/reception/detail.html", context, status=400)


# ---------------------------------------------------------------- registration at a reception day


def reception_day_for_registration(request: HttpRequest, user: User) -> ReceptionDay | None:
    """The day named by ``reception_day`` in the query or the form, if the user may record there."""
    raw = request.POST.get("reception_day") or request.GET.get("reception_day")
    if not raw:
        return None
    try:
        day = selectors.reception_day_detail(user, int(raw))
    except ValueError:
        day = None
    if day is None or not may_record(user, day):
        raise Http404("接访日不存在、已结束，或您不能在该接访日登记来访。")
    return day


def register_at_reception(
    *,
    user: User,
    day: ReceptionDay,
    outcome_form: VisitOutcomeForm,
    petitioners: list[Any],
    kwargs: dict[str, Any],
) -> Case:
    """Register the matter and record it as received at ``day`` (one transaction, in the service)."""
    _, registered = services.reception_register_visit(
        actor=user,
        day=day,
        outcome=outcome_form.cleaned_data["outcome"],
        note=outcome_form.cleaned_data["note"],
        registration={**kwargs, "petitioners": petitioners},
    )
    return registered.case
