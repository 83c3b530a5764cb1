from django.contrib import admin

from xinfang.core.forms import CleanTextAdmin
from xinfang.core.models import PeriodicRun


@admin.register(PeriodicRun)
class PeriodicRunAdmin(CleanTextAdmin, admin.ModelAdmin[PeriodicRun]):
    list_display = ["job", "slot", "enqueued_at", "task_result_id"]
    list_filter = ["job"]
    readonly_fields = ["job", "slot", "enqueued_at", "task_result_id"]
