"""In-app notices (消息提醒): a case arrived, a 督办 opened, a deadline near, an extension recorded.

Written by the subscribers in :mod:`.subscribers` and the due-soon job, never by a page; a user
only marks their own notices read. ``key`` names the fact a notice is about (a warning, an
event), so a job that runs again never tells the same person twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.cases.models import Case


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
