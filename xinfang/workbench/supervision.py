"""Staff pages for deadlines and 督办: the due-soon and overdue lists, the 督办 list and detail,
the open, feedback and close forms, and the letters.

Reads go through ``xinfang.supervision.selectors`` (the access policy): what a user may not see
is a 404. Changes go through ``xinfang.supervision.services``, which check roles and state; the
``can_*`` helpers here only decide which forms to show, and a refusal comes back on the form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from xinfang.cases.documents import DOCX_MIME
from xinfang.cases.models import Case
from xinfang.cases.selectors import case_detail
from xinfang.core.errors import ServiceError
from xinfang.core.forms import TextField
from xinfang.core.timeutil import local_date
from xinfang.deadlines.models import CLOCK_LABELS
from xinfang.orgs.models import Org, OrgKind, User
from xinfang.orgs.permissions import holds_role
from xinfang.orgs.selectors import user_memberships, user_orgs
from xinfang.supervision import selectors, services
from xinfang.supervision.letters import available_letters, render_letter
from xinfang.supervision.models import (
    ACTIVE_STATUSES,
    Reason,
    Supervision,
    SupervisionStatus,
)
from xinfang.workbench.cases import staff_required
from xinfang.workbench.downloads import file_download
from xinfang.workbench.form_helpers import service_error_on

PER_PAGE = 30
TABS = {"overdue": "已超期", "due_soon": "临期预警"}


# ---------------------------------------------------------------- who may do what (for display)


def opening_bureaus(user: User) -> list[Org]:
    """The petition bureaus where ``user`` holds a role that may open a 督办."""
    found = {
        m.org
        for m in user_memberships(user).filter(
            org__kind=OrgKind.PETITION_BUREAU, role__in=services.OPENING_ROLES
        )
    }
    return sorted(found, key=lambda org: org.pk)


def can_feedback(user: User, supervision: Supervision) -> bool:
    return supervision.status in (SupervisionStatus.OPEN, SupervisionStatus.OVERDUE) and holds_role(
        user, supervision.case.current_org, services.FEEDBACK_ROLES
    )


def can_close(user: User, supervision: Supervision) -> bool:
    return supervision.status in (SupervisionStatus.ANSWERED, SupervisionStatus.OVERDUE) and holds_role(
        user, supervision.opened_by_org, services.CLOSING_ROLES
    )


def can_open(user: User, case: Case) -> list[Org]:
    """The bureaus ``user`` could open a 督办 from on ``case`` (empty: show no form)."""
    if case.closed_at is not None:
        return []
    return [org for org in opening_bureaus(user) if org.pk != case.current_org_id]


# ---------------------------------------------------------------- forms


class DateInput(forms.DateInput):
    input_type = "date"


class SupervisionOpenForm(forms.Form):
    org = forms.TypedChoiceField(label="督办机关", coerce=int)
    reason = forms.ChoiceField(label="督办事由", choices=[("", "请选择"), *Reason.choices])
    details = TextField(
        label="督办要求",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "写明要求责任单位做什么、如何反馈"}),
    )
    feedback_due = forms.DateField(label="反馈期限", widget=DateInput)

    def __init__(self, *args: Any, bureaus: list[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bureaus = {org.pk: org for org in bureaus}
        self.fields["org"].choices = [(org.pk, org.name) for org in bureaus]
        if len(bureaus) == 1:
            self.fields["org"].widget = forms.HiddenInput()
            self.fields["org"].initial = bureaus[0].pk
        today = local_date()
        self.fields["feedback_due"].widget.attrs.update(
            min=(today + dt.timedelta(days=1)).isoformat(),
            max=(today + dt.timedelta(days=services.MAX_FEEDBACK_DAYS)).isoformat(),
        )
        self.fields["details"].error_messages["required"] = "请填写督办要求。"
        self.fields["reason"].error_messages["required"] = "请选择督办事由。"
        self.fields["feedback_due"].error_messages.update(
            required="请填写反馈期限。", invalid="反馈期限应为日期（年-月-日）。"
        )


class FeedbackForm(forms.Form):
    text = TextField(
        label="办理情况",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "请填写办理情况。"},
    )


class CloseForm(forms.Form):
    note = TextField(
        label="办结意见",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写办结意见。"},
    )
    recommend_accountability = forms.BooleanField(label="建议问责", required=False)


_service_error_on = service_error_on


# ---------------------------------------------------------------- lists


# The units offered in the 责任单位 choice are remembered this long per user: counting every
# flagged case of a province to list them costs more than the unit's own page (the sweep that
# flags cases runs every 10 minutes; the page's counts and rows are always read afresh).
UNIT_CHOICES_SECONDS = 300


def _unit_choices(user: User, flagged: list[tuple[int, str]], unit: Org | None) -> SafeString:
    """The options of the unit filter: the user's own units first, then every other unit that has
    a flagged case the user sees, and the unit named in the address even with nothing flagged.

    Written here rather than by a template loop: a provincial bureau's filter holds hundreds of
    units, and the loop took longer than the page's reads.
    """
    own = list(user_orgs(user).order_by("pk").values_list("pk", "name"))
    seen = {pk for pk, _ in own}
    choices = own + [(pk, name) for pk, name in flagged if pk not in seen]
    if unit is not None and unit.pk not in {pk for pk, _ in choices}:
        choices.append((unit.pk, unit.name))
    chosen = unit.pk if unit is not None else None
    return mark_safe(
        "".join(
            f'<option value="{pk}"{" selected" if pk == chosen else ""}>{escape(name)}</option>'
            for pk, name in choices
        )
    )


def _flagged_units(user: User, flagged: dict[tuple[str, int], int] | None = None) -> list[tuple[int, str]]:
    """The units with a flagged case `user` sees, (id, name) in the tree's order: from `flagged`
    (and remembered), or as remembered."""
    key = f"deadline-units:{user.pk}"
    if flagged is None:
        remembered = cache.get(key)
        if remembered is not None:
            return list(remembered)
        flagged = selectors.flagged_by_unit(user)
    units = list(
        Org.objects.filter(pk__in={org for _, org in flagged}).order_by("path").values_list("pk", "name")
    )
    cache.set(key, units, UNIT_CHOICES_SECONDS)
    return units


@staff_required
def deadline_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    tab = request.GET.get("tab", "overdue")
    tab = tab if tab in TABS else "overdue"
    wanted = request.GET.get("org", "")
    unit = Org.objects.filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 19 else None
    # One unit's page counts that unit's cases only; the page of all units counts them all.
    flagged = selectors.flagged_by_unit(user, org=unit)
    unit_options = _unit_choices(user, _flagged_units(user, None if unit else flagged), unit)
    counts = {key: sum(n for (kind, _), n in flagged.items() if kind == key) for key in TABS}
    warnings = selectors.first_warnings(user, tab, org=unit)
    # The tab's count is known: the paginator need not count again.
    paginator = Paginator(warnings, PER_PAGE)
    paginator.count = counts[tab]  # type: ignore[misc]
    page = paginator.get_page(request.GET.get("page"))
    today = local_date()
    rows = []
    for warning in page:
        case = warning.case
        case.supervised = warning.supervised
        days = (warning.due_on - today).days
        rows.append(
            {
                "case": case,
                "clock": CLOCK_LABELS.get(warning.clock, warning.clock),
                "due_on": warning.due_on,
                "days": abs(days),
                "today": days == 0,
            }
        )
    keep = {"tab": tab, **({"org": str(unit.pk)} if unit else {})}
    return render(
        request,
        "workbench/supervision/deadlines.html",
        {
            "tab": tab,
            "tabs": [(key, label, counts[key]) for key, label in TABS.items()],
            "unit_options": unit_options,
            "unit": unit,
            "page": page,
            "rows": rows,
            "query": urlencode(keep),
            "org_query": f"&org={unit.pk}" if unit else "",
        },
    )


STATUS_FILTERS = {"active": "未办结", **dict(SupervisionStatus.choices), "all": "全部"}


@staff_required
def supervision_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    status = request.GET.get("status", "active")
    status = status if status in STATUS_FILTERS else "active"
    visible = selectors.supervisions_visible_to(user)
    by_status = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    counts = {
        **{value: by_status.get(value, 0) for value in SupervisionStatus.values},
        "active": sum(by_status.get(value, 0) for value in ACTIVE_STATUSES),
        "all": sum(by_status.values()),
    }
    if status == "active":
        visible = visible.filter(status__in=ACTIVE_STATUSES)
    elif status != "all":
        visible = visible.filter(status=status)
    visible = visible.order_by("feedback_due", "-opened_at", "-pk")
    page = Paginator(visible, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/supervision/list.html",
        {
            "status": status,
            "filters": [(key, label, counts[key]) for key, label in STATUS_FILTERS.items()],
            "page": page,
            "today": local_date(),
        },
    )


# ---------------------------------------------------------------- one 督办


def _visible(request: HttpRequest, supervision_id: int) -> Supervision:
    supervision = selectors.supervision_detail(request.user, supervision_id)  # type: ignore[arg-type]
    if supervision is None:
        raise Http404("督办不存在或您无权查看。")
    return supervision


def _detail_page(
    request: HttpRequest,
    supervision: Supervision,
    *,
    feedback_form: FeedbackForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    may_feedback, may_close = can_feedback(user, supervision), can_close(user, supervision)
    context = {
        "supervision": supervision,
        "case": supervision.case,
        "events": selectors.supervision_events(supervision),
        "letters": available_letters(supervision),
        # a posted form comes back with its errors even when the user turned out not to be allowed
        "feedback_form": feedback_form or (FeedbackForm() if may_feedback else None),
        "close_form": close_form or (CloseForm() if may_close else None),
        "overdue_without_feedback": supervision.status == SupervisionStatus.OVERDUE,
        "late": supervision.status in ACTIVE_STATUSES and supervision.feedback_due < local_date(),
    }
    return render(request, "workbench/supervision/detail.html", context)


@staff_required
def supervision_view(request: HttpRequest, supervision_id: int) -> HttpResponse:
    return _detail_page(request, _visible(request, supervision_id))


@staff_required
@require_POST
def supervision_feedback(request: HttpRequest, supervision_id: int) -> HttpResponse:
    supervision = _visible(request, supervision_id)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_feedback(
                actor=request.user,  # type: ignore[arg-type]
                supervision=supervision,
                text=form.cleaned_data["text"],
            )
        except ServiceError as exc:
            _service_error_on(form, exc)
        else:
            messages.success(request, "已反馈办理情况。")
            return redirect("workbench:supervision-detail", supervision.pk)
    return _detail_page(request, supervision, feedback_form=form)


@staff_required
@require_POST
def supervision_close(request: HttpRequest, supervision_id: int) -> HttpResponse:
    supervision = _visible(request, supervision_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_close(
                actor=request.user,  # type: ignore[arg-type]
                supervision=supervision,
                note=form.cleaned_data["note"],
                recommend_accountability=form.cleaned_data["recommend_accountability"],
            )
        except ServiceError as exc:
            _service_error_on(form, exc)
        else:
            done = (
                "已办结督办，并建议问责。"
                if form.cleaned_data["recommend_accountability"]
                else "已办结督办。"
            )
            messages.success(request, done)
            return redirect("workbench:supervision-detail", supervision.pk)
    return _detail_page(request, supervision, close_form=form)


@staff_required
def supervision_letter(request: HttpRequest, supervision_id: int, kind: str) -> HttpResponse:
    supervision = _visible(request, supervision_id)
    try:
        filename, content = render_letter(supervision, kind)
    except ServiceError as exc:
        raise Http404(exc.message) from None
    return file_download(content, filename, DOCX_MIME)


# ---------------------------------------------------------------- opening, from a case


@staff_required
def supervision_open(request: HttpRequest, case_id: int) -> HttpResponse:
    """The 督办 form of a case: shown on the case page; this page shows it again with errors."""
    user: User = request.user  # type: ignore[assignment]
    case = case_detail(user, case_id)
    if case is None:
        raise Http404("信访件不存在或您无权查看。")
    bureaus = can_open(user, case)
    if request.method == "POST" and not bureaus:
        raise PermissionDenied(
            "只有信访部门的负责人、审核人或承办人可以督办，且信访件须未办结、不由本机关自办。"
        )
    form = SupervisionOpenForm(request.POST or None, bureaus=bureaus)
    if request.method == "POST" and form.is_valid():
        try:
            supervision = services.supervision_open(
                actor=user,
                org=form.bureaus[form.cleaned_data["org"]],
                case=case,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                feedback_due=form.cleaned_data["feedback_due"],
            )
        except ServiceError as exc:
            _service_error_on(form, exc)
        else:
            messages.success(
                request,
                f"已向{supervision.unit.name}发出督办，请于{supervision.feedback_due:%Y-%m-%d}前反馈；"
                "督办提醒函可在督办详情中下载。",
            )
            return redirect("workbench:case-detail", case.pk)
    return render(
        request,
        "workbench/supervision/open.html",
        {"case": case, "form": form, "bureaus": bureaus},
    )
