"""Pages of 包案: the list with the counts (包案件数, 参与领导人次, 包案化解率), taking a case on
(from a case page: ``?case=<id>``), and a 包案's page with its progress, 已化解, handover,
reopening and the cases of the same 类案 added to it.

Reads go through ``xinfang.leadership.selectors.ownership`` (the access policy); changes through
``xinfang.leadership.services.ownership``, whose refusals come back on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.cases.models import Case
from xinfang.cases.selectors import case_detail, cases_visible_to
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date
from xinfang.leadership.models import Ownership, OwnershipState
from xinfang.leadership.selectors import ownership as selectors
from xinfang.leadership.services import ownership as services
from xinfang.leadership.services._common import may_organise
from xinfang.orgs.models import Membership, Role, User
from xinfang.orgs.selectors import user_memberships
from xinfang.workbench.cases import staff_required
from xinfang.workbench.form_helpers import IsoDateInput as DateInput
from xinfang.workbench.form_helpers import service_error_on
from xinfang.workbench.leadership_reception import leader_posts, organising_orgs

TABS = {
    "mine": "我的包案",
    "running": "化解中",
    "unresolved": "未化解",
    "resolved": "已化解",
    "all": "全部",
}
MAX_NUMBERS = services.MAX_CASES


def _posts_for(user: User) -> list[Membership]:
    """The leaders ``user`` may name: themselves where they are a leader, and the leaders within
    reach of the bureaus and governments where they organise."""
    own = list(user_memberships(user).filter(role=Role.LEADER).select_related("user", "org", "org__region"))
    others = leader_posts(organising_orgs(user))
    seen = {p.pk for p in own}
    return own + [p for p in others if p.pk not in seen]


def parse_numbers(user: User, text: str) -> tuple[list[Case], list[str]]:
    """The visible cases named one per line (or separated by spaces/commas), and the numbers not found."""
    numbers = [n for n in (text or "").replace("，", "\n").replace(",", "\n").split() if n]
    numbers = list(dict.fromkeys(numbers))[: MAX_NUMBERS + 1]
    found = {c.number: c for c in cases_visible_to(user).filter(number__in=numbers)}
    return [found[n] for n in numbers if n in found], [n for n in numbers if n not in found]


class CaseNumbersField(TextField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "placeholder": "每行一个信访件编号"}))
        super().__init__(**kwargs)


class TakeForm(forms.Form):
    leader = forms.TypedChoiceField(label="包案领导", coerce=int)
    leader_title = TextField(label="领导职务", max_length=64, required=False)
    numbers = CaseNumbersField(
        label="信访件编号",
        max_length=10000,
        help_text="一件或同一类案的多件，每行一个编号。",
        error_messages={"required": "请填写信访件编号。"},
    )
    title = TextField(label="包案事项", max_length=200, error_messages={"required": "请填写包案事项。"})
    started_on = forms.DateField(label="包案日期", widget=DateInput)
    target_on = forms.DateField(label="计划化解日期", widget=DateInput)
    plan = TextField(
        label="化解方案",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写化解方案。"},
    )

    def __init__(self, *args: Any, user: User, posts: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.posts = {p.pk: p for p in posts}
        self.fields["leader"].choices = [(p.pk, f"{p.user}（{p.org.name}）") for p in posts]
        self.fields["leader"].error_messages.update(
            required="请选择包案领导。", invalid_choice="请选择包案领导。"
        )
        for name, label in (("started_on", "包案日期"), ("target_on", "计划化解日期")):
            self.fields[name].error_messages.update(
                required=f"请填写{label}。", invalid=f"{label}应为日期（年-月-日）。"
            )
        self.cases: list[Case] = []

    def clean_numbers(self) -> str:
        text = self.cleaned_data["numbers"]
        self.cases, missing = parse_numbers(self.user, text)
        if missing:
            raise forms.ValidationError(f"没有编号为 {'、'.join(missing[:5])} 的信访件，或您无权查看。")
        if len(self.cases) > MAX_NUMBERS:
            raise forms.ValidationError(f"一次包案不超过 {MAX_NUMBERS} 件。")
        return text

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        post = self.posts[data["leader"]]
        return {
            "leader": post.user,
            "org": post.org,
            "leader_title": data["leader_title"],
            "cases": self.cases,
            "title": data["title"],
            "started_on": data["started_on"],
            "target_on": data["target_on"],
            "plan": data["plan"],
        }


class ProgressForm(forms.Form):
    text = TextField(
        label="化解进展",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写化解进展。"},
    )


class ResolveForm(forms.Form):
    resolved_on = forms.DateField(label="化解日期", widget=DateInput)
    evidence = TextField(
        label="化解依据",
        max_length=20000,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "如：签订和解协议、款项已兑付、信访人书面承诺息诉罢访"}
        ),
        error_messages={"required": "请填写化解依据。"},
    )
    petitioner_confirmed = forms.BooleanField(label="信访人已确认化解", required=False)
    petitioner_rating = forms.ChoiceField(
        label="信访人评价", required=False, choices=[("", "未评价"), *((r, r) for r in services.RATINGS)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resolved_on"].error_messages.update(
            required="请填写化解日期。", invalid="化解日期应为日期（年-月-日）。"
        )


class AddCaseForm(forms.Form):
    number = TextField(label="信访件编号", max_length=32, error_messages={"required": "请填写信访件编号。"})


class HandOverForm(forms.Form):
    leader = forms.TypedChoiceField(label="新的包案领导", coerce=int)
    leader_title = TextField(label="领导职务", max_length=64, required=False)
    reason = TextField(label="变更原因", max_length=2000, error_messages={"required": "请填写变更原因。"})

    def __init__(self, *args: Any, posts: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.posts = {p.pk: p for p in posts}
        self.fields["leader"].choices = [("", "请选择")] + [
            (p.pk, f"{p.user}（{p.org.name}）") for p in posts
        ]
        self.fields["leader"].error_messages.update(
            required="请选择新的包案领导。", invalid_choice="请选择新的包案领导。"
        )


class ReopenForm(forms.Form):
    reason = TextField(
        label="重新启动原因", max_length=2000, error_messages={"required": "请填写重新启动原因。"}
    )


def _ownership_or_404(user: User, ownership_id: int) -> Ownership:
    ownership = selectors.ownership_detail(user, ownership_id)
    if ownership is None:
        raise Http404("包案不存在，或您无权查看。")
    return ownership


def may_act(user: User, ownership: Ownership) -> bool:
    return user.pk == ownership.leader_id or may_organise(user, ownership.org)


# ---------------------------------------------------------------- pages


@staff_required
def ownership_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    visible = selectors.ownerships_visible_to(user)
    lists = {
        "mine": visible.filter(leader=user),
        "running": visible.filter(state=OwnershipState.RESOLVING),
        "unresolved": visible.filter(state=OwnershipState.UNRESOLVED),
        "resolved": visible.filter(state=OwnershipState.RESOLVED),
        "all": visible,
    }
    is_leader = user_memberships(user).filter(role=Role.LEADER).exists()
    default = "mine" if is_leader else "running"
    tab = request.GET.get("tab", default)
    if tab not in TABS:
        tab = default
    context = {
        "tab": tab,
        "tabs": [
            (key, label, lists[key].count()) for key, label in TABS.items() if key != "mine" or is_leader
        ],
        "ownerships": list(lists[tab].order_by("target_on", "pk")[:200]),
        "figures": selectors.ownership_figures(visible),
        "today": local_date(),
        "may_take": bool(_posts_for(user)),
    }
    return render(request, "workbench/leadership/ownership/list.html", context)


@staff_required
def ownership_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    posts = _posts_for(user)
    if not posts:
        raise Http404("只有领导或信访部门工作人员可以登记包案。")
    initial: dict[str, Any] = {"started_on": local_date()}
    case_id = request.GET.get("case", "")
    if case_id.isdigit() and (case := case_detail(user, int(case_id))) is not None:
        initial.update(numbers=case.number, title=case.subject)
    form = TakeForm(request.POST or None, user=user, posts=posts, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ownership = services.ownership_take(actor=user, **form.service_kwargs())
        except ServiceError as exc:
            service_error_on(form, exc, fields={"cases": "numbers", "org": "leader", "case": "numbers"})
        else:
            messages.success(request, f"已登记包案：{ownership.leader}包案“{ownership.title}”。")
            return redirect("workbench:ownership-detail", ownership.pk)
    return render(request, "workbench/leadership/ownership/new.html", {"form": form})


def _detail_context(user: User, ownership: Ownership, **given: Any) -> dict[str, Any]:
    acting = may_act(user, ownership)
    running = ownership.state != OwnershipState.RESOLVED
    forms_: dict[str, Any] = {}
    if acting and running:
        forms_ = {
            "progress_form": ProgressForm(),
            "resolve_form": ResolveForm(initial={"resolved_on": local_date()}),
            "add_form": AddCaseForm(),
            "handover_form": HandOverForm(posts=_posts_for(user)),
        }
    elif acting:
        forms_ = {"reopen_form": ReopenForm()}
    forms_.update(given)
    return {
        "ownership": ownership,
        "cases": list(selectors.ownership_cases(user, ownership)),
        "events": list(selectors.ownership_events(ownership)),
        "late": running and ownership.target_on < local_date(),
        **forms_,
    }


def _render(request: HttpRequest, ownership: Ownership, status: int = 200, **given: Any) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context = _detail_context(user, ownership, **given)
    return render(request, "workbench/leadership/ownership/detail.html", context, status=status)


@staff_required
def ownership_detail(request: HttpRequest, ownership_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return _render(request, _ownership_or_404(user, ownership_id))


# ---------------------------------------------------------------- the steps (POST only)


def _progress(user: User, ownership: Ownership, form: forms.Form) -> str:
    services.ownership_progress(actor=user, ownership=ownership, text=form.cleaned_data["text"])
    return "已记录化解进展。"


def _resolve(user: User, ownership: Ownership, form: forms.Form) -> str:
    services.ownership_resolve(actor=user, ownership=ownership, **form.cleaned_data)
    return "已认定化解。"


def _add_case(user: User, ownership: Ownership, form: forms.Form) -> str:
    number = form.cleaned_data["number"].strip()
    case = cases_visible_to(user).filter(number=number).first()
    if case is None:
        raise ServiceError(f"没有编号为 {number} 的信访件，或您无权查看。", field="number")
    services.ownership_add_case(actor=user, ownership=ownership, case=case)
    return f"已将信访件 {case.number} 纳入本包案。"


def _hand_over(user: User, ownership: Ownership, form: forms.Form) -> str:
    post = form.posts[form.cleaned_data["leader"]]  # type: ignore[attr-defined]
    services.ownership_hand_over(
        actor=user,
        ownership=ownership,
        leader=post.user,
        org=post.org,
        reason=form.cleaned_data["reason"],
        leader_title=form.cleaned_data["leader_title"],
    )
    return f"包案领导已变更为{post.user}。"


def _reopen(user: User, ownership: Ownership, form: forms.Form) -> str:
    services.ownership_reopen(actor=user, ownership=ownership, reason=form.cleaned_data["reason"])
    return "已重新启动化解。"


# step -> (its form, the name of the form on the page, what it does, the service's field names)
STEPS: dict[
    str, tuple[Callable[..., forms.Form], str, Callable[[User, Ownership, forms.Form], str], dict[str, str]]
] = {
    "progress": (ProgressForm, "progress_form", _progress, {}),
    "resolve": (ResolveForm, "resolve_form", _resolve, {}),
    "cases": (AddCaseForm, "add_form", _add_case, {"case": "number"}),
    "hand-over": (HandOverForm, "handover_form", _hand_over, {"org": "leader"}),
    "reopen": (ReopenForm, "reopen_form", _reopen, {}),
}


@staff_required
@require_POST
def ownership_step(request: HttpRequest, ownership_id: int, step: str) -> HttpResponse:
    """One step of a 包案 from its page; a refusal comes back on the step's form (400)."""
    user: User = request.user  # type: ignore[assignment]
    ownership = _ownership_or_404(user, ownership_id)
    if step not in STEPS:
        raise Http404("没有这个包案办理步骤。")
    make, name, act, fields = STEPS[step]
    form = make(request.POST, posts=_posts_for(user)) if make is HandOverForm else make(request.POST)
    if form.is_valid():
        try:
            text = act(user, ownership, form)
        except ServiceError as exc:
            service_error_on(form, exc, fields=fields)
        else:
            messages.success(request, text)
            return redirect("workbench:ownership-detail", ownership.pk)
    return _render(request, ownership, 400, **{name: form})
