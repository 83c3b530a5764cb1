"""Report files written in the background: the statistics page's .docx / .xlsx / .json downloads.

A long period for a large territory takes as long to count and lay out as the `report` command;
the page queues a `ReportJob` instead, the worker (`python manage.py db_worker`) runs
`write_report_file`, and the page polls the job's status and progress until the file is there.
Old jobs and their files are removed by `prune_report_jobs`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import Q
from django_tasks import task

from xinfang.core.timeutil import now
from xinfang.core.worker import resuming
from xinfang.orgs.models import Org
from xinfang.statistics import figures
from xinfang.statistics.indicators import Comparison
from xinfang.statistics.models import ReportJob, ReportTemplate
from xinfang.statistics.render import ReportTemplateError, render, to_docx, to_json, to_xlsx
from xinfang.statistics.render_context import period_words

FILE_FORMATS = ("docx", "xlsx", "json")
COMPARISONS: dict[str, Comparison | None] = {"yoy": Comparison.YOY, "mom": Comparison.MOM, "none": None}
_UNSAFE = '/\\:*?"<>|\r\n'


class NoTemplate(Exception):
    """The job's report template is gone or no longer active."""

    def __init__(self, name: str) -> None:
        self.message = (
            f"没有启用的报告模板“{name}”，请重新选择模板。"
            if name
            else "没有启用的报告模板：请在后台启用一个。"
        )
        super().__init__(self.message)


def file_name(title: str, fmt: str) -> str:
    """A report's title as a file name: no path separators, quotes or line breaks."""
    safe = "".join("_" if ch in _UNSAFE else ch for ch in title).strip() or "信访统计分析"
    return f"{safe}.{fmt}"


def report_file(
    *,
    org: Org,
    start: dt.date,
    end: dt.date,
    comparison: Comparison | None,
    template_name: str,
    fmt: str,
    progress: Callable[[int], None] = lambda percent: None,
) -> tuple[str, bytes]:
    """The report of these filters as a file (its name and bytes), as the `report` command writes
    it; `NoTemplate` when the template is gone, a `ReportTemplateError` when it does not render."""
    if fmt not in FILE_FORMATS:
        raise ValueError(f"not a report file format: {fmt!r}")
    template = ReportTemplate.objects.filter(
        is_active=True, kind=ReportTemplate.Kind.REPORT, name=template_name
    ).first()
    if template is None:
        raise NoTemplate(template_name)
    report = figures.compute_report(org=org, start=start, end=end, comparison=comparison)
    progress(60)
    rendered = render(template.title, template.body, report)
    progress(80)
    if fmt == "docx":
        content = to_docx(report, rendered)
    elif fmt == "xlsx":
        content = to_xlsx(report, rendered)
    else:
        content = (to_json(report, rendered) + "\n").encode()
    title = rendered.title or f"{report.org_name}{period_words(report.start, report.end)}信访统计分析"
    return file_name(title, fmt), content


def prune_report_jobs() -> int:
    """Remove the report jobs, with their files (the file is the job's row), that are older than
    `XINFANG_REPORT_JOB_KEEP_DAYS`: finished ones (written or failed) by when they finished, and
    ones never finished (no worker ran them, or it died) by when they were asked for. Run nightly by
    housekeeping (registered in `StatisticsConfig.ready`) and whenever a new file is asked for."""
    cutoff = now() - dt.timedelta(days=settings.XINFANG_REPORT_JOB_KEEP_DAYS)
    finished = Q(status__in=(ReportJob.Status.DONE, ReportJob.Status.FAILED), finished_at__lt=cutoff)
    abandoned = Q(finished_at__isnull=True, created_at__lt=cutoff)
    deleted, _ = ReportJob.objects.filter(finished | abandoned).delete()
    return deleted


@task()
def write_report_file(job_id: int) -> str:
    """Write the file of one `ReportJob`, recording its progress; returns the job's final status."""
    job = ReportJob.objects.select_related("org").get(pk=job_id)
    # Run once, even if enqueued twice; but a run whose worker stopped halfway is taken up again.
    if job.status != ReportJob.Status.QUEUED and not (job.status == ReportJob.Status.RUNNING and resuming()):
        return str(job.status)

    def progress(percent: int) -> None:
        ReportJob.objects.filter(pk=job.pk).update(progress=percent)

    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, progress=10)
    try:
        filename, content = report_file(
            org=job.org,
            start=job.start,
            end=job.end,
            comparison=COMPARISONS.get(job.comparison, Comparison.YOY),
            template_name=job.template_name,
            fmt=job.fmt,
            progress=progress,
        )
    except NoTemplate as exc:
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED, error=exc.message, finished_at=now()
        )
        return str(ReportJob.Status.FAILED)
    except ReportTemplateError as exc:
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED, error=f"报告模板“{job.template_name}”{exc}", finished_at=now()
        )
        return str(ReportJob.Status.FAILED)
    except Exception:
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.FAILED,
            error="生成报告时出错，请稍后重试或联系管理员。",
            finished_at=now(),
        )
        raise  # the worker records the traceback on its task result
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE, progress=100, filename=filename, content=content, finished_at=now()
    )
    return str(ReportJob.Status.DONE)
