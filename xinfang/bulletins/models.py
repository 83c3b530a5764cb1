"""信访简报 and 信访动态: the numbered issues a petition bureau writes for the Party committees and
governments and the organs under it, and the short items (动态) collected into them.

A `Bulletin` belongs to the organ that edits it. It is a draft until it is issued (签发); only then
does it take its number, the next of its organ, kind and year (the organ's counters,
`cases.DocumentCounter`), so a draft that is abandoned leaves no gap in the series. An issued
bulletin is a document sent out: its text, its 典型案例 and its items never change again
(`xinfang.bulletins.services`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case
from xinfang.orgs.models import Org
from xinfang.textintel.models import ClusterAlert


class Kind(models.TextChoices):
    BRIEF = "brief", "信访简报"
    DYNAMICS = "dynamics", "信访动态"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    ISSUED = "issued", "已签发"


class Bulletin(models.Model):
    org = models.ForeignKey(Org, verbose_name="编发单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    # The year of the series the number belongs to: the year it is issued in (a December issue
    # signed in January is the first of the new year); a draft holds the year it was written in.
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("期号", null=True, blank=True)
    title = models.CharField("标题", max_length=200)
    period_start = models.DateField("起始日期")
    period_end = models.DateField("截止日期")
    body = models.TextField("正文", blank=True)
    # Whether the clerk changed the text since it was last written from the template: adding a
    # 典型案例 then leaves the hand-written text alone instead of writing it again.
    body_edited = models.BooleanField("正文已修改", default=False)
    template_name = models.CharField("所用模板", max_length=64, blank=True)
    # The cases the rendered text drew on (the hot issues' cases the writer could see): their
    # petitioners' names are masked in whatever the clerk later types into the text as well.
    drawn_case_ids = models.JSONField("所依据的信访件", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编写人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("编写时间")
    updated_at = models.DateTimeField("修改时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    cases = models.ManyToManyField(Case, through="BulletinCase", related_name="+", verbose_name="典型案例")

    class Meta:
        verbose_name = "信访简报"
        verbose_name_plural = "信访简报"
        ordering = ["-year", "-number", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "year", "number"], name="bulletin_unique_number"),
            # Numbered exactly when issued: the number is given in the transaction that issues it.
            models.CheckConstraint(
                condition=(
                    models.Q(status=Status.ISSUED, number__isnull=False, issued_at__isnull=False)
                    | models.Q(status=Status.DRAFT, number__isnull=True)
                ),
                name="bulletin_numbered_when_issued",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="bulletin_period_order"
            ),
        ]
        indexes = [models.Index(fields=["org", "kind", "year"], name="bulletin_org_kind_year")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issue_label} {self.title}"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def issue_label(self) -> str:
        """ "2026年第3期", or "草稿" before it is issued."""
        return f"{self.year}年第{self.number}期" if self.number else "草稿"


class BulletinCase(models.Model):
    """A 典型案例 the clerk chose for a 简报, with what the editor says about it."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="notable")
    case = models.ForeignKey(Case, verbose_name="信访事项", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("编者说明", max_length=500, blank=True)
    position = models.PositiveSmallIntegerField("顺序")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="选编人", on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField("选编时间")

    class Meta:
        verbose_name = "典型案例"
        verbose_name_plural = "典型案例"
        ordering = ["bulletin", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["bulletin", "case"], name="bulletin_case_once")]

    def __str__(self) -> str:
        return f"{self.bulletin_id} · {self.case_id}"


class BulletinItem(models.Model):
    """One 信访动态 item: written by a clerk, or promoted from a case or a 类案预警 and rewritten;
    not yet collected while `bulletin` is empty."""

    org = models.ForeignKey(Org, verbose_name="编写单位", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    source_case = models.ForeignKey(
        Case, verbose_name="来源信访事项", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An alert may be removed by the daily job's housekeeping; the item keeps its own text.
    source_alert = models.ForeignKey(
        ClusterAlert,
        verbose_name="来源类案预警",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编写人", on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField("编写时间")
    bulletin = models.ForeignKey(
        Bulletin,
        verbose_name="编入",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    position = models.PositiveSmallIntegerField("顺序", null=True, blank=True)

    class Meta:
        verbose_name = "信访动态条目"
        verbose_name_plural = "信访动态条目"
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["org", "bulletin", "written_at"], name="bulletin_item_org")]

    def __str__(self) -> str:
        return self.title
