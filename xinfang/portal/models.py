"""The citizen's side of the portal: a verified identity per account, and the SMS codes that prove a
mobile number. Nothing here holds a case: submissions are cases (xinfang.cases)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CitizenProfile(models.Model):
    """实名 data of a citizen account. The ID number and the mobile number are personal data: stored
    encrypted (xinfang.cases.pii), with a keyed hash that finds the account without decrypting."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="群众账号",
        on_delete=models.CASCADE,
        related_name="citizen_profile",
    )
    phone_enc = models.TextField("手机号码（加密）")
    phone_hash = models.CharField("手机号码索引", max_length=64, unique=True)
    id_number_enc = models.TextField("身份证号码（加密）")
    id_number_hash = models.CharField("身份证号码索引", max_length=64, unique=True)
    verified_at = models.DateTimeField("实名时间")

    class Meta:
        verbose_name = "群众实名信息"
        verbose_name_plural = "群众实名信息"

    def __str__(self) -> str:
        return str(self.user)


class SmsCode(models.Model):
    """A 6-digit code sent to a mobile number for one purpose; only its hash is kept."""

    class Purpose(models.TextChoices):
        REGISTER = "register", "注册"
        LOGIN = "login", "登录"
        RESET = "reset", "找回密码"

    phone_hash = models.CharField("手机号码索引", max_length=64)
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices)
    code_hash = models.CharField("验证码摘要", max_length=64)
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        indexes = [models.Index(fields=["phone_hash", "purpose", "-created_at"], name="smscode_lookup")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} · {self.created_at:%Y-%m-%d %H:%M}"
