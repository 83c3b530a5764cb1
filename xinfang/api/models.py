"""Bearer tokens for staff clients of the JSON API.

Only the SHA-256 of a token is stored; the token itself is shown once, when it is created. The
first characters (`prefix`) stay readable so an administrator can tell tokens apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=100, help_text="用途说明，例如“12345 热线对接”。")
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    prefix = models.CharField("令牌前缀", max_length=8, editable=False, db_index=True)
    created_at = models.DateTimeField("创建时间", editable=False)
    last_used_at = models.DateTimeField("最近使用时间", null=True, blank=True, editable=False)
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
