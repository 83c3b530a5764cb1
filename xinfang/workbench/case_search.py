"""The case list's companions: the .xlsx export of the current filter, 批量转送 of ticked cases,
and a person's earlier matters for the registration form. Reads go through the access policy."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from xinfang.cases import pii, services
from xinfang.cases.models import Case, Petitioner
from xinfang.cases.privacy import mask_address, personal_data_rule
from xinfang.cases.selectors import cases_visible_to, person_matters
from xinfang.cases.transitions import TransitionRefused
from xinfang.core.dbrouting import replica_reads
from xinfang.core.errors import ServiceError
from xinfang.core.text import clean_text
from xinfang.core.timeutil import LOCAL_TZ, local_date
from xinfang.orgs.models import User
from xinfang.workbench.cases import filtered_from, staff_required
from xinfang.workbench.downloads import XLSX_MIME, file_download
from xinfang.workbench.forms_cases import BulkForwardForm

EXPORT_MAX = 5000  # rows of one export: a larger selection is narrowed by the filters first
EXPORT_COLUMNS = (
    "信访件编号",
    "查询码",
    "标题",
    "信访形式",
    "信访性质",
    "内容分类",
    "状态",
    "当前责任单位",
    "信访日期",
    "登记时间",
    "下一期限",
    "信访人",
    "联系电话",
    "住址",
)


def _people(case_ids: list[int]) -> dict[int, list[Petitioner]]:
    people: dict[int, list[Petitioner]] = {}
    for person in Petitioner.objects.filter(case_id__in=case_ids).order_by("id"):
        people.setdefault(person.case_id, []).append(person)
    return people


@staff_required
def case_export(request: HttpRequest) -> HttpResponse:
    """The current filter as .xlsx; petitioners masked where the user may not see them
    (`privacy.personal_data_rule`, the rule of the case page and the API)."""
    user: User = request.user  # type: ignore[assignment]
    with replica_reads():  # an export reads up to EXPORT_MAX cases: the replica's work, if any
        _, cases = filtered_from(request)
        rows = list(cases.select_related("current_org", "category")[: EXPORT_MAX + 1])
        truncated = len(rows) > EXPORT_MAX
        rows = rows[:EXPORT_MAX]
        sees = personal_data_rule(user)
        people = _people([c.pk for c in rows])
    book = Workbook()
    sheet = book.active
    sheet.title = "信访件"
    sheet.append(EXPORT_COLUMNS)
    for case in rows:
        sheet.append(_export_row(case, people.get(case.pk, []), masked=not sees(case)))
    if truncated:
        sheet.append([f"仅导出前 {EXPORT_MAX} 件，请缩小筛选范围后分批导出。"])
    out = io.BytesIO()
    book.save(out)
    return file_download(out.getvalue(), f"信访件_{local_date():%Y%m%d}.xlsx", XLSX_MIME)


def _export_row(case: Case, people: list[Petitioner], *, masked: bool) -> list[Any]:
    names, phones, addresses = [], [], []
    for person in people:
        name, phone = person.name, person.phone
        names.append(pii.mask_name(name) if masked else name)
        phones.append(pii.mask_phone(phone) if masked else phone)
        addresses.append(mask_address(person.address) if masked else person.address)
    return [
        case.number,
        "" if masked else case.query_code,
        case.subject,
        case.get_channel_display(),
        case.get_nature_display(),
        f"{case.category.code} {case.category.name}",
        case.get_status_display(),
        case.current_org.name,
        case.received_on,
        case.registered_at.astimezone(LOCAL_TZ).replace(tzinfo=None),
        case.next_due_on,
        "、".join(names),
        "、".join(p for p in phones if p),
        "；".join(a for a in addresses if a),
    ]


@staff_required
@require_POST
def case_bulk_forward(request: HttpRequest) -> HttpResponse:
    """批量转送: `case_forward` for each ticked case, each in its own transaction, so that one
    refusal (another status, another unit's case) leaves the others forwarded; the page says
    which went and why the others did not."""
    user: User = request.user  # type: ignore[assignment]
    form = BulkForwardForm(request.POST)
    back = request.POST.get("back", "")
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, "；".join(error))
        return redirect(_list_url(back))
    to_org = form.cleaned_data["to_org"]
    visible = {c.pk: c for c in cases_visible_to(user).filter(pk__in=form.case_ids)}
    results = []
    for case_id in form.case_ids:
        case = visible.get(case_id)
        if case is None:
            results.append(
                {
                    "case_id": case_id,
                    "number": str(case_id),
                    "ok": False,
                    "message": "信访件不存在或您无权查看。",
                }
            )
            continue
        try:
            with transaction.atomic():
                services.case_forward(actor=user, case=case, to_org=to_org, note=form.cleaned_data["note"])
        except (ServiceError, TransitionRefused) as exc:
            message = exc.message if isinstance(exc, ServiceError) else str(exc)
            results.append({"case_id": case_id, "number": case.number, "ok": False, "message": message})
        else:
            results.append(
                {"case_id": case_id, "number": case.number, "ok": True, "message": f"已转送至{to_org.name}。"}
            )
    done = sum(1 for r in results if r["ok"])
    return render(
        request,
        "workbench/cases/bulk_forward.html",
        {
            "results": results,
            "done": done,
            "failed": len(results) - done,
            "to_org": to_org,
            "back": _list_url(back),
        },
    )


def _list_url(back: str) -> str:
    # Only the list's own query string is kept: never a redirect to another site.
    query = clean_text(back).lstrip("?")
    return reverse("workbench:case-list") + (f"?{query}" if query and "//" not in query else "")


@staff_required
@require_POST
def person_matters_json(request: HttpRequest) -> JsonResponse:
    """A person's earlier matters as the clerk types the ID number or phone at registration.

    POST (the identifiers stay out of URLs and access logs) with `id_number` and / or `phone`; the
    answer names no personal data: number, subject, status, 信访日期, responsible unit.
    """
    user: User = request.user  # type: ignore[assignment]
    id_number = pii.normalise(clean_text(request.POST.get("id_number", "")))
    phone = pii.normalise(clean_text(request.POST.get("phone", "")))
    errors: dict[str, str] = {}
    if id_number and (problem := pii.id_number_problem(id_number)):
        errors["id_number"] = problem
    if phone and not (phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 15):
        errors["phone"] = "联系电话应为 7 至 15 位数字。"
    if not id_number and not phone:
        errors["id_number"] = "请填写身份证号码或联系电话。"
    if errors:
        return JsonResponse(
            {"errors": errors, "matters": []}, status=400, json_dumps_params={"ensure_ascii": False}
        )
    matters = person_matters(user, id_number=id_number, phone=phone)
    body = {
        "matters": [
            {
                "id": m.case_id,
                "number": m.number,
                "subject": m.subject,
                "status": m.status,
                "received_on": m.received_on.isoformat(),
                "unit": m.unit,
                "url": reverse("workbench:case-detail", args=[m.case_id]),
            }
            for m in matters
        ]
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
