"""The back office sees who is verified, never the numbers: they are shown masked, and only an
account's holder changes them (through the portal)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from xinfang.cases import pii
from xinfang.core.forms import CleanTextAdmin
from xinfang.portal.models import CitizenProfile


@admin.register(CitizenProfile)
class CitizenProfileAdmin(CleanTextAdmin, admin.ModelAdmin):
    list_display = ("user", "masked_phone", "verified_at")
    search_fields = ("user__full_name", "user__username")
    fields = ("user", "masked_phone", "masked_id_number", "verified_at")
    readonly_fields = fields

    @admin.display(description="手机号码")
    def masked_phone(self, obj: CitizenProfile) -> str:
        return pii.mask_phone(pii.decrypt(obj.phone_enc))

    @admin.display(description="身份证号码")
    def masked_id_number(self, obj: CitizenProfile) -> str:
        return pii.mask_id_number(pii.decrypt(obj.id_number_enc))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
