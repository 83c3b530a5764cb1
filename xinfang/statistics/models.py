"""The statistics app's own rows: where an imported case came from.

A case imported from the national or provincial system is an ordinary case (registered and moved
along by the case services); this row only remembers its number in the source system, so that
importing the file again skips it, and the level of the organ that registered it there, which may
be an organ outside this installation (a 进京访 registered at the national bureau).
"""

from __future__ import annotations

from django.db import models

from xinfang.cases.models import Case
from xinfang.orgs.models import Level


class ImportedCase(models.Model):
    external_number = models.CharField("原信访件编号", max_length=64, unique=True)
    case = models.OneToOneField(
        Case, verbose_name="信访事项", on_delete=models.PROTECT, related_name="import_record"
    )
    # The level of the organ that registered the matter in the source system. It differs from
    # Case.registered_level only when that organ is outside this installation: the case is then
    # registered by this installation's bureau, and statistics count it at this level
    # (xinfang.statistics.levels).
    registered_level = models.CharField("原登记机构级别", max_length=16, choices=Level.choices)
    outside_org = models.CharField("系统外登记机构", max_length=128, blank=True)
    source_file = models.CharField("来源文件", max_length=255)
    source_row = models.PositiveIntegerField("来源行号")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-imported_at", "-id"]
        indexes = [models.Index(fields=["registered_level"])]

    def __str__(self) -> str:
        return self.external_number


class ReportTemplate(models.Model):
    """A report's wording, as a bureau edits it: a Django template over the report vocabulary.

    The body is rendered by `xinfang.statistics.render` (docs/statistics.md, "报告模板"); the
    shipped templates come from `xinfang/statistics/report_templates/` and can be copied and changed
    in the back office."""

    name = models.CharField("模板名称", max_length=64, unique=True)
    title = models.CharField(
        "报告标题", max_length=128, help_text="可以使用模板变量，如 {{ 单位 }}{{ 期间 }}信访工作情况"
    )
    body = models.TextField(
        "模板正文", help_text="Django 模板语法；可用的指标、过滤器和标签见统计说明“报告模板”一节。"
    )
    description = models.TextField("说明", blank=True)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "报告模板"
        verbose_name_plural = "报告模板"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
