"""Bulletins in the back office: to look at, never to change (the services number, issue and freeze
them; a change here would bypass the rules, and an issued bulletin is a document sent out)."""

from __future__ import annotations

from django.contrib import admin

from xinfang.bulletins.models import Bulletin, BulletinCase, BulletinItem
from xinfang.core.forms import ReadOnlyAdmin, ReadOnlyInline


class BulletinCaseInline(ReadOnlyInline):
    model = BulletinCase
    fields = ["position", "case", "note", "added_by", "added_at"]


class BulletinItemInline(ReadOnlyInline):
    model = BulletinItem
    fields = ["position", "title", "written_by", "written_at"]


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ["org", "kind", "year", "number", "title", "status", "issued_at"]
    list_filter = ["kind", "status", "year"]
    search_fields = ["title", "org__name"]
    inlines = [BulletinCaseInline, BulletinItemInline]


@admin.register(BulletinItem)
class BulletinItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "org", "written_by", "written_at", "bulletin"]
    search_fields = ["title", "body", "org__name"]
    raw_id_fields = ["source_case", "source_alert", "bulletin"]
