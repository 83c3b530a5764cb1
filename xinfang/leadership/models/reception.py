"""领导接访日, 约访 and 下访/夜访 (《信访工作条例》第十八条第二款)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case
from xinfang.orgs.models import Level, Org


class Period(models.TextChoices):
    WEEK = "week", "每周"
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"


class ReceptionRule(models.Model):
    """How often the leaders of organs of one level must receive visitors in person.

    The reports cite "市、县、镇三级党政领导干部分别每季、每月、每周接待群众不少于1次"; provinces set their
    own, so it is data (the back office), one rule per level.
    """

    level = models.CharField("机构级别", max_length=16, choices=Level.choices, unique=True)
    period = models.CharField("周期", max_length=16, choices=Period.choices)
    minimum = models.PositiveSmallIntegerField("每周期至少接访次数", default=1)
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "领导接访频次要求"
        verbose_name_plural = "领导接访频次要求"
        ordering = ["level"]
        constraints = [
            models.CheckConstraint(condition=models.Q(minimum__gt=0), name="reception_rule_minimum")
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.get_period_display()}不少于{self.minimum}次"


class ReceptionDayStatus(models.TextChoices):
    SCHEDULED = "scheduled", "已排班"
    HELD = "held", "已接访"
    CANCELLED = "cancelled", "已取消"


class ReceptionDay(models.Model):
    """A leader's reception session (领导接访日): who, when, where and which topics."""

    org = models.ForeignKey(
        Org, verbose_name="接访机关", on_delete=models.PROTECT, related_name="reception_days"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接访领导",
        on_delete=models.PROTECT,
        related_name="reception_days",
    )
    leader_org = models.ForeignKey(
        Org, verbose_name="领导所在机关", on_delete=models.PROTECT, related_name="leaders_reception_days"
    )
    leader_title = models.CharField("领导职务", max_length=64, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("接访地点", max_length=128)
    topics = models.CharField("接访主题", max_length=256, blank=True)
    published = models.BooleanField("向社会公布", default=True)
    status = models.CharField(
        "状态", max_length=16, choices=ReceptionDayStatus.choices, default=ReceptionDayStatus.SCHEDULED
    )
    summary = models.TextField("接访情况小结", blank=True)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="排班人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("排班时间", auto_now_add=True)

    class Meta:
        verbose_name = "领导接访日"
        verbose_name_plural = "领导接访日"
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["org", "starts_at"], name="reception_day_org_start"),
            models.Index(fields=["leader", "starts_at"], name="reception_day_leader_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="reception_day_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader} {self.starts_at:%Y-%m-%d} {self.place}"


class VisitOutcome(models.TextChoices):
    SOLVED = "solved", "当场解决"
    ASSIGNED = "assigned", "交办"
    EXPLAINED = "explained", "解释说明"


class ReceptionVisit(models.Model):
    """One matter received at a reception day: a case registered there or one brought again."""

    day = models.ForeignKey(
        ReceptionDay, verbose_name="接访日", on_delete=models.PROTECT, related_name="visits"
    )
    case = models.ForeignKey(
        Case, verbose_name="信访件", on_delete=models.PROTECT, related_name="reception_visits"
    )
    registered_here = models.BooleanField("当场登记", default=False)
    headcount = models.PositiveSmallIntegerField("来访人数", default=1)
    outcome = models.CharField("接访结果", max_length=16, choices=VisitOutcome.choices)
    note = models.TextField("领导意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "接访登记"
        verbose_name_plural = "接访登记"
        ordering = ["day", "recorded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["day", "case"], name="reception_visit_once_per_day")]

    def __str__(self) -> str:
        return f"{self.day_id} {self.case_id} {self.get_outcome_display()}"


class AppointmentStatus(models.TextChoices):
    PLANNED = "planned", "已预约"
    HELD = "held", "已约见"
    CANCELLED = "cancelled", "已取消"
    ABSENT = "absent", "信访人未到"


class Appointment(models.Model):
    """约访: a leader or the bureau invites the petitioner of a case to a meeting."""

    org = models.ForeignKey(
        Org, verbose_name="约访机关", on_delete=models.PROTECT, related_name="appointments"
    )
    case = models.ForeignKey(
        Case, verbose_name="信访件", on_delete=models.PROTECT, related_name="appointments"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="约访领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    at = models.DateTimeField("约见时间")
    place = models.CharField("约见地点", max_length=128)
    purpose = models.CharField("约访事由", max_length=256, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.PLANNED
    )
    outcome = models.TextField("约访结果", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="结果记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("结果记录时间", null=True, blank=True)

    class Meta:
        verbose_name = "约访"
        verbose_name_plural = "约访"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["org", "at"], name="appointment_org_at")]
        # A second click of the same invitation is refused (a cancelled one may be planned again).
        constraints = [
            models.UniqueConstraint(
                fields=["case", "at"],
                condition=models.Q(status="planned"),
                name="appointment_planned_once",
            )
        ]

    def __str__(self) -> str:
        return f"约访 {self.case_id} {self.at:%Y-%m-%d}"


class FieldVisitKind(models.TextChoices):
    DOWN = "down", "下访"
    NIGHT = "night", "夜访"


class FieldVisit(models.Model):
    """下访 (a leader goes to a place with the cases taken along, 带案下访) or 夜访 (the bureau pushes
    cases to a township office, whose staff visit the petitioners' homes in the evening and report)."""

    org = models.ForeignKey(
        Org, verbose_name="组织机关", on_delete=models.PROTECT, related_name="field_visits"
    )
    kind = models.CharField("类型", max_length=16, choices=FieldVisitKind.choices)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="带队领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="field_visits",
    )
    target_org = models.ForeignKey(
        Org,
        verbose_name="承接单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="field_visits_received",
    )
    on = models.DateField("日期")
    days = models.PositiveSmallIntegerField("天数", default=1)
    place = models.CharField("地点", max_length=128)
    participants = models.TextField("参加人员", blank=True)
    summary = models.TextField("情况小结", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "下访夜访"
        verbose_name_plural = "下访夜访"
        ordering = ["-on", "-pk"]
        # The lists and the report counts read one organ's visits of a kind by date.
        indexes = [models.Index(fields=["org", "kind", "on"], name="field_visit_org_kind_on")]
        constraints = [
            models.CheckConstraint(condition=models.Q(days__gt=0), name="field_visit_days"),
            # The same visit down recorded twice would count its days twice in the 下访天次.
            models.UniqueConstraint(
                fields=["org", "leader", "on", "place"],
                condition=models.Q(kind="down"),
                name="field_visit_down_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on} {self.place}"


class FieldVisitCase(models.Model):
    """A case taken along on a visit down, or pushed for a 夜访, with its outcome."""

    visit = models.ForeignKey(FieldVisit, verbose_name="下访", on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(
        Case, verbose_name="信访件", on_delete=models.PROTECT, related_name="field_visits"
    )
    resolved = models.BooleanField("就地化解", null=True, blank=True)
    outcome = models.TextField("情况反馈", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="反馈人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField("反馈时间", null=True, blank=True)

    class Meta:
        verbose_name = "下访件"
        verbose_name_plural = "下访件"
        ordering = ["visit", "pk"]
        constraints = [models.UniqueConstraint(fields=["visit", "case"], name="field_visit_case_once")]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.case_id}"
