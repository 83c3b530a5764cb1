"""Pages that register cases and take workflow actions."""

from django.urls import URLPattern, path

from xinfang.workbench import actions

urlpatterns: list[URLPattern] = [
    path("cases/new/", actions.case_register, name="case-register"),
    path("cases/<int:case_id>/act/<str:action>/", actions.case_act, name="case-act"),
]
