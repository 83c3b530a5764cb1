"""The back office edits the 内容分类 code table. Cases themselves are changed only by the workflow
services and seen through the access policy, so they are not in the admin."""

from __future__ import annotations

from django.contrib import admin

from xinfang.cases.models import ContentCategory
from xinfang.core.forms import CleanTextAdmin


@admin.register(ContentCategory)
class ContentCategoryAdmin(CleanTextAdmin, admin.ModelAdmin[ContentCategory]):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]

    def has_delete_permission(self, request: object, obj: ContentCategory | None = None) -> bool:
        return False  # cases keep their category; retire a category by unticking 启用
