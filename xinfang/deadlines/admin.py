"""The calendar and the rules in the back office (in Chinese; every change is picked up by the
clocks within a minute; then run `manage.py recompute_due --all-open`)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest

from xinfang.core.forms import CleanTextAdmin
from xinfang.deadlines.models import CalendarDay, CalendarYear, DeadlineRule, PolicyProfile

RECOMPUTE_HINT = (
    "修改已保存。请运行 manage.py recompute_due --all-open（或等待每晚自动重算）以更新在办事项的期限，"
    "并运行 manage.py rebuild_case_facts 以更新统计事实。"
)


class _HintOnSave(CleanTextAdmin, admin.ModelAdmin):
    def save_model(self, request: HttpRequest, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        messages.info(request, RECOMPUTE_HINT)


@admin.register(CalendarYear)
class CalendarYearAdmin(_HintOnSave):
    list_display = ["year", "complete", "source", "updated_at"]
    list_filter = ["complete"]


@admin.register(CalendarDay)
class CalendarDayAdmin(_HintOnSave):
    list_display = ["date", "kind", "name", "updated_at"]
    list_filter = ["kind", "name"]
    search_fields = ["name", "date"]
    date_hierarchy = "date"


class DeadlineRuleInline(CleanTextAdmin, admin.StackedInline):
    model = DeadlineRule
    extra = 0


@admin.register(PolicyProfile)
class PolicyProfileAdmin(_HintOnSave):
    list_display = ["code", "name", "parent", "regions", "updated_at"]
    inlines = [DeadlineRuleInline]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(_HintOnSave):
    list_display = ["profile", "clock", "length", "unit", "kind", "extension_limit", "legal_ref"]
    list_filter = ["profile", "clock", "unit"]
