"""Staff pages for cases: the list, the detail and the documents. Reads go through the policy."""

from __future__ import annotations

from functools import cached_property, wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.cases.categories import level1_code
from xinfang.cases.clocks import case_clocks, duty_clock_names, is_overdue
from xinfang.cases.documents import (
    ATTACHMENT_REFUSED,
    DOCUMENT_REFUSED,
    DOCX_MIME,
    FORMATS,
    available_documents,
    document_rule,
    issued_by_events,
    may_download_attachment,
    may_download_document,
    render_document,
)
from xinfang.cases.documents.case_file import CASE_FILE_REFUSED, may_download_case_file, render_case_file
from xinfang.cases.documents.pdf import latest_export
from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.presentation import (
    CLOCK_LABELS,
    CLOCK_STATE_LABELS,
    event_summary,
    suggestion_lines,
)
from xinfang.cases.privacy import petitioner_view, sees_personal_data
from xinfang.cases.search import classify
from xinfang.cases.selectors import (
    PendingApproval,
    case_detail,
    case_events,
    case_instructions,
    cases_filtered,
    pending_requests,
)
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import now
from xinfang.orgs.models import Role, User
from xinfang.orgs.selectors import user_memberships
from xinfang.workbench.downloads import file_download
from xinfang.workbench.forms_cases import BulkForwardForm, CaseFilterForm, active_org_groups


def staff_required(view: Any) -> Any:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_citizen:  # type: ignore[union-attr]
            raise PermissionDenied("群众账号不能使用工作台。")
        return view(request, *args, **kwargs)

    return wrapper


def ordered(cases: Any, sort: str) -> Any:
    """The list's order: newest registration first unless a column was chosen."""
    orders: dict[str, tuple[Any, ...]] = {
        "received": ("received_on", "id"),
        "-received": ("-received_on", "-id"),
        "due": (F("next_due_at").asc(nulls_last=True), "id"),
        "-due": (F("next_due_at").desc(nulls_last=True), "-id"),
        "status": ("status", "-registered_at", "-id"),
        "-status": ("-status", "-registered_at", "-id"),
    }
    return cases.order_by(*orders.get(sort, ("-registered_at", "-id")))


def filtered_from(request: HttpRequest, org_groups: list[Any] | None = None) -> tuple[CaseFilterForm, Any]:
    """The list's filter form and the cases it selects, in the chosen order."""
    form = CaseFilterForm(request.GET, org_groups=org_groups)
    form.is_valid()  # a bad field is shown and left out, the others still filter
    user: User = request.user  # type: ignore[assignment]
    cases = cases_filtered(user, **form.selector_kwargs())
    return form, ordered(cases, form.cleaned_data.get("sort") or "")


PER_PAGE = 30
# Who is offered 批量转送 on the list (the service still checks each case and role).
FORWARD_ROLES = (Role.REGISTRAR, Role.BUREAU_HEAD, Role.HANDLER)


class CappedPaginator(Paginator):
    """Counts the rows only as far as the requested page needs, and at least `CAP`.

    A bureau-wide user may see hundreds of thousands of cases; counting them all on every list
    page would cost more than the page itself. Past the cap the page says "N 件以上" and offers the
    next page, which counts a little further.
    """

    CAP = 1000

    def __init__(self, object_list: Any, per_page: int, *, page: str | None) -> None:
        super().__init__(object_list, per_page)
        wanted = int(page) if page and page.isdigit() and len(page) < 9 else 1
        self.cap = max(self.CAP, wanted * per_page)
        self.capped = False

    @cached_property
    def count(self) -> int:
        found = self.object_list[: self.cap + 1].count()
        self.capped = found > self.cap
        return found

    @property
    def shown_count(self) -> int:
        return min(self.count, self.cap)


def case_page(request: HttpRequest, cases: QuerySet[Case]) -> tuple[Page, set[int]]:
    """The requested page of `cases` for `_case_table.html`, and which of its cases are overdue."""
    number = request.GET.get("page")
    page = CappedPaginator(cases, PER_PAGE, page=number).get_page(number)
    at, duties = now(), duty_clock_names()
    return page, {case.pk for case in page if is_overdue(case, at, duties)}


@staff_required
def case_list(request: HttpRequest) -> HttpResponse:
    # One read of the organs for both selects (the filter and the 转送 destination); the template
    # writes their options in one loop each instead of a widget template per option.
    groups = active_org_groups()
    form, cases = filtered_from(request, groups)
    page, overdue_ids = case_page(request, cases.select_related("current_org", "category"))
    query = form.query_string()
    sort = form.cleaned_data.get("sort") or ""
    return render(
        request,
        "workbench/cases/list.html",
        {
            "page": page,
            "form": form,
            "query": query,
            "overdue_ids": overdue_ids,
            "sortable": {column: _sort_link(form, column, sort) for column in ("received", "due", "status")},
            "recognised": _recognised(form.cleaned_data.get("q") or ""),
            "bulk": BulkForwardForm(org_groups=groups),
            "org_groups": groups,
            "unit_value": str(form.cleaned_data.get("unit") or ""),
            "may_forward": user_memberships(request.user).filter(role__in=FORWARD_ROLES).exists(),  # type: ignore[arg-type]
        },
    )


