"""Staff pages of the legal-route guide (法定途径清单, 诉访分离, 《信访工作条例》第三十一条): the guide by
category (edited in the back office), the suggestion fragment the registration form asks for as the
clerk picks a category or types the content, and the matters guided into legal routes with their
figures.

Reads go through ``xinfang.reception.selectors.routes``; the guided matters only with cases the
user may see (the one access policy). Declining a matter into a route is the decline step of the
case (``xinfang.workbench.forms_actions.DeclineForm`` → ``legal_route_decline``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xinfang.cases.models import ContentCategory
from xinfang.orgs.models import User
from xinfang.reception.selectors import routes as selectors
from xinfang.textintel.normalize import to_simplified
from xinfang.workbench.cases import staff_required
from xinfang.workbench.form_helpers import IsoDateInput

PER_PAGE = 30
MAX_TEXT = 5000  # what the fragment matches: a title and the start of the content are enough


def may_edit_guide(user: User) -> bool:
    """Staff with the back office's right to change the guide's lines get a link to each."""
    return bool(user.is_staff and user.has_perm("reception.change_legalroute"))


@staff_required
def legal_route_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    editor = may_edit_guide(user)
    return render(
        request,
        "workbench/reception/routes/list.html",
        {"groups": selectors.guide_by_category(include_inactive=editor), "may_edit": editor},
    )


def _query_text(request: HttpRequest) -> str:
    parts = [request.GET.get(name, "") for name in ("subject", "text", "content")]
    return to_simplified(" ".join(p for p in parts if p)[:MAX_TEXT])


@staff_required
@require_GET
def legal_route_suggest(request: HttpRequest) -> HttpResponse:
    """GET ?category=<code>&text=…: an HTML fragment (for the registration form's script, or htmx)
    listing the routes the guide suggests; empty when none fits."""
    code = (request.GET.get("category") or "").strip()[:6]
    category = ContentCategory.objects.filter(code=code).first() if code.isdigit() else None
    routes = selectors.suggest_routes_for(category=category, text=_query_text(request)) if category else []
    return render(request, "workbench/reception/routes/_suggest.html", {"routes": routes})


class GuidanceFilterForm(forms.Form):
    since = forms.DateField(
        label="告知日期起",
        required=False,
        widget=IsoDateInput(),
        error_messages={"invalid": "告知日期起应为日期（年-月-日）。"},
    )
    until = forms.DateField(
        label="告知日期止",
        required=False,
        widget=IsoDateInput(),
        error_messages={"invalid": "告知日期止应为日期（年-月-日）。"},
    )
    category = forms.ChoiceField(label="内容分类（一级）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", "全部"),
            *ContentCategory.objects.filter(level=1).order_by("code").values_list("code", "name"),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "告知日期止不能早于告知日期起。")
        return data


def _filtered(form: GuidanceFilterForm, rows: Any) -> Any:
    if not form.is_valid():
        return rows.none()
    data = form.cleaned_data
    if data["since"]:
        rows = rows.filter(at__date__gte=data["since"])
    if data["until"]:
        rows = rows.filter(at__date__lte=data["until"])
    if data["category"]:
        stem = data["category"][:2]
        rows = rows.filter(category__code__startswith=stem)
    return rows


@staff_required
def legal_guidance_list(request: HttpRequest) -> HttpResponse:
    """The matters guided into legal routes (导入法定途径) the user may see, newest first, with the
    figures per level-1 category and per route."""
    user: User = request.user  # type: ignore[assignment]
    form = GuidanceFilterForm(request.GET or None)
    rows = selectors.guidances_visible_to(user)
    rows = _filtered(form, rows) if form.is_bound else rows
    figures = selectors.legal_guidance_figures(rows)
    page = Paginator(rows.order_by("-at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workbench/reception/routes/guidance.html",
        {"form": form, "figures": figures, "page": page, "query": query.urlencode()},
    )
