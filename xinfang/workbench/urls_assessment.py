"""The assessment pages (目标管理考核): schemes, a period's ranking, a unit's items and the cases
behind them, 定稿 and 发布, and the .xlsx and 通报 downloads."""

from django.urls import URLPattern, path

from xinfang.workbench import assessment

urlpatterns: list[URLPattern] = [
    path("assessment/", assessment.assessment_list, name="assessment-list"),
    path("assessment/<int:scheme_id>/", assessment.assessment_ranking, name="assessment-ranking"),
    path("assessment/<int:scheme_id>/freeze/", assessment.assessment_freeze, name="assessment-freeze"),
    path("assessment/<int:scheme_id>/publish/", assessment.assessment_publish, name="assessment-publish"),
    path("assessment/<int:scheme_id>/xlsx/", assessment.assessment_xlsx, name="assessment-xlsx"),
    path("assessment/<int:scheme_id>/notice/", assessment.assessment_notice, name="assessment-notice"),
    path(
        "assessment/<int:scheme_id>/units/<int:unit_id>/",
        assessment.assessment_unit,
        name="assessment-unit",
    ),
    path(
        "assessment/<int:scheme_id>/units/<int:unit_id>/cases/",
        assessment.assessment_cases,
        name="assessment-cases",
    ),
]
