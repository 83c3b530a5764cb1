"""django-helpdesk at the root of the site (its pages, reports, login and REST API)."""

from django.urls import include, path

urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
