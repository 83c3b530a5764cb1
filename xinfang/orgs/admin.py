"""The back office for regions, organisations, accounts and roles, in Chinese.

Every write goes through the services: creating or moving an organisation (the tree paths),
creating and editing accounts, and granting, changing, revoking or deleting roles (the rules of
who may hold which role, and the back-office access that follows the 系统管理员 role). Forms run the
services' validation so the problem shows on the form; a ServiceError raised while saving, deleting
or running an action is shown as an error message instead of failing the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from xinfang.core.errors import ServiceError
from xinfang.core.forms import CleanTextAdmin
from xinfang.orgs import services
from xinfang.orgs.models import Membership, Org, Region, RegionPopulation, User

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


class _ServiceErrorsShown(CleanTextAdmin):
    """A ServiceError raised by a save, a delete or an action (after the form's own checks) rolls
    the whole request back and comes back as an error message on the page, never as a 500."""

    def _refused(self, request: HttpRequest, exc: ServiceError) -> HttpResponse:
        messages.error(request, exc.message)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().changeform_view(request, *args, **kwargs)  # type: ignore[misc,no-any-return]
        except ServiceError as exc:  # the view's own transaction is already rolled back
            return self._refused(request, exc)

    def delete_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().delete_view(request, *args, **kwargs)  # type: ignore[misc,no-any-return]
        except ServiceError as exc:
            return self._refused(request, exc)

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        try:
            with transaction.atomic():  # a bulk action is all or nothing
                return super().response_action(request, queryset)  # type: ignore[misc,no-any-return]
        except ServiceError as exc:
            return self._refused(request, exc)


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
        fields = [
            "name",
            "short_name",
            "doc_prefix",
            "region",
            "level",
            "kind",
            "parent",
            "requires_approval",
            "is_active",
        ]

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
        data["doc_prefix"] = services.org_doc_prefix_clean(data.get("doc_prefix", ""))


@admin.register(Region)
class RegionAdmin(_ServiceErrorsShown, admin.ModelAdmin[Region]):
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


class MembershipInlineFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """The roles on an account's page, checked by the service's rules against that account."""

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not form.has_changed() or form.errors:
                continue
            try:
                services.membership_validate(
                    user=self.instance, org=data["org"], role=data["role"], is_active=data["is_active"]
                )
            except ServiceError as exc:  # the account itself is no field of the row: name it on top
                field = exc.field if exc.field in form.fields and exc.field != "user" else None
                form.add_error(field, exc.message)


class MembershipInline(CleanTextAdmin, admin.TabularInline[Membership, Any]):
    model = Membership
    formset = MembershipInlineFormSet
    extra = 0
    autocomplete_fields = ["org"]
    fields = ["org", "role", "is_active", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Org)
class OrgAdmin(_ServiceErrorsShown, admin.ModelAdmin[Org]):
    # Deleting needs no service: an organisation that holds roles, organs below it or cases cannot be
    # deleted at all (PROTECT; the admin lists what stands in the way), so no access changes with it.
    form = OrgForm
    list_display = ["name", "kind", "level", "region", "parent", "requires_approval", "is_active"]
    list_filter = ["kind", "level", "requires_approval", "is_active"]
    search_fields = ["name", "short_name", "region__name"]
    autocomplete_fields = ["region", "parent"]

    def save_model(self, request: HttpRequest, obj: Org, form: Any, change: bool) -> None:
        if change:
            services.org_update(org=obj, **{name: form.cleaned_data[name] for name in form.changed_data})
            return
        created = services.org_create(
            name=obj.name,
            short_name=obj.short_name,
            doc_prefix=obj.doc_prefix,
            requires_approval=obj.requires_approval,
            region=obj.region,
            kind=obj.kind,
            level=obj.level,
            parent=obj.parent,
        )
        obj.pk, obj.path = created.pk, created.path


class UserCreateForm(DjangoUserAdmin.add_form):  # type: ignore[name-defined,misc]
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        if "username" in cleaned and "full_name" in cleaned:
            try:
                services.account_validate(
                    user=None, username=cleaned["username"], full_name=cleaned["full_name"]
                )
            except ServiceError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned


class UserEditForm(DjangoUserAdmin.form):  # type: ignore[name-defined,misc]
    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()
        if "username" in cleaned and "full_name" in cleaned:
            try:
                services.account_validate(
                    user=self.instance, username=cleaned["username"], full_name=cleaned["full_name"]
                )
            except ServiceError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned


@admin.register(User)
class UserAdmin(_ServiceErrorsShown, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ["username", "full_name", "kind", "phone", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "full_name", "phone"]
    # is_staff / is_superuser follow the 系统管理员 role (grant or revoke it below); the kind of an
    # account is fixed once created. Deleting an account removes its roles with it.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "kind", "phone", "email")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "kind", "password1", "password2")}),
    )
    inlines = [MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["kind", "is_staff", "is_superuser", "last_login", "date_joined"] if obj else []

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if changes:
                services.user_update(user=obj, **changes)
            return
        create = services.citizen_user_create if obj.is_citizen else services.staff_user_create
        created = create(
            username=obj.username, full_name=obj.full_name, password=form.cleaned_data["password1"]
        )
        obj.pk, obj.password = created.pk, created.password
        obj._state.adding, obj._state.db = False, created._state.db

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        _save_memberships(formset, user=form.instance)


def _save_memberships(formset: Any, *, user: User) -> None:
    """Write the inline roles through the services (and record what changed for the history)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for inline in formset.forms:
        membership = inline.instance
        if formset.can_delete and formset._should_delete_form(inline):
            if membership.pk is not None:
                services.membership_delete(membership=membership)
                formset.deleted_objects.append(membership)
            continue
        if not inline.has_changed():
            continue
        data = inline.cleaned_data
        if membership.pk is None:
            granted = services.membership_grant(user=user, org=data["org"], role=data["role"])
            if not data["is_active"]:
                services.membership_revoke(membership=granted)
            formset.new_objects.append(granted)
        else:
            updated = services.membership_update(
                membership=membership, org=data["org"], role=data["role"], is_active=data["is_active"]
            )
            formset.changed_objects.append((updated, inline.changed_data))


class MembershipForm(_ServiceCheckedForm):
    class Meta:
        model = Membership
        fields = ["user", "org", "role", "is_active"]

    def validate_with_service(self) -> None:
        data = self.cleaned_data
        user = self.instance.user if self.instance.pk else data["user"]
        services.membership_validate(
            user=user, org=data["org"], role=data["role"], is_active=data["is_active"]
        )


@admin.register(Membership)
class MembershipAdmin(_ServiceErrorsShown, admin.ModelAdmin[Membership]):
    form = MembershipForm
    list_display = ["user", "org", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active", "org__kind"]
    search_fields = ["user__username", "user__full_name", "org__name"]
    autocomplete_fields = ["user", "org"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        # A role given to someone else is a new grant, not an edit of this one.
        return ["user", "created_at"] if obj else []

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.membership_update(
                membership=obj, org=data["org"], role=data["role"], is_active=data["is_active"]
            )
            return
        granted = services.membership_grant(user=data["user"], org=data["org"], role=data["role"])
        if not data["is_active"]:
            services.membership_revoke(membership=granted)
        obj.pk, obj.created_at = granted.pk, granted.created_at
        obj._state.adding, obj._state.db = False, granted._state.db

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.membership_delete(membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user"):
            services.membership_delete(membership=membership)

    @admin.action(description="撤销所选岗位")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user"):
            services.membership_revoke(membership=membership)
        messages.success(request, f"已撤销 {queryset.count()} 个岗位。")


@admin.register(RegionPopulation)
class RegionPopulationAdmin(CleanTextAdmin, admin.ModelAdmin[RegionPopulation]):
    """区划人口: plain rows (no tree to keep), read by the reports' 每万人信访量."""

    list_display = ["region", "year", "population"]
    list_filter = ["year"]
    search_fields = ["region__name", "region__code"]
    autocomplete_fields = ["region"]
