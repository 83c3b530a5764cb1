"""The 类案预警 page and its 研判 form."""

from django.urls import URLPattern, path

from xinfang.workbench import alerts

urlpatterns: list[URLPattern] = [
    path("alerts/", alerts.alert_list, name="alert-list"),
    path("alerts/<int:alert_id>/review/", alerts.alert_review, name="alert-review"),
]
