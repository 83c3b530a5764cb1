from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from xinfang.core.forms import CleanTextAdmin
from xinfang.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(CleanTextAdmin, admin.ModelAdmin):
    """Written by the subscribers only: the back office may look, not touch."""

    list_display = ["created_at", "user", "kind", "case", "text", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__full_name"]
    raw_id_fields = ["user", "case"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
