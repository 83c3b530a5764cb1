"""The statistics page (统计分析), the cases behind its figures and its downloads."""

from django.urls import URLPattern, path

from xinfang.workbench import statistics

urlpatterns: list[URLPattern] = [
    path("statistics/", statistics.statistics_page, name="statistics"),
    path("statistics/cases/", statistics.figure_case_list, name="statistics-cases"),
    path("statistics/download/<str:fmt>/", statistics.statistics_download, name="statistics-download"),
]
