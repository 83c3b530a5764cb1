"""镇级工作站、村级服务点、基层调解平台: what people bring there ("说事"), its mediation (调解), and
either its resolution on the spot (就地化解, confirmed by the petitioner) or its escalation to the
township or county as a case."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases import pii
from xinfang.cases.models import Case, ContentCategory
from xinfang.orgs.models import Org


class TalkStatus(models.TextChoices):
    OPEN = "open", "待处理"
    MEDIATING = "mediating", "调解中"
    RESOLVED = "resolved", "就地化解"
    ESCALATED = "escalated", "已上报"


class Talk(pii.EncryptedPerson, models.Model):
    """One matter brought to a grass-roots point (说事)."""

    point = models.ForeignKey(Org, verbose_name="服务点", on_delete=models.PROTECT, related_name="talks")
    received_at = models.DateTimeField("接待时间")
    name_enc = models.TextField("姓名（密文）")
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    headcount = models.PositiveIntegerField("人数", default=1)
    category = models.ForeignKey(
        ContentCategory,
        verbose_name="内容分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField("事项", max_length=200)
    content = models.TextField("具体情况")
    status = models.CharField("状态", max_length=16, choices=TalkStatus.choices, default=TalkStatus.OPEN)
    resolution = models.TextField("化解情况", blank=True)
    confirmed_by_petitioner = models.BooleanField("群众确认", default=False)
    confirmation = models.CharField(
        "确认方式", max_length=64, blank=True, help_text="如“本人签字”“电话回访确认”。"
    )
    resolved_at = models.DateTimeField("化解时间", null=True, blank=True)
    escalated_to = models.ForeignKey(
        Org, verbose_name="上报机关", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField("上报时间", null=True, blank=True)
    escalation_reason = models.TextField("上报理由", blank=True)
    case = models.OneToOneField(
        Case, verbose_name="信访件", null=True, blank=True, on_delete=models.PROTECT, related_name="talk"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "群众说事"
        verbose_name_plural = "群众说事"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["point", "received_at"], name="talk_point_at")]
        constraints = [models.CheckConstraint(condition=models.Q(headcount__gt=0), name="talk_headcount")]

    def __str__(self) -> str:
        return f"{self.point} {self.subject}"


class MediationOutcome(models.TextChoices):
    ONGOING = "ongoing", "调解中"
    AGREED = "agreed", "达成协议"
    FAILED = "failed", "调解不成"


class Mediation(models.Model):
    """调解 of a talk (第三十三条): the parties, the mediator, the agreement and its follow-up."""

    talk = models.ForeignKey(Talk, verbose_name="说事", on_delete=models.CASCADE, related_name="mediations")
    parties = models.TextField("当事人")
    mediator = models.CharField("调解员", max_length=64)
    started_on = models.DateField("调解日期")
    outcome = models.CharField(
        "调解结果", max_length=16, choices=MediationOutcome.choices, default=MediationOutcome.ONGOING
    )
    agreement = models.TextField("调解协议内容", blank=True)
    concluded_on = models.DateField("结束日期", null=True, blank=True)
    follow_up_on = models.DateField("回访日期", null=True, blank=True)
    follow_up_note = models.TextField("回访情况", blank=True)
    followed_up_at = models.DateTimeField("回访记录时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "调解"
        verbose_name_plural = "调解"
        ordering = ["talk", "started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["talk"], condition=models.Q(outcome="ongoing"), name="mediation_open_once"
            ),
        ]

    def __str__(self) -> str:
        return f"调解 {self.talk_id} {self.started_on}"
