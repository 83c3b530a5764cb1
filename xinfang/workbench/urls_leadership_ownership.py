"""Pages of the leaders' work: 包案."""

from django.urls import URLPattern, path

from xinfang.workbench import leadership_ownership as views

urlpatterns: list[URLPattern] = [
    path("leadership/ownerships/", views.ownership_list, name="ownership-list"),
    path("leadership/ownerships/new/", views.ownership_new, name="ownership-new"),
    path("leadership/ownerships/<int:ownership_id>/", views.ownership_detail, name="ownership-detail"),
    # progress, resolve, cases (a case added), hand-over, reopen
    path(
        "leadership/ownerships/<int:ownership_id>/<slug:step>/", views.ownership_step, name="ownership-step"
    ),
]
