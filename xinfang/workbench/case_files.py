"""The case file (案卷) as PDF: asked for on the case page, written by the worker, then downloaded.

The conversion runs in `xinfang.cases.tasks.write_case_file_pdf`, never in the request (LibreOffice
where installed, else the built-in renderer: `xinfang.cases.documents.pdf`). Asking and
downloading follow the rule of the .docx (`may_download_case_file`), checked again at download; an
export is its requester's only.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xinfang.cases.documents.case_file import CASE_FILE_REFUSED, may_download_case_file
from xinfang.cases.models import Case, CaseFileExport
from xinfang.cases.selectors import case_detail
from xinfang.cases.tasks import write_case_file_pdf
from xinfang.workbench.cases import staff_required
from xinfang.workbench.downloads import file_download

PDF_MIME = "application/pdf"


def _allowed_case(request: HttpRequest, case_id: int) -> Case | HttpResponse:
    case: Case | None = case_detail(request.user, case_id)  # type: ignore[arg-type]
    if case is None:
        raise Http404("信访件不存在或您无权查看。")
    if not may_download_case_file(request.user, case):  # type: ignore[arg-type]
        return render(
            request, "workbench/forbidden.html", {"message": CASE_FILE_REFUSED, "case": case}, status=403
        )
    return case


@require_POST
@staff_required
def case_file_pdf_request(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _allowed_case(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    export = CaseFileExport.objects.create(case=case, requested_by=request.user)
    write_case_file_pdf.enqueue(export.pk)
    messages.info(request, "案卷 PDF 正在生成，完成后可在“文书”栏下载（请稍后刷新本页）。")
    return redirect("workbench:case-detail", case.pk)


@staff_required
def case_file_pdf_download(request: HttpRequest, case_id: int, export_id: int) -> HttpResponse:
    case = _allowed_case(request, case_id)
    if isinstance(case, HttpResponse):
        return case
    export = CaseFileExport.objects.filter(
        pk=export_id, case=case, requested_by=request.user, status=CaseFileExport.Status.DONE
    ).first()
    if export is None:
        raise Http404("案卷 PDF 不存在或尚未生成。")
    return file_download(bytes(export.content), export.filename, PDF_MIME)
