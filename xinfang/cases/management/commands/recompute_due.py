"""Recompute the stored next due moment of open cases after a calendar or rule change."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.tasks import recompute_open_cases


class Command(BaseCommand):
    help = "按当前日历和期限规则重新计算在办信访件的下一期限（只更新 next_due_at，不写办理记录）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all-open", action="store_true", help="every case not yet closed")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, all_open: bool, batch_size: int, **_: Any) -> None:
        if not all_open:
            raise CommandError("请加 --all-open 确认重算全部在办事项。")
        counts = recompute_open_cases(batch_size=batch_size)
        self.stdout.write(
            f"检查 {counts['checked']} 件，更新 {counts['updated']} 件，"
            f"期间被其他操作更新而跳过 {counts['skipped']} 件，无法计算 {counts['failed']} 件。"
        )
