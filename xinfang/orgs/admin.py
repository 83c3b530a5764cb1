"""The back office for regions, organisations, accounts and roles, in Chinese.

Creating or moving an organisation goes through the services so the tree paths stay right.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from xinfang.core.errors import ServiceError
from xinfang.orgs import services
from xinfang.orgs.models import Membership, Org, Region, User

admin.site.site_header = "信访事项办理系统 · 管理后台"
admin.site.site_title = "信访管理后台"
admin.site.index_title = "系统管理"


class _ServiceCheckedForm(forms.ModelForm):  # type: ignore[type-arg]
    """Runs the service's validation in clean() so the admin shows its message on the form."""

    def validate_with_service(self) -> None:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            try:
                self.validate_with_service()
            except ServiceError as exc:
                field = exc.field if exc.field in self.fields else None
                self.add_error(field, exc.message)
        return cleaned


class RegionForm(_ServiceCheckedForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]

    def validate_with_service(self) -> None:
        if self.instance.pk is None:
            data = self.cleaned_data
            services.region_validate(
                code=data["code"], name=data["name"], level=data["level"], parent=data.get("parent")
            )


class OrgForm(_ServiceCheckedForm):
    class Meta:
        model = Org
        fields = ["name", "short_name", "region", "level", "kind", "parent", "is_active"]

    def validate_with_service(self) -> None:
        data = self.cleaned_data
        services.org_validate(
            org=self.instance if self.instance.pk else None,
            name=data["name"],
            region=data["region"],
            kind=data["kind"],
            level=data["level"],
            parent=data.get("parent"),
        )


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    form = RegionForm
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> list[str]:
        # The code, level and parent define the path of every region below; they are fixed once created.
        return ["code", "level", "parent"] if obj else []

    def save_model(self, request: HttpRequest, obj: Region, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        created = services.region_create(code=obj.code, name=obj.name, level=obj.level, parent=obj.parent)
        obj.pk, obj.path = created.pk, created.path


class MembershipInline(admin.TabularInline[Membership, Any]):
    model = Membership
    extra = 0
    autocomplete_fields = ["org"]
    fields = ["org", "role", "is_active", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin[Org]):
    form = OrgForm
    list_display = ["name", "kind", "level", "region", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name", "short_name", "region__name"]
    autocomplete_fields = ["region", "parent"]

    def save_model(self, request: HttpRequest, obj: Org, form: Any, change: bool) -> None:
        if change:
            services.org_update(org=obj, **{name: form.cleaned_data[name] for name in form.changed_data})
            return
        created = services.org_create(
            name=obj.name,
            short_name=obj.short_name,
            region=obj.region,
            kind=obj.kind,
            level=obj.level,
            parent=obj.parent,
        )
        obj.pk, obj.path = created.pk, created.path


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "kind", "phone", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "full_name", "phone"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "kind", "phone", "email")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "kind", "password1", "password2")}),
    )
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "org", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "org__kind"]
    search_fields = ["user__username", "user__full_name", "org__name"]
    autocomplete_fields = ["user", "org"]
