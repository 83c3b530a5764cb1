"""The statistics page (统计分析), the cases behind its figures and its report files."""

from django.urls import URLPattern, path

from xinfang.workbench import statistics, statistics_import, statistics_jobs

urlpatterns: list[URLPattern] = [
    path("statistics/", statistics.statistics_page, name="statistics"),
    path("statistics/cases/", statistics.figure_case_list, name="statistics-cases"),
    path("statistics/import/", statistics_import.import_page, name="statistics-import"),
    path("statistics/jobs/", statistics_jobs.report_job_create, name="statistics-jobs"),
    path("statistics/jobs/<int:job_id>/", statistics_jobs.report_job_view, name="statistics-job"),
    path(
        "statistics/jobs/<int:job_id>/status/",
        statistics_jobs.report_job_status,
        name="statistics-job-status",
    ),
    path(
        "statistics/jobs/<int:job_id>/download/",
        statistics_jobs.report_job_download,
        name="statistics-job-download",
    ),
]
