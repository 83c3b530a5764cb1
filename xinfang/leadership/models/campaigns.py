"""积案化解 campaigns: a batch of cases handed down from above (中央/省/市交办) or chosen locally,
each item with its unit, its 包案 leader, a plan date and three milestones."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case
from xinfang.orgs.models import Org


class CampaignSource(models.TextChoices):
    CENTRAL = "central", "中央交办"
    PROVINCE = "province", "省交办"
    CITY = "city", "市交办"
    LOCAL = "local", "本级排查"


class Denominator(models.TextChoices):
    """What 办结提交率 and 化解率 divide by (DOMAIN.md §4: the denominators are not settled)."""

    ALL = "all", "列入清单的全部事项"
    DUE = "due", "计划日期已到的事项"


class Campaign(models.Model):
    org = models.ForeignKey(Org, verbose_name="牵头机关", on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField("批次名称", max_length=128)
    source = models.CharField("来源", max_length=16, choices=CampaignSource.choices)
    received_on = models.DateField("交办日期")
    deadline = models.DateField("完成期限")
    target_rate = models.DecimalField("化解率目标（%）", max_digits=5, decimal_places=1, default=90)
    denominator = models.CharField(
        "统计口径", max_length=8, choices=Denominator.choices, default=Denominator.ALL
    )
    note = models.TextField("工作要求", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "积案化解批次"
        verbose_name_plural = "积案化解批次"
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="campaign_name_unique_in_org"),
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("received_on")),
                name="campaign_deadline_after_receipt",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignItem(models.Model):
    """One case of a campaign: who answers for it and how far it has come.

    办结提交 (the unit has closed the case and submitted it), 申请化解 (asked the campaign's organ to
    confirm it resolved), 实体化解 (confirmed resolved in substance); each a date, in that order.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name="批次", on_delete=models.CASCADE, related_name="items"
    )
    case = models.ForeignKey(
        Case, verbose_name="信访件", on_delete=models.PROTECT, related_name="campaign_items"
    )
    unit = models.ForeignKey(
        Org, verbose_name="责任单位", on_delete=models.PROTECT, related_name="campaign_items"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="包案领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_items",
    )
    plan_on = models.DateField("计划完成日期")
    submitted_on = models.DateField("办结提交日期", null=True, blank=True)
    applied_on = models.DateField("申请化解日期", null=True, blank=True)
    resolved_on = models.DateField("实体化解日期", null=True, blank=True)
    note = models.TextField("进展情况", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "积案事项"
        verbose_name_plural = "积案事项"
        ordering = ["campaign", "plan_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "case"], name="campaign_item_once"),
            models.CheckConstraint(
                condition=models.Q(applied_on__isnull=True) | models.Q(submitted_on__isnull=False),
                name="campaign_item_applied_after_submitted",
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_on__isnull=True) | models.Q(applied_on__isnull=False),
                name="campaign_item_resolved_after_applied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.case_id}"


class CampaignItemEvent(models.Model):
    """One step of an item, in order: added, changed, a milestone recorded, a milestone undone.

    The item holds only the dates as they stand; this keeps who recorded what and why a date was
    taken back (对账销号 needs the account as well as the balance)."""

    class Kind(models.TextChoices):
        ADDED = "added", "列入清单"
        UPDATED = "updated", "调整"
        SUBMITTED = "submitted", "办结提交"
        APPLIED = "applied", "申请化解"
        RESOLVED = "resolved", "实体化解"
        UNDONE = "undone", "撤销"

    item = models.ForeignKey(
        CampaignItem, verbose_name="积案事项", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("事件", max_length=16, choices=Kind.choices)
    on = models.DateField("日期", null=True, blank=True)
    stage = models.CharField("所涉阶段", max_length=16, blank=True)
    note = models.TextField("说明", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        Org, verbose_name="操作人单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "积案事项记录"
        verbose_name_plural = "积案事项记录"
        ordering = ["item", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind}"
