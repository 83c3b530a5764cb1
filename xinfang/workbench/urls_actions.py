"""Pages that register cases and take workflow actions."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
