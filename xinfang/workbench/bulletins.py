"""Staff pages for 信访简报 and 信访动态: the archive (by kind and year), the new-issue form, an issue's
page (its text, 典型案例 or 动态 items, 签发, the .docx), and the 动态 items with their form
(prefilled from a case or a 类案预警: 写入信访动态).

Reads go through ``xinfang.bulletins.selectors`` (``bulletin_for``: a bulletin the user may not read
is a 404, for the page and the .docx alike). Changes go through ``xinfang.bulletins.services``; a
refusal comes back on the form it was sent from, in Chinese.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.bulletins import selectors, services
from xinfang.bulletins.context import notable_rows, notable_values
from xinfang.bulletins.document import filename, render_bulletin
from xinfang.bulletins.drafting import ItemDraft, draft_from_alert, draft_from_case
from xinfang.bulletins.models import Bulletin, Kind, Status
from xinfang.cases.documents import DOCX_MIME
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import local_date
from xinfang.orgs.models import User
from xinfang.workbench.cases import staff_required
from xinfang.workbench.downloads import file_download
from xinfang.workbench.form_helpers import service_error_on
from xinfang.workbench.forms_bulletins import (
    AddCaseForm,
    BulletinCreateForm,
    BulletinEditForm,
    CollectForm,
    ItemForm,
    quick_period,
)

PER_PAGE = 30
NOT_FOUND = "简报不存在，或您无权查看。"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# ---------------------------------------------------------------- the archive


@staff_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    visible = selectors.bulletins_visible_to(user).select_related("org")
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    wanted = request.GET.get("year", "")
    year = int(wanted) if wanted.isdigit() and len(wanted) == 4 else None
    issued = visible.filter(status=Status.ISSUED)
    years = selectors.archive_years(issued)
    if kind:
        issued = issued.filter(kind=kind)
    if year:
        issued = issued.filter(year=year)
    drafts = visible.filter(status=Status.DRAFT).order_by("-updated_at", "-pk")
    page = Paginator(issued.order_by("-year", "-issued_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    keep = "&".join(part for part in (f"kind={kind}" if kind else "", f"year={year}" if year else "") if part)
    return render(
        request,
        "workbench/bulletins/list.html",
        {
            "kinds": Kind.choices,
            "kind": kind,
            "years": years,
            "year": year,
            "page": page,
            "drafts": drafts[:PER_PAGE],
            "may_write": bool(selectors.writing_orgs(user)),
            "keep": keep,
        },
    )


@staff_required
def bulletin_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = selectors.writing_orgs(user)
    start, end = quick_period("last_month", local_date())
    initial = {"kind": request.GET.get("kind", ""), "period_start": start, "period_end": end}
    form = BulletinCreateForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and orgs and form.is_valid():
        data = form.cleaned_data
        try:
            bulletin = services.bulletin_create(
                actor=user,
                org=form.orgs[data["org"]],
                kind=data["kind"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                template_name=data.get("template") or "",
                title=data.get("title") or "",
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, f"已生成{bulletin.get_kind_display()}草稿，请核改后送签发。")
            return redirect("workbench:bulletin-detail", bulletin.pk)
    return render(request, "workbench/bulletins/create.html", {"form": form, "orgs": orgs})


# ---------------------------------------------------------------- one issue


def _visible(request: HttpRequest, bulletin_id: int) -> Bulletin:
    bulletin = selectors.bulletin_for(_user(request), bulletin_id)
    if bulletin is None:
        raise Http404(NOT_FOUND)
    return bulletin


def _detail_page(
    request: HttpRequest,
    bulletin: Bulletin,
    *,
    edit_form: BulletinEditForm | None = None,
    case_form: AddCaseForm | None = None,
    collect_form: CollectForm | None = None,
    error: str = "",
) -> HttpResponse:
    user = _user(request)
    editable, issuable = selectors.may_edit(user, bulletin), selectors.may_issue(user, bulletin)
    rows = notable_rows(bulletin) if bulletin.kind == Kind.BRIEF else []
    uncollected = (
        list(selectors.uncollected_items(bulletin)) if editable and bulletin.kind == Kind.DYNAMICS else []
    )
    context = {
        "bulletin": bulletin,
        "editable": editable,
        "issuable": issuable,
        "error": error,
        "notable": list(zip(rows, notable_values(rows), strict=True)),
        "items": list(bulletin.items.order_by("position", "pk")),
        "uncollected": uncollected,
        "edit_form": edit_form
        or (BulletinEditForm(initial={"title": bulletin.title, "body": bulletin.body}) if editable else None),
        "case_form": case_form or (AddCaseForm() if editable and bulletin.kind == Kind.BRIEF else None),
        "collect_form": collect_form or (CollectForm(items=uncollected) if uncollected else None),
    }
    return render(request, "workbench/bulletins/detail.html", context)


@staff_required
def bulletin_view(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    return _detail_page(request, _visible(request, bulletin_id))


@staff_required
@require_POST
def bulletin_update(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _visible(request, bulletin_id)
    form = BulletinEditForm(request.POST)
    if form.is_valid():
        try:
            services.bulletin_update(
                actor=_user(request),
                bulletin=bulletin,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("workbench:bulletin-detail", bulletin.pk)
    return _detail_page(request, bulletin, edit_form=form)


def _simple_action(
    request: HttpRequest, bulletin: Bulletin, action: Any, done: str, **kwargs: Any
) -> HttpResponse:
    """A button's action (重新生成, 移除, 签发 …): done, or the page again with the refusal on top."""
    try:
        action(actor=_user(request), bulletin=bulletin, **kwargs)
    except ServiceError as exc:
        return _detail_page(request, bulletin, error=exc.message)
    messages.success(request, done)
    return redirect("workbench:bulletin-detail", bulletin.pk)


