"""The back office: assessment schemes with their items (edited), and the frozen scores (read-only).

An item is checked as it is saved: its indicator must be figures of the statistics vocabulary, its
rule complete (`scoring.Rule.check`), its 分档 readable; a figure counted by 问题属地 is refused for
a scheme assessing functional departments, which have no territory of their own (their 信访总量
would be their whole city's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from xinfang.assessment import standings
from xinfang.assessment.models import Scheme, SchemeItem, Scorecard
from xinfang.assessment.services import AssessmentError, item_problems, scheme_copy_to_year
from xinfang.core.forms import CleanTextAdmin, ReadOnlyAdmin
from xinfang.statistics import conditions


class SchemeItemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SchemeItem
        fields = [
            "position",
            "name",
            "indicator",
            "rule",
            "weight",
            "floor",
            "target",
            "steps",
            "lower_is_better",
            "cap",
            "when_empty",
            "note",
        ]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.errors:
            return data
        item = SchemeItem(**{name: data.get(name) for name in self.Meta.fields})
        for name, problems in item_problems(item).items():
            for problem in problems:
                self.add_error(name if name in self.fields else None, problem)
        return data


class SchemeItemInline(CleanTextAdmin, admin.TabularInline[SchemeItem, Scheme]):
    model = SchemeItem
    form = SchemeItemForm
    extra = 1


class SchemeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Scheme
        fields = ["org", "year", "name", "description", "units", "top_count", "is_active"]


@admin.register(Scheme)
class SchemeAdmin(CleanTextAdmin, admin.ModelAdmin[Scheme]):
    form = SchemeForm
    list_display = ["name", "year", "org", "is_active", "updated_at"]
    list_filter = ["year", "is_active"]
    search_fields = ["name", "org__name"]
    filter_horizontal = ["units"]
    inlines = [SchemeItemInline]
    actions = ["copy_to_next_year"]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        scheme: Scheme = form.instance
        departments = [unit.name for unit in scheme.units.all() if _without_territory(unit)]
        territorial = [item.name for item in scheme.items.all() if _territorial(item)]
        if departments and territorial:
            messages.warning(
                request,
                f"“{'、'.join(territorial)}”按问题属地统计，而{'、'.join(departments[:3])}等单位没有自己的属地"
                "（统计的是所在区划的全部信访事项）；考核职能部门请改用受理、办结、满意率等办理类指标。",
            )

    @admin.action(description="复制为下一年度的考核方案")
    def copy_to_next_year(self, request: HttpRequest, queryset: Any) -> None:
        for scheme in queryset:
            try:
                copy = scheme_copy_to_year(scheme, scheme.year + 1)
            except AssessmentError as exc:
                self.message_user(request, f"{scheme}：{exc}", messages.ERROR)
                continue
            self.message_user(request, f"已复制为 {copy}。", messages.SUCCESS)


def _without_territory(unit: Any) -> bool:
    """A unit sharing its region with the government above it: a functional department."""
    return unit.parent_id is not None and unit.parent.region_id == unit.region_id


def _territorial(item: SchemeItem) -> bool:
    return any(conditions.territorial(key) for key in standings.indicator_keys(item.indicator))


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    """Frozen by the ranking page only; never changed here (a correction shows as a difference)."""

    list_display = ["scheme", "period", "start", "end", "frozen_at", "frozen_by", "published_at"]
    list_filter = ["period"]
