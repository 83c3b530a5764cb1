"""The 类案预警 page."""

from django.urls import URLPattern, path

from xinfang.workbench import alerts

urlpatterns: list[URLPattern] = [
    path("alerts/", alerts.alert_list, name="alert-list"),
]
