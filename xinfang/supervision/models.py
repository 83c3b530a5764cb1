"""Warnings of due and overdue clocks, and supervision (督办) of late or mishandled cases.

Warnings are written by the sweep (:mod:`.sweep`), exactly once per case, clock, kind and due
date: the unique constraint is the guarantee, the sweep's insert-or-ignore the means. A
supervision is changed only by the functions in :mod:`.services`, each appending one
:class:`SupervisionEvent` (the append-only history of the supervision).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from xinfang.cases.models import Case
from xinfang.deadlines.models import CLOCK_LABELS
from xinfang.orgs.models import Org


class DueWarning(models.Model):
    """A due-soon warning (临期预警) or an overdue flag (超期) on one clock of a case."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "临期预警"
        OVERDUE = "overdue", "已超期"

    # Both written by the sweep, hundreds of thousands at once after an import, from case rows
    # it reads in the same statement; no case or organ is ever deleted, and the ORM still
    # cascades and protects. Without the constraints' check of each row at commit the first
    # sweep of a million open cases took 3 s less. The case needs no index of its own: the
    # unique constraint begins with it.
    case = models.ForeignKey(
        Case,
        verbose_name="信访件",
        on_delete=models.CASCADE,
        related_name="due_warnings",
        db_constraint=False,
        db_index=False,
    )
    clock = models.CharField("期限", max_length=32, choices=list(CLOCK_LABELS.items()))
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    due_on = models.DateField("期限届满日")
    # the moment the period ends (24:00 of due_on, Beijing time); compared with Case.next_due_at
    due_at = models.DateTimeField("届满时刻")
    org = models.ForeignKey(
        Org,
        verbose_name="当时责任单位",
        on_delete=models.PROTECT,
        related_name="due_warnings",
        db_constraint=False,
    )
    created_at = models.DateTimeField("生成时间")
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "期限预警"
        verbose_name_plural = "期限预警"
        ordering = ["due_at", "case_id"]
        constraints = [
            # Also the index of a case's warnings of one kind (the lists' first warning per case,
            # the case page): the case and the kind lead.
            models.UniqueConstraint(
                fields=["case", "kind", "clock", "due_on"], name="due_warning_once_per_kind_clock_due"
            ),
        ]
        indexes = [
            # The 期限预警 list walks the open warnings of one kind in due order and stops after a
            # page of visible ones (supervision.selectors.first_warnings).
            models.Index(
                fields=["kind", "due_at", "case", "clock"],
                name="due_warning_open_by_due",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_clock_display()} {self.get_kind_display()} {self.due_on}"


class SweepMark(models.Model):
    """The stored due moment of a case the sweep has already handled, and how far (its marker).

    A case is a candidate again only when its ``next_due_at`` changes or crosses into overdue,
    so a sweep over 100,000 open cases reads only the few that need work (healthchecks'
    ``alert_after`` scanner, with the mark in this app's own table instead of on the case).
    """

    class Stage(models.TextChoices):
        DUE_SOON = "due_soon", "已临期处理"
        OVERDUE = "overdue", "已超期处理"

    # As the warnings' case: written by the sweep in bulk, from the case rows it just read.
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    due_at = models.DateTimeField()
    stage = models.CharField(max_length=16, choices=Stage.choices)
    swept_at = models.DateTimeField()

    class Meta:
        verbose_name = "扫描标记"
        verbose_name_plural = "扫描标记"

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.due_at}"


class Reason(models.TextChoices):
    SHIRKING = "shirking", "推诿"
    PERFUNCTORY = "perfunctory", "敷衍"
    DELAY = "delay", "拖延"
    FALSIFICATION = "falsification", "弄虚作假"
    NOT_IMPLEMENTED = "not_implemented", "不落实处理意见"
    OVERDUE = "overdue", "超期未办结"


class SupervisionStatus(models.TextChoices):
    OPEN = "open", "督办中"
    ANSWERED = "answered", "已反馈"
    OVERDUE = "overdue", "逾期未反馈"
    CLOSED = "closed", "已办结"


ACTIVE_STATUSES = (SupervisionStatus.OPEN, SupervisionStatus.ANSWERED, SupervisionStatus.OVERDUE)


class Supervision(models.Model):
    """督办: a petition bureau's formal demand to the responsible unit about one case."""

    case = models.ForeignKey(
        Case, verbose_name="信访件", on_delete=models.PROTECT, related_name="supervisions"
    )
    opened_by_org = models.ForeignKey(
        Org, verbose_name="督办机关", on_delete=models.PROTECT, related_name="supervisions_opened"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办人", on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("督办时间")
    unit = models.ForeignKey(
        Org, verbose_name="被督办单位", on_delete=models.PROTECT, related_name="supervisions_received"
    )
    reason = models.CharField("督办事由", max_length=16, choices=Reason.choices)
    details = models.TextField("督办要求")
    feedback_due = models.DateField("反馈期限")
    status = models.CharField(
        "状态",
        max_length=16,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
        db_index=True,
    )
    feedback = models.TextField("办理情况反馈", blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="反馈人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closing_note = models.TextField("办结意见", blank=True)
    accountability = models.BooleanField("建议问责", default=False)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-opened_at", "-id"]
        constraints = [
            # One bureau keeps at most one unfinished 督办 per case: a second click is refused.
            models.UniqueConstraint(
                fields=["case", "opened_by_org"],
                condition=Q(status__in=["open", "answered", "overdue"]),
                name="supervision_one_active_per_bureau",
            ),
        ]
        indexes = [models.Index(fields=["status", "feedback_due"])]

    def __str__(self) -> str:
        return f"督办#{self.pk} {self.case_id} {self.get_reason_display()}"


class SupervisionEvent(models.Model):
    """One step of a supervision (opened, feedback, overdue, closed). Append-only."""

    class Kind(models.TextChoices):
        OPENED = "opened", "发起督办"
        FEEDBACK = "feedback", "单位反馈"
        OVERDUE = "overdue", "逾期未反馈"
        CLOSED = "closed", "督办办结"

    supervision = models.ForeignKey(Supervision, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("事件", max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        Org, verbose_name="操作机构", null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间")
    payload = models.JSONField("内容", default=dict)

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ["supervision", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["supervision", "seq"], name="supervision_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"督办#{self.supervision_id}#{self.seq} {self.get_kind_display()}"
