"""Assessment schemes (考核方案), their items, and the frozen scores of a period (定稿).

A scheme is data a bureau edits in the back office: the year it applies to, the units it assesses
and a list of items, each an indicator of the statistics vocabulary (`xinfang.statistics.figure`)
with a scoring rule (`xinfang.assessment.scoring`). Scores are never typed in: they are computed
from the case facts whenever they are shown (`xinfang.assessment.standings`). A period's scores can
be frozen (定稿) into a `Scorecard`, after which the page shows the frozen table and any later
correction of the facts as a difference; a frozen card can be published (发布) to the units.

《信访工作条例》第三十九条: 各级党委和政府 assess 信访工作 and use the results in the assessment of
leaders and units; the scheme, its weights and its units are each installation's own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.orgs.models import Org


class RuleChoice(models.TextChoices):
    """The scoring rules of `xinfang.assessment.scoring.RuleKind` (same values)."""

    LINEAR = "linear", "按比例计分"
    THRESHOLDS = "thresholds", "分档计分"
    PER_EVENT = "per_event", "逐项扣分"


class EmptyChoice(models.TextChoices):
    """`xinfang.assessment.scoring.WhenEmpty` (same values)."""

    FULL = "full", "按满分计"
    ZERO = "zero", "按零分计"
    SKIP = "skip", "不计入，按实际考核项目折算"


class Scheme(models.Model):
    org = models.ForeignKey(
        Org, verbose_name="考核机构", on_delete=models.PROTECT, related_name="assessment_schemes"
    )
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("方案名称", max_length=128)
    description = models.TextField("说明", blank=True)
    units = models.ManyToManyField(Org, verbose_name="被考核单位", related_name="assessed_by")
    top_count = models.PositiveSmallIntegerField(
        "通报单位数", default=3, help_text="通报中点名表扬（前列）和通报（后列）的单位各几个。"
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "name"], name="assessment_scheme_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"


class SchemeItem(models.Model):
    """One item of a scheme: an indicator and how its figure becomes points."""

    scheme = models.ForeignKey(
        Scheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("考核项目", max_length=64)
    indicator = models.CharField(
        "指标",
        max_length=200,
        help_text="统计指标的名称，如 按期办结率、满意率.责任单位、督办.问责建议函；"
        "几个件次、批次可以用“+”相加，如 进京.个访.批次+进京.集访.批次。",
    )
    rule = models.CharField("计分方法", max_length=16, choices=RuleChoice.choices)
    weight = models.DecimalField(
        "分值",
        max_digits=6,
        decimal_places=2,
        help_text="按比例、分档计分：本项满分；逐项扣分：每件（批、份）扣的分。",
    )
    floor = models.DecimalField(
        "底线值",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="按比例计分：达到此值得 0 分。",
    )
    target = models.DecimalField(
        "目标值",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="按比例计分：达到此值得满分；目标值低于底线值表示越低越好（如重复信访率）。",
    )
    steps = models.CharField(
        "分档",
        max_length=200,
        blank=True,
        help_text="分档计分：“门槛=得分”，用分号隔开，如 95=10; 90=8; 85=6。",
    )
    lower_is_better = models.BooleanField(
        "越低越好", default=False, help_text="分档计分：数值不高于门槛即达到该档。"
    )
    cap = models.DecimalField(
        "扣分上限",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="逐项扣分：本项最多扣的分。",
    )
    when_empty = models.CharField(
        "无应统计事项时",
        max_length=8,
        choices=EmptyChoice.choices,
        default=EmptyChoice.FULL,
        help_text="比率的分母为零（如本期没有应办结的事项）时如何计分。",
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Scorecard(models.Model):
    """A period's scores frozen (定稿): the table as it stood, to be compared with the live one.

    `rows` is the list of `scoring.UnitRow.to_json()` of the frozen table, ranked. A frozen card is
    never recomputed; when the facts change later the page shows the differences."""

    scheme = models.ForeignKey(
        Scheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="scorecards"
    )
    period = models.CharField("考核期间", max_length=8)  # q1..q4, h1, year: assessment.periods
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    rows = models.JSONField("定稿得分", default=list)
    frozen_at = models.DateTimeField("定稿时间")
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="定稿人", on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "考核定稿"
        verbose_name_plural = "考核定稿"
        ordering = ["-end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period"], name="assessment_scorecard_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.start}~{self.end}"
