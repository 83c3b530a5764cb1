"""The statistics app's own rows: where an imported case came from, the report templates, and the
report files written in the background (`ReportJob`).

A case imported from the national or provincial system is an ordinary case (registered and moved
along by the case services); this row only remembers its number in the source system, so that
importing the file again skips it, and the level of the organ that registered it there, which may
be an organ outside this installation (a 进京访 registered at the national bureau).
"""

from __future__ import annotations

from django.conf import settings
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
    in the back office. Its `kind` says which vocabulary its body is written in: a work report's
    (the figures of `xinfang.statistics.figure`), an assessment notice's (`xinfang.assessment`) or a
    bulletin's (`xinfang.bulletins`); each page offers the templates of its own kind."""

    class Kind(models.TextChoices):
        REPORT = "report", "工作报告"
        NOTICE = "notice", "考核通报"
        BULLETIN = "bulletin", "信访简报"

    name = models.CharField("模板名称", max_length=64, unique=True)
    kind = models.CharField("模板类别", max_length=16, choices=Kind.choices, default=Kind.REPORT)
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


class ReportJob(models.Model):
    """A report file written in the background (`xinfang.statistics.tasks.write_report_file`).

    The statistics page asks for a .docx / .xlsx / .json here instead of rendering it in the request;
    the page polls the status and offers the file when it is written. A job belongs to the user who
    asked for it; the filters are kept as given (already checked against what the user may see)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="申请人"
    )
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+", verbose_name="机构")
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    comparison = models.CharField("对比", max_length=8)  # yoy / mom / none, as the page's filter
    template_name = models.CharField("报告模板", max_length=64, blank=True)
    fmt = models.CharField("格式", max_length=8)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    filename = models.CharField("文件名", max_length=255, blank=True)
    content = models.BinaryField("文件内容", blank=True, default=b"")
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "报告生成任务"
        verbose_name_plural = "报告生成任务"
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="stat_reportjob_user")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.start}~{self.end} .{self.fmt}"