def _sort_link(form: CaseFilterForm, column: str, sort: str) -> dict[str, str]:
    """A column header's link: ascending first, then descending; the arrow shows the order."""
    base = form.query_string(without=("sort",))
    target = f"-{column}" if sort == column else column
    arrow = "↑" if sort == column else "↓" if sort == f"-{column}" else ""
    return {"url": f"?{base}&sort={target}" if base else f"?sort={target}", "arrow": arrow}


def _recognised(q: str) -> str:
    query = classify(q) if q else None
    return f"按{query.label}查找" if query is not None else ""


def matter_context(user: User, case: Case, events: list[Any]) -> dict[str, Any]:
    """What the case page and the writing forms (处理意见书, 复查/复核意见) show of the matter: the
    petitioners, masked unless the user's role needs them, and the running clocks."""
    masked = not sees_personal_data(user, case)
    clocks = [
        {
            "label": CLOCK_LABELS.get(clock.name, clock.name),
            "state": CLOCK_STATE_LABELS.get(clock.state, clock.state),
            "state_code": clock.state,
            "clock": clock,
        }
        for clock in case_clocks(case, events=events)
        if clock.state != "not_started"
    ]
    return {
        "petitioners": [petitioner_view(p, masked=masked) for p in case.petitioners.all()],
        "masked": masked,
        "clocks": clocks,
    }


@staff_required
def case_view(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_detail(request.user, case_id)  # type: ignore[arg-type]
    if case is None:
        raise Http404("信访件不存在或您无权查看。")
    events = list(case_events(case))
    matter = matter_context(request.user, case, events)  # type: ignore[arg-type]
    masked, clocks = matter["masked"], matter["clocks"]
    # A document naming the petitioner is offered as a link only to those who may download it.
    may_download = document_rule(request.user, case)  # type: ignore[arg-type]
    documents = [
        (kind, title, may_download(kind)) for kind, title in available_documents(case, events=events)
    ]
    context = {
        "case": case,
        "petitioners": matter["petitioners"],
        "masked": masked,
        "units": case.units.filter(is_active=True).select_related("org"),
        "timeline": [(event, event_summary(event.kind, event.payload)) for event in events],
        "suggestion": suggestion_lines(events, {case.category.code: _category_label(case.category)}),
        "clocks": clocks,
        "documents": documents,
        # A case routed down the ladder has a 转送单 per hop; the earlier ones are listed under it.
        "earlier_slips": issued_by_events(case, "routing_slip", events=events)[:-1],
        "documents_refused": DOCUMENT_REFUSED if not all(allowed for _, _, allowed in documents) else "",
        "case_file": bool(documents) and may_download_case_file(request.user, case),  # type: ignore[arg-type]
        "case_file_export": latest_export(request.user, case) if documents else None,  # type: ignore[arg-type]
        "ratings": case.ratings.select_related("org").order_by("track"),
        "followers": case.followers.all(),
        "attachments": case.attachments.order_by("uploaded_at"),
        "attachments_refused": "" if may_download_attachment(request.user, case) else ATTACHMENT_REFUSED,  # type: ignore[arg-type]
        "overdue": case.is_overdue,
        "pending_approvals": [PendingApproval(case, event) for event in pending_requests(case)],
        "instructions": case_instructions(case),
    }
    return render(request, "workbench/cases/detail.html", context)


def _category_label(category: ContentCategory) -> str:
    """The category as "城乡建设 / 住房保障与房地产": its level-1 class (what is suggested) first."""
    top = level1_code(category.code)
    if top == category.code:
        return category.name
    name = ContentCategory.objects.filter(code=top).values_list("name", flat=True).first()
    return f"{name} / {category.name}" if name else category.name


def _seq(request: HttpRequest) -> int | None:
    """`?seq=` names the event of a document issued more than once (each hop's 转送单)."""
    raw = request.GET.get("seq", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("办理记录序号应为数字。")
    return int(raw)


@staff_required
def case_document(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    case: Case | None = case_detail(request.user, case_id)  # type: ignore[arg-type]
    if case is None:
        raise Http404("信访件不存在或您无权查看。")
    fmt = request.GET.get("format") or "docx"
    try:
        allowed = may_download_document(request.user, case, kind)  # type: ignore[arg-type]
        if allowed:
            filename, content = render_document(case, kind, seq=_seq(request), fmt=fmt)
    except ServiceError as exc:
        raise Http404(exc.message) from None
    if not allowed:
        return render(
            request, "workbench/forbidden.html", {"message": DOCUMENT_REFUSED, "case": case}, status=403
        )
    return file_download(content, filename, FORMATS[fmt])


@staff_required
def case_file(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case file (案卷): every document and the timeline in one .docx, under the documents' rule."""
    case: Case | None = case_detail(request.user, case_id)  # type: ignore[arg-type]
    if case is None:
        raise Http404("信访件不存在或您无权查看。")
    if not may_download_case_file(request.user, case):  # type: ignore[arg-type]
        return render(
            request, "workbench/forbidden.html", {"message": CASE_FILE_REFUSED, "case": case}, status=403
        )
    filename, content = render_case_file(case)
    return file_download(content, filename, DOCX_MIME)


@staff_required
def case_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> HttpResponse:
    case = case_detail(request.user, case_id)  # type: ignore[arg-type]
    attachment = case.attachments.filter(pk=attachment_id).first() if case else None
    if attachment is None:
        raise Http404("附件不存在或您无权查看。")
    if not may_download_attachment(request.user, case):  # type: ignore[arg-type]
        return render(
            request, "workbench/forbidden.html", {"message": ATTACHMENT_REFUSED, "case": case}, status=403
        )
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
