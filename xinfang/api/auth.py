"""`Authorization: Bearer <token>` for staff; the token's user becomes `request.auth`."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from xinfang.api.tokens import api_token_user
from xinfang.orgs.models import User


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


def current_user(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]
