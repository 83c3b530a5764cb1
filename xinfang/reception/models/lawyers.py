"""律师参与接访: lawyers on the hall's rota (e.g. every Wednesday and Friday) and each consultation
they give (批次 / 人次), linked to a case where there is one."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case, ContentCategory
from xinfang.reception.models.halls import Hall
from xinfang.reception.models.queue import Ticket


class Lawyer(models.Model):
    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="lawyers")
    name = models.CharField("姓名", max_length=64)
    firm = models.CharField("律师事务所", max_length=128)
    licence_number = models.CharField("执业证号", max_length=32)
    phone = models.CharField("联系电话", max_length=32, blank=True)
    # ISO weekdays of the rota, "3,5" for 每周三、五.
    weekdays = models.CharField("接访日（星期）", max_length=16, default="3,5")
    is_active = models.BooleanField("在岗", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "接访律师"
        verbose_name_plural = "接访律师"
        ordering = ["hall", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "licence_number"], name="lawyer_once_per_hall")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.firm}）"

    @property
    def weekday_numbers(self) -> list[int]:
        return [int(part) for part in self.weekdays.split(",") if part.strip().isdigit()]


class LawyerConsultation(models.Model):
    """One consultation (one 批次 of ``persons`` 人次) given by a lawyer at the hall."""

    lawyer = models.ForeignKey(
        Lawyer, verbose_name="律师", on_delete=models.PROTECT, related_name="consultations"
    )
    hall = models.ForeignKey(
        Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="lawyer_consultations"
    )
    at = models.DateTimeField("咨询时间")
    persons = models.PositiveIntegerField("人次", default=1)
    category = models.ForeignKey(
        ContentCategory,
        verbose_name="内容分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic = models.CharField("咨询事项", max_length=200)
    advice = models.TextField("法律意见")
    legal_aid_referred = models.BooleanField("引导申请法律援助", default=False)
    # The rota is the rule ("每周三、五"); a consultation on another day says why (a lawyer called
    # in for a group visit, a swapped day), so the report on the rota can be read.
    off_rota_reason = models.CharField("非接访日说明", max_length=200, blank=True)
    case = models.ForeignKey(
        Case,
        verbose_name="信访件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lawyer_consultations",
    )
    ticket = models.ForeignKey(
        Ticket, verbose_name="排队号", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "律师接访记录"
        verbose_name_plural = "律师接访记录"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["hall", "at"], name="lawyer_consult_hall_at")]
        constraints = [
            models.CheckConstraint(condition=models.Q(persons__gt=0), name="lawyer_consult_persons")
        ]

    def __str__(self) -> str:
        return f"{self.lawyer} {self.at:%Y-%m-%d} {self.topic}"
