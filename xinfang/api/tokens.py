"""Creating, checking and revoking API tokens (the writes and reads of `ApiToken`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction

from xinfang.api.models import ApiToken
from xinfang.core.errors import ServiceError
from xinfang.core.timeutil import now
from xinfang.orgs.models import User

PREFIX_LENGTH = 8
# last_used_at is a hint for administrators, not an audit log: write it at most this often.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_validate(*, user: User, name: str) -> str:
    """Check who may hold a token; returns the cleaned name."""
    if user.is_citizen:
        raise ServiceError("群众账号不能申请接口令牌，接口令牌只发给工作人员。", field="user")
    if not user.is_active:
        raise ServiceError(f"用户“{user}”已停用，不能申请接口令牌。", field="user")
    name = (name or "").strip()
    if not name:
        raise ServiceError("令牌名称不能为空。", field="name")
    if len(name) > 100:
        raise ServiceError("令牌名称不能超过 100 个字。", field="name")
    return name


def fill_new_key(token: ApiToken) -> str:
    """Give an unsaved token a fresh secret; returns the secret (only its hash is stored)."""
    raw = secrets.token_urlsafe(32)
    token.key_hash = token_hash(raw)
    token.prefix = raw[:PREFIX_LENGTH]
    token.created_at = now()
    return raw


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for a staff user: returns the row and the token, which is never shown again."""
    token = ApiToken(user=user, name=api_token_validate(user=user, name=name))
    raw = fill_new_key(token)
    token.save()
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)


def api_token_user(raw: str) -> User | None:
    """The active staff user a presented token belongs to, or None (unknown, revoked, citizen)."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(raw.strip()), revoked=False)
        .first()
    )
    if token is None or not token.user.is_active or token.user.is_citizen:
        return None
    moment = now()
    if token.last_used_at is None or moment - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user
