"""Pages for deadlines (due-soon and overdue lists) and 督办."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
