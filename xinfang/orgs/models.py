"""Regions, organisations, staff accounts and their roles.

This app knows nothing of cases: it answers "which organ is this, where does it sit, who works
there and in which role". Trees (regions, organisations) carry a materialised path so that
"everything under this bureau" is one indexed prefix query at any depth.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class Level(models.TextChoices):
    """Administrative level of a region and of the organs attached to it."""

    NATIONAL = "national", "国家"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇"


# Depth order of levels: a child region must sit strictly below its parent.
LEVEL_RANK = {
    Level.NATIONAL: 0,
    Level.PROVINCE: 1,
    Level.CITY: 2,
    Level.COUNTY: 3,
    Level.TOWNSHIP: 4,
}


class OrgKind(models.TextChoices):
    PETITION_BUREAU = "petition_bureau", "信访部门"
    FUNCTIONAL = "functional", "职能部门"
    TOWNSHIP = "township", "乡镇街道"
    PARTY_GOVERNMENT = "party_government", "党委政府"
    POLITICAL_LEGAL = "political_legal", "政法机关"
    DISCIPLINE = "discipline", "纪检监察"
    # Where people are received below and beside the bureaus (xinfang.reception): a county's
    # one-stop centre hosting several units' windows, and under a township its work station,
    # village service points and mediation platform.
    ONE_STOP_CENTRE = "one_stop_centre", "综合服务中心（信访超市）"
    TOWNSHIP_STATION = "township_station", "镇级工作站"
    VILLAGE_POINT = "village_point", "村级服务点"
    MEDIATION_PLATFORM = "mediation_platform", "基层调解平台"


# The grass-roots points (说事、调解、就地化解): under a township, never themselves routing cases.
GRASSROOTS_KINDS = (OrgKind.TOWNSHIP_STATION, OrgKind.VILLAGE_POINT, OrgKind.MEDIATION_PLATFORM)


class Role(models.TextChoices):
    REGISTRAR = "registrar", "登记员"
    HANDLER = "handler", "承办人"
    APPROVER = "approver", "审核人"
    BUREAU_HEAD = "bureau_head", "信访部门负责人"
    LEADER = "leader", "领导"
    STATS_VIEWER = "stats_viewer", "统计员"
    ADMIN = "admin", "系统管理员"


class Region(models.Model):
    """An administrative division (行政区划) with its official code."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级别", max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/<root code>/.../<own code>/": descendants share this prefix.
    path = models.CharField("路径", max_length=255, unique=True, editable=False)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6,12}$"), name="region_code_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class RegionPopulation(models.Model):
    """A region's resident population (常住人口) in a year, for 每万人信访量.

    Optional and dated: a report uses the latest year not after the end of its period."""

    region = models.ForeignKey(
        Region, verbose_name="行政区划", on_delete=models.CASCADE, related_name="populations"
    )
    year = models.PositiveSmallIntegerField("年度")
    population = models.PositiveIntegerField("常住人口")

    class Meta:
        verbose_name = "区划人口"
        verbose_name_plural = "区划人口"
        ordering = ["region__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="region_population_one_per_year"),
            models.CheckConstraint(condition=models.Q(population__gt=0), name="region_population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"


class Org(models.Model):
    """A Party or state organ, a department, a township: anything that registers or handles cases."""

    name = models.CharField("机构名称", max_length=128)
    short_name = models.CharField("简称", max_length=32, blank=True)
    # 机关代字 (GB/T 9704 7.2.4): the organ's part of a 发文字号, as in 示信访转〔2026〕15号.
    doc_prefix = models.CharField(
        "机关代字",
        max_length=16,
        blank=True,
        help_text="发文字号中的机关代字，如“示信访”（文号为“示信访转〔2026〕15号”）；留空则用机构简称（无简称时用机构名称）。",
    )
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="orgs")
    level = models.CharField("机构级别", max_length=16, choices=Level.choices)
    kind = models.CharField("机构类别", max_length=32, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/<root id>/.../<own id>/": the organ's place in the tree of superiors.
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    is_active = models.BooleanField("启用", default=True)
    # 第三十四条 (延期 经本机关负责人批准) and the organ's own sign-off of its written opinions: a
    # request waits in an approver's queue; a one-person township office may decide alone.
    requires_approval = models.BooleanField(
        "延期和意见书须经审核",
        default=True,
        help_text="勾选：延期申请和处理意见书须由本单位审核人或信访部门负责人批准后生效；不勾选（如只有一人的乡镇信访办）：申请即生效，记为自行批准。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="org_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def document_prefix(self) -> str:
        """The 机关代字 its documents are numbered with: as set, else the short name, else the name."""
        return self.doc_prefix or self.short_name or self.name

    @property
    def is_petition_bureau(self) -> bool:
        return self.kind == OrgKind.PETITION_BUREAU

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class AccountKind(models.TextChoices):
    STAFF = "staff", "工作人员"
    CITIZEN = "citizen", "群众"


class User(AbstractUser):
    """A login. Staff work for organisations through memberships; citizens never hold one."""

    kind = models.CharField("账号类型", max_length=16, choices=AccountKind.choices, default=AccountKind.STAFF)
    full_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_citizen(self) -> bool:
        return self.kind == AccountKind.CITIZEN


class Membership(models.Model):
    """A staff user holding one role in one organisation."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(Org, verbose_name="机构", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "岗位角色"
        verbose_name_plural = "岗位角色"
        ordering = ["org__path", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.org} · {self.get_role_display()}"


__all__ = [
    "LEVEL_RANK",
    "AccountKind",
    "Level",
    "Membership",
    "Org",
    "OrgKind",
    "Region",
    "RegionPopulation",
    "Role",
    "User",
]
