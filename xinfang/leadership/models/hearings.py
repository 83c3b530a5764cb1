"""信访听证: the whole procedure, from application or decision to the published conclusion.

A hearing is possible for a major, complex or difficult matter in 办理 (第三十一条第六项) and in
复核 (第三十六条); its time is excluded from the 复核 clock and from any other clock the policy
profile names (``PolicyProfile.hearing_clocks``), through the case services' hearing actions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case
from xinfang.orgs.models import Org


class HearingOrigin(models.TextChoices):
    APPLIED = "applied", "信访人申请"
    DECIDED = "decided", "机关决定"


class HearingStatus(models.TextChoices):
    APPLIED = "applied", "已申请"
    REFUSED = "refused", "不予听证"
    DECIDED = "decided", "决定听证"
    ANNOUNCED = "announced", "已公告"
    IN_SESSION = "in_session", "听证中"
    CONCLUDED = "concluded", "已作出结论"
    PUBLISHED = "published", "结论已公开"
    # The petitioner withdrew the application, or failed to attend without good reason (视为撤回),
    # before the session opened: the hearing ends without a conclusion.
    WITHDRAWN = "withdrawn", "已终止"


# Not yet concluded (nor refused): at most one per case (the constraint below says the same).
OPEN_HEARING_STATUSES = (
    HearingStatus.APPLIED,
    HearingStatus.DECIDED,
    HearingStatus.ANNOUNCED,
    HearingStatus.IN_SESSION,
)


class Hearing(models.Model):
    case = models.ForeignKey(Case, verbose_name="信访件", on_delete=models.PROTECT, related_name="hearings")
    org = models.ForeignKey(Org, verbose_name="听证机关", on_delete=models.PROTECT, related_name="hearings")
    origin = models.CharField("启动方式", max_length=16, choices=HearingOrigin.choices)
    status = models.CharField("状态", max_length=16, choices=HearingStatus.choices)
    applied_on = models.DateField("申请日期", null=True, blank=True)
    application = models.TextField("申请事项和理由", blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision = models.TextField("决定意见", blank=True)
    announced_on = models.DateField("公告日期", null=True, blank=True)
    announcement = models.TextField("公告内容", blank=True)
    scheduled_at = models.DateTimeField("听证时间", null=True, blank=True)
    venue = models.CharField("听证地点", max_length=128, blank=True)
    started_on = models.DateField("听证开始日期", null=True, blank=True)
    ended_on = models.DateField("听证结束日期", null=True, blank=True)
    statement = models.TextField("陈述", blank=True)
    questioning = models.TextField("询问", blank=True)
    debate = models.TextField("辩论", blank=True)
    deliberation = models.TextField("评议", blank=True)
    conclusion = models.TextField("听证结论", blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True)
    withdrawn_on = models.DateField("终止日期", null=True, blank=True)
    withdrawal = models.TextField("终止理由", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "信访听证"
        verbose_name_plural = "信访听证"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | (models.Q(started_on__isnull=False) & models.Q(ended_on__gte=models.F("started_on"))),
                name="hearing_ends_after_start",
            ),
            # One hearing at a time per case: a second one waits for the first's conclusion.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=[s.value for s in OPEN_HEARING_STATUSES]),
                name="hearing_one_open_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"听证#{self.pk} {self.case_id} {self.get_status_display()}"


class ParticipantRole(models.TextChoices):
    HOST = "host", "主持人"
    PANEL = "panel", "听证员"
    PETITIONER = "petitioner", "信访人"
    REPRESENTATIVE = "representative", "信访人代表"
    NPC_DEPUTY = "npc_deputy", "人大代表"
    CPPCC_MEMBER = "cppcc_member", "政协委员"
    LAWYER = "lawyer", "律师"
    EXPERT = "expert", "专家学者"
    UNIT = "unit", "责任单位代表"
    PUBLIC = "public", "群众代表"
    RECORDER = "recorder", "记录员"


class HearingParticipant(models.Model):
    hearing = models.ForeignKey(
        Hearing, verbose_name="听证", on_delete=models.CASCADE, related_name="participants"
    )
    role = models.CharField("身份", max_length=16, choices=ParticipantRole.choices)
    name = models.CharField("姓名", max_length=64)
    affiliation = models.CharField("单位或职务", max_length=128, blank=True)

    class Meta:
        verbose_name = "听证参加人"
        verbose_name_plural = "听证参加人"
        ordering = ["hearing", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class HearingEvent(models.Model):
    """One step of a hearing (who, when, what), append-only: the hearing's own trail. The case's
    history records the start and the end of the session (``hearing_started`` / ``hearing_ended``)."""

    class Kind(models.TextChoices):
        APPLIED = "applied", "登记听证申请"
        DECIDED = "decided", "决定听证"
        ACCEPTED = "accepted", "同意听证申请"
        REFUSED = "refused", "不予听证"
        ANNOUNCED = "announced", "发布听证公告"
        PARTICIPANT_ADDED = "participant_added", "增加参加人"
        PARTICIPANT_REMOVED = "participant_removed", "移除参加人"
        OPENED = "opened", "开始听证"
        RECORDED = "recorded", "记录听证过程"
        CONCLUDED = "concluded", "作出听证结论"
        PUBLISHED = "published", "公开听证结论"
        WITHDRAWN = "withdrawn", "终止听证"

    hearing = models.ForeignKey(Hearing, verbose_name="听证", on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("事件", max_length=24, choices=Kind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(Org, verbose_name="机关", on_delete=models.PROTECT, related_name="+")
    payload = models.JSONField("数据", default=dict)

    class Meta:
        verbose_name = "听证记录"
        verbose_name_plural = "听证记录"
        ordering = ["hearing", "seq"]
        constraints = [models.UniqueConstraint(fields=["hearing", "seq"], name="hearing_event_seq_unique")]

    def __str__(self) -> str:
        return f"听证#{self.hearing_id} {self.seq} {self.get_kind_display()}"
