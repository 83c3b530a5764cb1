"""The calendar and the statutory periods as rows, so that a bureau's administrator can edit them.

The arithmetic stays pure (:mod:`xinfang.deadlines.calendar`, :mod:`.clocks`); these tables are
only its data. ``xinfang.cases.clocks`` builds a :class:`~.calendar.WorkCalendar` and the
:class:`~.profiles.PolicyProfile` objects from them and caches them per process; every save or
delete bumps :class:`DataVersion`, which other processes compare before they reuse their cache.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from xinfang.deadlines.calendar import DAY_KINDS, UNITS
from xinfang.deadlines.profiles import CLOCK_NAMES, RULE_KINDS
from xinfang.deadlines.profiles import DeadlineRule as PureRule
from xinfang.deadlines.vocabulary import CLOCK_SHORT_LABELS

CLOCK_LABELS = CLOCK_SHORT_LABELS  # the short rendering: rule tables, warning lists
UNIT_LABELS = {"calendar": "日（自然日）", "workday": "工作日"}
RULE_KIND_LABELS = {"duty": "办理时限（机关义务）", "window": "权利期间（信访人或单位）"}
DAY_KIND_LABELS = {"holiday": "放假", "workday": "调休上班"}


class DataVersion(models.Model):
    """One row whose number grows on every change to the calendar or the rules (cache check)."""

    version = models.PositiveBigIntegerField("版本", default=0)

    class Meta:
        verbose_name = "期限数据版本"
        verbose_name_plural = "期限数据版本"

    def __str__(self) -> str:
        return f"v{self.version}"

    @classmethod
    def current(cls) -> int:
        return cls.objects.filter(pk=1).values_list("version", flat=True).first() or 0

    @classmethod
    def bump(cls) -> None:
        # An UPDATE with F() is atomic, so two admins saving at once both count.
        if not cls.objects.filter(pk=1).update(version=F("version") + 1):
            cls.objects.get_or_create(pk=1, defaults={"version": 1})


class CalendarYear(models.Model):
    """A year whose State Council holiday schedule is loaded (``complete``) or knowingly absent."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    complete = models.BooleanField(
        "安排已完整导入", default=True, help_text="未勾选的年份按仅周末休息计算，并在期限上提示。"
    )
    source = models.CharField("来源", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日年份"
        verbose_name_plural = "节假日年份"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """A public holiday (day off) or a 调休 make-up working day."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=[(k, DAY_KIND_LABELS[k]) for k in DAY_KINDS])
    name = models.CharField("节日名称", max_length=32, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        if self.kind == "workday" and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": "调休上班日应为周六或周日；周一至周五本来就是工作日。"})


def split_list(text: str) -> tuple[str, ...]:
    """``"forwarded, assigned"`` or ``"forwarded 、assigned"`` -> ("forwarded", "assigned")."""
    return tuple(p for p in text.replace("、", ",").replace("，", ",").replace(" ", ",").split(",") if p)


NO_HEARING_CLOCKS = "none"  # PolicyProfile.hearing_clocks: a hearing stops no clock


class PolicyProfile(models.Model):
    """A named set of rules (national, or a province's regulation) and the regions it governs."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name="继承自",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="未单独设置的期限沿用上级方案。",
    )
    regions = models.CharField(
        "适用区划代码前缀",
        max_length=200,
        blank=True,
        help_text="逗号分隔的行政区划代码前缀，如“33”表示浙江省全省；留空表示不按区划匹配。",
    )
    # 第三十六条: hearing time does not count against the 复核 clock; a province may stop more.
    hearing_clocks = models.CharField(
        "听证期间停止计算的期限",
        max_length=200,
        blank=True,
        help_text="逗号分隔的期限代码，如“rereview_decide,handle”（复核办理、办理答复）；"
        "留空沿用上级方案（全国方案留空即为第三十六条的复核办理期限）；填“none”表示听证不停止任何期限。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "期限方案"
        verbose_name_plural = "期限方案"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def region_prefixes(self) -> tuple[str, ...]:
        return split_list(self.regions)

    @property
    def hearing_clock_names(self) -> tuple[str, ...] | None:
        """The clocks a hearing stops as set here; None: inherited (the field left empty)."""
        names = split_list(self.hearing_clocks)
        if not names:
            return None
        return () if names == (NO_HEARING_CLOCKS,) else names

    def clean(self) -> None:
        bad = [p for p in self.region_prefixes if not p.isdigit()]
        if bad:
            raise ValidationError({"regions": f"区划代码前缀只能是数字：{'、'.join(bad)}"})
        unknown = [c for c in self.hearing_clock_names or () if c not in CLOCK_LABELS]
        if unknown:
            known = "、".join(f"{code}（{label}）" for code, label in CLOCK_LABELS.items())
            raise ValidationError({"hearing_clocks": f"没有这些期限：{'、'.join(unknown)}。可填：{known}"})


class DeadlineRule(models.Model):
    """One statutory period of a profile; a child profile's row replaces the parent's whole rule."""

    profile = models.ForeignKey(
        PolicyProfile, verbose_name="方案", on_delete=models.CASCADE, related_name="rules"
    )
    clock = models.CharField(
        "期限", max_length=32, choices=[(c, CLOCK_LABELS.get(c, c)) for c in CLOCK_NAMES]
    )
    start_events = models.CharField("起算事件", max_length=200, help_text="逗号分隔的事件代码")
    end_events = models.CharField("完成事件", max_length=200, help_text="逗号分隔的事件代码")
    cancel_events = models.CharField("取消事件", max_length=200, blank=True)
    length = models.PositiveSmallIntegerField("期限长度")
    unit = models.CharField("单位", max_length=8, choices=[(u, UNIT_LABELS[u]) for u in UNITS])
    kind = models.CharField(
        "性质", max_length=8, choices=[(k, RULE_KIND_LABELS[k]) for k in RULE_KINDS], default="duty"
    )
    extension_limit = models.PositiveSmallIntegerField(
        "延期上限", null=True, blank=True, help_text="全部延期合计最多多少（同一单位）；留空表示不得延期。"
    )
    max_extensions = models.PositiveSmallIntegerField("延期次数上限", default=1)
    legal_ref = models.CharField("法律依据", max_length=200)
    note = models.TextField("说明", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "期限规则"
        verbose_name_plural = "期限规则"
        ordering = ["profile", "clock"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "clock"], name="deadline_rule_one_per_clock"),
        ]

    def __str__(self) -> str:
        return f"{self.profile.code}:{self.clock} {self.length}{UNIT_LABELS.get(self.unit, self.unit)}"

    def as_spec(self) -> dict[str, Any]:
        """The rule as a profiles-JSON object (the pure parser validates it)."""
        return {
            "start_events": list(split_list(self.start_events)),
            "end_events": list(split_list(self.end_events)),
            "cancel_events": list(split_list(self.cancel_events)),
            "length": self.length,
            "unit": self.unit,
            "kind": self.kind,
            "extension_limit": self.extension_limit,
            "max_extensions": self.max_extensions,
            "legal_ref": self.legal_ref,
            "note": self.note,
        }

    def clean(self) -> None:
        try:
            PureRule(clock=self.clock, **{k: _tuple_if_list(v) for k, v in self.as_spec().items()})
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def _tuple_if_list(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
