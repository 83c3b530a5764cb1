"""会商研判: a meeting of the units concerned about one case or a group of similar cases, with
its decision and the tasks it gives out, each tracked to done."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case
from xinfang.orgs.models import Org


class Consultation(models.Model):
    org = models.ForeignKey(
        Org, verbose_name="召集机关", on_delete=models.PROTECT, related_name="consultations"
    )
    held_on = models.DateField("会商日期")
    topic = models.CharField("会商议题", max_length=200)
    cases = models.ManyToManyField(Case, verbose_name="涉及信访件", related_name="consultations")
    units = models.ManyToManyField(Org, verbose_name="参会单位", related_name="consultations_attended")
    chair = models.CharField("主持人", max_length=64, blank=True)
    decision = models.TextField("会商意见")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "会商研判"
        verbose_name_plural = "会商研判"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class ConsultationTask(models.Model):
    consultation = models.ForeignKey(
        Consultation, verbose_name="会商", on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField("任务", max_length=200)
    owner_org = models.ForeignKey(
        Org, verbose_name="责任单位", on_delete=models.PROTECT, related_name="consultation_tasks"
    )
    due_on = models.DateField("完成期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_note = models.TextField("完成情况", blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="反馈人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The last reopening by the organiser (a report of "done" that the meeting's organiser did not
    # accept): kept on the task so that the unit sees why it is open again.
    reopened_at = models.DateTimeField("退回时间", null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="退回人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reopen_reason = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = "会商任务"
        verbose_name_plural = "会商任务"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner_org", "done_on"], name="consultation_task_open")]

    def __str__(self) -> str:
        return self.title
