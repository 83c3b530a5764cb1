"""包案: a named leader takes personal responsibility for a case or a group of cases of one 类案
(《信访工作条例》第十八条第二款 "对群众反映强烈的信访事项亲自包案化解")."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case
from xinfang.orgs.models import Org


class OwnershipState(models.TextChoices):
    UNRESOLVED = "unresolved", "未化解"
    RESOLVING = "resolving", "化解中"
    RESOLVED = "resolved", "已化解"


class Ownership(models.Model):
    """One 包案: the leader, the plan and the 化解 state; its cases are the ``cases`` rows."""

    org = models.ForeignKey(
        Org, verbose_name="包案领导所在机关", on_delete=models.PROTECT, related_name="ownerships"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="包案领导", on_delete=models.PROTECT, related_name="ownerships"
    )
    leader_title = models.CharField("领导职务", max_length=64, blank=True)
    title = models.CharField("包案事项", max_length=200)
    cases = models.ManyToManyField(Case, verbose_name="信访件", related_name="ownerships")
    started_on = models.DateField("包案日期")
    target_on = models.DateField("计划化解日期")
    plan = models.TextField("化解方案")
    state = models.CharField(
        "化解状态", max_length=16, choices=OwnershipState.choices, default=OwnershipState.UNRESOLVED
    )
    resolved_on = models.DateField("化解日期", null=True, blank=True)
    evidence = models.TextField("化解依据", blank=True)
    petitioner_confirmed = models.BooleanField("信访人确认", default=False)
    petitioner_rating = models.CharField("信访人评价", max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "领导包案"
        verbose_name_plural = "领导包案"
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["leader", "state"], name="ownership_leader_state")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_on__gte=models.F("started_on")), name="ownership_target_after_start"
            ),
            models.CheckConstraint(
                condition=~models.Q(state="resolved") | models.Q(resolved_on__isnull=False),
                name="ownership_resolved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader} 包案：{self.title}"


class OwnershipEvent(models.Model):
    """One step of a 包案 (taken, progress, state, handover, resolved). Append-only."""

    class Kind(models.TextChoices):
        TAKEN = "taken", "领导包案"
        PROGRESS = "progress", "化解进展"
        STATE = "state", "化解状态变更"
        HANDOVER = "handover", "包案领导变更"
        RESOLVED = "resolved", "已化解"
        CASE_ADDED = "case_added", "增加包案件"

    ownership = models.ForeignKey(Ownership, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=16, choices=Kind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("内容", blank=True)
    payload = models.JSONField("数据", default=dict)

    class Meta:
        verbose_name = "包案记录"
        verbose_name_plural = "包案记录"
        ordering = ["ownership", "at", "pk"]

    def __str__(self) -> str:
        return f"包案#{self.ownership_id} {self.get_kind_display()}"
