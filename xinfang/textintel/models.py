"""Tables of the text-intelligence features inside the product.

``CaseTextSignature``: the LSH band keys of each case's text (``near_dup``), one row per band, so the
duplicate check at intake is 32 indexed lookups on (band, hash), never a scan of the cases, each
reading at most the newest few cases of its key.
``ClusterAlert``: a 类案预警 raised by the daily hot-spot task, remembered so that the same cluster
is raised again only when it has grown (see ``alerts``).
``AlertReview``: an organ's record that it has looked at (研判) an alert; rows are only added, so the
history of who reviewed which size of the cluster stays.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinfang.cases.models import Case
from xinfang.orgs.models import Org


class CaseTextSignature(models.Model):
    # One row per case and band, keyed by them: no id column and no index but the (band, hash)
    # lookup's, as an import writes some thirty of these rows a case (on SQLite the table is a
    # WITHOUT ROWID one: one B-tree ordered by the key, migration 0003).
    pk = models.CompositePrimaryKey("case", "band")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+", db_index=False)
    band = models.PositiveSmallIntegerField("分段")
    hash = models.BigIntegerField("分段哈希")  # the uint64 band key as a signed 64-bit integer

    class Meta:
        verbose_name = "案件文本指纹"
        verbose_name_plural = "案件文本指纹"
        # The case last: each band key's cases newest first straight from the index, so a key that
        # thousands of earlier letters share (a campaign) costs a lookup of its newest few only.
        indexes = [models.Index(fields=["band", "hash", "case"], name="textintel_band_hash_case")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.band}"


class ClusterAlert(models.Model):
    signature = models.CharField("类案标识", max_length=64, unique=True)
    title = models.CharField("问题描述", max_length=300)
    place = models.CharField("地点/人群", max_length=200, blank=True)
    size = models.PositiveIntegerField("件数")  # at the last run
    case_ids = models.JSONField("案件", default=list)  # the cluster's case ids at the last run
    reason = models.CharField("预警原因", max_length=200, blank=True)
    first_raised_at = models.DateTimeField("首次预警时间")
    last_raised_at = models.DateTimeField("最近预警时间")
    last_size = models.PositiveIntegerField("最近预警时件数")
    last_seen_at = models.DateTimeField("最近发现时间", db_index=True)

    class Meta:
        verbose_name = "类案预警"
        verbose_name_plural = "类案预警"
        ordering = ["-last_raised_at", "-id"]

    def __str__(self) -> str:
        return self.title


class AlertReview(models.Model):
    alert = models.ForeignKey(
        ClusterAlert, verbose_name="类案预警", on_delete=models.CASCADE, related_name="reviews"
    )
    org = models.ForeignKey(Org, verbose_name="研判机构", on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="研判人", on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField("研判时间")
    note = models.CharField("研判意见", max_length=500)
    # the alert's last_size when reviewed: a later raise (the cluster grew) makes it 待研判 again
    size_at_review = models.PositiveIntegerField("研判时件数")

    class Meta:
        verbose_name = "类案预警研判"
        verbose_name_plural = "类案预警研判"
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["alert", "org", "reviewed_at"], name="textintel_review_alert_org")]

    def __str__(self) -> str:
        return f"{self.org} · {self.note}"
