"""联合接访 (第十八条第三款): a matter involving two or more units received by the duty leaders of
the stationed units together, with one lead unit (牵头单位) that gives the one reply."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case
from xinfang.orgs.models import Org
from xinfang.reception.models.halls import DutyShift, Hall
from xinfang.reception.models.queue import Ticket


class JointOutcome(models.TextChoices):
    PENDING = "pending", "接访中"
    ON_SPOT = "on_spot", "现场解决"
    ASSIGNED = "assigned", "交办"
    FORWARDED = "forwarded", "转送"


class JointReception(models.Model):
    """One joint reception (one 批次) of one case at a hall."""

    hall = models.ForeignKey(
        Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="joint_receptions"
    )
    case = models.ForeignKey(
        Case, verbose_name="信访件", on_delete=models.PROTECT, related_name="joint_receptions"
    )
    ticket = models.ForeignKey(
        Ticket,
        verbose_name="排队号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="joint_receptions",
    )
    convened_at = models.DateTimeField("召集时间")
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="召集人", on_delete=models.PROTECT, related_name="+"
    )
    lead_org = models.ForeignKey(Org, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+")
    plan = models.TextField("现场处理方案", blank=True)
    outcome = models.CharField(
        "结果", max_length=16, choices=JointOutcome.choices, default=JointOutcome.PENDING
    )
    outcome_note = models.TextField("结果说明", blank=True)
    concluded_at = models.DateTimeField("结束时间", null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "联合接访"
        verbose_name_plural = "联合接访"
        ordering = ["-convened_at", "-pk"]
        indexes = [models.Index(fields=["hall", "convened_at"], name="joint_hall_at")]
        constraints = [
            # One joint reception of a case open at a time; a second click does not open another.
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(outcome="pending"), name="joint_open_once"
            ),
        ]

    def __str__(self) -> str:
        return f"联合接访 {self.case_id} {self.convened_at:%Y-%m-%d}"


class JointRole(models.TextChoices):
    LEAD = "lead", "牵头单位"
    ASSIST = "assist", "配合单位"


class JointUnit(models.Model):
    """A unit summoned to a joint reception: its role and task, and who came for it."""

    joint = models.ForeignKey(JointReception, on_delete=models.CASCADE, related_name="units")
    org = models.ForeignKey(Org, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("角色", max_length=8, choices=JointRole.choices)
    task = models.CharField("承担任务", max_length=200, blank=True)
    shift = models.ForeignKey(
        DutyShift, verbose_name="值班", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendee = models.CharField("到场人员", max_length=64, blank=True)
    attended = models.BooleanField("已到场", default=False)

    class Meta:
        verbose_name = "联合接访单位"
        verbose_name_plural = "联合接访单位"
        ordering = ["joint", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["joint", "org"], name="joint_unit_once"),
            models.UniqueConstraint(fields=["joint"], condition=models.Q(role="lead"), name="joint_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.joint_id} {self.org}"
