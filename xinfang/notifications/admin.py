from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from xinfang.core import sms
from xinfang.core.forms import CleanTextAdmin, ReadOnlyAdmin
from xinfang.notifications import petitioners, texts
from xinfang.notifications.models import MessageTemplate, Notification, PetitionerMessage


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Written by the subscribers only: the back office may look, not touch."""

    list_display = ["created_at", "user", "kind", "case", "text", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__full_name"]
    raw_id_fields = ["user", "case"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(CleanTextAdmin, admin.ModelAdmin):
    """The wording of each step's message to petitioners. The steps are the code's (texts.STEPS):
    the back office edits their text and turns them on or off, it cannot add or remove one."""

    list_display = ["name", "key", "is_active", "updated_at"]
    list_filter = ["is_active"]
    fields = ["name", "key", "text", "placeholders", "preview", "is_active"]
    readonly_fields = ["name", "key", "placeholders", "preview"]

    @admin.display(description="可用占位符")
    def placeholders(self, obj: MessageTemplate) -> str:
        step = texts.STEPS.get(obj.key)
        if step is None:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            "{{{}}}：{}",
            ((name, texts.PLACEHOLDER_HELP.get(name, "")) for name in step.placeholders),
        )

    @admin.display(description="示例（保存后的内容）")
    def preview(self, obj: MessageTemplate) -> str:
        if texts.placeholder_problem(obj.key, obj.text):
            return "—"
        text = sms.signed(texts.sample(obj.text))
        parts = -(-len(text) // 70)
        return f"{text}（{len(text)} 字，约 {parts} 条短信）"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PetitionerMessage)
class PetitionerMessageAdmin(ReadOnlyAdmin):
    """The delivery log: written and sent by the worker; the back office looks, and may send a
    failed message again. The address is shown masked, never in the clear."""

    list_display = [
        "created_at",
        "case_number",
        "template",
        "channel",
        "recipient_masked",
        "status",
        "attempts",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "template"]
    search_fields = ["case__number"]
    list_select_related = ["case"]
    fields = [
        "case_number",
        "template",
        "channel",
        "recipient_masked",
        "text",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "backend_id",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    @admin.display(description="信访件编号", ordering="case__number")
    def case_number(self, obj: PetitionerMessage) -> str:
        return obj.case.number

    @admin.display(description="接收号码或地址")
    def recipient_masked(self, obj: PetitionerMessage) -> str:
        return obj.recipient_masked

    @admin.action(description="重新发送选中的发送失败通知")
    def send_again(self, request: HttpRequest, queryset: QuerySet[PetitionerMessage]) -> None:
        count = petitioners.retry(queryset.values_list("pk", flat=True))
        self.message_user(request, f"已将 {count} 条发送失败的通知重新列入发送。")
