from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from xinfang.core.forms import CleanTextAdmin
from xinfang.supervision.models import DueWarning, Supervision, SupervisionEvent


class _ReadOnly(CleanTextAdmin, admin.ModelAdmin):
    """Rows written by the sweep or by services only: the back office may look, not touch."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DueWarning)
class DueWarningAdmin(_ReadOnly):
    list_display = ["case", "clock", "kind", "due_on", "org", "created_at", "resolved_at"]
    list_filter = ["kind", "clock"]


class SupervisionEventInline(CleanTextAdmin, admin.TabularInline):
    model = SupervisionEvent
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Supervision)
class SupervisionAdmin(_ReadOnly):
    list_display = ["pk", "case", "opened_by_org", "unit", "reason", "feedback_due", "status"]
    list_filter = ["status", "reason"]
    inlines = [SupervisionEventInline]
