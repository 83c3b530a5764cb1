"""The queue at the desk: a number taken, the 诉求单 (one-sheet request form) filled, a call to a
window, and the case the clerk registers from it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from xinfang.cases import pii
from xinfang.cases.models import Case, ContentCategory
from xinfang.orgs.models import Org, Region
from xinfang.reception.models.halls import Hall


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    SERVED = "served", "已接待"
    LEFT = "left", "过号未到"


class Ticket(models.Model):
    """A number taken at the hall (one visitor or one group), with its 诉求单.

    The form is what the visitor wrote or the clerk took down at the desk (第十九条: 口头提出的如实
    记录); it becomes a case in one step (``ticket_register_case``). Names, ID numbers and phones are
    in ``TicketPerson``, encrypted like a petitioner's."""

    hall = models.ForeignKey(Hall, verbose_name="大厅", on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField("日期")
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("排队号", max_length=8)
    headcount = models.PositiveIntegerField("来访人数", default=1)
    issued_at = models.DateTimeField("取号时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="取号登记人", on_delete=models.PROTECT, related_name="+"
    )
    # 诉求单
    subject = models.CharField("诉求事项", max_length=200, blank=True)
    request = models.TextField("具体诉求", blank=True)
    facts = models.TextField("事实和理由", blank=True)
    category = models.ForeignKey(
        ContentCategory,
        verbose_name="内容分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    problem_region = models.ForeignKey(
        Region, verbose_name="问题属地", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    units_involved = models.CharField("涉及单位", max_length=200, blank=True)
    form_filled_at = models.DateTimeField("诉求单填写时间", null=True, blank=True)
    # The window it is called to; in a one-stop centre, the stationed unit whose window it is (the
    # centre routes inside itself: the unit registers the case).
    status = models.CharField(
        "状态", max_length=8, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    window = models.CharField("窗口", max_length=32, blank=True)
    window_org = models.ForeignKey(
        Org, verbose_name="接待单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    served_at = models.DateTimeField("接待完毕时间", null=True, blank=True)
    case = models.OneToOneField(
        Case, verbose_name="信访件", null=True, blank=True, on_delete=models.PROTECT, related_name="ticket"
    )

    class Meta:
        verbose_name = "排队号与诉求单"
        verbose_name_plural = "排队号与诉求单"
        ordering = ["-day", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "serial"], name="ticket_serial_once"),
            models.CheckConstraint(condition=models.Q(headcount__gt=0), name="ticket_headcount"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.number}"

    @property
    def waited(self) -> dt.timedelta | None:
        """The wait from taking the number to being called, or None before the call."""
        return self.called_at - self.issued_at if self.called_at else None


class TicketPerson(pii.EncryptedPerson, models.Model):
    """A visitor named on the 诉求单; a group names its representatives (第二十条: 不超过5人)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="people")
    name_enc = models.TextField("姓名（密文）")
    id_number_enc = models.TextField("证件号码（密文）", blank=True)
    phone_enc = models.TextField("联系电话（密文）", blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    is_representative = models.BooleanField("代表", default=False)

    class Meta:
        verbose_name = "来访人"
        verbose_name_plural = "来访人"
        ordering = ["ticket", "pk"]

    def __str__(self) -> str:
        return pii.mask_name(self.name)