@staff_required
@require_POST
def bulletin_regenerate(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _visible(request, bulletin_id)
    return _simple_action(request, bulletin, services.bulletin_regenerate, "已按模板重新生成正文。")


@staff_required
@require_POST
def bulletin_add_case(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _visible(request, bulletin_id)
    form = AddCaseForm(request.POST)
    if form.is_valid():
        try:
            row = services.bulletin_add_case(
                actor=_user(request),
                bulletin=bulletin,
                case_number=form.cleaned_data["case_number"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, f"已将信访件 {row.case.number} 选为典型案例。")
            return redirect(reverse("workbench:bulletin-detail", args=[bulletin.pk]) + "#notable")
    return _detail_page(request, bulletin, case_form=form)


@staff_required
@require_POST
def bulletin_remove_case(request: HttpRequest, bulletin_id: int, case_id: int) -> HttpResponse:
    bulletin = _visible(request, bulletin_id)
    return _simple_action(
        request, bulletin, services.bulletin_remove_case, "已移除典型案例。", case_id=case_id
    )


@staff_required
@require_POST
def bulletin_collect(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _visible(request, bulletin_id)
    form = CollectForm(request.POST, items=list(selectors.uncollected_items(bulletin)))
    if form.is_valid():
        try:
            collected = services.item_collect(
                actor=_user(request), bulletin=bulletin, item_ids=form.cleaned_data["items"]
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, f"已编入 {len(collected)} 条动态。")
            return redirect("workbench:bulletin-detail", bulletin.pk)
    return _detail_page(request, bulletin, collect_form=form)


@staff_required
@require_POST
def bulletin_release(request: HttpRequest, bulletin_id: int, item_id: int) -> HttpResponse:
    bulletin = _visible(request, bulletin_id)
    return _simple_action(request, bulletin, services.item_release, "已将这条动态移出本期。", item_id=item_id)


@staff_required
@require_POST
def bulletin_issue(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _visible(request, bulletin_id)
    try:
        issued = services.bulletin_issue(actor=_user(request), bulletin=bulletin)
    except ServiceError as exc:
        return _detail_page(request, bulletin, error=exc.message)
    messages.success(request, f"已签发《{issued.get_kind_display()}》{issued.issue_label}。")
    return redirect("workbench:bulletin-detail", issued.pk)


@staff_required
@require_POST
def bulletin_delete(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _visible(request, bulletin_id)
    try:
        services.bulletin_delete(actor=_user(request), bulletin=bulletin)
    except ServiceError as exc:
        return _detail_page(request, bulletin, error=exc.message)
    messages.success(request, f"已删除草稿“{bulletin.title}”。")
    return redirect("workbench:bulletin-list")


@staff_required
def bulletin_docx(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = _visible(request, bulletin_id)
    return file_download(render_bulletin(bulletin), filename(bulletin), DOCX_MIME)


# ---------------------------------------------------------------- 动态 items


@staff_required
def item_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "open")
    state = state if state in ("open", "collected", "all") else "open"
    items = selectors.items_visible_to(user).select_related("org", "bulletin", "source_case", "written_by")
    if state == "open":
        items = items.filter(bulletin__isnull=True)
    elif state == "collected":
        items = items.filter(bulletin__isnull=False)
    page = Paginator(items.order_by("-written_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workbench/bulletins/items.html",
        {
            "page": page,
            "state": state,
            "states": [("open", "未编入"), ("collected", "已编入"), ("all", "全部")],
            "may_write": bool(selectors.writing_orgs(user)),
        },
    )


def _source_id(value: str) -> int | None:
    return int(value) if value.isdigit() and 0 < len(value) < 19 else None


def _prefill(user: User, request: HttpRequest) -> tuple[ItemDraft | None, str]:
    """The first wording from ?case= or ?alert=, or the reason there is none."""
    case_id, alert_id = request.GET.get("case", ""), request.GET.get("alert", "")
    try:
        if case_id:
            found = _source_id(case_id)
            if found is None:
                return None, "信访件编号有误。"
            return draft_from_case(user, found), ""
        if alert_id:
            found = _source_id(alert_id)
            if found is None:
                return None, "类案预警编号有误。"
            return draft_from_alert(user, found), ""
    except ServiceError as exc:
        return None, exc.message
    return None, ""


@staff_required
def item_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = selectors.writing_orgs(user)
    draft, problem = (None, "") if request.method == "POST" else _prefill(user, request)
    initial: dict[str, Any] = {}
    if draft is not None:
        initial = {
            "title": draft.title,
            "body": draft.body,
            "source_case": draft.source_case.pk if draft.source_case else None,
            "source_alert": draft.source_alert.pk if draft.source_alert else None,
        }
    form = ItemForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and orgs and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.item_create(
                actor=user,
                org=form.orgs[data["org"]],
                title=data["title"],
                body=data["body"],
                source_case_id=data.get("source_case"),
                source_alert_id=data.get("source_alert"),
            )
        except ServiceError as exc:
            service_error_on(form, exc, fields={"case": "source_case", "alert": "source_alert"})
            if exc.field in ("case", "alert"):
                form.add_error(None, exc.message)  # the hidden field's error, said above the form
        else:
            messages.success(request, f"已保存动态“{item.title}”，可在信访动态中编入一期。")
            return redirect("workbench:bulletin-item-list")
    return render(
        request,
        "workbench/bulletins/item_form.html",
        {"form": form, "orgs": orgs, "source": _source(form), "problem": problem},
    )


def _source(form: ItemForm) -> tuple[str, int] | None:
    """What the item is promoted from, as the form carries it: ("case", id) or ("alert", id)."""
    for name in ("source_case", "source_alert"):
        value = form[name].value()
        found = _source_id(str(value)) if value not in (None, "") else None
        if found is not None:
            return name.removeprefix("source_"), found
    return None


@staff_required
@require_POST
def item_delete(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.items_visible_to(_user(request)).filter(pk=item_id).first()
    if item is None:
        raise Http404("动态条目不存在，或您无权查看。")
    try:
        services.item_delete(actor=_user(request), item=item)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除动态“{item.title}”。")
    return redirect("workbench:bulletin-item-list")
