"""接访大厅 and the units stationed there (驻厅部门) with their duty rota (带班领导、值班人员)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from xinfang.orgs.models import Org


class Hall(models.Model):
    """A reception hall: the 群众来访接待大厅 of a petition bureau, or the hall of a one-stop centre
    (信访超市 / 群众信访诉求综合服务中心) hosting the windows of several units."""

    org = models.ForeignKey(
        Org, verbose_name="所属机构", on_delete=models.PROTECT, related_name="reception_halls"
    )
    name = models.CharField("大厅名称", max_length=64)
    address = models.CharField("地址", max_length=200, blank=True)
    # The hours the duty rota is held to: a check-in after start + grace is 迟到, a check-out before
    # the end is 早退 (the reports: "值班人员存在迟到、早退现象").
    opens_at = models.TimeField("接待开始时间", default=dt.time(8, 30))
    closes_at = models.TimeField("接待结束时间", default=dt.time(17, 30))
    grace_minutes = models.PositiveSmallIntegerField("迟到宽限（分钟）", default=10)
    ticket_prefix = models.CharField("排队号前缀", max_length=2, default="A")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "接访大厅"
        verbose_name_plural = "接访大厅"
        ordering = ["org__path", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="hall_name_once"),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")), name="hall_hours"),
        ]

    def __str__(self) -> str:
        return self.name


class StationedUnit(models.Model):
    """A unit stationed in a hall (驻厅部门) at a window, from a date until a date."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="units")
    org = models.ForeignKey(
        Org, verbose_name="驻厅单位", on_delete=models.PROTECT, related_name="stationed_in"
    )
    window = models.CharField("窗口", max_length=32, blank=True)
    since = models.DateField("进驻日期")
    until = models.DateField("撤出日期", null=True, blank=True)

    class Meta:
        verbose_name = "驻厅单位"
        verbose_name_plural = "驻厅单位"
        ordering = ["hall", "window", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "org"], condition=models.Q(until__isnull=True), name="stationed_unit_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.org}"


class DutyRole(models.TextChoices):
    LEADER = "leader", "带班领导"
    STAFF = "staff", "值班人员"


class DutyShift(models.Model):
    """One person's duty at the hall on one day for a stationed unit, with the check-in and
    check-out that the absence report reads."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.CASCADE, related_name="shifts")
    org = models.ForeignKey(
        Org, verbose_name="驻厅单位", on_delete=models.PROTECT, related_name="hall_shifts"
    )
    on = models.DateField("值班日期")
    role = models.CharField("职责", max_length=8, choices=DutyRole.choices)
    person = models.CharField("姓名", max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hall_shifts",
    )
    phone = models.CharField("联系电话", max_length=32, blank=True)
    checked_in_at = models.DateTimeField("到岗时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("离岗时间", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="排班人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("排班时间", auto_now_add=True)

    class Meta:
        verbose_name = "值班"
        verbose_name_plural = "值班"
        ordering = ["on", "org", "role", "pk"]
        indexes = [models.Index(fields=["hall", "on"], name="duty_shift_hall_on")]
        constraints = [
            models.UniqueConstraint(fields=["hall", "org", "on", "person"], name="duty_shift_once"),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.org} {self.person}"
