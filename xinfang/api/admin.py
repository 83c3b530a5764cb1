"""API tokens in the back office: create (the token is shown once), list, revoke."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from xinfang.api.models import ApiToken
from xinfang.api.tokens import api_token_revoke, api_token_validate, fill_new_key
from xinfang.core.errors import ServiceError
from xinfang.core.forms import CleanTextAdmin


class ApiTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ApiToken
        fields = ["user", "name", "revoked"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and self.instance.pk is None:
            try:
                cleaned["name"] = api_token_validate(user=cleaned["user"], name=cleaned["name"])
            except ServiceError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(CleanTextAdmin, admin.ModelAdmin[ApiToken]):
    form = ApiTokenForm
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix", "user__username", "user__full_name"]
    autocomplete_fields = ["user"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        fixed = ["prefix", "created_at", "last_used_at"]
        if obj is None:
            return fixed
        # Revocation is final: a leaked token must not come back by unticking a box.
        return [*fixed, "user", "revoked"] if obj.revoked else [*fixed, "user"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "prefix", "created_at", "last_used_at", "revoked"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            # Only the name is edited here; revoking goes through the service, and nothing written
            # from this form can clear `revoked` (a stale form opened before revocation included).
            ApiToken.objects.filter(pk=obj.pk).update(name=obj.name)
            if form.cleaned_data.get("revoked"):
                api_token_revoke(token=obj)
            obj.refresh_from_db()
            return
        raw = fill_new_key(obj)
        super().save_model(request, obj, form, change)
        messages.warning(request, f"接口令牌已生成，请立即复制保存，此后不再显示：{raw}")

    @admin.action(description="吊销所选令牌")
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token)
        messages.success(request, f"已吊销 {queryset.count()} 个令牌。")
