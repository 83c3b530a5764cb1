"""The statistics page's downloads, written in the background: ask, follow, download.

The page's download buttons post its filters here; a `ReportJob` is queued and the worker runs
`xinfang.statistics.tasks.write_report_file`. The job's page shows its progress (statistics.js
polls the status) and offers the file when it is written. A job is its requester's only: anyone
else gets a 404, and so does the requester once they may no longer see its organisation.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.orgs.models import User
from xinfang.statistics.access import reportable_orgs
from xinfang.statistics.models import ReportJob
from xinfang.statistics.render_context import period_words
from xinfang.statistics.tasks import prune_report_jobs, write_report_file
from xinfang.workbench.cases import staff_required
from xinfang.workbench.downloads import file_download
from xinfang.workbench.statistics import DOWNLOADS, NoOrgs, filters_form, refused


def _job(request: HttpRequest, job_id: int) -> ReportJob:
    user: User = request.user  # type: ignore[assignment]
    job = ReportJob.objects.select_related("org").filter(pk=job_id, requested_by=user).first()
    if job is None or job.org_id not in {org.pk for org in reportable_orgs(user)}:
        raise Http404("报告不存在或您无权查看。")
    return job


def job_status(job: ReportJob) -> dict[str, Any]:
    return {
        "status": job.status,
        "label": job.get_status_display(),
        "progress": job.progress,
        "error": job.error,
        "filename": job.filename,
        "download": reverse("workbench:statistics-job-download", args=[job.pk])
        if job.status == ReportJob.Status.DONE
        else None,
    }


@require_POST
@staff_required
def report_job_create(request: HttpRequest) -> HttpResponse:
    """Queue the file of the posted filters in the format of the button pressed."""
    fmt = request.POST.get("fmt", "")
    if fmt not in DOWNLOADS:
        raise Http404("没有这种下载格式。")
    try:
        form = filters_form(request, request.POST)
    except NoOrgs:
        return refused(request)
    if not form.is_valid():
        return render(
            request, "workbench/statistics/page.html", {"form": form, "downloads": DOWNLOADS}, status=400
        )
    data = form.cleaned_data
    prune_report_jobs()
    job = ReportJob.objects.create(
        requested_by=request.user,
        org=form.chosen_org,
        start=data["start"],
        end=data["end"],
        comparison=data.get("compare") or "yoy",
        template_name=data.get("template") or "",
        fmt=fmt,
    )
    write_report_file.enqueue(job.pk)
    return redirect("workbench:statistics-job", job.pk)


@staff_required
def report_job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return render(
        request,
        "workbench/statistics/job.html",
        {
            "job": job,
            "period": period_words(job.start, job.end),
            "format_name": DOWNLOADS[job.fmt][0],
            "status": job_status(job),
            "status_url": reverse("workbench:statistics-job-status", args=[job.pk]),
        },
    )


@staff_required
def report_job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    return JsonResponse(job_status(_job(request, job_id)))


@staff_required
def report_job_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.status != ReportJob.Status.DONE:
        raise Http404("报告还没有生成。")
    return file_download(bytes(job.content), job.filename, DOWNLOADS[job.fmt][1])
