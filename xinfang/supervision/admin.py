from __future__ import annotations

from django.contrib import admin

from xinfang.core.forms import ReadOnlyAdmin, ReadOnlyInline
from xinfang.supervision.models import DueWarning, Supervision, SupervisionEvent


@admin.register(DueWarning)
class DueWarningAdmin(ReadOnlyAdmin):
    list_display = ["case", "clock", "kind", "due_on", "org", "created_at", "resolved_at"]
    list_filter = ["kind", "clock"]


class SupervisionEventInline(ReadOnlyInline):
    model = SupervisionEvent


@admin.register(Supervision)
class SupervisionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "case", "opened_by_org", "unit", "reason", "feedback_due", "status"]
    list_filter = ["status", "reason"]
    inlines = [SupervisionEventInline]
