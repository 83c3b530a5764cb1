"""In-app notices (消息提醒) for staff, and the messages to petitioners (群众短信通知).

Notices: a case arrived, a 督办 opened, a deadline near, an extension recorded.

Written by the subscribers in :mod:`.subscribers` and the due-soon job, never by a page; a user
only marks their own notices read. ``key`` names the fact a notice is about (a warning, an
event), so a job that runs again never tells the same person twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from xinfang.cases import pii
from xinfang.cases.models import Case, CaseEvent
from xinfang.notifications import texts


class Kind(models.TextChoices):
    ARRIVED = "arrived", "新到信访件"
    RETURNED = "returned", "异议退回"
    SUPERVISED = "supervised", "督办"
    DUE_SOON = "due_soon", "期限临近"
    EXTENDED = "extended", "延期"
    APPROVAL = "approval", "审批"
    INSTRUCTION = "instruction", "领导批示"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    case = models.ForeignKey(
        Case, verbose_name="信访件", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=200, blank=True)
    key = models.CharField("来源", max_length=64, blank=True)
    created_at = models.DateTimeField("提醒时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息提醒"
        verbose_name_plural = "消息提醒"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notification_once_per_key"
            ),
        ]
        indexes = [
            # The bell's unread count and the list page: one user's notices, newest first.
            models.Index(fields=["user", "read_at", "created_at"], name="notification_user_unread"),
            models.Index(fields=["user", "created_at"], name="notification_user_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.text[:20]}"


class MessageTemplate(models.Model):
    """The wording of one step's message to petitioners (群众短信通知), edited in the back office.

    One row per step of `texts.STEPS`, written by migration 0004; the back office changes the
    wording and turns a step off, but cannot add a step the code does not send."""

    key = models.CharField("通知类型", max_length=32, unique=True, choices=texts.STEP_CHOICES)
    name = models.CharField("名称", max_length=32)
    text = models.TextField(
        "通知内容",
        help_text="短信正文（不含签名），按每 70 字一条计费；占位符写成 {编号} 这样的形式。",
    )
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "群众通知模板"
        verbose_name_plural = "群众通知模板"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        problem = texts.placeholder_problem(self.key, self.text)
        if problem:
            raise ValidationError({"text": problem})


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class PetitionerMessage(models.Model):
    """One message to one petitioner (or the citizen account that submitted the matter) about one
    step of their case, and its delivery: the worker sends it, retries it, and logs the outcome.

    The address is stored here, encrypted like the petitioner's own data (`cases.pii`), rather than
    read from the petitioner at send time: the log must say where a message went even after the
    phone on the case is corrected, and a retry must go where the first attempt went. It is shown
    masked (`pii.mask_phone`). ``key`` names (event, step, recipient, channel): a job that runs
    again finds the row and sends nothing twice."""

    case = models.ForeignKey(
        Case, verbose_name="信访件", on_delete=models.CASCADE, related_name="petitioner_messages"
    )
    event = models.ForeignKey(
        CaseEvent, verbose_name="办理记录", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    template = models.CharField("通知类型", max_length=32, choices=texts.STEP_CHOICES)
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    recipient_enc = models.TextField("接收号码或地址（密文）")
    text = models.TextField("内容")
    status = models.CharField(
        "状态", max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间", null=True, blank=True)
    last_error = models.CharField("最近一次失败原因", max_length=300, blank=True)
    # The id the gateway is given: the same on every attempt, so a gateway sends a retried message once.
    message_id = models.CharField("消息标识", max_length=32, unique=True)
    backend_id = models.CharField("网关回执", max_length=64, blank=True)
    key = models.CharField("来源", max_length=128, unique=True)
    created_at = models.DateTimeField("生成时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "群众通知记录"
        verbose_name_plural = "群众通知记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sender's scan: what is waiting and due, oldest first.
            models.Index(fields=["status", "next_attempt_at"], name="petitioner_message_due"),
            models.Index(fields=["case", "created_at"], name="petitioner_message_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_template_display()} · {self.get_channel_display()}"

    @property
    def recipient(self) -> str:
        return pii.decrypt(self.recipient_enc)

    @property
    def recipient_masked(self) -> str:
        address = self.recipient
        if self.channel == Channel.EMAIL:
            name, _, domain = address.partition("@")
            return f"{pii.mask_name(name)}@{domain}" if domain else pii.mask_name(address)
        return pii.mask_phone(address)
