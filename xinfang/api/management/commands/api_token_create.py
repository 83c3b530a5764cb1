"""manage.py api_token_create --username U --name N: print a new API token for a staff user."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.api.tokens import api_token_create
from xinfang.core.errors import ServiceError
from xinfang.orgs.models import User


class Command(BaseCommand):
    help = "为工作人员生成接口令牌（令牌只显示这一次）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, help="工作人员的用户名")
        parser.add_argument("--name", required=True, help="令牌用途，例如“热线系统对接”")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户“{options['username']}”不存在。")
        try:
            token, raw = api_token_create(user=user, name=options["name"])
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(
            f"已为 {user} 生成接口令牌“{token.name}”（前缀 {token.prefix}）。令牌只显示这一次："
        )
        self.stdout.write(raw)
