"""The 审核 page (approvals waiting for the user, and the outcome of their own requests)."""

from django.urls import URLPattern, path

from xinfang.workbench import approvals

urlpatterns: list[URLPattern] = [
    path("approvals/", approvals.approval_list, name="approval-list"),
]
