"""法定途径清单 (诉访分离, 第三十一条): which matters go to which legal procedure, on what legal
basis and where, as data the back office edits; and each matter guided into one."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case, ContentCategory
from xinfang.cases.services.routing import LEGAL_CHANNELS
from xinfang.orgs.models import Org
from xinfang.reception.route_guide import split_keywords


class LegalRoute(models.Model):
    """One line of the guide: matters of a category (and, optionally, with one of some words in
    their text) belong to a legal route. A row without a category applies to every category by its
    words alone."""

    category = models.ForeignKey(
        ContentCategory,
        verbose_name="内容分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_routes",
    )
    keywords = models.CharField(
        "关键词",
        max_length=200,
        blank=True,
        help_text="以顿号、逗号或空格分隔；留空则适用于该分类的全部事项。",
    )
    channel = models.CharField("法定途径类别", max_length=32, choices=list(LEGAL_CHANNELS.items()))
    name = models.CharField("法定途径", max_length=64, help_text="如“劳动人事争议仲裁”，写入告知书。")
    matters = models.CharField("适用事项", max_length=200, help_text="如“劳动报酬、解除劳动合同等劳动争议”。")
    legal_basis = models.TextField(
        "法律依据", help_text="如“《中华人民共和国劳动争议调解仲裁法》第二条、第五条”。"
    )
    where_to_go = models.TextField("受理机关", help_text="应向哪个机关提出，写入告知书。")
    order = models.PositiveSmallIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "法定途径清单"
        verbose_name_plural = "法定途径清单"
        ordering = ["category__code", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.category.name if self.category else '通用'} → {self.name}"

    @property
    def keyword_list(self) -> list[str]:
        return split_keywords(self.keywords)


class LegalGuidance(models.Model):
    """A matter guided into a legal route (导入法定途径): written with the case's 不予受理, so the
    figure "guided into legal routes per category" reads one table."""

    case = models.OneToOneField(
        Case, verbose_name="信访件", on_delete=models.PROTECT, related_name="legal_guidance"
    )
    route = models.ForeignKey(
        LegalRoute,
        verbose_name="法定途径",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guidances",
    )
    channel = models.CharField("法定途径类别", max_length=32, choices=list(LEGAL_CHANNELS.items()))
    route_name = models.CharField("法定途径", max_length=64)
    category = models.ForeignKey(
        ContentCategory, verbose_name="内容分类", on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(Org, verbose_name="告知机关", on_delete=models.PROTECT, related_name="+")
    suggested = models.BooleanField("采纳系统建议", default=False)
    at = models.DateTimeField("告知时间")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "法定途径导入"
        verbose_name_plural = "法定途径导入"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["org", "at"], name="legal_guidance_org_at")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.route_name}"
